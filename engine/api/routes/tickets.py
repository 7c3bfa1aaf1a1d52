"""Tickets: POST /v1/escalate ("still need help"), GET /v1/tickets and /v1/tickets/{id} for agents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from engine import conversation
from engine.api.auth import CustomerCaller, GateDep, StaffCaller, access_for, merge_customer, session_for
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.schemas import EscalateRequest, TicketOut, TicketRef
from engine.types import HelpRequest

router = APIRouter(tags=["tickets"])
ERRORS = problems(400, 401, 403, 404, 413, 422, 429)


@router.post("/v1/escalate", response_model=TicketRef, status_code=201, responses=ERRORS)
def escalate(body: EscalateRequest, engine: EngineDep, caller: CustomerCaller, gate: GateDep) -> TicketRef:
    """Open the session's ticket (or add to it), pre-filled from the conversation."""
    session_id = session_for(caller, gate, body.session_id)
    request = HelpRequest(
        session_id=session_id,
        interaction_id=body.interaction_id,
        question=body.question,
        message=body.message,
        customer=merge_customer(caller.customer, body.customer.facts() if body.customer else None),
    )
    ticket = conversation.request_human(engine, request, access_for(caller, gate, session_id))
    return TicketRef.model_validate(ticket)


@router.get("/v1/tickets", response_model=list[TicketOut], responses=ERRORS)
def tickets(
    engine: EngineDep,
    _: StaffCaller,
    status: Annotated[str | None, Query(pattern=r"^(open|closed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[TicketOut]:
    """Newest first."""
    found = conversation.tickets(engine, status=status, limit=limit, offset=offset)
    return [TicketOut.model_validate(t) for t in found]


@router.get("/v1/tickets/{ticket_id}", response_model=TicketOut, responses=ERRORS)
def ticket(ticket_id: str, engine: EngineDep, _: StaffCaller) -> TicketOut:
    """By number (42) or reference (T-000042), with where each delivery stands."""
    return TicketOut.model_validate(conversation.ticket(engine, ticket_id))
