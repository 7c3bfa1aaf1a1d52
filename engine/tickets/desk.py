"""HelpDesk: turns an escalation (automatic or "still need help") into a pre-filled ticket and wakes delivery."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from datetime import datetime

from engine.tickets.models import Ticket, TicketChange, TicketDraft
from engine.tickets.store import TicketStore
from engine.tickets.worker import OutboxWorker
from engine.types import Clock, Turn

logger = logging.getLogger(__name__)


class HelpDesk:
    """Files tickets with the session's transcript; a second escalation in a session updates its ticket."""

    def __init__(
        self,
        store: TicketStore,
        transcript: Callable[[str], list[Turn]],
        clock: Clock,
        worker: OutboxWorker | None = None,
    ) -> None:
        self.store = store
        self._transcript = transcript
        self._clock = clock
        self._worker = worker

    def escalate(self, draft: TicketDraft) -> Ticket:
        """File (or update) the session's ticket from `draft`, linked to `draft.incident` when it is about one. The
        transcript is the session's in the event log; `draft.transcript` only when the log has none.

            >>> desk.escalate(TicketDraft(question="my export hangs", reason="no_match", confidence=0.2))
        """
        logged = tuple(self._transcript(draft.session_id)) if draft.session_id else ()
        ticket = self.store.file(replace(draft, transcript=logged) if logged else draft, self._clock())
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
