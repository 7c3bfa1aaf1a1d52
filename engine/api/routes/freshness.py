"""GET /v1/freshness: every article's freshness state, most-needed fixes first."""

from __future__ import annotations

from fastapi import APIRouter

from engine.api.auth import StaffCaller
from engine.api.deps import DeskDep
from engine.api.schemas import FreshnessRow

router = APIRouter(tags=["freshness"])


@router.get("/v1/freshness", response_model=list[FreshnessRow])
def freshness(support: DeskDep, _: StaffCaller) -> list[FreshnessRow]:
    return [FreshnessRow.model_validate(row) for row in support.freshness_report()]
