"""POST /v1/feedback: a helpful / not-helpful vote on an answer, from the session that got it."""

from __future__ import annotations

from fastapi import APIRouter

from engine import conversation
from engine.api.auth import CustomerCaller, GateDep, access_for
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.schemas import FeedbackRequest, FeedbackResponse
from engine.types import Feedback

router = APIRouter(tags=["feedback"])
ERRORS = problems(400, 401, 403, 404, 413, 422, 429)


@router.post("/v1/feedback", response_model=FeedbackResponse, status_code=201, responses=ERRORS)
def feedback(body: FeedbackRequest, engine: EngineDep, caller: CustomerCaller, gate: GateDep) -> FeedbackResponse:
    vote = Feedback(body.interaction_id, body.helpful, body.reason, body.comment)
    conversation.vote(engine, vote, access_for(caller, gate, body.session_id))
    return FeedbackResponse(interaction_id=body.interaction_id, helpful=body.helpful)
