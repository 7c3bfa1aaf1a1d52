"""POST /v1/preview (agents): what a customer would get, plus every candidate with its scores and verdict.
Previews are not customer interactions: they are not logged and open no ticket."""

from __future__ import annotations

from fastapi import APIRouter

from engine.answer.render import decision_to_dict
from engine.api.auth import StaffCaller
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.schemas import CandidateOut, PreviewRequest, PreviewResponse
from engine.types import Query

router = APIRouter(tags=["agent"])
ERRORS = problems(400, 401, 403, 413, 422, 429, 503)
SNIPPET_CHARS = 300


@router.post("/v1/preview", response_model=PreviewResponse, responses=ERRORS)
def preview(body: PreviewRequest, engine: EngineDep, _: StaffCaller) -> PreviewResponse:
    result = engine.answers.preview(Query(body.question, body.audiences() or ("public",), body.locale))
    decision = result.decision
    candidates = []
    for candidate in result.candidates:
        best = candidate.best
        verdict = result.verdicts[candidate.article.id]
        candidates.append(
            CandidateOut(
                article_id=candidate.article.id,
                title=candidate.article.title,
                url=candidate.article.url,
                heading=" › ".join(best.chunk.heading_path),
                snippet=best.chunk.text[:SNIPPET_CHARS],
                fused=round(best.fused, 4),
                bm25=round(best.bm25, 4),
                dense=round(best.dense, 4),
                bm25_rank=best.bm25_rank,
                dense_rank=best.dense_rank,
                state=str(verdict.state),
                eligible=verdict.eligible,
                rule=verdict.rule,
                detail=verdict.detail,
            )
        )
    return PreviewResponse(
        **decision_to_dict(decision),
        detail=decision.detail,
        priority=decision.priority,
        flags=list(decision.flags),
        threshold=engine.answers.threshold,
        generation=result.generation,
        candidates=candidates,
    )
