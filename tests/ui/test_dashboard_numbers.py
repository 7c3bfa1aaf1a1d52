"""Every number on the dashboard, read off the page in real Chromium, equals the same number computed here straight
from the events database (questions, decisions, tickets) by the definitions of docs/metrics.md — for everything, one
locale and one channel. Before, the tickets card ignored the locale and channel filters (German: 2 questions, 3
tickets), containment showed a bare "—" for its first 24 h, a conflict escalation was listed as an article to write,
the channel filter suggested a name nobody used, and the holdout card only said "off"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from engine.protocols import Embedder
from tests.conftest import AGENT_KEY, KB_NOW, PUBLIC_KEY, auth
from tests.ui.conftest import SHOP_KEY, Stack, running_stack, shot
from tests.ui.staff import sign_in

pytestmark = pytest.mark.integration
NOW = KB_NOW + timedelta(hours=1)
HORIZON = timedelta(hours=24)
# (days before KB_NOW, key, locale or None, question); each line its own session, a few with a second question.
SCRIPT = [
    (3, PUBLIC_KEY, "en", ["how do I turn on two-factor authentication?"]),
    (3, PUBLIC_KEY, "en", ["write me a poem about the sea"]),
    (3, PUBLIC_KEY, None, ["Wie setze ich mein Passwort zurück?", "Ich möchte mit einem Mitarbeiter sprechen"]),
    (2, SHOP_KEY, "en", ["I filed a chargeback with my bank, refund me now"]),
    (2, SHOP_KEY, "en", ["how do I download my invoices?"]),
    (0, PUBLIC_KEY, None, ["Wie setze ich mein Passwort zurück?"]),
    (0, SHOP_KEY, "en", ["how do I reset my password?", "write a haiku about pirates"]),
]


@dataclass(frozen=True)
class Expected:
    questions: int
    answered: int
    tickets: int
    judged: int
    contained: int
    sessions: int
    without_ticket_so_far: int
    reasons: dict[str, int]


@pytest.fixture(scope="module")
def dash(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own: the numbers below are the whole database's."""
    with running_stack(kb_data_dir, embedder, tmp_path_factory) as running:
        try:
            for days, key, locale, questions in SCRIPT:
                session = None
                for n, question in enumerate(questions):
                    running.clock.now = KB_NOW - timedelta(days=days) + timedelta(minutes=n)
                    body = {"question": question, "session_id": session, "locale": locale}
                    reply = httpx.post(f"{running.api}/v1/ask", json={k: v for k, v in body.items() if v},
                                       headers=auth(key), timeout=60).json()
                    session = reply["session_id"]
                    if reply["decision"] == "answer":
                        vote = {"interaction_id": reply["interaction_id"], "helpful": days != 2,
                                "session_id": session}
                        httpx.post(f"{running.api}/v1/feedback", json=vote, headers=auth(key), timeout=30)
        finally:
            running.clock.now = NOW
        yield running


def _expected(stack: Stack, locale: str | None = None, channel: str | None = None) -> Expected:
    """The dashboard's numbers for the 30 days up to NOW, from the database's rows."""
    start = NOW - timedelta(days=30)
    with stack.engine.database.engine.connect() as db:
        asks = db.execute(text("select id, session_id, created_at, decision, reason, locale, channel "
                               "from interactions")).all()
        tickets = db.execute(text("select session_id, created_at from tickets")).all()

    def utc(value: object) -> datetime:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment if moment.tzinfo else moment.replace(tzinfo=KB_NOW.tzinfo)

    chosen = [a for a in asks if start <= utc(a.created_at) < NOW and (locale is None or a.locale == locale)
              and (channel is None or a.channel == channel)]
    questions = [a for a in chosen if a.decision in ("answer", "escalate")]
    first: dict[str, datetime] = {}
    for a in chosen:
        if a.decision != "reply":
            first[a.session_id] = min(first.get(a.session_id, utc(a.created_at)), utc(a.created_at))
    opened = [(t.session_id, utc(t.created_at)) for t in tickets]
    with_ticket = {s for s, at in first.items() if any(k == s and at <= when <= at + HORIZON for k, when in opened)}
    judged = {s for s, at in first.items() if at + HORIZON <= NOW}
    sliced = locale is not None or channel is not None
    counted = [t for t in opened if start <= t[1] < NOW and (not sliced or t[0] in {a.session_id for a in chosen})]
    reasons: dict[str, int] = {}
    for a in questions:
        if a.decision == "escalate":
            reasons[a.reason] = reasons.get(a.reason, 0) + 1
    return Expected(len(questions), sum(a.decision == "answer" for a in questions), len(counted), len(judged),
                    len(judged - with_ticket), len(first), len(first) - len(with_ticket), reasons)


def _kpis(page: Page) -> dict[str, str]:
    cards = page.locator("#metrics .kpi")
    expect(cards.first).to_be_visible()
    return {card.locator("span").inner_text(): card.inner_text() for card in cards.all()}


def _pct(numerator: int, denominator: int) -> str:
    return f"{round(100 * numerator / denominator)}%" if denominator else "—"


def _check(page: Page, want: Expected) -> None:
    expect(page.locator("#metrics .kpi b").first).to_have_text(str(want.questions))
    kpis = _kpis(page)
    assert kpis["Questions"].startswith(str(want.questions))
    assert kpis["Tickets"].startswith(str(want.tickets)), (kpis["Tickets"], want)
    assert kpis["Self-service rate"].startswith(_pct(want.answered, want.questions))
    assert f"{want.answered} / {want.questions}" in kpis["Self-service rate"]
    if want.judged:
        assert kpis["Containment"].startswith(_pct(want.contained, want.judged))
        assert f"{want.contained} / {want.judged} sessions judged" in kpis["Containment"]
    else:
        provisional = kpis["Containment (provisional)"]
        assert provisional.startswith(_pct(want.without_ticket_so_far, want.sessions))
        assert f"{want.without_ticket_so_far} / {want.sessions} sessions without a ticket so far; final on " in provisional
    rows = page.locator("[data-table=escalations] tbody tr")
    shown = {row.locator("td").nth(0).inner_text(): row.locator("td").nth(2).inner_text() for row in rows.all()}
    assert shown == {reason.replace("_", " "): str(n) for reason, n in want.reasons.items()}


def test_the_dashboard_numbers_are_the_events_numbers_for_every_filter(dash: Stack, page: Page) -> None:
    sign_in(page, f"{dash.api}/dashboard")
    _check(page, _expected(dash))
    shot(page, "50-dashboard-numbers", full_page=True)

    page.get_by_label("Locale").select_option("de")
    german = _expected(dash, locale="de")
    assert german.questions >= 2 and german.tickets < _expected(dash).tickets
    _check(page, german)

    page.get_by_label("Locale").select_option("")
    channel = page.get_by_label("Channel")
    expect(channel).to_have_attribute("placeholder", "API key name, e.g. shop")  # names actually seen
    assert sorted(page.locator("#f-channels option").evaluate_all("os => os.map(o => o.value)")) == ["shop", "widget"]
    channel.fill("shop")
    channel.press("Enter")
    _check(page, _expected(dash, channel="shop"))
    shot(page, "51-dashboard-channel-shop", full_page=True)


def test_a_new_periods_containment_is_provisional_with_the_time_it_becomes_final(dash: Stack, page: Page) -> None:
    sign_in(page, f"{dash.api}/dashboard")
    page.get_by_label("Period").select_option("7")
    expect(page.locator("#metrics .kpi").first).to_be_visible()
    window = {"from": (NOW - timedelta(hours=2)).isoformat(), "to": NOW.isoformat()}
    today = httpx.get(f"{dash.api}/v1/metrics", params=window, headers=auth(AGENT_KEY), timeout=30).json()

    assert today["containment"]["denominator"] == 0 and today["containment_provisional"]["denominator"] == 2
    final = datetime.fromisoformat(today["containment_final_at"])
    assert final == KB_NOW + HORIZON  # the youngest session's first question + 24 h
    expect(page.locator("#pending")).to_contain_text("final on " + (KB_NOW + HORIZON).strftime("%Y-%m-%d %H:%M"))


def test_the_holdout_card_says_how_to_turn_it_on_and_what_it_measures(dash: Stack, page: Page) -> None:
    sign_in(page, f"{dash.api}/dashboard")

    off = page.locator("#holdout-off")
    expect(off).to_contain_text("ENGINE_HOLDOUT__SHARE=0.05")
    expect(off).to_contain_text("restart the server")
    expect(off).to_contain_text(re.compile(r"tickets the AI answers prevent per 100 conversations"))
