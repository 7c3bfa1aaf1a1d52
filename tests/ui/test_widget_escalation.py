"""The widget's way to a person, honest at every step (real Chromium, a shop on its own origin): nothing claims a
handoff before the ticket is filed, one email form at a time, a ticket confirmation under the message it confirms,
an email the server would refuse refused by the browser with the right words, an anonymous customer's requests kept
for their browser after "New conversation", and "Your latest note" only ever a note the customer wrote."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, Request, expect

from tests.ui.conftest import Stack, shot
from tests.ui.widget import ask, open_widget

pytestmark = pytest.mark.integration
REFERENCE = re.compile(r"T-\d{6}")
ESCALATING = ("what's the weather like in lisbon tomorrow", "write me a poem about the sea",
              "can I talk to a human please")
TWO_FA = "how do I turn on two-factor authentication?"


def _session(page: Page) -> str:
    return str(page.evaluate("() => JSON.parse(Object.entries(localStorage).find(([k]) => "
                             "k.startsWith('answer-widget:'))[1]).session_id"))


def _later(stack: Stack) -> None:
    stack.clock.now += timedelta(minutes=1)  # a session's turns are ordered by time


def test_three_escalations_waiting_for_an_email_show_one_form_and_one_email_files_them(
    stack: Stack, page: Page
) -> None:
    page.goto(stack.shop)
    open_widget(page)
    forms = page.get_by_role("form", name="Your email")

    for question in ESCALATING:
        reply = ask(page, question)
        expect(forms).to_have_count(1)
        expect(reply.get_by_role("form", name="Your email")).to_be_visible()  # the newest reply's
        expect(reply).not_to_contain_text("passed")
        expect(reply).not_to_contain_text("handing")
        _later(stack)
    assert stack.engine.desk.store.for_session(_session(page)) == []  # nothing filed before the customer answers
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(forms).to_have_count(1)
    shot(page, "30-one-email-form", full_page=True)

    forms.get_by_label(re.compile("Email")).fill("ann@acme.example")
    forms.get_by_role("button", name="Send to support").click()

    expect(page.locator(".msg.ticket")).to_have_count(1)
    expect(forms).to_have_count(0)
    [ticket] = stack.engine.desk.store.for_session(_session(page))
    assert ticket.has_contact and len(ticket.later_reasons) == 2
    expect(page.locator(".msg.escalation").filter(has_text=ticket.reference)).to_have_count(3)


def test_a_ticket_confirmation_lands_under_the_escalation_it_confirms(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    escalated = ask(page, ESCALATING[0])
    _later(stack)
    ask(page, TWO_FA)  # answered meanwhile; the email form is still up there

    escalated.get_by_label(re.compile("Email")).fill("bo@acme.example")
    escalated.get_by_role("button", name="Send to support").click()

    confirmation = page.locator(".msg.ticket")
    expect(confirmation).to_contain_text(REFERENCE)
    order = "() => [...document.getElementById('answer-widget').shadowRoot.querySelectorAll('.msg')].map(n => n.className)"
    kinds = [re.sub(r"msg (bot )?", "", c).split()[0] for c in page.evaluate(order)]
    assert kinds[kinds.index("ticket") - 1] == "notice"  # right under the escalation, not under the later answer
    assert kinds[-1] == "answer"
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert [re.sub(r"msg (bot )?", "", c).split()[0] for c in page.evaluate(order)] == kinds
    page.locator(".msg.ticket").scroll_into_view_if_needed()
    shot(page, "31-confirmation-in-place")


def test_an_email_the_server_would_refuse_is_refused_by_the_browser_with_the_right_words(
    stack: Stack, page: Page
) -> None:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/v1/escalate") else None)
    page.goto(stack.shop)
    open_widget(page)
    reply = ask(page, ESCALATING[1])
    email = reply.get_by_label(re.compile("Email"))

    email.fill("phone.user@example")
    reply.get_by_role("button", name="Send to support").click()

    assert email.evaluate("e => e.validity.valid") is False
    message = email.evaluate("e => e.validationMessage")
    assert "email address" in message and "shorten" not in message
    expect(page.locator(".msg.ticket")).to_have_count(0)
    assert sent == []
    email.fill("phone.user@example.com")
    reply.get_by_role("button", name="Send to support").click()
    expect(page.locator(".msg.ticket")).to_contain_text("phone.user@example.com")


def test_an_anonymous_customers_requests_stay_listed_after_a_new_conversation(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    ask(page, ESCALATING[1]).get_by_role("button", name="Continue without email").click()
    first = REFERENCE.search(page.locator(".msg.ticket").inner_text())
    assert first is not None

    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".msg.user")).to_have_count(0)
    page.get_by_role("button", name="Your requests").click()
    requests = page.get_by_role("region", name="Your requests")
    expect(requests).to_contain_text(first.group(0))
    expect(requests).to_contain_text("write me a poem about the sea")

    ask(page, ESCALATING[0]).get_by_role("button", name="Continue without email").click()
    second = REFERENCE.search(page.locator(".msg.ticket").inner_text())
    assert second is not None and second.group(0) != first.group(0)
    page.get_by_role("button", name="Your requests").click()
    expect(requests.locator("li")).to_have_count(2)
    expect(requests.locator("li").first).to_contain_text(second.group(0))  # most recently updated first
    shot(page, "32-requests-after-new-conversation")


def test_your_latest_note_is_the_note_the_customer_wrote_not_a_later_question(stack: Stack, page: Page) -> None:
    escalations: list[Request] = []
    page.on("request", lambda r: escalations.append(r) if r.url.endswith("/v1/escalate") else None)
    page.goto(stack.shop)
    open_widget(page)
    answer = ask(page, TWO_FA)
    answer.get_by_role("button", name="Still need help?").click()
    form = page.get_by_role("form", name="Contact support")
    form.get_by_label("Email").fill("di@acme.example")
    form.get_by_label("Anything else we should know? (optional)").fill("My phone number changed last week")
    form.get_by_role("button", name="Send to support").click()
    expect(page.locator(".msg.ticket")).to_contain_text(REFERENCE)
    _later(stack)

    later = ask(page, "can I talk to a human please")  # updates the same ticket: no form, it has an email
    expect(later.get_by_role("form")).to_have_count(0)
    page.get_by_role("button", name="Your requests").click()

    requests = page.get_by_role("region", name="Your requests")
    expect(requests).to_contain_text("Your latest note: My phone number changed last week")
    expect(requests).not_to_contain_text("talk to a human")
    assert len(escalations) == 1
