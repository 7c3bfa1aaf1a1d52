"""HelpDesk: turns an escalation (automatic or "still need help") into a pre-filled ticket and wakes delivery."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from datetime import datetime

from engine.tickets.models import IncidentLink, Ticket, TicketChange, TicketDraft
from engine.tickets.store import TicketStore
from engine.tickets.worker import OutboxWorker
from engine.types import Customer, Turn

logger = logging.getLogger(__name__)


class HelpDesk:
    """Files tickets with the session's transcript; a second escalation in a session updates its ticket."""

    def __init__(
        self,
        store: TicketStore,
        transcript: Callable[[str], list[Turn]],
        clock: Callable[[], datetime],
        worker: OutboxWorker | None = None,
    ) -> None:
        self.store = store
        self._transcript = transcript
        self._clock = clock
        self._worker = worker

    def escalate(
        self,
        *,
        question: str,
        reason: str,
        confidence: float,
        customer: Customer,
        session_id: str | None,
        interaction_id: str | None = None,
        turns: tuple[Turn, ...] = (),
        priority: str = "normal",
        message: str | None = None,
        locale: str | None = None,
        category: str | None = None,
        incident: IncidentLink | None = None,
    ) -> Ticket:
        """File (or update) the session's ticket, linked to `incident` when it is about one. `turns` is the
        transcript when the event log has none."""
        transcript = (tuple(self._transcript(session_id)) if session_id else ()) or turns
        draft = TicketDraft(
            question=question,
            reason=reason,
            confidence=confidence,
            transcript=transcript,
            customer=customer,
            session_id=session_id,
            interaction_id=interaction_id,
            message=message,
            locale=locale,
            category=category,
            priority=priority,
            incident=incident,
        )
        ticket = self.store.file(draft, self._clock())
        if self._worker is not None:
            self._worker.nudge()
        return ticket

    def change(self, ticket_id: int, change: TicketChange, version: int | None) -> Ticket:
        """An agent's change made on `version` (ConflictError if the ticket moved on); delivered as a new version."""
        ticket = self.store.change(ticket_id, change, version, self._clock())
        if self._worker is not None:
            self._worker.nudge()
        return ticket

    def settle_incidents(self, active: Collection[str], notes: Mapping[str, str], at: datetime) -> list[Ticket]:
        """After a good read of the status feed: every incident linked tickets wait on that is no longer `active`
        is resolved, and its tickets are updated once each (`notes`: the incident's last words, when the feed
        still lists it). Returns the tickets updated now."""
        updated: list[Ticket] = []
        for incident_id in sorted(self.store.unresolved_incidents() - set(active)):
            note = notes.get(incident_id) or f"The status page no longer lists incident {incident_id}: resolved."
            tickets = self.store.resolve_incident(incident_id, note, at)
            logger.info("incident resolved: tickets updated", extra={"incident_id": incident_id,
                                                                     "tickets": [t.reference for t in tickets]})
            updated.extend(tickets)
        if updated and self._worker is not None:
            self._worker.nudge()
        return updated

    def deliver_once(self) -> int:
        """One delivery pass (the `engine tickets deliver` command); 0 when no target is configured."""
        return self._worker.run_once() if self._worker is not None else 0

    def start(self) -> None:
        if self._worker is not None:
            self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
