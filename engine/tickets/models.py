"""Ticket objects and how a ticket is pre-filled from a conversation (pure: no I/O)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from engine.errors import UnprocessableError
from engine.types import Customer, SeenArticle, Turn

PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("open", "pending", "solved")
"""A ticket's life: open (needs an agent) → pending (waiting on the customer) → solved; any step may be undone."""
SUBJECT_CHARS = 80


@dataclass(frozen=True)
class IncidentLink:
    """The status-page incident a ticket is about (its parent): many tickets, one incident. `resolved_at` is set
    once, when the poller saw it resolved and the ticket was updated for it."""

    id: str
    title: str
    url: str | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class TicketDraft:
    """Everything a new or updated ticket says, before it gets an id."""

    question: str
    reason: str
    confidence: float
    transcript: tuple[Turn, ...] = ()
    customer: Customer = field(default_factory=Customer)
    session_id: str | None = None
    interaction_id: str | None = None
    message: str | None = None
    locale: str | None = None
    category: str | None = None
    priority: str = "normal"
    incident: IncidentLink | None = None

    @property
    def subject(self) -> str:
        return subject_from(self.question)

    @property
    def articles(self) -> tuple[SeenArticle, ...]:
        return articles_seen(self.transcript)

    @property
    def tags(self) -> tuple[str, ...]:
        tags = ["answer-engine", f"reason-{self.reason}"]
        if self.locale:
            tags.append(f"locale-{self.locale}")
        if self.customer.plan:
            tags.append(f"plan-{_slug(self.customer.plan)}")
        if self.priority in ("high", "urgent"):
            tags.append("priority-review")
        if self.incident:
            tags.append(incident_tag(self.incident.id))
        return tuple(tags)


@dataclass(frozen=True)
class LaterReason:
    """A later escalation of a ticket's session: the ticket keeps its first subject and reason, and lists these."""

    at: datetime
    reason: str
    question: str


@dataclass(frozen=True)
class Ticket:
    """A stored ticket; `version` grows with every update and keys its deliveries."""

    id: int
    reference: str
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    subject: str
    question: str
    message: str | None
    transcript: tuple[Turn, ...]
    articles: tuple[SeenArticle, ...]
    reason: str
    confidence: float
    customer: Customer
    locale: str | None
    category: str | None
    priority: str
    tags: tuple[str, ...]
    session_id: str | None
    interaction_id: str | None
    assignee: str | None = None
    notes: tuple[Note, ...] = ()
    deliveries: tuple[DeliveryState, ...] = ()
    later_reasons: tuple[LaterReason, ...] = ()
    incident: IncidentLink | None = None

    @property
    def has_contact(self) -> bool:
        """Whether an agent can reply: the customer left an email."""
        return bool(self.customer.email)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape sent to webhooks and returned by GET /v1/tickets/{id}."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["updated_at"] = self.updated_at.isoformat()
        data["transcript"] = [{**asdict(t), "at": t.at.isoformat()} for t in self.transcript]
        data["later_reasons"] = [{**asdict(r), "at": r.at.isoformat()} for r in self.later_reasons]
        data["has_contact"] = self.has_contact
        data["notes"] = [{**asdict(n), "at": n.at.isoformat()} for n in self.notes]
        if self.incident is not None:
            resolved = self.incident.resolved_at
            data["incident"] = {**asdict(self.incident), "resolved_at": resolved.isoformat() if resolved else None}
        return data

@dataclass(frozen=True)
class Note:
    """An internal note: agents only, never shown to the customer."""

    author: str
    at: datetime
    text: str


@dataclass(frozen=True)
class TicketChange:
    """What an agent changes on a ticket; None leaves a field as it is (assignee "" unassigns)."""

    author: str
    status: str | None = None
    assignee: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise UnprocessableError(f"status must be one of {', '.join(STATUSES)}, got {self.status!r}")


@dataclass(frozen=True)
class TicketQuery:
    """Which tickets an agent lists: every filter is optional; `text` searches the subject and the transcript."""

    status: str | None = None
    reason: str | None = None
    priority: str | None = None
    locale: str | None = None
    has_contact: bool | None = None
    text: str | None = None
    limit: int = 50
    offset: int = 0
    incident: str | None = None
    """Only tickets linked to this status-page incident id."""


@dataclass(frozen=True)
class DeliveryState:
    """Where one delivery of a ticket stands at one target."""

    target: str
    event: str
    version: int
    attempts: int
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None


def reference(ticket_id: int) -> str:
    return f"T-{ticket_id:06d}"


def subject_from(question: str) -> str:
    """The question's first line, cut at a word boundary."""
    line = " ".join(question.split())
    if len(line) <= SUBJECT_CHARS:
        return line or "Customer question"
    cut = line[:SUBJECT_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def articles_seen(transcript: tuple[Turn, ...]) -> tuple[SeenArticle, ...]:
    """Every article the customer was shown in the session, once each, best score kept, cited ones first."""
    best: dict[str, SeenArticle] = {}
    for turn in transcript:
        for article in turn.articles:
            kept = best.get(article.article_id)
            if kept is None or (article.cited, article.score) > (kept.cited, kept.score):
                best[article.article_id] = article
    return tuple(sorted(best.values(), key=lambda a: (not a.cited, -a.score)))


def incident_tag(incident_id: str) -> str:
    """The help-desk tag of the tickets linked to an incident: agents bulk-answer by it."""
    return f"incident-{_slug(incident_id)}"


def higher_priority(first: str, second: str) -> str:
    return max(first, second, key=lambda p: PRIORITIES.index(p) if p in PRIORITIES else 1)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"
