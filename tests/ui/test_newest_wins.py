"""Every view that loads data shows the newest request's result: an older response held back on purpose (the page's
request is answered only after the newer one is on screen) never replaces it. Before the fix, the agent console's
list read "Open" and showed the pending tickets of a slower, earlier request."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import AGENT_KEY, KB_NOW, auth
from tests.ui.conftest import Stack
from tests.ui.held import Held, install, wait_settled
from tests.ui.staff import file_ticket, sign_in
from tests.ui.widget import ask, open_widget

pytestmark = pytest.mark.integration


def test_the_ticket_list_shows_the_filter_chosen_last_even_when_an_older_answer_arrives_later(
    stack: Stack, page: Page
) -> None:
    waiting = file_ticket(stack.api, "write a sonnet about waiting for a parcel", status="pending")
    fresh = file_ticket(stack.api, "write a limerick about a fresh start")
    install(page)
    sign_in(page, f"{stack.api}/agent#tickets")
    expect(page.locator("#tickets")).to_contain_text(fresh)  # the default filter: open
    held = Held(page, lambda url: "status=pending" in url)

    held.hold(lambda: page.get_by_label("Status").select_option("pending"))  # held back
    page.get_by_label("Status").select_option("open")
    expect(page.locator("#tickets")).to_contain_text(fresh)
    held.release()
    wait_settled(page, "status=pending")

    expect(page.get_by_label("Status")).to_have_value("open")
    expect(page.locator("#tickets")).to_contain_text(fresh)
    expect(page.locator("#tickets")).not_to_contain_text(waiting)


def test_a_ticket_opened_while_another_is_loading_stays_on_screen(stack: Stack, page: Page) -> None:
    first = file_ticket(stack.api, "write an ode to the first ticket")
    second = file_ticket(stack.api, "write an ode to the second ticket")
    install(page)
    sign_in(page, f"{stack.api}/agent#tickets")
    expect(page.locator("#tickets")).to_contain_text(second)
    held = Held(page, lambda url: url.endswith(f"/v1/tickets/{first}"))

    held.hold(lambda: page.evaluate(f"location.hash = 'ticket/{first}'"))
    page.evaluate(f"location.hash = 'ticket/{second}'")
    expect(page.locator("#ticket-facts h1")).to_contain_text(second)
    held.release()
    wait_settled(page, f"/v1/tickets/{first}")

    expect(page.locator("#ticket-facts h1")).to_contain_text(second)
    expect(page.locator("#ticket-facts")).to_have_count(1)


def test_the_incidents_page_left_while_loading_does_not_come_back(stack: Stack, page: Page) -> None:
    install(page)
    sign_in(page, f"{stack.api}/agent#tickets")
    expect(page.locator("#ticket-list")).not_to_contain_text("Loading")
    held = Held(page, lambda url: url.endswith("/v1/incidents"))

    held.hold(lambda: page.get_by_role("link", name="Incidents").click())  # held back
    page.get_by_role("link", name="Tickets").click()
    expect(page.locator("#ticket-list")).not_to_contain_text("Loading")
    held.release()
    wait_settled(page, "/v1/incidents")

    expect(page.get_by_role("heading", level=1)).to_have_text("Tickets")
    expect(page.locator("#incident-list")).to_have_count(0)


def test_dashboard_cards_and_drill_downs_show_the_last_choice(stack: Stack, page: Page) -> None:
    for question, locale in (("write me a poem about the sea", "en"), ("schreib mir ein Gedicht über das Meer", "de"),
                             ("I filed a chargeback with my bank, refund me now", "en")):
        httpx.post(f"{stack.api}/v1/ask", json={"question": question, "locale": locale}, headers=auth(AGENT_KEY),
                   timeout=60).raise_for_status()
    stack.clock.now = KB_NOW + timedelta(hours=1)
    try:
        install(page)
        sign_in(page, f"{stack.api}/dashboard")
        expect(page.locator("#chart-escalations svg rect.bar").first).to_be_visible()
        everything = page.locator("#metrics .kpi b").first.inner_text()

        held = Held(page, lambda url: "/v1/metrics" in url and "locale=de" in url)
        held.hold(lambda: page.get_by_label("Locale").select_option("de"))  # held back
        page.get_by_label("Locale").select_option("")
        expect(page.locator("#chart-escalations svg rect.bar").first).to_be_visible()
        held.release()
        wait_settled(page, "locale=de")
        expect(page.get_by_label("Locale")).to_have_value("")
        expect(page.locator("#metrics .kpi b").first).to_have_text(everything)

        drills = Held(page, lambda url: "/v1/conversations" in url and "reason=out_of_scope" in url)
        drills.hold(lambda: page.locator("#chart-escalations").get_by_role(
            "button", name="Conversations: out of scope").click())  # held back
        page.locator("#chart-escalations").get_by_role("button", name="Conversations: sensitive topic").click()
        expect(page.locator("#drill")).to_contain_text("chargeback")
        drills.release()
        wait_settled(page, "reason=out_of_scope")

        expect(page.locator("#drill-title")).to_have_text("Escalated: sensitive topic")
        expect(page.locator("#drill")).to_contain_text("chargeback")
        expect(page.locator("#drill")).not_to_contain_text("poem about the sea")
    finally:
        stack.clock.now = KB_NOW


def test_your_requests_shows_the_newest_look_only(stack: Stack, page: Page) -> None:
    install(page)
    page.goto(stack.shop)
    open_widget(page)
    ask(page, "how do I turn on two-factor authentication?")
    held = Held(page, lambda url: url.endswith("/v1/session/tickets"))

    held.hold(lambda: page.get_by_role("button", name="Your requests").click())  # held back
    page.get_by_role("button", name="Your requests").click()
    requests = page.get_by_role("region", name="Your requests")
    expect(requests).to_contain_text("You have no requests")
    held.release()
    wait_settled(page, "/tickets")

    expect(requests).to_have_count(1)
    expect(requests).to_contain_text("You have no requests")
    expect(page.locator(".msg.error")).to_have_count(0)
