"""Widget and staff-page details in real Chromium: the customer's own requests, a new conversation, code blocks and
italics, long answers opened at their start, Markdown in the agent console (escaped), the 👎 reason, a refused
origin, a 390 px phone, the favicon and the API docs offline."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.conftest import AGENT_KEY
from tests.ui.conftest import SHOP_KEY, Stack, shot
from tests.ui.widget import ask, open_widget

pytestmark = pytest.mark.integration
REFERENCE = re.compile(r"T-\d{6}")
STORE = f"answer-widget:{SHOP_KEY}"


def _reply(stack: Stack, answer: str) -> Callable[[Route], None]:
    body = {"interaction_id": "00000000-0000-0000-0000-000000000002", "session_id": "s.1", "decision": "answer",
            "answer": answer, "confidence": 0.9, "reason": "answered", "ticket": None, "citations": []}
    return lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(body),
                                       headers={"Access-Control-Allow-Origin": stack.shop})


def _escalated_reference(page: Page, question: str) -> str:
    """Escalate, give an email when asked for one, and read the ticket reference the widget confirms."""
    reply = ask(page, question)
    email = reply.get_by_role("form", name="Your email")
    email.get_by_label(re.compile("Email")).fill("dee@acme.example")
    email.get_by_role("button", name="Send to support").click()
    confirmation = page.locator(".msg.ticket").last
    expect(confirmation).to_contain_text(REFERENCE)
    return REFERENCE.search(confirmation.inner_text()).group(0)  # type: ignore[union-attr]


def test_a_customer_sees_their_own_request_and_its_status_but_never_another_customers(
    stack: Stack, page: Page, browser: Browser
) -> None:
    other = browser.new_context()
    stranger = other.new_page()
    stranger.goto(stack.shop)
    open_widget(stranger)
    theirs = _escalated_reference(stranger, "write a haiku about pirates")
    other.close()
    page.goto(stack.shop)
    open_widget(page)
    mine = _escalated_reference(page, "write me a poem about the sea")

    page.get_by_role("button", name="Your requests").click()
    requests = page.get_by_role("region", name="Your requests")
    expect(requests).to_contain_text(mine)
    expect(requests).to_contain_text("open")
    expect(requests).to_contain_text("write me a poem about the sea")
    expect(requests).not_to_contain_text(theirs)
    shot(page, "20-your-requests")

    status = ask(page, f"where is my ticket {mine}?")
    expect(status).to_contain_text(f"Your request {mine}")
    expect(status).to_contain_text("is open")
    snoop = ask(page, f"what's the status of ticket {theirs}?")
    expect(snoop).to_contain_text(f"can't find a request {theirs}")
    expect(snoop).not_to_contain_text("pirates")
    shot(page, "21-ticket-status-answer")


def test_new_conversation_starts_a_fresh_session(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    ask(page, "how do I turn on two-factor authentication?")
    first = page.evaluate(f"() => JSON.parse(localStorage.getItem('{STORE}')).session_id")

    page.get_by_role("button", name="New conversation").click()

    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.locator(".msg.answer")).to_have_count(0)
    expect(page.get_by_label("Your question", exact=True)).to_be_focused()
    ask(page, "how do I download my invoices?")
    second = page.evaluate(f"() => JSON.parse(localStorage.getItem('{STORE}')).session_id")
    assert first and second and second != first
    expect(page.locator(".msg.user")).to_have_text(["how do I download my invoices?"])


def test_code_blocks_and_italics_render_and_a_long_answer_opens_at_its_start(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    steps = "\n".join(f"{n}. Step number {n} of the long procedure." for n in range(1, 40))
    answer = f"Run this *once* per workspace:\n```\nflux login --sso\nflux sync\n```\n{steps}"
    page.route("**/v1/ask", _reply(stack, answer))

    reply = ask(page, "how do I sync?")

    expect(reply.locator("pre code")).to_have_text("flux login --sso\nflux sync")
    expect(reply.locator("em")).to_have_text("once")
    expect(reply).not_to_contain_text("```")
    offset = page.evaluate("""() => { const root = document.getElementById('answer-widget').shadowRoot;
        const log = root.querySelector('.log'), last = [...root.querySelectorAll('.msg.answer')].pop();
        return last.getBoundingClientRect().top - log.getBoundingClientRect().top; }""")
    assert 0 <= offset <= 20  # its first line is at the top of the log, not scrolled past
    shot(page, "22-code-block-italics-long-answer")


def test_a_pipe_table_in_an_answer_renders_as_a_table(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    answer = ("Check the sync log:\n\n| Error in the sync log | What to do |\n|---|---|\n"
              "| Sync failed: token expired | Click **Reconnect**. |\n| Sync paused: rate limited | Nothing. |")
    page.route("**/v1/ask", _reply(stack, answer))

    reply = ask(page, "why does sync fail?")

    expect(reply.locator("table th")).to_have_text(["Error in the sync log", "What to do"])
    expect(reply.locator("table tbody tr")).to_have_count(2)
    expect(reply.locator("table td strong")).to_have_text("Reconnect")
    expect(reply).not_to_contain_text("|")
    shot(page, "23-answer-table")


def test_thumbs_down_asks_for_a_reason_without_choosing_one(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    reply = ask(page, "how do I turn on two-factor authentication?")

    reply.get_by_role("button", name="Not helpful").click()
    reason = page.get_by_label("What went wrong?")

    expect(reason).to_have_value("")
    page.get_by_role("button", name="Send feedback").click()  # nothing chosen: the form does not send
    expect(reply).not_to_contain_text("Thanks for your feedback!")
    reason.select_option("unclear")
    page.get_by_role("button", name="Send feedback").click()
    expect(reply).to_contain_text("Thanks for your feedback!")


def test_a_refused_origin_says_so_instead_of_conversation_expired(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    page.route("**/v1/ask", lambda route: route.fulfill(
        status=403, content_type="application/problem+json", headers={"Access-Control-Allow-Origin": stack.shop},
        body='{"status": 403, "detail": "origin http://127.0.0.1:8001 is not allowed for this key"}'))

    refused = ask(page, "hello?")

    expect(refused).to_contain_text("This site isn't allowed to use the help widget")
    expect(refused).not_to_contain_text("expired")


def test_the_agent_console_renders_answer_markdown_and_shows_html_as_text(stack: Stack, page: Page) -> None:
    preview = {"decision": "answer", "answer": "Open **Settings** and *Security*.\n<script>window.pwned = 1</script>"
               "\n- <img src=x onerror=\"window.pwned = 2\">", "citations": [], "confidence": 0.9, "threshold": 0.5,
               "reason": "answered", "detail": "", "priority": "normal", "flags": [], "generation": "g1",
               "candidates": []}
    page.route("**/v1/preview", lambda route: route.fulfill(status=200, content_type="application/json",
                                                            body=json.dumps(preview)))
    page.goto(f"{stack.api}/agent")
    page.get_by_label("Staff API key").fill(AGENT_KEY)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Customer question").fill("where is 2FA?")
    page.get_by_role("button", name="Preview").click()

    answer = page.locator("#pv-answer")
    expect(answer.locator("strong")).to_have_text("Settings")
    expect(answer.locator("em")).to_have_text("Security")
    expect(answer).to_contain_text("<script>window.pwned = 1</script>")
    expect(answer).not_to_contain_text("**")
    assert answer.locator("script, img").count() == 0
    assert page.evaluate("() => window.pwned === undefined")
    shot(page, "23-agent-markdown-escaped")


def test_on_a_390px_phone_nothing_overflows_sideways(stack: Stack, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(stack.shop)
    open_widget(phone)
    ask(phone, "how do I turn on two-factor authentication?")
    phone.get_by_role("button", name="Your requests").click()
    expect(phone.get_by_role("region", name="Your requests")).to_be_visible()

    overflow = phone.evaluate("""() => { const root = document.getElementById('answer-widget').shadowRoot;
        return ['.panel', 'header', '.log', '.ask'].map(s => { const n = root.querySelector(s);
          return n.scrollWidth - n.clientWidth; }).concat([document.documentElement.scrollWidth - innerWidth]); }""")
    shot(phone, "24-phone-390")
    context.close()
    assert overflow == [0, 0, 0, 0, 0]


def test_pages_have_a_local_favicon_and_the_api_docs_render_offline(stack: Stack, page: Page) -> None:
    icon = httpx.get(f"{stack.api}/static/favicon.svg", timeout=30)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    outside: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(stack.api):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", only_local)
    for path in ("/", "/agent", "/dashboard"):
        page.goto(f"{stack.api}{path}")
        expect(page.locator("link[rel=icon]")).to_have_attribute("href", "/static/favicon.svg")

    page.goto(f"{stack.api}/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Answer engine")
    expect(page.locator(".opblock-summary-path", has_text="/v1/session/tickets")).to_be_visible()
    shot(page, "25-docs-offline")
    assert outside == []
