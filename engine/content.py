"""The admins' content use cases: add or replace articles, take one out; both indexes change together and are
served as soon as the new generation is committed.

    >>> report = engine.content.add_articles([{"id": "billing/refunds", "title": "Refunds", "body": "…"}], "api")
    >>> report = engine.content.remove_article("billing/refunds")
"""

from __future__ import annotations

from collections.abc import Callable

from engine.errors import IndexNotReadyError, NotFoundError, UnprocessableError
from engine.ingest.indexer import Indexer
from engine.ingest.loader import LoadOptions, load_records
from engine.store.holder import IndexHolder
from engine.types import IngestReport


class Content:
    """Articles in, articles out: built once by engine.wiring.

        >>> content = Content(indexer=engine.indexer, index=index, options=LoadOptions(default_locale="en"))
    """

    def __init__(self, *, indexer: Callable[[], Indexer], index: IndexHolder, options: LoadOptions) -> None:
        self._indexer = indexer
        self._index = index
        self._options = options

    def add_articles(self, records: list[dict[str, object]], source: str) -> IngestReport:
        """Add or replace articles given as JSONL-export records; bad records are reported, the rest indexed."""
        parsed = load_records(records, self._options, origin=f"request ({source})")
        if not parsed.articles:
            problems = "; ".join(p.reason for p in parsed.problems)
            raise UnprocessableError(f"no valid article in the request: {problems}")
        return self._indexer().upsert(parsed, source=source)

    def remove_article(self, article_id: str) -> IngestReport:
        """Take one article out of both indexes (NotFoundError when no index holds it)."""
        try:
            known = article_id in self._index.get().articles
        except IndexNotReadyError:
            known = False
        if not known:
            raise NotFoundError(f"article {article_id} not found")
        return self._indexer().remove([article_id])
