"""The customer's use cases, one method each of `Conversation`, shared by the HTTP API (and so the widget) and
`engine ask`: ask (answer or escalate, log the question redacted, hand an escalation to the help desk), vote, ask
for a human, "notify me when it's fixed", read a session and the caller's own tickets (and answer "where is my
ticket?" from them).

Callers translate their edge (HTTP, command line) into the typed inputs of engine.types and back; the flows and
their rules live here.

    >>> reply = engine.conversation.ask(Question(Query("how do I download an invoice?"), channel="cli"))
    >>> reply.decision.answered, reply.ticket is None
    (True, True)
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

from engine.answer.service import AnswerService
from engine.config import HoldoutSettings
from engine.dialogue.incidents import IncidentNotices, link, with_notice
from engine.dialogue.replies import language_of
from engine.dialogue.steps import Dialogue, Prepared
from engine.errors import ForbiddenError, NotFoundError, UnprocessableError
from engine.events.holdout import in_holdout
from engine.events.store import EventLog, IncidentSeen
from engine.incidents.notice import IncidentNotice
from engine.store.holder import IndexHolder
from engine.tickets import customer as customer_tickets
from engine.tickets.customer import TicketOwner as TicketOwner  # re-exported: routes build it
from engine.tickets.desk import HelpDesk
from engine.tickets.models import IncidentLink, Ticket, TicketDraft
from engine.types import Clock, Decision, Delta, Feedback, HelpRequest, Question, Reason, SessionAccess, Turn

HANDOVER_REASON = str(Reason.CUSTOMER_REQUEST)
"""The reason of a ticket the customer asked for (automatic escalations carry the decision's reason)."""
ASKED = ("answer", "escalate", "clarify", "confirm")
"""Turns that were a question (a request for a person hands over the last of them)."""


@dataclass(frozen=True)
class Reply:
    """One question's outcome: the decision, the interaction and session it was logged under, and the ticket an
    escalation opened or updated."""

    interaction_id: str
    session_id: str
    decision: Decision
    ticket: Ticket | None = None
    replaced: bool = False
    """Streaming only: the pieces sent were superseded (show decision.answer instead)."""
    ticket_pending: bool = False
    """The escalation waits for the customer's email (or their "no") before its ticket is filed: request_human."""
    incident: IncidentNotice | None = None
    """The active incident the question is about: the reply leads with its notice (docs/incidents.md)."""
    language: str = "en"
    """The language the reply is worded in (ISO 639-1): the widget words its own labels in it."""

    @property
    def contact_needed(self) -> bool:
        """Nobody can reply to the customer yet: ask for an email (before the ticket is filed, or to add to it)."""
        return self.ticket_pending or (self.ticket is not None and not self.ticket.has_contact)


@dataclass(frozen=True)
class Session:
    """A conversation as its customer and the agents see it: questions and replies (redacted), and its tickets."""

    session_id: str
    turns: tuple[Turn, ...]
    tickets: tuple[Ticket, ...]


@dataclass(frozen=True)
class EarlyNotice:
    """A streamed reply's first event when the question names an active incident: its notice, before the answer."""

    incident: IncidentNotice


class Conversation:
    """A customer's conversation with the engine: built once by engine.wiring with its collaborators.

        >>> conversation = Conversation(answers=answers, dialogue=dialogue, events=events, desk=desk,
        ...                             incidents=IncidentNotices(board), index=index, holdout=settings.holdout,
        ...                             default_locale="en", clock=clock)
    """

    def __init__(
        self,
        *,
        answers: AnswerService,
        dialogue: Dialogue,
        events: EventLog,
        desk: HelpDesk,
        incidents: IncidentNotices,
        index: IndexHolder,
        holdout: HoldoutSettings,
        default_locale: str,
        clock: Clock,
    ) -> None:
        self._answers = answers
        self._dialogue = dialogue
        self._events = events
        self._desk = desk
        self._incidents = incidents
        self._index = index
        self._holdout = holdout
        self._default_locale = default_locale
        self._clock = clock

    def ask(self, question: Question, owner: TicketOwner | None = None) -> Reply:
        """Reply to a message (small talk, a request for a person, a clarifying question, a question about the
        asker's own ticket, answered from the tickets `owner` may see, default: the session's) or answer or escalate
        the question, log it, and open or update the session's ticket when it escalates."""
        started = time.perf_counter()
        if question.pick is not None:
            return self._answer_pick(question, owner, started)
        if in_holdout(question.session_id, self._holdout):
            return self._held_out(question, started)
        prepared = self._dialogue.prepare(question)
        status = self._ticket_status(question, owner)
        decision = status or prepared.decision
        if decision is None:
            decision = self._dialogue.finish(prepared, prepared.retrieved or self._answers.ask(prepared.query))
        return self._conclude(question, decision, started, prepared, owner=owner)

    def ask_streaming(
        self, question: Question, owner: TicketOwner | None = None
    ) -> Iterator[Delta | EarlyNotice | Reply]:
        """`ask`, yielding the notice of an incident the question names, the answer's pieces as they are worded and
        then the Reply (anything else: the Reply alone)."""
        started = time.perf_counter()
        early: Decision | None
        if question.pick is not None:
            prepared = self._dialogue.prepare_pick(question, self._confirmed(question).confidence)
            early = prepared.decision
        elif in_holdout(question.session_id, self._holdout):
            yield self._held_out(question, started)
            return
        else:
            prepared = self._dialogue.prepare(question)
            early = self._ticket_status(question, owner) or prepared.decision
        if early is not None:
            yield self._conclude(question, early, started, prepared, owner=owner)
            return
        told = self._incidents.early(prepared.query.text)
        if told is not None:
            yield EarlyNotice(told)
        for event in self._answers.stream(prepared.query, chosen=_chosen(question)):
            if isinstance(event, Delta):
                yield event
            else:
                decision = self._dialogue.finish(prepared, event.decision)
                replaced = event.replaced or (decision.answer != event.decision.answer)
                yield self._conclude(question, decision, started, prepared, replaced=replaced, owner=owner)

    def _answer_pick(self, question: Question, owner: TicketOwner | None, started: float) -> Reply:
        """A pick among a confirm's options answers from the article picked; "none of these" escalates."""
        prepared = self._dialogue.prepare_pick(question, self._confirmed(question).confidence)
        decision = prepared.decision
        if decision is None:
            asked = self._answers.ask(prepared.query, chosen=_chosen(question))
            decision = self._dialogue.finish(prepared, asked)
        return self._conclude(question, decision, started, prepared, owner=owner)

    def _confirmed(self, question: Question) -> Turn:
        """The "is it one of these?" turn a pick answers: of the same session, a confirm, offering the article picked
        (NotFoundError for another session's, UnprocessableError otherwise)."""
        assert question.pick is not None
        pick = question.pick
        turn = self._turn(pick.interaction_id, SessionAccess(question.session_id))
        if turn.decision != "confirm":
            raise UnprocessableError(f"pick: interaction {pick.interaction_id} offered nothing to pick from")
        if pick.article_id is not None and pick.article_id not in {a.article_id for a in turn.articles if a.cited}:
            raise UnprocessableError(f"pick: article {pick.article_id} was not offered in {pick.interaction_id}")
        return turn

    def _ticket_status(self, question: Question, owner: TicketOwner | None) -> Decision | None:
        asked = customer_tickets.status_question(question.query.text)
        if asked is None:
            return None
        mine = customer_tickets.own_tickets(self._desk.store, owner or TicketOwner(question.session_id))
        return customer_tickets.status_decision(asked, mine)

    def _conclude(
        self,
        question: Question,
        decision: Decision,
        started: float,
        prepared: Prepared,
        replaced: bool = False,
        owner: TicketOwner | None = None,
    ) -> Reply:
        interaction_id = str(uuid.uuid4())
        session_id = question.session_id or uuid.uuid4().hex
        notice = self._incidents.notice(prepared.query.text, decision)
        decision = with_notice(decision, notice)
        # A request for a person in a conversation about an active incident is about that incident too: counted for
        # it and linked to it, though its own words name no component ("can I talk to someone?").
        linked = notice or self._session_incident(question, decision)
        # An escalation about a known incident is filed at once, linked to it: the customer is offered "notify me
        # when it's fixed" (POST /v1/incidents/{id}/notify) instead of the handoff form.
        pending = decision.escalated and notice is None and self._contact_first(question, owner)
        if pending:  # nothing is passed on until the customer answers: the reply must not say it was
            decision = replace(decision, message=self._dialogue.pending(decision.message, prepared.locale))
        self._events.record_ask(
            interaction_id=interaction_id,
            at=self._clock(),
            session_id=session_id,
            question=question.query.text,
            decision=decision,
            latency_ms=(time.perf_counter() - started) * 1000,
            channel=question.channel,
            locale=prepared.locale or question.query.locale,
            audiences=question.query.audience,
            incident=IncidentSeen(linked.incident_id, linked.title, linked.opened_at) if linked else None,
        )
        ticket = None
        language = self._language(prepared.locale or question.query.locale)
        if pending:
            return Reply(interaction_id, session_id, decision, None, replaced, ticket_pending=True, language=language)
        if decision.escalated:
            ticket = self._escalate(question, decision, session_id, interaction_id, prepared.locale, linked)
        return Reply(interaction_id, session_id, decision, ticket, replaced, incident=notice, language=language)

    def _session_incident(self, question: Question, decision: Decision) -> IncidentNotice | None:
        """For a request for a person: the still active incident the session's latest question about one was
        about."""
        if decision.reason != Reason.CUSTOMER_REQUEST or not self._incidents.configured or not question.session_id:
            return None
        about = [t.incident_id for t in self._events.session(question.session_id) if t.incident_id]
        return self._incidents.current(about[-1]) if about else None

    def _contact_first(self, question: Question, owner: TicketOwner | None) -> bool:
        """Whether this escalation waits for an email: asked for, the customer is neither reachable (no email) nor
        vouched for by the key, and the session has no ticket yet (once it has, later escalations update it)."""
        if not question.contact_first or question.customer.email:
            return False
        vouched = owner.customer if owner is not None else None
        if vouched is not None and (vouched.id or vouched.email):
            return False
        return question.session_id is None or not self._desk.store.for_session(question.session_id)

    def _held_out(self, question: Question, started: float) -> Reply:
        """The holdout arm (docs/metrics.md): search results and the ticket form; no AI answer, no automatic
        ticket."""
        decision = self._answers.search(question.query)
        interaction_id, session_id = str(uuid.uuid4()), question.session_id or uuid.uuid4().hex
        self._events.record_ask(interaction_id=interaction_id, at=self._clock(), session_id=session_id,
                                question=question.query.text, decision=decision, channel=question.channel,
                                latency_ms=(time.perf_counter() - started) * 1000, locale=question.query.locale,
                                audiences=question.query.audience)
        return Reply(interaction_id, session_id, decision, language=self._language(question.query.locale))

    def _language(self, locale: str | None) -> str:
        """The language a reply is worded in: its locale's, else the deployment's default."""
        return language_of(locale, self._default_locale)

    def _escalate(
        self,
        question: Question,
        decision: Decision,
        session_id: str,
        interaction_id: str,
        locale: str | None,
        notice: IncidentNotice | None = None,
    ) -> Ticket:
        """File the escalation; a request for a person is filed with the session's last real question, if any (the
        request's own words stay in the transcript: the ticket's `message` is only ever a note the customer
        wrote)."""
        best = decision.candidates[0].article if decision.candidates else None
        # The session's earlier turns matter only to a handoff and to the category of an escalation without a
        # candidate (the desk reads the transcript itself).
        needs_earlier = decision.reason == Reason.CUSTOMER_REQUEST or best is None
        earlier = self._earlier_turns(question, interaction_id) if needs_earlier else []
        asked = [t for t in earlier if t.decision in ASKED]
        handoff = decision.reason == Reason.CUSTOMER_REQUEST and bool(asked)
        # The turn record_ask has just logged, as the ticket sees it (not read back: the log keeps it redacted).
        this = Turn(interaction_id, session_id, self._clock(), question.query.text, decision.decision,
                    str(decision.reason), decision.confidence, decision.answer, (), decision.priority,
                    locale or question.query.locale or (best.locale if best else None))
        return self._file(
            HelpRequest(session_id, customer=question.customer),
            this,
            question=asked[-1].question if handoff else question.query.text,
            category=best.category if best else self._category(asked[-1] if asked else None),
            incident=link(notice),
        )

    def _earlier_turns(self, question: Question, interaction_id: str) -> list[Turn]:
        """The session's other turns (record_ask has just added this one)."""
        turns = self._events.session(question.session_id) if question.session_id else []
        return [t for t in turns if t.interaction_id != interaction_id]

    def _file(
        self,
        request: HelpRequest,
        about: Turn | None,
        *,
        question: str,
        category: str | None,
        incident: IncidentLink | None,
        reason: str | None = None,
        priority: str | None = None,
    ) -> Ticket:
        """Open or update the session of `request`'s ticket about the turn `about` (its reason, confidence, priority
        and locale unless given; none: a request without an earlier turn), with the customer and note of `request`.
        """
        draft = TicketDraft(
            question=question,
            reason=reason or (about.reason if about else HANDOVER_REASON),
            confidence=about.confidence if about else 0.0,
            customer=request.customer,
            session_id=request.session_id,
            interaction_id=about.interaction_id if about else None,
            message=request.message,
            locale=about.locale if about else None,
            category=category,
            priority=priority or (about.priority if about else "normal"),
            incident=incident,
        )
        return self._desk.escalate(draft)

    def vote(self, feedback: Feedback, access: SessionAccess) -> None:
        """Store a vote on an interaction the caller may act on (the latest vote on an interaction counts)."""
        self._turn(feedback.interaction_id, access)
        self._events.record_vote(
            interaction_id=feedback.interaction_id,
            at=self._clock(),
            helpful=feedback.helpful,
            reason=feedback.reason,
            comment=feedback.comment,
        )

    def request_human(self, request: HelpRequest, access: SessionAccess) -> Ticket:
        """Open the session's ticket (or add to it) for a customer who asks for a person, pre-filled from the turn
        asked about, else the session's last one. A session whose escalations wait for an email
        (Reply.ticket_pending) gets them filed now, with the customer's email or without (declined)."""
        turn = self._turn(request.interaction_id, access) if request.interaction_id else self._last_turn(request)
        if turn is not None and _waiting(turn) and not self._desk.store.for_session(request.session_id):
            return self._file_waiting(request)
        question = request.question or (turn.question if turn else None)
        if question is None or not question.strip():
            raise UnprocessableError("question: required when the session has no earlier question")
        return self._file(request, turn, question=question, reason=HANDOVER_REASON, category=self._category(turn),
                          incident=self._incidents.still_active(turn.incident_id if turn else None))

    def notify_when_fixed(self, incident_id: str, request: HelpRequest, access: SessionAccess) -> Ticket:
        """"Notify me when it's fixed": the session's ticket, reason known_incident, linked to the active incident
        and keeping the email to tell; updated (and the customer told) when the poller sees the incident
        resolved."""
        if not request.customer.email:
            raise UnprocessableError("customer.email: required, to tell you when it is fixed")
        if not access.may_change_contact:
            self._refuse_contact_change(request)
        notice = self._incidents.active(incident_id)
        turn = self._turn(request.interaction_id, access) if request.interaction_id else self._last_turn(request)
        question = request.question or (turn.question if turn else f"Tell me when “{notice.title}” is fixed")
        note = replace(request, message=request.message or "Please tell me when it is fixed.")
        return self._file(note, turn, question=question, reason=str(Reason.KNOWN_INCIDENT), priority="normal",
                          category=None, incident=link(notice))

    def _refuse_contact_change(self, request: HelpRequest) -> None:
        """ForbiddenError when the session's open ticket already has another email than the one given."""
        given = (request.customer.email or "").lower()
        for ticket in self._desk.store.for_session(request.session_id or ""):
            kept = (ticket.customer.email or "").lower()
            if ticket.status != "solved" and kept and kept != given:
                raise ForbiddenError(f"{ticket.reference} already has an email; it can only be changed from the "
                                     "site where this conversation started")

    def _file_waiting(self, request: HelpRequest) -> Ticket:
        """File the session's escalations that waited for an email, in order: the first gives the ticket its subject
        and reason, each later one is added to it (later_reasons). The questions are the logged (redacted) ones;
        the customer's note, if they wrote one, goes with the last."""
        turns = self._events.session(request.session_id)
        waiting = [i for i, t in enumerate(turns) if _waiting(t)]
        ticket: Ticket | None = None
        for i in waiting:
            turn, asked = turns[i], [t for t in turns[:i] if t.decision in ASKED]
            handoff = turn.reason == Reason.CUSTOMER_REQUEST and bool(asked)
            ticket = self._file(
                request if i == waiting[-1] else replace(request, message=None),
                turn,
                question=asked[-1].question if handoff else turn.question,
                incident=self._incidents.still_active(turn.incident_id),
                category=self._category(turn if turn.articles else (asked[-1] if asked else None)),
            )
        if ticket is None:
            raise NotFoundError("no escalation of this session waits for a ticket")
        return ticket

    def _turn(self, interaction_id: str, access: SessionAccess) -> Turn:
        """The interaction, if the caller may act on it (a foreign one looks exactly like a missing one)."""
        turn = self._events.turn(interaction_id)
        if turn is None:
            raise NotFoundError(f"interaction {interaction_id} not found")
        if not access.allows(turn.session_id):
            raise NotFoundError(f"interaction {interaction_id} not found in this session")
        return turn

    def _last_turn(self, request: HelpRequest) -> Turn | None:
        turns = self._events.session(request.session_id)
        return turns[-1] if turns else None

    def _category(self, turn: Turn | None) -> str | None:
        """The category of the best article the customer was shown: where the help desk should route the ticket."""
        if turn is None or not turn.articles:
            return None
        article = self._index.get().articles.get(turn.articles[0].article_id)
        return article.category if article else None

    def session(self, session_id: str, access: SessionAccess) -> Session:
        """The conversation and its tickets (NotFoundError when the caller may not see it or it has neither)."""
        if not access.allows(session_id):
            raise NotFoundError("session not found")
        turns = self._events.session(session_id)
        tickets = self._desk.store.for_session(session_id)
        if not turns and not tickets:
            raise NotFoundError("session not found")
        return Session(session_id, tuple(turns), tuple(tickets))

    def own_tickets(self, owner: TicketOwner, access: SessionAccess) -> list[Ticket]:
        """The tickets of the caller's own session and of the customer their key vouches for, most recent first
        (NotFoundError when the caller may not act in that session)."""
        if not access.allows(owner.session_id):
            raise NotFoundError("session not found")
        return customer_tickets.own_tickets(self._desk.store, owner)


def _chosen(question: Question) -> str | None:
    return question.pick.article_id if question.pick is not None else None


def _waiting(turn: Turn) -> bool:
    return turn.decision == "escalate" and turn.reason != Reason.HOLDOUT
