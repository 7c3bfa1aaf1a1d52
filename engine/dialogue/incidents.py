"""Incident-aware replies (docs/incidents.md): which active status-page incident a question is about, the notice
the reply leads with, the reason `known_incident` for an escalation it explains, and the link a ticket keeps.

    >>> found = IncidentNotices(board).notice("is sync down?", decision)
    >>> with_notice(decision, found).reason
    <Reason.KNOWN_INCIDENT: 'known_incident'>
"""

from __future__ import annotations

from dataclasses import replace

from engine.errors import NotFoundError
from engine.incidents.board import IncidentBoard
from engine.incidents.notice import IncidentNotice
from engine.incidents.types import CandidateArticle
from engine.tickets.models import IncidentLink
from engine.types import Decision, Reason

EXPLAINED = frozenset({Reason.NO_MATCH, Reason.LOW_CONFIDENCE, Reason.OUT_OF_SCOPE, Reason.STALE_SOURCE,
                       Reason.CONFLICT, Reason.CONFLICT_EARLIER})
"""Escalations the incident explains better than "no good answer": they become known_incident. Sensitive topics
and requests for a person keep their reason (they are linked to the incident all the same)."""
UNRELATED = frozenset({Reason.HOLDOUT, Reason.TICKET_STATUS, Reason.EMPTY_QUESTION})


class IncidentNotices:
    """The active incidents of the status feed as replies see them; no feed configured (`board` None): none."""

    def __init__(self, board: IncidentBoard | None) -> None:
        self._board = board

    @property
    def configured(self) -> bool:
        """Whether a status feed is configured at all."""
        return self._board is not None

    def notice(self, question: str, decision: Decision) -> IncidentNotice | None:
        """The notice of the incident `question` is about, if any. An answer's cited articles count (by id and tags,
        so a question answered from a sync article matches a sync incident); an escalation's weak candidates do
        not."""
        board = self._board
        if board is None or decision.decision not in ("answer", "escalate", "clarify") or decision.reason in UNRELATED:
            return None
        if decision.decision == "clarify":  # "Slack isn't working": vague, but not when Slack is down
            return board.notice(question)
        cited = {c.article_id for c in decision.citations}
        candidates = [CandidateArticle(c.article.id, c.article.tags) for c in decision.candidates
                      if c.article.id in cited]
        return board.notice(question, candidates)

    def early(self, question: str) -> IncidentNotice | None:
        """The notice a streamed answer leads with before its first piece: what the question alone names (its words
        and components). The final notice, which also counts the answer's cited articles, comes with the reply."""
        return self._board.notice(question) if self._board is not None else None

    def current(self, incident_id: str | None) -> IncidentNotice | None:
        """The notice of the incident `incident_id` while it is active, else None."""
        return self._board.notice_of(incident_id) if self._board is not None and incident_id else None

    def active(self, incident_id: str) -> IncidentNotice:
        """The notice of an active incident by id (NotFoundError when the feed lists no such active incident: it may
        just have been resolved)."""
        found = self.current(incident_id)
        if found is None:
            raise NotFoundError(f"incident {incident_id} is not active on the status page (resolved, or unknown)")
        return found

    def still_active(self, incident_id: str | None) -> IncidentLink | None:
        """The link to the incident an earlier turn was about, while it is still active."""
        return link(self.current(incident_id))


def with_notice(decision: Decision, found: IncidentNotice | None) -> Decision:
    """The decision led by the notice: its words come first in `message`; an escalation the incident explains, or a
    vague message about it ("Slack isn't working"), gets reason known_incident and the notice instead of "I couldn't
    find an answer" or a question back."""
    if found is None:
        return decision
    if decision.decision == "clarify":  # nothing to ask back: the incident is the answer
        return replace(decision, decision="escalate", reason=Reason.KNOWN_INCIDENT, message=found.text,
                       suggestions=(), detail=f"known incident {found.incident_id}; was a vague message")
    if decision.escalated and decision.reason in EXPLAINED:
        return replace(decision, reason=Reason.KNOWN_INCIDENT, message=found.text,
                       detail=f"known incident {found.incident_id}; was {decision.reason}: {decision.detail}")
    message = f"{found.text}\n\n{decision.message}" if decision.message else found.text
    return replace(decision, message=message)


def link(found: IncidentNotice | None) -> IncidentLink | None:
    """What a ticket keeps of the incident it is about (its parent)."""
    return IncidentLink(found.incident_id, found.title, found.link) if found else None
