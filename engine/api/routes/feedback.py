"""POST /v1/feedback: a helpful / not-helpful vote on an answer, from the session that got it; GET /v1/feedback: the
👎 votes with their reason and comment (redacted), per answer, per article and per question, for staff."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from engine.api.auth import CustomerCaller, GateDep, StaffCaller, access_for
from engine.api.deps import ConversationDep, DeskDep
from engine.api.errors import problems
from engine.api.schemas import FeedbackRequest, FeedbackResponse
from engine.api.staff_schemas import FeedbackOut
from engine.types import Feedback

router = APIRouter(tags=["feedback"])
ERRORS = problems(400, 401, 403, 404, 413, 422, 429)


@router.post("/v1/feedback", response_model=FeedbackResponse, status_code=201, responses=ERRORS)
def feedback(
    body: FeedbackRequest, conversation: ConversationDep, caller: CustomerCaller, gate: GateDep
) -> FeedbackResponse:
    vote = Feedback(body.interaction_id, body.helpful, body.reason, body.comment)
    conversation.vote(vote, access_for(caller, gate, body.session_id))
    return FeedbackResponse(interaction_id=body.interaction_id, helpful=body.helpful)


@router.get("/v1/feedback", response_model=FeedbackOut, responses=problems(400, 401, 403, 422, 429))
def feedback_list(
    support: DeskDep,
    _: StaffCaller,
    start: Annotated[datetime | None, Query(alias="from", description="ISO date or time; default 30 days ago.")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="ISO date or time (exclusive); default now.")] = None,
    helpful: Annotated[bool, Query(description="false (default): 👎 votes; true: 👍 votes.")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> FeedbackOut:
    """Answers asked in the period whose latest vote is `helpful`, newest vote first, with counts per article cited
    and per question."""
    return FeedbackOut.model_validate(support.feedback(start, end, helpful=helpful, limit=limit))
