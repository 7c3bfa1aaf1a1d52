"""Admin ingest over HTTP: POST /v1/articles adds or replaces articles, DELETE removes one. Bad records are
reported and skipped; the rest are indexed and served as soon as the new generation is committed."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from engine.api.auth import AdminCaller
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.schemas import ArticlesRequest, IngestOut, ProblemOut
from engine.errors import IndexNotReadyError
from engine.ingest.loader import LoadOptions, load_records
from engine.types import IngestReport

router = APIRouter(tags=["admin"])
ERRORS = problems(400, 401, 403, 404, 413, 422, 429)


@router.post("/v1/articles", response_model=IngestOut, responses=ERRORS)
def add_articles(body: ArticlesRequest, engine: EngineDep, _: AdminCaller) -> IngestOut:
    settings = engine.settings
    options = LoadOptions(default_locale=settings.default_locale, max_file_bytes=settings.ingest.max_file_bytes)
    parsed = load_records(body.articles, options, origin=f"request ({body.source})")
    if not parsed.articles:
        problems = "; ".join(p.reason for p in parsed.problems)
        raise HTTPException(422, f"no valid article in the request: {problems}")
    return _out(engine.indexer().upsert(parsed, source=body.source))


@router.delete("/v1/articles/{article_id:path}", response_model=IngestOut, responses=ERRORS)
def remove_article(article_id: str, engine: EngineDep, _: AdminCaller) -> IngestOut:
    try:
        known = article_id in engine.index.get().articles
    except IndexNotReadyError:
        known = False
    if not known:
        raise HTTPException(404, f"article {article_id} not found")
    return _out(engine.indexer().remove([article_id]))


def _out(report: IngestReport) -> IngestOut:
    return IngestOut(
        generation=report.generation,
        articles_total=report.articles_total,
        articles_added=report.articles_added,
        articles_updated=report.articles_updated,
        articles_unchanged=report.articles_unchanged,
        articles_removed=report.articles_removed,
        chunks_embedded=report.chunks_embedded,
        problems=[ProblemOut(path=p.path, reason=p.reason) for p in report.problems],
    )
