"""POST /v1/ask: a customer's question → an answer with citations, or an escalation. Every ask is logged."""

from __future__ import annotations

import time
import uuid

from fastapi import APIRouter

from engine.answer.render import decision_to_dict
from engine.api.deps import EngineDep
from engine.api.schemas import AskRequest, AskResponse, Problem
from engine.types import Query

router = APIRouter(tags=["ask"])


@router.post("/v1/ask", response_model=AskResponse, responses={422: {"model": Problem}, 503: {"model": Problem}})
def ask(body: AskRequest, engine: EngineDep) -> AskResponse:
    started = time.perf_counter()
    decision = engine.answers.ask(Query(body.question, body.audiences(), body.locale))
    interaction_id = str(uuid.uuid4())
    engine.events.record_ask(
        interaction_id=interaction_id,
        at=engine.clock(),
        session_id=body.session_id,
        question=body.question,
        decision=decision,
        latency_ms=(time.perf_counter() - started) * 1000,
    )
    return AskResponse(interaction_id=interaction_id, session_id=body.session_id, **decision_to_dict(decision))
