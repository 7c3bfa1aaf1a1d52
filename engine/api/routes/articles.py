"""Admin ingest over HTTP: POST /v1/articles adds or replaces articles, DELETE removes one. Bad records are
reported and skipped; the rest are indexed and served as soon as the new generation is committed."""

from __future__ import annotations

from fastapi import APIRouter

from engine.api.auth import AdminCaller
from engine.api.deps import ContentDep
from engine.api.errors import problems
from engine.api.schemas import ArticlesRequest, IngestOut

router = APIRouter(tags=["admin"])
ERRORS = problems(400, 401, 403, 404, 413, 422, 429)


@router.post("/v1/articles", response_model=IngestOut, responses=ERRORS)
def add_articles(body: ArticlesRequest, content: ContentDep, _: AdminCaller) -> IngestOut:
    return IngestOut.model_validate(content.add_articles(body.articles, body.source))


@router.delete("/v1/articles/{article_id:path}", response_model=IngestOut, responses=ERRORS)
def remove_article(article_id: str, content: ContentDep, _: AdminCaller) -> IngestOut:
    return IngestOut.model_validate(content.remove_article(article_id))
