"""GET /v1/metrics: containment, self-service, helpful rate, escalations by reason, content gaps (docs/metrics.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from engine.api.auth import StaffCaller
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.schemas import MetricsOut
from engine.events.metrics import Metrics, Rate
from engine.store.db import as_utc

router = APIRouter(tags=["metrics"])
ERRORS = problems(400, 401, 403, 422, 429)
DEFAULT_DAYS = 30


@router.get("/v1/metrics", response_model=MetricsOut, responses=ERRORS)
def metrics(
    engine: EngineDep,
    _: StaffCaller,
    start: Annotated[datetime | None, Query(alias="from", description="ISO date or time; default 30 days ago.")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="ISO date or time (exclusive); default now.")] = None,
) -> MetricsOut:
    until = as_utc(end) if end else engine.clock()
    since = as_utc(start) if start else until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise HTTPException(400, f"'from' ({since.isoformat()}) must be before 'to' ({until.isoformat()})")
    return metrics_out(engine.metrics(since, until))


def metrics_out(found: Metrics) -> MetricsOut:
    return MetricsOut.model_validate(
        {
            **found.__dict__,
            "start": found.start.isoformat(),
            "end": found.end.isoformat(),
            "containment": _rate(found.containment),
            "self_service": _rate(found.self_service),
            "helpful": _rate(found.helpful),
            "escalations": {reason: _rate(rate) for reason, rate in found.escalations.items()},
            "content_gaps": [{"count": g.count, "examples": list(g.examples)} for g in found.content_gaps],
            "top_articles": [{"article_id": a, "count": n} for a, n in found.top_articles],
            "stale_hits": [{"article_id": a, "state": s, "count": n} for a, s, n in found.stale_hits],
            "days": [d.__dict__ for d in found.days],
        }
    )


def _rate(rate: Rate) -> dict[str, object]:
    return {"numerator": rate.numerator, "denominator": rate.denominator, "value": rate.value}
