"""The support team's use cases, one method each of `SupportDesk`, shared by the HTTP API, the consoles and the
CLI: triage tickets (find, read, change with optimistic versioning), preview what a customer would get, read 👎
feedback and the conversations behind a dashboard number, the metrics and the freshness report.

    >>> found = engine.support.find_tickets(TicketQuery(status="open", has_contact=True, text="refund"))
    >>> changed = engine.support.change_ticket("T-000042", TicketChange(author="ana", status="pending"), version=3)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from engine.answer.confirm import Band
from engine.answer.service import AnswerService, Preview
from engine.background import Leadership
from engine.config import HoldoutSettings, MetricsSettings
from engine.errors import IndexNotReadyError, InvalidRequestError, NotFoundError
from engine.events.metrics import EVERYTHING, PERIOD, Metrics, Slice, TicketFact, compute_metrics
from engine.events.review import ConversationQuery, FeedbackItem, FeedbackReport, Review
from engine.events.store import EventLog
from engine.freshness.report import ReportRow, freshness_report
from engine.protocols import Embedder
from engine.retrieve.eligibility import Eligibility
from engine.store.db import as_utc
from engine.store.holder import IndexHolder
from engine.tickets.desk import HelpDesk
from engine.tickets.models import Ticket, TicketChange, TicketQuery
from engine.types import Clock, Query, Turn

__all__ = ["AgentPreview", "ConversationQuery", "Slice", "SupportDesk", "TicketChange", "TicketQuery",
           "ticket_number"]


@dataclass(frozen=True)
class AgentPreview:
    """What a customer would get for a question, every candidate with its verdict, and the threshold it was judged
    by. Not logged, no ticket."""

    preview: Preview
    threshold: float
    confirm_band: Band | None = None


class SupportDesk:
    """The agents' and admins' reads and changes: built once by engine.wiring with its collaborators.

        >>> support = SupportDesk(tickets=desk, review=Review(database), events=events, answers=answers,
        ...                       index=index, eligibility=eligibility, embedder=embedder,
        ...                       metrics=settings.metrics, holdout=settings.holdout, leadership=None, clock=clock)
    """

    def __init__(
        self,
        *,
        tickets: HelpDesk,
        review: Review,
        events: EventLog,
        answers: AnswerService,
        index: IndexHolder,
        eligibility: Eligibility,
        embedder: Embedder,
        metrics: MetricsSettings,
        holdout: HoldoutSettings,
        leadership: Leadership | None,
        clock: Clock,
    ) -> None:
        self._tickets = tickets
        self._review = review
        self._events = events
        self._answers = answers
        self._index = index
        self._eligibility = eligibility
        self._embedder = embedder
        self._metrics = metrics
        self._holdout = holdout
        self._leadership = leadership
        self._clock = clock

    def find_tickets(self, query: TicketQuery) -> list[Ticket]:
        """Tickets matching every filter of `query`, most recently updated first."""
        return self._tickets.store.search(query)

    def tickets(self, *, status: str | None = None, limit: int = 50, offset: int = 0) -> list[Ticket]:
        """Tickets newest first, optionally only open or closed ones."""
        return self._tickets.store.recent(status=status, limit=limit, offset=offset)

    def ticket(self, ticket_id: str) -> Ticket:
        """A ticket by number (42) or reference (T-000042), with where each delivery stands."""
        found = self._tickets.store.get(ticket_number(ticket_id))
        if found is None:
            raise NotFoundError(f"ticket {ticket_id} not found")
        return found

    def change_ticket(self, ticket_id: str, change: TicketChange, version: int | None) -> Ticket:
        """Apply an agent's change made on `version` of the ticket (ConflictError when someone changed it since);
        the new version is delivered to the help desks like any other."""
        return self._tickets.change(ticket_number(ticket_id), change, version)

    def ticket_feedback(self, ticket: Ticket) -> list[FeedbackItem]:
        """The customer's votes (👍/👎, reason, comment) on the answers of the ticket's conversation, oldest first."""
        return self._review.session_votes(ticket.session_id) if ticket.session_id else []

    def settle_incidents(self, active: frozenset[str], notes: Mapping[str, str]) -> None:
        """After a good read of the status feed: tickets linked to incidents no longer active are updated once (by
        the leading worker only, when several serve this data dir)."""
        if self._leadership is None or self._leadership.leading:
            self._tickets.settle_incidents(active, notes, self._clock())

    def preview(self, query: Query) -> AgentPreview:
        """What a customer asking `query` would get, for an agent: nothing is logged and no ticket is opened."""
        return AgentPreview(self._answers.preview(query), self._answers.threshold, self._answers.confirm_band)

    def feedback(
        self, start: datetime | None, end: datetime | None, *, helpful: bool = False, limit: int = 200
    ) -> FeedbackReport:
        """Votes on answers asked in the period (default: the last 30 days) whose latest vote is `helpful`, per
        answer, per article and per question, redacted."""
        start, end = self.period(start, end)
        return self._review.feedback(start, end, helpful=helpful, limit=limit)

    def conversations(self, query: ConversationQuery) -> list[Turn]:
        """The questions behind a number on the dashboard (a gap, a reason, an article), newest first."""
        return self._review.conversations(query)

    def incident_questions(self, incident_ids: Iterable[str]) -> dict[str, int]:
        """Questions asked about each incident so far (each that got its notice, and requests for a person in a
        conversation about it)."""
        return self._events.incident_questions(incident_ids)

    def period(self, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
        """[start, end) as UTC: by default the PERIOD up to now; naive times are UTC."""
        end = as_utc(end) if end else self._clock()
        start = as_utc(start) if start else end - PERIOD
        if start >= end:
            raise InvalidRequestError(f"'from' ({start.isoformat()}) must be before 'to' ({end.isoformat()})")
        return start, end

    def title(self, article_id: str) -> str:
        """The article's title in the current index, else its id (removed articles, no index yet)."""
        try:
            article = self._index.get().articles.get(article_id)
        except IndexNotReadyError:
            article = None
        return article.title if article else article_id

    def metrics(self, start: datetime | None = None, end: datetime | None = None, where: Slice = EVERYTHING) -> Metrics:
        """Metrics of the questions asked in [start, end) (see `period`), of one locale or channel if `where` says."""
        now = self._clock()
        start, end = self.period(start, end)
        tickets = [TicketFact(key, at, incident) for key, at, incident in self._tickets.store.opened_since(start)]
        return compute_metrics(
            self._events.asks(start, end, where),
            self._events.votes(start),
            tickets,
            self._events.stale(start, end),
            start=start,
            end=end,
            now=now,
            containment_hours=self._metrics.containment_hours,
            embed=lambda texts: self._embedder.embed_passages(texts),
            gap_similarity=self._metrics.gap_similarity,
            holdout=self._holdout,
            title=self.title,
            sliced=where != EVERYTHING,
        )

    def freshness_report(self) -> list[ReportRow]:
        """Every article's freshness state, the rule that decided it and the recent questions that hit it."""
        snapshot = self._index.get()
        hits = self._events.stale_hits(self._clock())
        return freshness_report(snapshot.articles.values(), self._eligibility.verdicts(snapshot), hits)


def ticket_number(ticket_id: str) -> int:
    """The number of a ticket named by number (42) or reference (T-000042)."""
    number = ticket_id.upper().removeprefix("T-")
    if not (number.isdigit() and len(number) < 12):
        raise NotFoundError(f"ticket {ticket_id} not found")
    return int(number)
