"""The support team's side in real Chromium: an agent filters the ticket list and moves a ticket on; a second agent
who edited the same version is told so (409) and loses nothing; the staff pages fit a 390 px phone."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import AGENT_KEY, KB_NOW, auth
from tests.ui.conftest import Stack, shot

pytestmark = pytest.mark.integration


def _sign_in(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Staff API key").fill(AGENT_KEY)
    page.get_by_role("button", name="Sign in").click()


def _ticket(stack: Stack, question: str, email: str | None = None) -> str:
    body = {"question": question, "customer": {"email": email} if email else None}
    reply = httpx.post(f"{stack.api}/v1/ask", json=body, headers=auth(AGENT_KEY), timeout=60).json()
    if reply["ticket"] is None:
        escalate = {"session_id": reply["session_id"], "question": question}
        reply["ticket"] = httpx.post(f"{stack.api}/v1/escalate", json=escalate, headers=auth(AGENT_KEY)).json()
    return str(reply["ticket"]["reference"])


def test_an_agent_filters_the_list_and_changes_a_tickets_status(stack: Stack, page: Page) -> None:
    pirate = _ticket(stack, "write a limerick about pirate refunds", email="ann@acme.example")
    other = _ticket(stack, "compose a haiku about invoices")
    _sign_in(page, f"{stack.api}/agent#tickets")

    page.get_by_label("Search").fill("pirate")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#tickets tbody tr")).to_have_count(1)
    expect(page.locator("#tickets")).to_contain_text(pirate)
    expect(page.locator("#tickets")).to_contain_text("ann@acme.example")
    page.get_by_label("Search").fill("")
    page.get_by_label("Contact").select_option("false")
    expect(page.get_by_label("Contact")).to_have_value("false")
    expect(page.locator("#tickets")).to_contain_text(other)
    expect(page.locator("#tickets")).not_to_contain_text(pirate)
    shot(page, "20-agent-triage-list")

    page.get_by_label("Contact").select_option("")
    page.get_by_role("link", name=pirate).click()
    expect(page.locator("#ticket-transcript")).to_be_visible()
    stray = page.evaluate("() => [...document.getElementById('main').childNodes].filter(n => n.nodeType === 3)"
                          ".map(n => n.textContent)")
    assert stray == []  # a ticket without internal notes showed a bare "null" above its transcript
    page.get_by_label("Status").select_option("pending")
    page.get_by_label("Assignee").fill("kim")
    page.get_by_label("Internal note").fill("Asked for the order number")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("#ticket-status")).to_have_text("pending (version 2)")
    expect(page.locator("#ticket-facts")).to_contain_text("kim")
    expect(page.locator("#ticket-notes")).to_contain_text("Asked for the order number")
    page.get_by_role("link", name="← All tickets").click()
    expect(page.get_by_role("search", name="Filter tickets")).to_be_visible()  # the list, not the triage form
    page.get_by_label("Status").select_option("pending")
    expect(page.get_by_label("Status")).to_have_value("pending")
    expect(page.locator("#tickets")).to_contain_text(pirate)
    expect(page.locator("#tickets")).to_contain_text("kim")


def test_the_second_agent_on_one_version_gets_a_conflict_and_keeps_their_text(stack: Stack, browser: Browser) -> None:
    reference = _ticket(stack, "sing me a shanty about passwords")
    pages = [browser.new_context(viewport={"width": 1280, "height": 900}).new_page() for _ in range(2)]
    for page in pages:
        _sign_in(page, f"{stack.api}/agent#ticket/{reference}")
        expect(page.locator("#ticket-status")).to_contain_text("version 1")
    first, second = pages

    first.get_by_label("Status").select_option("solved")
    first.get_by_role("button", name="Save").click()
    expect(first.locator("#ticket-status")).to_have_text("solved (version 2)")
    second.get_by_label("Internal note").fill("I will call them")
    second.get_by_role("button", name="Save").click()

    expect(second.get_by_role("alert")).to_contain_text("changed by someone else")
    expect(second.get_by_role("alert")).to_contain_text("you edited version 1, it is now at version 2")
    expect(second.get_by_label("Internal note")).to_have_value("I will call them")
    shot(second, "21-agent-conflict")
    for page in pages:
        page.context.close()


@pytest.mark.parametrize("path", ["/agent#tickets", "/dashboard"])
def test_staff_pages_fit_a_390_px_phone(stack: Stack, browser: Browser, path: str) -> None:
    _ticket(stack, "write a very long poem about the refund policy and the invoices of last year")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _sign_in(page, f"{stack.api}{path}")
    expect(page.locator("#tickets, #metrics .kpis").first).to_be_visible()

    width = page.evaluate("document.documentElement.scrollWidth")

    shot(page, "22-phone" + path.replace("/", "-").replace("#", "-"), full_page=True)
    assert width <= 390
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement !== document.body")
    context.close()


def test_dashboard_bars_drill_down_to_conversations_and_tables_export_as_csv(stack: Stack, page: Page) -> None:
    poem = httpx.post(f"{stack.api}/v1/ask", json={"question": "write me a poem about the sea"},
                      headers=auth(AGENT_KEY), timeout=60).json()
    httpx.post(f"{stack.api}/v1/ask", json={"question": "write me a poem about the mountains", "audience": "admins"},
               headers=auth(AGENT_KEY), timeout=60).raise_for_status()
    stack.clock.now = KB_NOW + timedelta(hours=1)  # periods end before now: let the question fall inside
    try:
        _sign_in(page, f"{stack.api}/dashboard")
        expect(page.locator("#chart-escalations svg rect.bar").first).to_be_visible()

        page.locator("#chart-escalations").get_by_role("button", name="Conversations: out of scope").click()
        expect(page.locator("#drill-title")).to_have_text("Escalated: out of scope")
        expect(page.locator("#drill")).to_contain_text("write me a poem about the sea")
        link = page.locator("#drill a").filter(has_text="Open").first
        expect(link).to_have_attribute("href", re.compile(r"^/agent#session/"))
        hrefs = [page.locator("#drill a").nth(i).get_attribute("href") for i in range(page.locator("#drill a").count())]
        assert f"/agent#session/{poem['session_id']}" in hrefs
        page.locator("#chart-escalations rect.bar").first.click()
        expect(page.locator("#drill table")).to_be_visible()
        page.locator("#chart-gaps").get_by_role("button").filter(has_text="Conversations").first.click()
        expect(page.locator("#drill-title")).to_contain_text("Content gap: ")
        gap = page.locator("#drill-title").inner_text().split(": ", 1)[1]  # titled after its questions
        expect(page.locator("#drill table")).to_contain_text(re.compile(re.escape(gap), re.IGNORECASE))
        expect(page.locator("#drill a").filter(has_text="Open").first).to_have_attribute(
            "href", re.compile(r"^/agent#session/"))
        shot(page, "23-dashboard-drill", full_page=True)

        with page.expect_download() as download:
            page.locator("#chart-escalations [data-csv]").click()
        csv = Path(download.value.path()).read_text()
        assert csv.startswith('"Reason","Share","Questions"') and '"out of scope"' in csv
        expect(page.locator("#holdout")).to_contain_text("The holdout is off")

        page.get_by_label("Audience").select_option("admins")  # the audiences seen are the choices
        expect(page.locator("#metrics .kpi").first).to_have_text(re.compile(r"^1\s*Questions"))
        page.locator("#chart-escalations").get_by_role("button", name="Conversations: out of scope").click()
        expect(page.locator("#drill")).to_contain_text("write me a poem about the mountains")
        expect(page.locator("#drill")).not_to_contain_text("write me a poem about the sea")
        assert page.get_by_label("Audience").input_value() == "admins"
    finally:
        stack.clock.now = KB_NOW
