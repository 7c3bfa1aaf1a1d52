"""Ticket triage on real SQLite and a real PostgreSQL server: an agent's change is a new version queued for every
target, a change made on an old version is refused with nothing written, filters and search combine, and the
event log's 👎 feedback and drill-down reads come back redacted."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import ConflictError, NotFoundError, UnprocessableError
from engine.events.review import ConversationQuery, Review
from engine.events.store import EventLog
from engine.store.db import Database
from engine.tickets.models import TicketChange, TicketDraft, TicketQuery
from engine.tickets.store import TicketStore
from engine.tickets.tables import OutboxRow
from engine.types import Citation, Customer, Decision, Reason
from tests.store.test_database import T0, database, postgres_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.integration


def _file(store: TicketStore, question: str, session: str, **kw: object) -> int:
    draft = TicketDraft(question=question, reason=str(kw.pop("reason", "low_confidence")), confidence=0.3,
                        transcript=(), session_id=session, **kw)  # type: ignore[arg-type]
    return store.file(draft, T0).id


def test_a_change_is_a_new_version_delivered_through_the_outbox(database: Database) -> None:  # noqa: F811
    store = TicketStore(database, ["hook"], lambda: T0)
    ticket_id = _file(store, "Where is my refund?", "s1")

    changed = store.change(ticket_id, TicketChange("ana", status="pending", assignee="ana", note="asked for order"),
                           1, T0 + timedelta(minutes=5))

    assert (changed.version, changed.status, changed.assignee) == (2, "pending", "ana")
    assert [(n.author, n.text) for n in changed.notes] == [("ana", "asked for order")]
    with database.transaction() as session:
        rows = list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
    assert [(r.event, r.idempotency_key) for r in rows] == [
        ("ticket.created", f"ticket-{ticket_id}-v1"), ("ticket.updated", f"ticket-{ticket_id}-v2")]
    payload = json.loads(rows[1].payload)
    assert payload["status"] == "pending" and payload["notes"][0]["text"] == "asked for order"


def test_a_change_on_an_old_version_is_refused_and_nothing_is_lost(database: Database) -> None:  # noqa: F811
    store = TicketStore(database, ["hook"], lambda: T0)
    ticket_id = _file(store, "Where is my refund?", "s1")
    store.change(ticket_id, TicketChange("ana", status="pending"), 1, T0)

    with pytest.raises(ConflictError, match="changed by someone else: you edited version 1, it is now at version 2"):
        store.change(ticket_id, TicketChange("ben", status="solved", note="done"), 1, T0)

    kept = store.get(ticket_id)
    assert kept is not None and (kept.version, kept.status, kept.notes) == (2, "pending", ())
    assert len(kept.deliveries) == 2
    with pytest.raises(NotFoundError):
        store.change(999, TicketChange("ana", status="solved"), 1, T0)
    with pytest.raises(UnprocessableError, match="status must be one of open, pending, solved"):
        TicketChange("ana", status="closed")


def test_filters_and_search_combine(database: Database) -> None:  # noqa: F811
    store = TicketStore(database, [], lambda: T0)
    refund = _file(store, "Where is my refund for order 100%?", "s1", customer=Customer(email="a@b.example"),
                   priority="high", locale="en")
    invoice = _file(store, "Invoice is wrong", "s2", reason="no_match", locale="de")
    store.change(invoice, TicketChange("ana", status="solved"), 1, T0)

    def ids(**filters: object) -> list[int]:
        return [t.id for t in store.search(TicketQuery(**filters))]  # type: ignore[arg-type]

    assert ids() == [invoice, refund]
    assert ids(status="open") == [refund] and ids(status="solved") == [invoice]
    assert ids(reason="no_match") == [invoice] and ids(priority="high") == [refund] and ids(locale="de") == [invoice]
    assert ids(has_contact=True) == [refund] and ids(has_contact=False) == [invoice]
    assert ids(text="REFUND") == [refund] and ids(text="100%") == [refund] and ids(text="50%") == []
    assert ids(text="invoice", status="open") == []


def test_a_customer_writing_again_reopens_a_pending_ticket(database: Database) -> None:  # noqa: F811
    store = TicketStore(database, [], lambda: T0)
    first = _file(store, "Where is my refund?", "s1")
    store.change(first, TicketChange("ana", status="pending"), 1, T0)

    again = _file(store, "still no refund", "s1")

    assert again == first and store.get(first).status == "open"  # type: ignore[union-attr]


def test_feedback_and_drill_down_come_back_redacted(database: Database) -> None:  # noqa: F811
    log, review = EventLog(database), Review(database)
    cited = Citation("billing/invoices", "Download invoices", None, None, "", 0.8, None)
    answer = Decision("answer", "Go to Billing.", (cited,), 0.8, Reason.ANSWERED)
    log.record_ask(interaction_id="i1", at=T0, session_id="s1", question="invoice for jane@example.com?",
                   decision=answer, latency_ms=1, channel="widget", locale="en")
    log.record_ask(interaction_id="i2", at=T0, session_id="s2", question="invoices please", decision=answer,
                   latency_ms=1, channel="cli")
    log.record_vote(interaction_id="i1", at=T0, helpful=True)
    log.record_vote(interaction_id="i1", at=T0 + timedelta(seconds=1), helpful=False, reason="wrong",
                    comment="call me on +44 20 7946 0958")
    log.record_vote(interaction_id="i2", at=T0, helpful=True)

    report = review.feedback(T0 - timedelta(days=1), T0 + timedelta(days=1))

    assert [(i.interaction_id, i.reason, i.comment, i.question) for i in report.items] == [
        ("i1", "wrong", "call me on [phone]", "invoice for [email]?")]
    assert [(c.key, c.label, c.count) for c in report.by_article] == [("billing/invoices", "billing/invoices", 1)]
    assert [c.count for c in report.by_question] == [1]
    window = {"start": T0 - timedelta(days=1), "end": T0 + timedelta(days=1)}
    drill = review.conversations
    assert [t.interaction_id for t in drill(ConversationQuery(**window, article="billing/invoices"))] == ["i1", "i2"]
    assert [t.interaction_id for t in drill(ConversationQuery(**window, voted_down=True))] == ["i1"]
    assert [t.interaction_id for t in drill(ConversationQuery(**window, channel="cli"))] == ["i2"]
    assert [t.interaction_id for t in drill(ConversationQuery(**window, interaction_ids=("i2",)))] == ["i2"]


def test_questions_keep_their_askers_audiences_for_metrics_and_drill_down(database: Database) -> None:  # noqa: F811
    from engine.events.metrics import Slice

    log, review = EventLog(database), Review(database)
    answer = Decision("answer", "Go to Billing.", (), 0.8, Reason.ANSWERED)
    for ident, audiences in (("p1", ("public",)), ("a1", ("Admins", "public")), ("x1", ("part_ners",)),
                             ("x2", ("partXners",)), ("old", ())):
        log.record_ask(interaction_id=ident, at=T0, session_id=ident, question="invoices?", decision=answer,
                       latency_ms=1, audiences=audiences)
    window = {"start": T0 - timedelta(days=1), "end": T0 + timedelta(days=1)}

    def asked(audience: str) -> set[str]:
        listed = {t.interaction_id for t in review.conversations(ConversationQuery(**window, audience=audience))}
        counted = {a.interaction_id for a in log.asks(window["start"], window["end"], Slice(audience=audience))}
        assert listed == counted
        return listed

    assert asked("public") == {"p1", "a1"}
    assert asked("admins") == asked("ADMINS") == {"a1"}
    assert asked("part_ners") == {"x1"}  # "_" is a name character, not a LIKE wildcard
    assert asked("nobody") == set()
    assert len(log.asks(window["start"], window["end"], Slice())) == 5
