"""POST /v1/ask: a customer's question → an answer with citations, or an escalation."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from engine.answer.render import decision_to_dict
from engine.api.deps import EngineDep
from engine.api.schemas import AskRequest, AskResponse, Problem
from engine.types import Query

router = APIRouter(tags=["ask"])


@router.post(
    "/v1/ask", response_model=AskResponse, responses={422: {"model": Problem}, 503: {"model": Problem}}
)
def ask(body: AskRequest, engine: EngineDep) -> AskResponse:
    decision = engine.answers.ask(Query(body.question, body.audiences(), body.locale))
    return AskResponse(
        interaction_id=str(uuid.uuid4()), session_id=body.session_id, **decision_to_dict(decision)
    )
