"""Hybrid retrieval: filters first, then BM25 and dense search, fusion, and grouping per article."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.analysis import terms
from engine.config import RetrievalSettings
from engine.protocols import Embedder, Vectors
from engine.retrieve.fusion import ranks, reciprocal_rank, weighted
from engine.store.generations import IndexSnapshot
from engine.types import Candidate, Query, Retrieval, ScoredChunk

_CHUNKS_PER_ARTICLE = 3


@dataclass(frozen=True)
class _Scored:
    ordinals: npt.NDArray[np.int64]
    bm25: npt.NDArray[np.float64]
    dense: npt.NDArray[np.float64]
    bm25_rank: npt.NDArray[np.float64]
    dense_rank: npt.NDArray[np.float64]
    bm25_max: float


class HybridRetriever:
    """BM25 + dense over the articles a mask allows; every candidate keeps its bm25, dense and fused scores."""

    def __init__(self, embedder: Embedder, settings: RetrievalSettings) -> None:
        self._embedder = embedder
        self._settings = settings

    def embed(self, text: str) -> Vectors:
        return self._embedder.embed_query(text)

    def retrieve(
        self,
        snapshot: IndexSnapshot,
        query: Query,
        allowed: npt.NDArray[np.bool_],
        vector: Vectors | None = None,
        mode: str = "hybrid",
        lexical: npt.NDArray[np.float64] | None = None,
    ) -> Retrieval:
        """Rank chunks of allowed articles only (the filter applies before ranking in both indexes).

        `lexical`: BM25 scores of every chunk for this query (keyword_scores), when the caller retrieves the same
        question under several masks and wants them computed once. mode="bm25" searches only the keyword index
        and mode="dense" only the dense one; the other score of each candidate is still reported where it is
        cheap (a bm25 candidate's cosine when `vector` is given, a dense candidate's bm25 when `lexical` is), else 0.
        """
        query_terms = tuple(terms(query.text))
        eligible = int(allowed.sum())
        if eligible == 0 or not snapshot.chunks:
            return Retrieval(candidates=(), eligible_articles=eligible, query_terms=query_terms)
        if vector is None and mode != "bm25":
            vector = self.embed(query.text)
        if lexical is None:
            lexical = np.zeros(len(snapshot.chunks)) if mode == "dense" else self.keyword_scores(snapshot, query)
        scored = self._score(snapshot, lexical, vector, allowed, dense_search=mode != "bm25")
        if mode == "bm25":
            fused = scored.bm25 / scored.bm25_max if scored.bm25_max > 0 else scored.bm25
        elif mode == "dense":
            fused = scored.dense
        elif self._settings.fusion == "rrf":
            fused = reciprocal_rank(scored.dense_rank, scored.bm25_rank, self._settings.rrf_k)
        else:
            fused = weighted(scored.dense, scored.bm25, scored.bm25_max, self._settings.dense_weight)
        return Retrieval(
            candidates=self._group(snapshot, scored, fused),
            eligible_articles=eligible,
            query_terms=query_terms,
        )

    @staticmethod
    def keyword_scores(snapshot: IndexSnapshot, query: Query) -> npt.NDArray[np.float64]:
        """BM25 score of every chunk of the snapshot for the query, before any filter."""
        return snapshot.keyword.scores(terms(query.text))

    def _score(
        self,
        snapshot: IndexSnapshot,
        lexical: npt.NDArray[np.float64],
        vector: Vectors | None,
        allowed: npt.NDArray[np.bool_],
        *,
        dense_search: bool,
    ) -> _Scored:
        limit = self._settings.candidates_per_index
        chunk_allowed = allowed[snapshot.chunk_article]
        bm25_all = np.where(chunk_allowed, lexical, 0.0)
        bm25_top = _top(bm25_all, limit)
        bm25_top = bm25_top[bm25_all[bm25_top] > 0]
        dense_hits: list[tuple[int, float]] = []
        if snapshot.dense is not None and dense_search and vector is not None:
            dense_hits = snapshot.dense.search(vector, allowed, limit)
        dense_top = np.array([o for o, _ in dense_hits], dtype=np.int64)
        ordinals = np.union1d(bm25_top, dense_top).astype(np.int64)
        dense = np.zeros(len(ordinals), dtype=np.float64)
        if vector is not None and len(ordinals):
            dense = np.asarray(snapshot.vectors[ordinals] @ vector.astype(np.float32), dtype=np.float64)
        bm25 = bm25_all[ordinals]
        return _Scored(
            ordinals=ordinals,
            bm25=bm25,
            dense=dense,
            bm25_rank=ranks(bm25, np.isin(ordinals, bm25_top)),
            dense_rank=ranks(dense, np.isin(ordinals, dense_top)),
            bm25_max=float(bm25_all.max(initial=0.0)),
        )

    def _group(self, snapshot: IndexSnapshot, scored: _Scored, fused: npt.NDArray[np.float64]) -> tuple[Candidate, ...]:
        per_article: dict[str, list[ScoredChunk]] = {}
        for position in np.argsort(-fused, kind="stable"):
            chunk = snapshot.chunks[int(scored.ordinals[position])]
            bucket = per_article.setdefault(chunk.article_id, [])
            if len(bucket) < _CHUNKS_PER_ARTICLE:
                bucket.append(
                    ScoredChunk(
                        chunk=chunk,
                        bm25=float(scored.bm25[position]),
                        dense=float(scored.dense[position]),
                        fused=float(fused[position]),
                        bm25_rank=int(scored.bm25_rank[position]) or None,
                        dense_rank=int(scored.dense_rank[position]) or None,
                    )
                )
        candidates = [Candidate(snapshot.articles[a], tuple(chunks)) for a, chunks in per_article.items()]
        return tuple(candidates[: self._settings.max_articles])


def _top(scores: npt.NDArray[np.float64], limit: int) -> npt.NDArray[np.int64]:
    if len(scores) <= limit:
        return np.argsort(-scores, kind="stable").astype(np.int64)
    part = np.argpartition(-scores, limit)[:limit]
    return part[np.argsort(-scores[part], kind="stable")].astype(np.int64)
