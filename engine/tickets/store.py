"""TicketStore: tickets and their outbox in one database; creating or updating a ticket and queueing its
deliveries happen in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from engine.errors import ConflictError, NotFoundError
from engine.store.db import Database, as_utc
from engine.tickets.models import (
    DeliveryState,
    IncidentLink,
    LaterReason,
    Note,
    Ticket,
    TicketChange,
    TicketDraft,
    TicketQuery,
    higher_priority,
    incident_tag,
    reference,
)
from engine.tickets.tables import OutboxRow, TicketLinkRow, TicketRow
from engine.types import Clock, Customer, Reason, SeenArticle, Turn

KNOWN_INCIDENT = str(Reason.KNOWN_INCIDENT)


@dataclass(frozen=True)
class Delivery:
    """A claimed outbox row: what to send to which target."""

    id: int
    ticket_id: int
    target: str
    event: str
    payload: dict[str, Any]
    idempotency_key: str
    attempts: int
    external_id: str | None


class TicketStore:
    """Tickets keyed by session: a second escalation in a session updates (and reopens) its unsolved ticket."""

    def __init__(self, database: Database, targets: Sequence[str], now: Clock) -> None:
        """`now` schedules deliveries (wall-clock time, like the worker's), independent of the tickets' clock."""
        self._db = database
        self._targets = tuple(targets)
        self._now = now

    def file(self, draft: TicketDraft, at: datetime) -> Ticket:
        """Create a ticket, or update the session's open one; queue a delivery to every target."""
        with self._db.transaction(write=True) as session:
            if draft.session_id is not None:  # two first escalations of one session must not make two tickets
                self._db.serialise(session, f"ticket-session:{draft.session_id}")
            row = self._open_ticket(session, draft.session_id)
            event = "ticket.created" if row is None else "ticket.updated"
            if row is None:
                row = TicketRow(created_at=at, version=1, status="open", session_id=draft.session_id)
                _fill(row, draft, at)
                session.add(row)
            else:
                _update(row, draft, at)
                row.status = "open"  # the customer wrote again: back to the agents
            return self._queue(session, row, event, at)

    def change(self, ticket_id: int, change: TicketChange, version: int | None, at: datetime) -> Ticket:
        """Apply an agent's change made against `version`; ConflictError when the ticket has moved on since (nothing
        is written then; None skips the check). The new version is delivered like any other."""
        with self._db.transaction(write=True) as session:
            row = session.get(TicketRow, ticket_id, with_for_update=True)
            if row is None:
                raise NotFoundError(f"ticket {ticket_id} not found")
            if version is not None and row.version != version:
                raise ConflictError(
                    f"{reference(ticket_id)} was changed by someone else: you edited version {version}, it is now "
                    f"at version {row.version}. Reload it, then apply your change again."
                )
            _apply(row, change, at)
            return self._queue(session, row, "ticket.updated", at)

    def resolve_incident(self, incident_id: str, note: str, at: datetime) -> list[Ticket]:
        """Tell every ticket linked to a resolved incident, once: each gets the note and one new version (solved when
        the incident was all it was about); its `incident.resolved_at` marks it done, so a repeated poll, another
        process or a restart never updates it again. Returns the tickets updated now."""
        with self._db.transaction(write=True) as session:
            self._db.serialise(session, f"incident:{incident_id}")
            waiting = select(TicketRow).where(TicketRow.incident_id == incident_id,
                                              TicketRow.incident_resolved_at.is_(None)).with_for_update()
            updated = []
            for row in session.scalars(waiting).all():
                row.incident_resolved_at = at
                if row.reason == KNOWN_INCIDENT and row.status != "solved":
                    row.status = "solved"
                _apply(row, TicketChange(author="status page", note=note), at)
                updated.append(self._queue(session, row, "ticket.updated", at))
            return updated

    def unresolved_incidents(self) -> set[str]:
        """Incidents that linked tickets are still waiting on."""
        query = select(TicketRow.incident_id).where(TicketRow.incident_id.is_not(None),
                                                    TicketRow.incident_resolved_at.is_(None)).distinct()
        with self._db.transaction() as session:
            return {incident for incident in session.scalars(query) if incident}

    def search(self, query: TicketQuery) -> list[Ticket]:
        """Tickets matching every filter of `query`, most recently updated first."""
        statement = select(TicketRow).where(*_conditions(query))
        statement = statement.order_by(TicketRow.updated_at.desc(), TicketRow.id.desc())
        with self._db.transaction() as session:
            rows = session.scalars(statement.limit(query.limit).offset(query.offset))
            return [_ticket(row, ()) for row in rows]

    def _queue(self, session: Session, row: TicketRow, event: str, at: datetime) -> Ticket:
        """The ticket as it now stands, queued for every target under its version's idempotency key."""
        session.flush()
        ticket = _ticket(row, ())
        for target in self._targets:
            session.add(
                OutboxRow(
                    ticket_id=row.id,
                    target=target,
                    event=event,
                    payload=json.dumps(ticket.to_dict()),
                    idempotency_key=f"ticket-{row.id}-v{row.version}",
                    created_at=at,
                    next_attempt_at=self._now(),
                )
            )
        return ticket

    def get(self, ticket_id: int) -> Ticket | None:
        with self._db.transaction() as session:
            row = session.get(TicketRow, ticket_id)
            if row is None:
                return None
            return _ticket(row, _deliveries(session, ticket_id))

    def recent(self, *, status: str | None = None, limit: int = 50, offset: int = 0) -> list[Ticket]:
        return self.search(TicketQuery(status=status, limit=limit, offset=offset))

    def for_session(self, session_id: str) -> list[Ticket]:
        query = select(TicketRow).where(TicketRow.session_id == session_id).order_by(TicketRow.id)
        with self._db.transaction() as session:
            return [_ticket(row, ()) for row in session.scalars(query)]

    def for_customer(self, *, id: str | None, email: str | None) -> list[Ticket]:
        """Tickets of the customer with this id (or, without one, this email, in any case)."""
        field, value = ("id", id) if id else ("email", email)
        if not value:
            return []
        # The LIKE only narrows the rows read; the exact comparison below decides (emails may contain `_` or `%`).
        needle = f'"{field}": {json.dumps(value if field == "id" else value.lower())}'
        column = TicketRow.customer if field == "id" else func.lower(TicketRow.customer)
        query = select(TicketRow).where(column.contains(needle, autoescape=True)).order_by(TicketRow.id)
        with self._db.transaction() as session:
            tickets = [_ticket(row, ()) for row in session.scalars(query)]
        return [t for t in tickets if _same(getattr(t.customer, field), value, field)]

    def opened_since(self, start: datetime) -> list[tuple[str, datetime, str | None]]:
        """(session key, created at, incident id) of tickets created on or after `start`, for containment."""
        query = select(TicketRow).where(TicketRow.created_at >= start)
        with self._db.transaction() as session:
            return [
                (row.session_id or row.interaction_id or f"ticket-{row.id}", as_utc(row.created_at), row.incident_id)
                for row in session.scalars(query)
            ]

    def claim(self, now: datetime, lease: timedelta, limit: int = 20) -> list[Delivery]:
        """Due deliveries this worker now owns for `lease`. Per ticket and target, only the oldest undelivered
        row is due, so a help desk sees a ticket's versions in order."""
        query = (
            select(OutboxRow)
            .where(OutboxRow.delivered_at.is_(None))
            .order_by(OutboxRow.id)
        )
        claimed: list[Delivery] = []
        with self._db.transaction() as session:
            blocked: set[tuple[int, str]] = set()
            for row in session.scalars(query):
                key = (row.ticket_id, row.target)
                if key in blocked:
                    continue
                blocked.add(key)
                locked = row.locked_until is not None and as_utc(row.locked_until) > now
                if as_utc(row.next_attempt_at) > now or locked or row.target not in self._targets:
                    continue
                if self._take(session, row.id, now, lease):
                    claimed.append(_delivery(session, row))
                if len(claimed) >= limit:
                    break
        return claimed

    def delivered(self, delivery: Delivery, at: datetime, external_id: str | None) -> None:
        with self._db.transaction() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == delivery.id)
                .values(delivered_at=at, attempts=delivery.attempts + 1, locked_until=None, last_error=None)
                .execution_options(synchronize_session=False)
            )
            if external_id is not None and delivery.external_id is None:
                link = TicketLinkRow(ticket_id=delivery.ticket_id, target=delivery.target, external_id=external_id)
                session.add(link)

    def failed(self, delivery: Delivery, error: str, retry_at: datetime) -> None:
        with self._db.transaction() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == delivery.id)
                .values(
                    attempts=delivery.attempts + 1,
                    next_attempt_at=retry_at,
                    locked_until=None,
                    last_error=error[:2000],
                )
                .execution_options(synchronize_session=False)
            )

    def pending(self) -> int:
        """Deliveries not yet acknowledged by their target."""
        with self._db.transaction() as session:
            return len(list(session.scalars(select(OutboxRow.id).where(OutboxRow.delivered_at.is_(None)))))

    @staticmethod
    def _open_ticket(session: Session, session_id: str | None) -> TicketRow | None:
        if session_id is None:
            return None
        query = (
            select(TicketRow)
            .where(TicketRow.session_id == session_id, TicketRow.status.in_(("open", "pending")))
            .order_by(TicketRow.id.desc())
            .limit(1)
            .with_for_update()
        )
        return session.scalars(query).first()

    @staticmethod
    def _take(session: Session, row_id: int, now: datetime, lease: timedelta) -> bool:
        """Claim one row unless another worker holds it (a conditional update: safe across processes)."""
        result = session.execute(
            update(OutboxRow)
            .where(
                and_(
                    OutboxRow.id == row_id,
                    OutboxRow.delivered_at.is_(None),
                    or_(OutboxRow.locked_until.is_(None), OutboxRow.locked_until <= now),
                )
            )
            .values(locked_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)


def _fill(row: TicketRow, draft: TicketDraft, at: datetime) -> None:
    row.updated_at = at
    row.interaction_id = draft.interaction_id
    row.subject = draft.subject
    row.question = draft.question
    row.message = draft.message
    row.transcript = json.dumps([_turn_dict(t) for t in draft.transcript])
    row.articles = json.dumps([asdict(a) for a in draft.articles])
    row.reason = draft.reason
    row.confidence = draft.confidence
    row.customer = json.dumps(asdict(draft.customer))
    row.locale = draft.locale
    row.category = draft.category
    row.priority = draft.priority
    if draft.incident is not None and row.incident_id is None:
        row.incident_id, row.incident_title = draft.incident.id, draft.incident.title
        row.incident_url = draft.incident.url
    tags = [tag for tag in draft.tags if not tag.startswith("incident-")]  # the ticket keeps its first incident
    row.tags = json.dumps(tags + ([incident_tag(row.incident_id)] if row.incident_id else []))


def _same(stored: str | None, wanted: str, field: str) -> bool:
    if stored is None:
        return False
    return stored == wanted if field == "id" else stored.lower() == wanted.lower()


def _update(row: TicketRow, draft: TicketDraft, at: datetime) -> None:
    """A later escalation: the first subject, question, reason, its confidence and interaction stay (they say what
    opened the ticket); the later reason joins the history; the customer's details only grow; the priority only
    rises."""
    first = (row.subject, row.question, row.reason, row.interaction_id, row.locale, row.category, row.message,
             row.confidence)
    customer = _merged(Customer(**json.loads(row.customer)), draft.customer)
    priority = higher_priority(row.priority, draft.priority)
    later = [*json.loads(row.later_reasons or "[]"), {"at": at.isoformat(), "reason": draft.reason,
                                                       "question": draft.question}]
    _fill(row, replace(draft, customer=customer, priority=priority), at)
    row.subject, row.question, row.reason, row.interaction_id = first[:4]
    row.locale, row.category = first[4] or row.locale, first[5] or row.category
    row.message = draft.message or first[6]
    row.confidence = first[7]
    row.later_reasons = json.dumps(later)
    row.version += 1


def _merged(known: Customer, given: Customer) -> Customer:
    return Customer(**{k: v if v is not None else getattr(known, k) for k, v in asdict(given).items()})


def _apply(row: TicketRow, change: TicketChange, at: datetime) -> None:
    if change.status is not None:
        row.status = change.status
    if change.assignee is not None:
        row.assignee = change.assignee or None
    if change.note:
        notes = json.loads(row.notes or "[]")
        notes.append({"author": change.author, "at": at.isoformat(), "text": change.note})
        row.notes = json.dumps(notes)
    row.version += 1
    row.updated_at = at


def _conditions(query: TicketQuery) -> list[ColumnElement[bool]]:
    """SQL conditions of the query's filters (text search is case-insensitive, over subject and transcript)."""
    wanted = {
        TicketRow.status: query.status,
        TicketRow.reason: query.reason,
        TicketRow.priority: query.priority,
        TicketRow.locale: query.locale,
        TicketRow.incident_id: query.incident,
    }
    conditions: list[ColumnElement[bool]] = [column == value for column, value in wanted.items() if value is not None]
    if query.has_contact is not None:
        no_email = TicketRow.customer.contains('"email": null', autoescape=True)
        conditions.append(~no_email if query.has_contact else no_email)
    if query.text and query.text.strip():
        text = query.text.strip()
        searched = (TicketRow.subject, TicketRow.transcript)
        conditions.append(or_(*(column.icontains(text, autoescape=True) for column in searched)))
    return conditions


def _turn_dict(turn: Turn) -> dict[str, Any]:
    return {**asdict(turn), "at": turn.at.isoformat()}


def _turn_from(data: dict[str, Any]) -> Turn:
    articles = tuple(SeenArticle(**a) for a in data.pop("articles"))
    return Turn(**{**data, "at": datetime.fromisoformat(data["at"]), "articles": articles})


def _ticket(row: TicketRow, deliveries: tuple[DeliveryState, ...]) -> Ticket:
    return Ticket(
        id=row.id,
        reference=reference(row.id),
        status=row.status,
        version=row.version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        subject=row.subject,
        question=row.question,
        message=row.message,
        transcript=tuple(_turn_from(t) for t in json.loads(row.transcript)),
        articles=tuple(SeenArticle(**a) for a in json.loads(row.articles)),
        reason=row.reason,
        confidence=row.confidence,
        customer=Customer(**json.loads(row.customer)),
        locale=row.locale,
        category=row.category,
        priority=row.priority,
        tags=tuple(json.loads(row.tags)),
        session_id=row.session_id,
        interaction_id=row.interaction_id,
        assignee=row.assignee,
        notes=tuple(_note(n) for n in json.loads(row.notes or "[]")),
        deliveries=deliveries,
        later_reasons=tuple(
            LaterReason(datetime.fromisoformat(r["at"]), r["reason"], r["question"])
            for r in json.loads(row.later_reasons or "[]")
        ),
        incident=_incident(row),
    )


def _incident(row: TicketRow) -> IncidentLink | None:
    if row.incident_id is None:
        return None
    resolved = as_utc(row.incident_resolved_at) if row.incident_resolved_at else None
    return IncidentLink(row.incident_id, row.incident_title or row.incident_id, row.incident_url, resolved)


def _note(data: dict[str, str]) -> Note:
    return Note(author=data["author"], at=datetime.fromisoformat(data["at"]), text=data["text"])


def _deliveries(session: Session, ticket_id: int) -> tuple[DeliveryState, ...]:
    query = select(OutboxRow).where(OutboxRow.ticket_id == ticket_id).order_by(OutboxRow.id)
    return tuple(
        DeliveryState(
            target=row.target,
            event=row.event,
            version=int(row.idempotency_key.rsplit("-v", 1)[1]),
            attempts=row.attempts,
            delivered_at=as_utc(row.delivered_at) if row.delivered_at else None,
            next_attempt_at=None if row.delivered_at else as_utc(row.next_attempt_at),
            last_error=row.last_error,
        )
        for row in session.scalars(query)
    )


def _delivery(session: Session, row: OutboxRow) -> Delivery:
    link = session.get(TicketLinkRow, (row.ticket_id, row.target))
    return Delivery(
        id=row.id,
        ticket_id=row.ticket_id,
        target=row.target,
        event=row.event,
        payload=json.loads(row.payload),
        idempotency_key=row.idempotency_key,
        attempts=row.attempts,
        external_id=link.external_id if link else None,
    )
