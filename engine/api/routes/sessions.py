"""GET /v1/session: a conversation's questions, replies and tickets (a widget restores its own);
GET /v1/session/tickets: the caller's own requests and where they stand (the widget's "Your requests"). The session
id, a bearer secret, travels in the X-Session-Id header, never in the URL (URLs end up in logs, histories and
Referer headers); /v1/sessions/{id} still answers for older clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from engine.api.auth import CustomerCaller, GateDep, access_for
from engine.api.deps import ConversationDep
from engine.api.errors import problems
from engine.api.schemas import OwnTicketOut, SessionOut
from engine.conversation import TicketOwner

router = APIRouter(tags=["sessions"])
ERRORS = problems(401, 403, 404, 429)


SessionHeader = Annotated[str, Header(alias="X-Session-Id", max_length=200, pattern=r"^[\w\-.:]+$",
                                      description="The session id (a bearer secret: keep it out of URLs).")]


@router.get("/v1/session", response_model=SessionOut, responses=ERRORS)
def session(
    x_session_id: SessionHeader, conversation: ConversationDep, caller: CustomerCaller, gate: GateDep
) -> SessionOut:
    """The conversation named by X-Session-Id: its turns (redacted) and tickets."""
    found = conversation.session(x_session_id, access_for(caller, gate, x_session_id))
    return SessionOut.model_validate(found)


@router.get("/v1/session/tickets", response_model=list[OwnTicketOut], responses=ERRORS)
def own_tickets(x_session_id: SessionHeader, conversation: ConversationDep, caller: CustomerCaller,
                gate: GateDep) -> list[OwnTicketOut]:
    """The session's tickets and, when the key vouches for a customer, that customer's; most recent first."""
    owner = TicketOwner(x_session_id, caller.customer)
    found = conversation.own_tickets(owner, access_for(caller, gate, x_session_id))
    return [OwnTicketOut.model_validate(t) for t in found]


@router.get("/v1/sessions/{session_id}", response_model=SessionOut, responses=ERRORS, deprecated=True)
def session_in_path(
    session_id: str, conversation: ConversationDep, caller: CustomerCaller, gate: GateDep
) -> SessionOut:
    """As GET /v1/session, with the id in the path (older clients; its access logs show the id masked)."""
    found = conversation.session(session_id, access_for(caller, gate, session_id))
    return SessionOut.model_validate(found)


@router.get("/v1/sessions/{session_id}/tickets", response_model=list[OwnTicketOut], responses=ERRORS,
            deprecated=True)
def own_tickets_in_path(session_id: str, conversation: ConversationDep, caller: CustomerCaller,
                        gate: GateDep) -> list[OwnTicketOut]:
    """As GET /v1/session/tickets, with the id in the path (older clients)."""
    owner = TicketOwner(session_id, caller.customer)
    found = conversation.own_tickets(owner, access_for(caller, gate, session_id))
    return [OwnTicketOut.model_validate(t) for t in found]
