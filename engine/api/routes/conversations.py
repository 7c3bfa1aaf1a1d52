"""GET /v1/conversations: the questions behind a number on the dashboard (a content gap, an escalation reason, an
article, the 👎 votes), each linking to its conversation (GET /v1/sessions/{id})."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from engine import desk
from engine.api.auth import StaffCaller
from engine.api.deps import DeskDep
from engine.api.errors import problems
from engine.api.schemas import TurnOut

router = APIRouter(tags=["metrics"])
ERRORS = problems(400, 401, 403, 422, 429)


@router.get("/v1/conversations", response_model=list[TurnOut], responses=ERRORS)
def conversations(
    support: DeskDep,
    _: StaffCaller,
    start: Annotated[datetime | None, Query(alias="from", description="ISO date or time; default 30 days ago.")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="ISO date or time (exclusive); default now.")] = None,
    reason: Annotated[str | None, Query(max_length=40, description="Decision reason, e.g. no_match.")] = None,
    article: Annotated[str | None, Query(max_length=500, description="Shown, cited or hit while stale.")] = None,
    interaction: Annotated[list[str] | None, Query(max_length=100, description="Interaction ids (a gap's).")] = None,
    voted_down: Annotated[bool, Query(description="Only answers with a 👎 vote.")] = False,
    locale: Annotated[str | None, Query(max_length=35)] = None,
    channel: Annotated[str | None, Query(max_length=64, description="The API key name the question came from.")] = None,
    audience: Annotated[str | None, Query(max_length=64, description="Only questions asked as this audience.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[TurnOut]:
    """Questions asked in the period matching every filter given, newest first (redacted)."""
    start, end = support.period(start, end)
    query = desk.ConversationQuery(start, end, reason, article, tuple(interaction or ()), voted_down, locale, channel,
                                   audience, limit, offset)
    return [TurnOut.model_validate(t) for t in support.conversations(query)]
