"""The support team's use cases, one function each, shared by the HTTP API and the consoles: triage tickets (find,
change with optimistic versioning), read 👎 feedback, and list the conversations behind a dashboard number.

    >>> found = find_tickets(engine, TicketQuery(status="open", has_contact=True, text="refund"))
    >>> changed = change_ticket(engine, "T-000042", TicketChange(author="ana", status="pending"), version=3)
"""

from __future__ import annotations

from datetime import datetime

from engine.errors import NotFoundError
from engine.events.metrics import Slice
from engine.events.review import ConversationQuery, FeedbackItem, FeedbackReport
from engine.tickets.models import Ticket, TicketChange, TicketQuery
from engine.types import Turn
from engine.wiring import Engine

__all__ = ["ConversationQuery", "Slice", "TicketChange", "TicketQuery", "change_ticket", "conversations", "feedback",
           "find_tickets", "ticket_feedback", "ticket_number"]


def find_tickets(engine: Engine, query: TicketQuery) -> list[Ticket]:
    """Tickets matching every filter of `query`, most recently updated first."""
    return engine.desk.store.search(query)


def change_ticket(engine: Engine, ticket_id: str, change: TicketChange, version: int | None) -> Ticket:
    """Apply an agent's change made on `version` of the ticket (ConflictError when someone changed it since); the
    new version is delivered to the help desks like any other."""
    return engine.desk.change(ticket_number(ticket_id), change, version)


def ticket_number(ticket_id: str) -> int:
    """The number of a ticket named by number (42) or reference (T-000042)."""
    number = ticket_id.upper().removeprefix("T-")
    if not (number.isdigit() and len(number) < 12):
        raise NotFoundError(f"ticket {ticket_id} not found")
    return int(number)


def feedback(
    engine: Engine, start: datetime | None, end: datetime | None, *, helpful: bool = False, limit: int = 200
) -> FeedbackReport:
    """Votes on answers asked in the period (default: the last 30 days) whose latest vote is `helpful`, per answer,
    per article and per question, redacted."""
    start, end = engine.period(start, end)
    return engine.review.feedback(start, end, helpful=helpful, limit=limit)


def ticket_feedback(engine: Engine, ticket: Ticket) -> list[FeedbackItem]:
    """The customer's votes (👍/👎, reason, comment) on the answers of the ticket's conversation, oldest first."""
    return engine.review.session_votes(ticket.session_id) if ticket.session_id else []


def conversations(engine: Engine, query: ConversationQuery) -> list[Turn]:
    """The questions behind a number on the dashboard (a gap, a reason, an article), newest first."""
    return engine.review.conversations(query)
