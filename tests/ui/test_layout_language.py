"""Layout and language in real Chromium, on a 1280 px desktop and a 390 px phone: widget tables break between words
only, dashboard tables fit their cards, ticket references stay on one line, headings need no emoji font, the
widget speaks the reply's language (every language the help center serves has all its words), a triage save says
"Saved", and /docs can authorize "Try it out" with an API key."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from engine.api.routes.pages import widget_strings
from engine.retrieve.eligibility import primary_language
from tests.conftest import AGENT_KEY, KB_NOW, PUBLIC_KEY, auth
from tests.ui.conftest import Stack, shot
from tests.ui.staff import file_ticket, sign_in
from tests.ui.widget import ask, open_widget

pytestmark = pytest.mark.integration
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PRICES = """Fluxboard has four plans:

| Plan | Billed annually | Billed monthly |
|---|---|---|
| **Free** | $0 | $0 |
| **Team** | $8 per seat / month ($96 per seat / year) | $10 per seat / month |
| **Business** | $16 per seat / month ($192 per seat / year) | $19 per seat / month |
| **Enterprise** | Custom pricing, annual contract | — |

| | Free | Team | Business | Enterprise |
|---|---|---|---|---|
| Members | up to 10 | up to 100 | unlimited | unlimited |
| Boards | 5 | unlimited | unlimited | unlimited |
"""
# Every word of every cell on one line: a word whose characters sit on two lines was broken ("Pla" / "n").
BROKEN_WORDS = """(selector) => {
  const scope = document.getElementById('answer-widget')?.shadowRoot || document;
  const broken = [];
  for (const cell of scope.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
}"""


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


@pytest.fixture(params=["desktop", "phone"])
def german(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP if request.param == "desktop" else PHONE, locale="de-DE")
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


def _table_answer(stack: Stack) -> Callable[[Route], None]:
    body = {"interaction_id": "00000000-0000-0000-0000-000000000003", "session_id": "s.1", "decision": "answer",
            "answer": PRICES, "confidence": 0.9, "reason": "answered", "ticket": None, "citations": [],
            "language": "en"}
    return lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(body),
                                       headers={"Access-Control-Allow-Origin": stack.shop})


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_widget_tables_break_between_words_only(stack: Stack, browser: Browser, size: str) -> None:
    context = browser.new_context(viewport=DESKTOP if size == "desktop" else PHONE)
    page = context.new_page()
    page.route("**/v1/ask", _table_answer(stack))
    page.goto(stack.shop)
    open_widget(page)

    reply = ask(page, "how much does the business plan cost?")

    expect(reply.locator("table")).to_have_count(2)
    assert page.evaluate(BROKEN_WORDS, ".body td, .body th") == []
    reply.scroll_into_view_if_needed()
    shot(page, f"40-widget-table-{size}")
    context.close()


def test_dashboard_tables_fit_their_cards_at_1280_px_and_need_no_emoji_font(stack: Stack, page: Page) -> None:
    for question in ("write me a poem about the sea", "how do I download my invoices?",
                     "trying to use promo code SUMMER26 but it says invalid??"):
        reply = httpx.post(f"{stack.api}/v1/ask", json={"question": question}, headers=auth(PUBLIC_KEY),
                           timeout=60).json()
        httpx.post(f"{stack.api}/v1/feedback", headers=auth(PUBLIC_KEY), timeout=30,
                   json={"interaction_id": reply["interaction_id"], "helpful": False, "reason": "unclear",
                         "session_id": reply["session_id"]})
    stack.clock.now = KB_NOW + timedelta(hours=1)
    try:
        sign_in(page, f"{stack.api}/dashboard")
        expect(page.locator("#chart-downvoted svg rect.bar").first).to_be_visible()
        for details in page.locator("#metrics details").all():
            details.locator("summary").click()  # the folded tables too

        clipped = page.evaluate("""() => [...document.querySelectorAll('#metrics .scroll')]
            .filter(s => s.scrollWidth > s.clientWidth + 1).map(s => s.closest('section').id)""")
        overflowing = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        headings = page.locator("#metrics h2, #metrics th").all_inner_texts()
        shot(page, "41-dashboard-1280", full_page=True)
    finally:
        stack.clock.now = KB_NOW
    assert clipped == [] and overflowing <= 0
    assert "Articles behind “not helpful” answers" in headings
    pictographs = [h for h in headings if re.search("[\U0001F300-\U0001FAFF\u2600-\u27BF]", h)]
    assert pictographs == []  # an empty box where no emoji font is installed


def test_ticket_references_stay_on_one_line_on_a_phone(stack: Stack, phone: Page) -> None:
    file_ticket(stack.api, "write a very long poem about the refund policy and the invoices of last year")
    sign_in(phone, f"{stack.api}/agent#tickets")
    expect(phone.locator("#tickets tbody tr").first).to_be_visible()

    assert phone.evaluate(BROKEN_WORDS, "#tickets td.ref") == []
    assert phone.evaluate("""() => [...document.querySelectorAll('#tickets td.ref a')]
        .every(a => a.getClientRects().length === 1)""")
    shot(phone, "42-phone-ticket-list", full_page=True)


def test_ticket_references_in_the_widget_never_break_at_their_hyphen_on_a_phone(stack: Stack, phone: Page) -> None:
    phone.goto(stack.shop)
    open_widget(phone)
    reply = ask(phone, "write me a poem about the sea and the refunds of last year, please")
    reply.get_by_role("button", name="Continue without email").click()
    expect(phone.locator(".msg.ticket")).to_contain_text(re.compile(r"T-\d{6}"))
    phone.get_by_role("button", name="Your requests").click()
    expect(phone.get_by_role("region", name="Your requests")).to_contain_text(re.compile(r"T-\d{6}"))

    loose = phone.evaluate("""() => {
      const root = document.getElementById('answer-widget').shadowRoot, loose = [];
      const walker = document.createTreeWalker(root.querySelector('.log'), NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (/T-\\d{6}/.test(node.data) && getComputedStyle(node.parentElement).whiteSpace !== 'nowrap') loose.push(node.data);
      }
      return loose;
    }""")
    assert loose == []  # every reference in a no-wrap span: "T-" / "000003" cannot happen
    shot(phone, "46-phone-widget-references")


def test_a_german_answer_is_labelled_in_german(stack: Stack, german: Page) -> None:
    german.goto(stack.shop)
    open_widget(german, "Brauchen Sie Hilfe?")

    answer = ask(german, "Wie setze ich mein Passwort zurück?")

    expect(answer.get_by_role("link", name=re.compile("Passwort"))).to_be_visible()
    expect(answer).to_contain_text("Zuletzt aktualisiert am")
    expect(answer).to_contain_text("War das hilfreich?")
    expect(answer.get_by_role("button", name="Nicht hilfreich")).to_be_visible()
    expect(answer.get_by_role("button", name="Brauchen Sie weitere Hilfe?")).to_be_visible()
    expect(german.get_by_role("button", name="Ihre Anfragen")).to_be_visible()
    expect(german.get_by_role("button", name="Senden", exact=True)).to_be_visible()
    for english in ("Last updated", "Was this helpful?", "Still need help?"):
        expect(answer).not_to_contain_text(english)
    answer.get_by_role("button", name="Nicht hilfreich").scroll_into_view_if_needed()
    shot(german, f"43-widget-german-{german.viewport_size['width']}")  # type: ignore[index]

    english = ask(german, "how do I turn on two-factor authentication?")  # the next reply in English: its labels too
    expect(english).to_contain_text("Last updated")
    expect(german.get_by_role("button", name="Your requests")).to_be_visible()
    expect(answer).to_contain_text("Zuletzt aktualisiert am")  # each message keeps its own language


def test_every_language_the_help_center_serves_has_every_widget_string(stack: Stack) -> None:
    served = {primary_language(locale) for locale in stack.engine.index.get().locales}
    strings = widget_strings()

    assert served >= {"en", "de"}
    for language in served:
        assert set(strings.get(language, {})) == set(strings["en"]), language


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_triage_save_says_saved(stack: Stack, browser: Browser, size: str) -> None:
    reference = file_ticket(stack.api, "compose a sonnet about saving")
    context = browser.new_context(viewport=DESKTOP if size == "desktop" else PHONE)
    page = context.new_page()
    sign_in(page, f"{stack.api}/agent#ticket/{reference}")
    page.get_by_label("Assignee").fill("kim")

    page.get_by_role("button", name="Save").click()

    saved = page.get_by_role("status")
    expect(saved).to_have_text(f"Saved — {reference} is at version 2.")
    saved.scroll_into_view_if_needed()
    shot(page, f"44-triage-saved-{size}")
    context.close()


def test_the_api_docs_authorize_try_it_out_with_an_api_key(stack: Stack, page: Page) -> None:
    spec = httpx.get(f"{stack.api}/openapi.json", timeout=30).json()
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": spec["components"]["securitySchemes"]["ApiKey"]["description"]}
    assert {"ApiKey": []} in spec["paths"]["/v1/tickets"]["get"]["security"]
    page.goto(f"{stack.api}/docs")

    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".auth-container").filter(has_text="X-API-Key")
    dialog.get_by_label("Value:").fill(AGENT_KEY)
    dialog.get_by_role("button", name="Apply credentials").click()
    expect(page.locator(".auth-container").first).to_contain_text("Authorized")
    page.locator(".auth-container .btn-done").first.click()
    operation = page.locator(".opblock-get").filter(has=page.locator(".opblock-summary-path", has_text=re.compile(r"^/v1/tickets$")))
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    shot(page, "45-docs-authorized")
