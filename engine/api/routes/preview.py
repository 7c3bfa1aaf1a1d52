"""POST /v1/preview (agents): what a customer would get, plus every candidate with its scores and verdict.
Previews are not customer interactions: they are not logged and open no ticket."""

from __future__ import annotations

from fastapi import APIRouter

from engine.api.auth import StaffCaller
from engine.api.deps import DeskDep
from engine.api.errors import problems
from engine.api.schemas import PreviewRequest, PreviewResponse
from engine.types import Query

router = APIRouter(tags=["agent"])
ERRORS = problems(400, 401, 403, 413, 422, 429, 503)


@router.post("/v1/preview", response_model=PreviewResponse, responses=ERRORS)
def preview(body: PreviewRequest, support: DeskDep, _: StaffCaller) -> PreviewResponse:
    found = support.preview(Query(body.question, body.audiences(), body.locale))
    return PreviewResponse.of(found)
