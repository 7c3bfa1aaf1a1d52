"""Tickets: POST /v1/escalate ("still need help"), GET /v1/tickets and /v1/tickets/{id} for agents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from engine.api.auth import CustomerCaller, GateDep, StaffCaller, merge_customer, session_for
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.routes.feedback import owned_turn
from engine.api.schemas import EscalateRequest, TicketOut, TicketRef
from engine.tickets.models import Ticket
from engine.types import Customer

router = APIRouter(tags=["tickets"])
ERRORS = problems(400, 401, 403, 404, 413, 422, 429)


@router.post("/v1/escalate", response_model=TicketRef, status_code=201, responses=ERRORS)
def escalate(body: EscalateRequest, engine: EngineDep, caller: CustomerCaller, gate: GateDep) -> TicketRef:
    """Open the session's ticket (or add to it), pre-filled from the conversation."""
    session_id = session_for(caller, gate, body.session_id)
    turns = engine.events.session(session_id)
    turn = (
        owned_turn(engine, caller, gate.sessions.valid, body.interaction_id, session_id)
        if body.interaction_id
        else (turns[-1] if turns else None)
    )
    question = body.question or (turn.question if turn else None)
    if question is None or not question.strip():
        raise HTTPException(422, "question: required when the session has no earlier question")
    customer = merge_customer(caller.customer, Customer(**body.customer.model_dump()) if body.customer else None)
    best = turn.articles[0] if turn and turn.articles else None
    category = None
    if best is not None:
        article = engine.index.get().articles.get(best.article_id)
        category = article.category if article else None
    ticket = engine.desk.escalate(
        question=question,
        reason="customer_request",
        confidence=turn.confidence if turn else 0.0,
        customer=customer,
        session_id=session_id,
        interaction_id=turn.interaction_id if turn else None,
        priority=turn.priority if turn else "normal",
        message=body.message,
        locale=turn.locale if turn else None,
        category=category,
    )
    return TicketRef.of(ticket)


@router.get("/v1/tickets", response_model=list[TicketOut], responses=ERRORS)
def tickets(
    engine: EngineDep,
    _: StaffCaller,
    status: Annotated[str | None, Query(pattern=r"^(open|closed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[TicketOut]:
    """Newest first."""
    return [ticket_out(t) for t in engine.desk.store.recent(status=status, limit=limit, offset=offset)]


@router.get("/v1/tickets/{ticket_id}", response_model=TicketOut, responses=ERRORS)
def ticket(ticket_id: str, engine: EngineDep, _: StaffCaller) -> TicketOut:
    """By number (42) or reference (T-000042), with where each delivery stands."""
    number = ticket_id.upper().removeprefix("T-")
    found = engine.desk.store.get(int(number)) if number.isdigit() and len(number) < 12 else None
    if found is None:
        raise HTTPException(404, f"ticket {ticket_id} not found")
    return ticket_out(found)


def ticket_out(found: Ticket) -> TicketOut:
    data = found.to_dict()
    data["deliveries"] = [
        {
            **d,
            "delivered_at": d["delivered_at"].isoformat() if d["delivered_at"] else None,
            "next_attempt_at": d["next_attempt_at"].isoformat() if d["next_attempt_at"] else None,
        }
        for d in data["deliveries"]
    ]
    return TicketOut.model_validate(data)
