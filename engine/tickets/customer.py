"""A customer's own tickets: which ones a caller may see — those of their own (signed) session and, when their API
key vouches for a customer, that customer's; never anyone else's — and the pure matcher and wording that answer
"where is my ticket?" from them instead of from the help articles.

    >>> status_question("where is my ticket T-000123?")
    StatusQuestion(number=123)
    >>> status_question("how do I create a ticket?") is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.tickets.models import Ticket, reference
from engine.tickets.store import TicketStore
from engine.types import Customer, Decision, Reason

_REFERENCE = re.compile(r"\bT-(\d{1,9})\b", re.IGNORECASE)
_OWN = re.compile(r"\b(?:my|our)\s+(?:support\s+)?(?:ticket|request|case)s?\b", re.IGNORECASE)
_ASKING = re.compile(r"\b(?:status|where|update[sd]?|progress|news|happen(?:ed|ing)?|heard|reply|answered)\b",
                     re.IGNORECASE)


@dataclass(frozen=True)
class StatusQuestion:
    """A question about the asker's own tickets: one ticket by number, or all of them (number None)."""

    number: int | None = None


@dataclass(frozen=True)
class TicketOwner:
    """Whose tickets a caller may see: their own session's and, when their key vouches for one, that customer's.
    Never built from what a request merely claims (a customer field in a body is not proof of anything)."""

    session_id: str | None = None
    customer: Customer | None = None


def status_question(text: str) -> StatusQuestion | None:
    """The question, if it asks where the asker's ticket stands ("status of my ticket", "any news on T-000042?")."""
    asked = _REFERENCE.search(text)
    if asked and (_ASKING.search(text) or "ticket" in text.lower()):
        return StatusQuestion(int(asked.group(1)))
    if _OWN.search(text) and _ASKING.search(text):
        return StatusQuestion()
    return None


def own_tickets(store: TicketStore, owner: TicketOwner) -> list[Ticket]:
    """The owner's tickets, most recently updated first."""
    found = {t.id: t for t in store.for_session(owner.session_id)} if owner.session_id else {}
    vouched = owner.customer
    if vouched is not None and (vouched.id or vouched.email):
        found.update((t.id, t) for t in store.for_customer(id=vouched.id, email=vouched.email))
    return sorted(found.values(), key=lambda t: (t.updated_at, t.id), reverse=True)


def status_decision(asked: StatusQuestion, tickets: Sequence[Ticket]) -> Decision:
    """The reply to a status question, worded from the asker's own tickets only (someone else's ticket reads
    exactly like one that does not exist)."""
    return Decision(
        decision="answer",
        answer=status_text(asked, tickets),
        citations=(),
        confidence=1.0,
        reason=Reason.TICKET_STATUS,
        detail="answered from the asker's own tickets",
    )


def status_text(asked: StatusQuestion, tickets: Sequence[Ticket]) -> str:
    if asked.number is not None:
        match = [t for t in tickets if t.id == asked.number]
        if match:
            return _one(match[0])
        return (f"I can't find a request {reference(asked.number)} among yours. Check the reference in the email "
                "we sent you, or use “Still need help?” and our team will look it up.")
    open_ones = [t for t in tickets if t.status == "open"]
    if not open_ones:
        return "You have no open requests with our support team. Ask me anything, or use “Still need help?”."
    if len(open_ones) == 1:
        return _one(open_ones[0])
    lines = [f"- **{t.reference}** “{t.subject}”: {t.status}, last updated {_day(t)}" for t in open_ones]
    return "Your open requests:\n" + "\n".join(lines)


def _one(ticket: Ticket) -> str:
    state = "is open: our support team has it and will reply by email" if ticket.status == "open" else "is closed"
    text = f"Your request **{ticket.reference}** (“{ticket.subject}”) {state}. Last updated {_day(ticket)}."
    if ticket.message:
        text += f"\n\nYour latest note: “{ticket.message}”"
    return text


def _day(ticket: Ticket) -> str:
    return f"{ticket.updated_at:%-d %b %Y}"
