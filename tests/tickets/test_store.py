"""TicketStore on a real SQLite file: one ticket per open session, its outbox written with it, deliveries
claimed in order and by one worker at a time; backoff and pre-fill arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.config import Settings
from engine.events import tables as _events  # noqa: F401
from engine.store.db import Database, connect
from engine.tickets.models import TicketDraft, articles_seen, higher_priority, subject_from
from engine.tickets.store import TicketStore
from engine.tickets.tables import OutboxRow
from engine.tickets.worker import backoff
from engine.types import Customer, SeenArticle, Turn

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _turn(question: str, *articles: SeenArticle, session: str = "s1") -> Turn:
    return Turn(f"{question[:8]:0<36}", session, T0, question, "escalate", "low_confidence", 0.3, None, articles)


def _draft(question: str, *, session: str | None = "s1", priority: str = "normal", **kw: object) -> TicketDraft:
    return TicketDraft(question=question, reason="low_confidence", confidence=0.3,
                       transcript=(_turn(question, session=session or "x"),), session_id=session,
                       priority=priority, customer=Customer(email="a@b.example", plan="Pro"), **kw)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(connect(Settings(data_dir=tmp_path)))


def test_filing_writes_the_ticket_and_one_outbox_row_per_target(db: Database) -> None:
    store = TicketStore(db, ["hook", "zendesk"], lambda: T0)

    ticket = store.file(_draft("Where is my refund?"), T0)

    assert ticket.reference == f"T-{ticket.id:06d}" and ticket.version == 1 and ticket.status == "open"
    assert "plan-pro" in ticket.tags and "reason-low_confidence" in ticket.tags
    with db.transaction() as session:
        rows = list(session.scalars(select(OutboxRow)))
    assert [(r.target, r.event, r.idempotency_key) for r in rows] == [
        ("hook", "ticket.created", f"ticket-{ticket.id}-v1"),
        ("zendesk", "ticket.created", f"ticket-{ticket.id}-v1"),
    ]
    assert store.get(ticket.id) is not None and store.get(ticket.id).question == "Where is my refund?"  # type: ignore[union-attr]


def test_a_second_escalation_in_the_session_updates_the_open_ticket(db: Database) -> None:
    store = TicketStore(db, ["hook"], lambda: T0)
    first = store.file(_draft("Where is my refund?"), T0)

    second = store.file(_draft("I was charged twice", priority="high", message="please hurry"), T0 + timedelta(minutes=3))
    other = store.file(_draft("Unrelated", session="s2"), T0)

    assert second.id == first.id and second.version == 2 and second.priority == "high"
    assert second.message == "please hurry" and other.id != first.id
    assert [d.event for d in store.get(first.id).deliveries] == ["ticket.created", "ticket.updated"]  # type: ignore[union-attr]
    lowered = store.file(_draft("one more thing", priority="low"), T0)
    assert lowered.priority == "high"  # priority never drops within a ticket


def test_without_a_session_every_escalation_is_its_own_ticket(db: Database) -> None:
    store = TicketStore(db, [], lambda: T0)

    ids = {store.file(_draft("same question", session=None), T0).id for _ in range(2)}

    assert len(ids) == 2


def test_a_later_version_waits_until_the_earlier_one_is_delivered(db: Database) -> None:
    store = TicketStore(db, ["hook"], lambda: T0)
    ticket = store.file(_draft("Where is my refund?"), T0)
    store.file(_draft("still waiting"), T0)

    first = store.claim(T0, timedelta(seconds=60))
    assert [d.idempotency_key for d in first] == [f"ticket-{ticket.id}-v1"]
    assert store.claim(T0 + timedelta(seconds=30), timedelta(seconds=60)) == []  # v2 waits behind v1
    retried = store.claim(T0 + timedelta(seconds=120), timedelta(seconds=60))  # v1's lease ran out
    assert [d.idempotency_key for d in retried] == [f"ticket-{ticket.id}-v1"]
    store.delivered(retried[0], T0, None)

    second = store.claim(T0 + timedelta(seconds=200), timedelta(seconds=60))
    assert [d.idempotency_key for d in second] == [f"ticket-{ticket.id}-v2"]


def test_a_claimed_delivery_belongs_to_one_worker_until_its_lease_ends(db: Database) -> None:
    store = TicketStore(db, ["hook"], lambda: T0)
    other_process = TicketStore(Database(db.engine), ["hook"], lambda: T0)
    store.file(_draft("Where is my refund?"), T0)

    mine = store.claim(T0, timedelta(seconds=60))

    assert len(mine) == 1
    assert other_process.claim(T0 + timedelta(seconds=59), timedelta(seconds=60)) == []
    retaken = other_process.claim(T0 + timedelta(seconds=61), timedelta(seconds=60))
    assert [d.id for d in retaken] == [mine[0].id]


def test_a_failed_attempt_is_rescheduled_and_never_dropped(db: Database) -> None:
    store = TicketStore(db, ["hook"], lambda: T0)
    ticket = store.file(_draft("Where is my refund?"), T0)
    for attempt in range(1, 6):
        due = T0 + timedelta(hours=attempt)
        [delivery] = store.claim(due, timedelta(seconds=60))
        store.failed(delivery, f"HTTP 503 (attempt {attempt})", due + timedelta(minutes=5))
        assert store.claim(due + timedelta(minutes=4), timedelta(seconds=60)) == []

    state = store.get(ticket.id).deliveries[0]  # type: ignore[union-attr]
    assert state.attempts == 5 and state.delivered_at is None and state.last_error == "HTTP 503 (attempt 5)"
    assert store.pending() == 1
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 1


def test_backoff_doubles_from_the_base_and_is_capped() -> None:
    assert [backoff(n, 2.0, 600.0, 0.5) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff(20, 2.0, 600.0, 0.5) == 600.0
    assert backoff(1, 2.0, 600.0, 0.0) == pytest.approx(1.6) and backoff(1, 2.0, 600.0, 1.0) == pytest.approx(2.4)


def test_subject_articles_and_priority_prefill() -> None:
    assert subject_from("  how do   I\nexport data? ") == "how do I export data?"
    long = "word " * 40
    assert subject_from(long).endswith("…") and len(subject_from(long)) <= 81
    a1 = SeenArticle("a1", "A1", None, "2026-01-01#x", 0.4, False)
    a1_cited = SeenArticle("a1", "A1", None, "2026-01-01#x", 0.3, True)
    a2 = SeenArticle("a2", "A2", None, "2026-01-01#y", 0.9, False)
    seen = articles_seen((_turn("q1", a1, a2), _turn("q2", a1_cited)))
    assert [(a.article_id, a.cited) for a in seen] == [("a1", True), ("a2", False)]
    assert higher_priority("normal", "urgent") == "urgent" and higher_priority("high", "low") == "high"
