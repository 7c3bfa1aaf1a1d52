"""POST /v1/ask: a customer's question → an answer with citations, or an escalation that opens a ticket.
Answers stream as server-sent events when the client asks for them. Every ask is logged (question redacted)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from engine.answer.render import decision_to_dict
from engine.api.auth import CustomerCaller, GateDep, Principal, audiences_for, merge_customer, session_for
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.schemas import AskRequest, AskResponse, Customer, TicketRef
from engine.errors import EngineError
from engine.tickets.models import Ticket
from engine.types import Customer as CustomerFacts
from engine.types import Decision, Delta, Query
from engine.wiring import Engine

logger = logging.getLogger(__name__)
router = APIRouter(tags=["ask"])
ERRORS = problems(400, 401, 403, 413, 422, 429, 503)
STREAM_DOC: dict[int | str, dict[str, object]] = {
    200: {
        "description": "JSON, or with `Accept: text/event-stream` (or `stream: true`) server-sent events: "
        "`delta` {text} pieces of the answer, then `done` with this JSON plus `replaced` (true when the pieces "
        "were superseded: show `answer`), or `error` with a problem body.",
        "content": {"text/event-stream": {}},
    }
}


@router.post("/v1/ask", response_model=AskResponse, responses={**ERRORS, **STREAM_DOC})
def ask(
    body: AskRequest, request: Request, engine: EngineDep, caller: CustomerCaller, gate: GateDep
) -> AskResponse | StreamingResponse:
    started = time.perf_counter()
    session_id = session_for(caller, gate, body.session_id)
    query = Query(body.question, audiences_for(caller, body.audiences()), body.locale)
    if body.stream or "text/event-stream" in request.headers.get("accept", ""):
        events = _stream(engine, caller, body, session_id, query, started)
        return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
    decision = engine.answers.ask(query)
    return _conclude(engine, caller, body, session_id, decision, started)


def _stream(
    engine: Engine, caller: Principal, body: AskRequest, session_id: str, query: Query, started: float
) -> Iterator[str]:
    try:
        for event in engine.answers.stream(query):
            if isinstance(event, Delta):
                yield _sse("delta", {"text": event.text})
            else:
                response = _conclude(engine, caller, body, session_id, event.decision, started)
                yield _sse("done", {**response.model_dump(), "replaced": event.replaced})
    except EngineError as exc:
        logger.exception("streamed answer failed")
        yield _sse("error", {"type": "about:blank", "title": "Engine error", "status": 500, "detail": str(exc)})


def _sse(event: str, data: dict[str, object]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _conclude(
    engine: Engine, caller: Principal, body: AskRequest, session_id: str, decision: Decision, started: float
) -> AskResponse:
    """Log the ask, open or update the session's ticket on escalation, and shape the reply."""
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
        ticket=TicketRef.of(ticket) if ticket else None,
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


def _facts(customer: Customer | None) -> CustomerFacts | None:
    return CustomerFacts(**customer.model_dump()) if customer else None
