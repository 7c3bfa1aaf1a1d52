"""GET /v1/sessions/{id}: a conversation's questions, replies and tickets (a widget restores its own);
GET /v1/sessions/{id}/tickets: the caller's own requests and where they stand (the widget's "Your requests")."""

from __future__ import annotations

from fastapi import APIRouter

from engine import conversation
from engine.api.auth import CustomerCaller, GateDep, access_for
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.schemas import OwnTicketOut, SessionOut

router = APIRouter(tags=["sessions"])
ERRORS = problems(401, 403, 404, 429)


@router.get("/v1/sessions/{session_id}", response_model=SessionOut, responses=ERRORS)
def session(session_id: str, engine: EngineDep, caller: CustomerCaller, gate: GateDep) -> SessionOut:
    found = conversation.session(engine, session_id, access_for(caller, gate, session_id))
    return SessionOut.model_validate(found)


@router.get("/v1/sessions/{session_id}/tickets", response_model=list[OwnTicketOut], responses=ERRORS)
def own_tickets(session_id: str, engine: EngineDep, caller: CustomerCaller, gate: GateDep) -> list[OwnTicketOut]:
    """The session's tickets and, when the key vouches for a customer, that customer's; most recent first."""
    owner = conversation.TicketOwner(session_id, caller.customer)
    found = conversation.own_tickets(engine, owner, access_for(caller, gate, session_id))
    return [OwnTicketOut.model_validate(t) for t in found]
