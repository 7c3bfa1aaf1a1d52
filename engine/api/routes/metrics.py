"""GET /v1/metrics: containment, self-service, helpful rate, escalations by reason, content gaps (docs/metrics.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from engine import desk
from engine.api.auth import StaffCaller
from engine.api.deps import DeskDep
from engine.api.errors import problems
from engine.api.staff_schemas import MetricsOut

router = APIRouter(tags=["metrics"])
ERRORS = problems(400, 401, 403, 422, 429)


@router.get("/v1/metrics", response_model=MetricsOut, responses=ERRORS)
def metrics(
    support: DeskDep,
    _: StaffCaller,
    start: Annotated[datetime | None, Query(alias="from", description="ISO date or time; default 30 days ago.")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="ISO date or time (exclusive); default now.")] = None,
    locale: Annotated[str | None, Query(max_length=35, description="Only questions asked in this locale.")] = None,
    channel: Annotated[str | None, Query(max_length=64, description="Only questions from this API key.")] = None,
    audience: Annotated[str | None, Query(max_length=64, description="Only questions asked as this audience.")] = None,
) -> MetricsOut:
    return MetricsOut.model_validate(support.metrics(start, end, desk.Slice(locale, channel, audience)))
