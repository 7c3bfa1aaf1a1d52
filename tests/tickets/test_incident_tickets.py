"""Tickets linked to a status-page incident, on a real SQLite database: one incident, many tickets; listed per
incident; settled exactly once when the incident is no longer active, across repeated reads and a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from engine.config import Settings
from engine.tickets.desk import HelpDesk
from engine.tickets.models import IncidentLink, TicketDraft, TicketQuery
from engine.types import Customer
from engine.wiring import build_desk, open_database

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SYNC = IncidentLink("inc-sync", "Sync delays", "https://stspg.io/sync")


def _desk(data_dir: Path) -> HelpDesk:
    settings = Settings(data_dir=data_dir)
    return build_desk(settings, open_database(settings), lambda: T0)


def _file(desk: HelpDesk, session: str, incident: IncidentLink | None, reason: str = "known_incident") -> int:
    ticket = desk.escalate(TicketDraft(question=f"sync broken ({session})", reason=reason, confidence=0.3,
                                       customer=Customer(email=f"{session}@acme.example"), session_id=session,
                                       incident=incident))
    return ticket.id


def test_an_incident_no_longer_listed_settles_each_linked_ticket_once(tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    known, asked, other = _file(desk, "s1", SYNC), _file(desk, "s2", SYNC, "customer_request"), _file(desk, "s3", None)

    assert desk.settle_incidents({"inc-sync"}, {}, T0) == []  # still active: nothing to do
    settled = desk.settle_incidents(set(), {}, T0)
    again = desk.settle_incidents(set(), {}, T0)
    after_restart = _desk(tmp_path).settle_incidents(set(), {}, T0)

    assert sorted(t.id for t in settled) == [known, asked] and again == [] and after_restart == []
    tickets = {t.id: t for t in desk.store.search(TicketQuery(incident="inc-sync"))}
    assert set(tickets) == {known, asked}
    assert [tickets[known].status, tickets[asked].status] == ["solved", "open"]  # a person asked: agents decide
    assert {t.version for t in tickets.values()} == {2}
    assert all(t.incident and t.incident.resolved_at == T0 for t in tickets.values())
    assert "no longer lists incident inc-sync" in tickets[known].notes[-1].text
    assert desk.store.get(other).version == 1  # type: ignore[union-attr]


def test_a_later_escalation_links_the_sessions_ticket_and_keeps_the_first_link(tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    first = _file(desk, "s1", None, "low_confidence")
    _file(desk, "s1", SYNC)
    _file(desk, "s1", IncidentLink("inc-login", "Login down"))

    ticket = desk.store.get(first)
    assert ticket is not None and ticket.incident == SYNC and "incident-inc-sync" in ticket.tags
    assert ticket.reason == "low_confidence" and ticket.later_reasons[-1].reason == "known_incident"
