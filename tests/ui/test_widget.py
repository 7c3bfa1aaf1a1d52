"""The embeddable widget in real Chromium, embedded with one tag on a shop served from another origin."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from tests.conftest import AGENT_KEY, auth
from tests.ui.conftest import Stack, shot
from tests.ui.widget import ask, open_widget

pytestmark = pytest.mark.integration
TWO_FA = "how do I turn on two-factor authentication?"
REFERENCE = re.compile(r"T-\d{6}")


def test_a_question_is_answered_with_a_cited_article_and_its_last_updated_date(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    shot(page, "01-widget-open")

    reply = ask(page, TWO_FA)

    source = reply.get_by_role("link", name="Set up two-factor authentication (2FA)")
    expect(source).to_have_attribute("href", re.compile(r"^https://help\.fluxboard\.example/account/two-factor-authentication\b"))
    expect(reply).to_contain_text("Last updated 21 Oct 2026")
    assert len(reply.inner_text()) > 120
    expect(page.get_by_role("status")).to_contain_text("authenticat")
    shot(page, "02-answer-with-citation")


def test_thumbs_down_then_still_need_help_files_a_ticket_the_agent_console_shows(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    reply = ask(page, TWO_FA)
    reply.get_by_role("button", name="Not helpful").click()
    page.get_by_label("What went wrong?").select_option("incomplete")
    page.get_by_label("Anything else? (optional)").fill("my codes never arrive")
    shot(page, "03-thumbs-down-reason")
    page.get_by_role("button", name="Send feedback").click()
    expect(reply).to_contain_text("Thanks for your feedback!")

    reply.get_by_role("button", name="Still need help?").click()
    form = page.get_by_role("form", name="Contact support")
    expect(form.get_by_label("Your question")).to_have_value(TWO_FA)
    form.get_by_label("Your question").fill("2FA codes never arrive on my phone")
    form.get_by_label("Email").fill("ann@acme.example")
    shot(page, "04-still-need-help-form")
    form.get_by_role("button", name="Send to support").click()

    confirmation = page.locator(".msg.ticket")
    expect(confirmation).to_contain_text(REFERENCE)
    reference = REFERENCE.search(confirmation.inner_text()).group(0)  # type: ignore[union-attr]
    shot(page, "05-ticket-reference")
    with stack.engine.database.engine.connect() as db:
        votes = db.execute(text("select helpful, reason, comment from votes")).all()
    assert (False, "incomplete", "my codes never arrive") in votes

    console = page.context.new_page()
    console.goto(f"{stack.api}/agent#tickets")
    console.get_by_label("Staff API key").fill(AGENT_KEY)
    console.get_by_role("button", name="Sign in").click()
    console.get_by_role("link", name=reference).click()
    expect(console.locator("#ticket-facts")).to_contain_text("2FA codes never arrive on my phone")
    expect(console.locator("#ticket-reason")).to_have_text("customer_request")
    expect(console.locator("#ticket-facts")).to_contain_text("ann@acme.example")
    expect(console.locator("#ticket-transcript")).to_contain_text(TWO_FA)
    expect(console.locator("#ticket-articles")).to_contain_text("Set up two-factor authentication (2FA)")
    feedback = console.locator("#ticket-feedback")  # the 👎, its reason and comment, beside the ticket
    expect(feedback).to_contain_text("Not helpful")
    expect(feedback).to_contain_text("Something is missing")
    expect(feedback).to_contain_text("my codes never arrive")
    shot(console, "06-agent-ticket-view", full_page=True)


def test_an_out_of_scope_question_escalates_asks_for_an_email_and_shows_the_ticket_reference(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)

    reply = ask(page, "write me a poem about the sea")

    expect(reply).to_have_class(re.compile("escalation"))
    email = reply.get_by_role("form", name="Your email")  # asked before any ticket is filed
    email.get_by_label(re.compile("Email")).fill("cy@acme.example")
    email.get_by_role("button", name="Send to support").click()
    confirmation = page.locator(".msg.ticket")
    expect(confirmation).to_contain_text(REFERENCE)
    reference = REFERENCE.search(confirmation.inner_text()).group(0)  # type: ignore[union-attr]
    ticket = httpx.get(f"{stack.api}/v1/tickets/{reference}", headers=auth(AGENT_KEY), timeout=30).json()
    assert ticket["reason"] == "out_of_scope" and ticket["question"] == "write me a poem about the sea"
    assert ticket["customer"]["email"] == "cy@acme.example"
    shot(page, "07-escalated")


def test_the_conversation_survives_a_page_reload(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    ask(page, TWO_FA)
    session = page.evaluate("() => JSON.parse(localStorage.getItem('answer-widget:pk-test-shop-0123456789')).session_id")

    page.reload()

    expect(page.get_by_role("dialog")).to_be_visible()  # open before the reload: open after it, unasked
    expect(page.get_by_role("button", name="Need help?", exact=True)).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".msg.user")).to_have_text([TWO_FA])
    expect(page.locator(".msg.answer").get_by_role("link", name="Set up two-factor authentication (2FA)")).to_be_visible()
    follow_up = ask(page, "how do I download my invoices?")
    expect(follow_up).to_contain_text("invoice")
    turns = httpx.get(f"{stack.api}/v1/sessions/{session}", headers=auth(AGENT_KEY), timeout=30).json()["turns"]
    assert sorted(t["question"] for t in turns) == ["how do I download my invoices?", TWO_FA]
    shot(page, "08-after-reload")

    page.get_by_role("button", name="Close help").click()
    page.reload()
    expect(page.get_by_role("button", name="Need help?", exact=True)).to_be_visible()
    expect(page.get_by_role("dialog")).to_be_hidden()  # closed before: stays closed


def test_a_server_error_or_outage_shows_a_friendly_message_and_the_widget_keeps_working(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    page.route("**/v1/ask", lambda route: route.fulfill(
        status=500, content_type="application/problem+json",
        headers={"Access-Control-Allow-Origin": stack.shop},
        body='{"title": "Internal Server Error", "status": 500, "detail": "Traceback: KeyError"}'))

    broken = ask(page, TWO_FA)

    expect(broken).to_contain_text("Something went wrong on our side")
    expect(broken).not_to_contain_text("Traceback")
    shot(page, "09-server-error")
    page.unroute("**/v1/ask")
    page.route("**/v1/ask", lambda route: route.abort("connectionrefused"))
    expect(ask(page, TWO_FA)).to_contain_text("Something went wrong on our side")
    page.unroute("**/v1/ask")

    recovered = ask(page, TWO_FA)
    expect(recovered.get_by_role("link", name="Set up two-factor authentication (2FA)")).to_be_visible()


def test_a_streamed_answer_is_rendered_from_its_deltas_and_final_event(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    done = ('{"interaction_id": "00000000-0000-0000-0000-000000000001", "session_id": "s.1", "decision": "answer", '
            '"answer": "Open **Settings**, then [Security](https://help.example/s).", "confidence": 0.9, "reason": "answered", "ticket": null, '
            '"citations": [{"article_id": "a", "title": "Security settings", "url": "https://help.example/a", '
            '"score": 0.9, "snippet": "", "updated_at": "2026-11-02"}]}')
    stream = (f'event: delta\ndata: {{"text": "Open Settings, "}}\n\nevent: delta\ndata: {{"text": "then Security."}}\n\n'
              f"event: done\ndata: {done}\n\n")
    page.route("**/v1/ask", lambda route: route.fulfill(
        status=200, content_type="text/event-stream", headers={"Access-Control-Allow-Origin": stack.shop}, body=stream))

    reply = ask(page, "where are the security settings?")

    expect(reply).to_contain_text("Open Settings, then Security.")
    expect(reply.locator("strong")).to_have_text("Settings")
    expect(reply.get_by_role("link", name="Security", exact=True)).to_have_attribute("href", "https://help.example/s")
    expect(reply.get_by_role("link", name="Security settings")).to_have_attribute("href", "https://help.example/a")
    expect(reply).to_contain_text("Last updated 2 Nov 2026")
    failing = 'event: delta\ndata: {"text": "Open"}\n\nevent: error\ndata: {"status": 503, "detail": "x"}\n\n'
    page.unroute("**/v1/ask")
    page.route("**/v1/ask", lambda route: route.fulfill(
        status=200, content_type="text/event-stream", headers={"Access-Control-Allow-Origin": stack.shop}, body=failing))
    expect(ask(page, "and then?")).to_contain_text("Something went wrong on our side")


def test_the_demo_help_center_embeds_the_widget_with_its_public_key(stack: Stack, page: Page) -> None:
    page.goto(stack.api)
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    open_widget(page)

    reply = ask(page, "how do I download my invoices?")

    expect(reply.get_by_role("link", name=re.compile("invoice|billing", re.I)).first).to_be_visible()
    shot(page, "10-demo-help-center")
    script = httpx.get(f"{stack.api}/widget.js", timeout=30)
    assert script.headers["content-type"].startswith("text/javascript")
    assert "max-age" in script.headers["cache-control"]
