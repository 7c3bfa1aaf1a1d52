"""POST /v1/ask: a customer's question → an answer with citations, or an escalation that opens a ticket.
Every ask is logged (question redacted)."""

from __future__ import annotations

import time
import uuid

from fastapi import APIRouter

from engine.answer.render import decision_to_dict
from engine.api.auth import CustomerCaller, GateDep, audiences_for, merge_customer, session_for
from engine.api.deps import EngineDep
from engine.api.schemas import AskRequest, AskResponse, Customer, Problem, TicketRef
from engine.tickets.models import Ticket
from engine.types import Customer as CustomerFacts
from engine.types import Decision, Query
from engine.wiring import Engine

router = APIRouter(tags=["ask"])
ERRORS = {code: {"model": Problem} for code in (401, 403, 413, 422, 429, 503)}


@router.post("/v1/ask", response_model=AskResponse, responses=ERRORS)  # type: ignore[arg-type]
def ask(body: AskRequest, engine: EngineDep, caller: CustomerCaller, gate: GateDep) -> AskResponse:
    started = time.perf_counter()
    session_id = session_for(caller, gate, body.session_id)
    query = Query(body.question, audiences_for(caller, body.audiences()), body.locale)
    decision = engine.answers.ask(query)
    interaction_id = str(uuid.uuid4())
    engine.events.record_ask(
        interaction_id=interaction_id,
        at=engine.clock(),
        session_id=session_id,
        question=body.question,
        decision=decision,
        latency_ms=(time.perf_counter() - started) * 1000,
        channel=caller.name,
        locale=body.locale,
    )
    ticket = None
    if not decision.answered:
        customer = merge_customer(caller.customer, _facts(body.customer))
        ticket = file_escalation(engine, body.question, decision, customer, session_id, interaction_id, body.locale)
    return AskResponse(
        interaction_id=interaction_id,
        session_id=session_id,
        ticket=ticket_ref(ticket) if ticket else None,
        **decision_to_dict(decision),
    )


def file_escalation(
    engine: Engine,
    question: str,
    decision: Decision,
    customer: CustomerFacts,
    session_id: str,
    interaction_id: str,
    locale: str | None,
) -> Ticket:
    best = decision.candidates[0].article if decision.candidates else None
    return engine.desk.escalate(
        question=question,
        reason=str(decision.reason),
        confidence=decision.confidence,
        customer=customer,
        session_id=session_id,
        interaction_id=interaction_id,
        priority=decision.priority,
        locale=locale or (best.locale if best else None),
        category=best.category if best else None,
    )


def ticket_ref(ticket: Ticket) -> TicketRef:
    return TicketRef(id=ticket.id, reference=ticket.reference, status=ticket.status, version=ticket.version)


def _facts(customer: Customer | None) -> CustomerFacts | None:
    return CustomerFacts(**customer.model_dump()) if customer else None
