"""The widget during an incident, in real Chromium on a shop of its own origin, with the API polling a real changing
status feed on 127.0.0.1: the banner appears and disappears with the feed (only on pages of the affected product
area), answers lead with the notice and mark the affected article, and "Notify me when it's fixed" keeps the email
on a ticket linked to the incident."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, Page, expect

from engine.api.app import create_app
from engine.config import ApiKey, AuthSettings, LLMSettings, StatusSettings
from engine.protocols import Embedder
from engine.tickets.models import TicketQuery
from engine.wiring import Engine, build_engine
from tests.conftest import AGENT_KEY, KB_NOW, TEST_KEYS, kb_settings
from tests.incidents.feeds import Clock, Feed, feed_app, maintenance, summary
from tests.incidents.test_incident_answers import ESCALATES, SYNC_QUESTION, sync_incident, until
from tests.llm_server import Script, scripted_llm
from tests.servers import HeldPort, serve
from tests.ui.conftest import SHOP_KEY, shot
from tests.ui.held import install
from tests.ui.widget import ask, open_widget

pytestmark = pytest.mark.integration


@dataclass
class IncidentStack:
    api: str
    shop: str
    engine: Engine
    feed: Feed
    clock: Clock


def incident_shop(api: str) -> FastAPI:
    """/sync embeds the widget for the Sync product area, /login for Login & SSO; both poll every second."""
    app = FastAPI()

    def page(area: str) -> str:
        tag = (f'<script src="{api}/widget.js" data-key="{SHOP_KEY}" data-area="{area}" data-incident-poll="1" '
               "async></script>")
        return f"<!doctype html><html lang='en'><head><title>Acme</title></head><body><h1>Acme</h1>{tag}</body></html>"

    app.get("/sync", response_class=HTMLResponse)(lambda: page("Sync"))
    app.get("/login", response_class=HTMLResponse)(lambda: page("Login &amp; SSO"))
    return app


@pytest.fixture(scope="module")
def incidents_stack(
    kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IncidentStack]:
    data = tmp_path_factory.mktemp("ui-incidents") / "data"
    shutil.copytree(kb_data_dir, data, ignore=shutil.ignore_patterns("engine.db*"))
    feed, api_held, shop_held, feed_held = Feed(), HeldPort(), HeldPort(), HeldPort()
    feed.serve_json(summary())
    api, shop = api_held.url, shop_held.url
    key = ApiKey(name="shop", key=SHOP_KEY, role="public", origins=(shop,))  # type: ignore[arg-type]
    status = StatusSettings(url=f"{feed_held.url}/api/v2/summary.json", poll_interval_s=0.1)
    settings = kb_settings(data, auth=AuthSettings(keys=[key, *TEST_KEYS]), status=status)
    clock = Clock(KB_NOW)
    engine = build_engine(settings, embedder=embedder, clock=clock)
    with serve(feed_app(feed), feed_held), serve(create_app(settings, engine=engine), api_held), \
            serve(incident_shop(api), shop_held):
        yield IncidentStack(api, shop, engine, feed, clock)
    engine.close()


def test_the_banner_follows_the_feed_on_pages_of_the_affected_area_only(
    incidents_stack: IncidentStack, page: Page
) -> None:
    stack = incidents_stack
    other = page.context.new_page()
    install(other)  # counts the polls it has handled
    page.goto(f"{stack.shop}/sync")
    other.goto(f"{stack.shop}/login")
    open_widget(page)
    open_widget(other)
    banner, elsewhere = page.get_by_role("region", name="Service status"), other.get_by_role("region", name="Service status")
    expect(banner).to_be_hidden()

    stack.feed.serve_json(summary(sync_incident()))
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Sync delays — We are investigating.")
    expect(banner.get_by_role("link", name="Status page")).to_have_attribute("href", "https://stspg.io/sync")
    shot(page, "incident-01-banner")
    polls = "() => window.__settled.filter((u) => u.endsWith('/v1/incidents')).length"
    seen = other.evaluate(polls)
    other.wait_for_function(f"({polls})() >= {seen + 2}")  # two polls since the banner showed: the
    # Login & SSO page had the Sync incident to show, and did not (it is not that page's news)
    expect(elsewhere).to_be_hidden()

    stack.feed.serve_json(summary(maintenances=(maintenance("Sync database upgrade", "sync", status="scheduled"),)))
    expect(banner).to_be_hidden()  # announced, not started

    stack.feed.serve_json(summary(maintenances=(maintenance("Sync database upgrade", "sync"),)))
    expect(banner).to_contain_text("Scheduled maintenance: Sync database upgrade — Maintenance in progress until ")

    stack.feed.serve_json(summary())
    expect(banner).to_be_hidden()
    other.close()


def test_answers_lead_with_the_notice_and_notify_me_keeps_the_email(incidents_stack: IncidentStack, page: Page) -> None:
    stack = incidents_stack
    stack.feed.serve_json(summary(sync_incident()))
    page.goto(f"{stack.shop}/sync")
    open_widget(page)
    expect(page.get_by_role("region", name="Service status")).to_be_visible()

    answer = ask(page, SYNC_QUESTION)
    notice = answer.get_by_role("note", name="Known issue")
    expect(notice).to_contain_text("Known issue: Sync delays")
    expect(notice).to_contain_text("Latest update: Update 2 on Sync delays.")
    assert answer.inner_text().startswith("Known issue: Sync delays")  # the notice first, the answer after
    expect(answer.locator(".sources li").first).to_contain_text("May not work until the issue above is fixed")
    shot(page, "incident-02-answer-with-notice")

    escalated = ask(page, ESCALATES)
    expect(escalated).to_contain_text("Known issue: Sync delays")
    expect(escalated).not_to_contain_text("couldn't find")
    escalated.get_by_role("button", name="Notify me when it's fixed").click()
    form = page.get_by_role("form", name="Notify me when it's fixed")
    form.get_by_label("Email").fill("ann@acme.example")
    form.get_by_role("button", name="Notify me").click()
    expect(escalated).to_contain_text("we'll email ann@acme.example when it's fixed")
    shot(page, "incident-03-notify-me")

    [ticket] = stack.engine.desk.store.search(TicketQuery(incident="inc-sync"))
    assert ticket.reason == "known_incident" and ticket.customer.email == "ann@acme.example"
    assert ticket.incident is not None and ticket.incident.url == "https://stspg.io/sync"


def test_a_german_question_gets_the_banner_and_the_notice_in_german(incidents_stack: IncidentStack, browser: Browser) -> None:
    stack = incidents_stack
    stack.feed.serve_json(summary(sync_incident()))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.goto(f"{stack.shop}/sync")
    open_widget(page, "Brauchen Sie Hilfe?")
    expect(page.get_by_role("region", name="Dienststatus")).to_contain_text("Sync delays — Wir untersuchen das Problem.")

    reply = ask(page, "Warum funktioniert die Synchronisierung mit Sync heute nicht?")

    notice = reply.get_by_role("note", name="Bekanntes Problem")
    expect(notice).to_contain_text("Bekanntes Problem: Sync delays")
    expect(notice).to_contain_text("Wir untersuchen das Problem.")
    expect(notice).to_contain_text("Letzte Meldung: Update 2 on Sync delays.")
    expect(reply.get_by_role("button", name="Benachrichtigen, wenn es behoben ist")).to_be_visible()
    expect(reply).not_to_contain_text("Known issue")
    shot(page, "incident-07-german-notice")
    context.close()


def test_the_console_lists_tickets_per_incident_and_the_dashboard_counts_its_questions(
    incidents_stack: IncidentStack, page: Page
) -> None:
    stack = incidents_stack
    stack.feed.serve_json(summary(sync_incident()))
    page.goto(f"{stack.shop}/sync")
    open_widget(page)
    expect(ask(page, ESCALATES)).to_contain_text("Known issue: Sync delays")
    ticket = stack.engine.desk.store.search(TicketQuery(incident="inc-sync"))[0]  # the newest
    stack.clock.now = KB_NOW + timedelta(minutes=1)  # the dashboard counts questions asked before now

    console = page.context.new_page()
    console.goto(f"{stack.api}/agent#incidents")
    console.get_by_label("Staff API key").fill(AGENT_KEY)
    console.get_by_role("button", name="Sign in").click()
    card = console.get_by_role("region", name="Sync delays")
    expect(card).to_contain_text("investigating")
    expect(card.locator(".incident-count")).to_contain_text("linked ticket")
    asked = stack.engine.events.incident_questions(["inc-sync"])["inc-sync"]  # every question that touched it
    expect(card.locator(".incident-count")).to_contain_text(f"{asked} question{'s' if asked > 1 else ''} about it · ")
    card.get_by_role("link", name=ticket.reference).click()
    expect(console.locator("#ticket-reason")).to_have_text("known_incident")
    expect(console.locator("#ticket-incident")).to_have_text("Sync delays (inc-sync)")
    shot(console, "incident-04-console")

    console.goto(f"{stack.api}/dashboard")
    incidents = console.locator("#incidents")
    expect(incidents.locator("[data-table=incidents] tbody tr").first).to_contain_text("Sync delays (inc-sync)")
    expect(console.locator("#incident-containment")).to_contain_text("Containment during incidents")
    shot(console, "incident-05-dashboard", full_page=True)

    stack.feed.serve_json(summary())
    until(lambda: stack.engine.desk.store.get(ticket.id), lambda t: t.incident.resolved_at is not None)
    console.goto(f"{stack.api}/agent#ticket/{ticket.reference}")
    expect(console.locator("#ticket-incident")).to_contain_text("resolved")
    expect(console.locator("#ticket-status")).to_contain_text("solved")


def test_a_slow_answer_shows_the_notice_before_its_first_piece(
    kb_data_dir: Path, embedder: Embedder, tmp_path: Path, page: Page
) -> None:
    """With the LLM composer taking its time, the stream's `notice` event is on screen before any of the answer."""
    data = tmp_path / "data"
    shutil.copytree(kb_data_dir, data, ignore=shutil.ignore_patterns("engine.db*"))
    feed, api_held, shop_held, feed_held = Feed(), HeldPort(), HeldPort(), HeldPort()
    feed.serve_json(summary(sync_incident()))
    api, shop = api_held.url, shop_held.url
    key = ApiKey(name="shop", key=SHOP_KEY, role="public", origins=(shop,))  # type: ignore[arg-type]
    status = StatusSettings(url=f"{feed_held.url}/api/v2/summary.json", poll_interval_s=0.1)
    with scripted_llm() as llm:
        llm.reset(Script(reply="Sync is delayed right now.", delay_s=4.0))
        settings = kb_settings(data, auth=AuthSettings(keys=[key, *TEST_KEYS]), status=status,
                               llm=LLMSettings(url=llm.url, model="scripted"))
        engine = build_engine(settings, embedder=embedder, clock=Clock(KB_NOW))
        with serve(feed_app(feed), feed_held), serve(create_app(settings, engine=engine), api_held), \
                serve(incident_shop(api), shop_held):
            page.goto(f"{shop}/sync")
            open_widget(page)
            expect(page.get_by_role("region", name="Service status")).to_be_visible()
            page.get_by_label("Your question", exact=True).fill(SYNC_QUESTION)
            page.get_by_role("button", name="Send", exact=True).click()  # English: the browser's language

            early = page.get_by_role("note", name="Known issue")
            expect(early).to_contain_text("Known issue: Sync delays", timeout=3000)  # the LLM has not answered yet
            assert page.locator(".msg.answer, .msg.escalation").count() == 0  # the reply itself is still being worded
            shot(page, "incident-06-notice-while-streaming")
            expect(page.get_by_role("button", name="Notify me when it's fixed")).to_be_visible(timeout=15000)
        engine.close()
