"""GET /v1/freshness: every article's freshness state, most-needed fixes first."""

from __future__ import annotations

from fastapi import APIRouter

from engine.api.auth import StaffCaller
from engine.api.deps import EngineDep
from engine.api.schemas import FreshnessRow

router = APIRouter(tags=["freshness"])


@router.get("/v1/freshness", response_model=list[FreshnessRow])
def freshness(engine: EngineDep, _: StaffCaller) -> list[FreshnessRow]:
    return [
        FreshnessRow(
            article_id=r.article_id,
            title=r.title,
            state=str(r.state),
            rule=r.rule,
            detail=r.detail,
            owner=r.owner,
            updated_at=r.updated_at.date().isoformat() if r.updated_at else None,
            questions_30d=r.hits_30d,
        )
        for r in engine.freshness_report()
    ]
