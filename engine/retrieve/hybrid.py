"""Hybrid retrieval: filters first, then BM25 and dense search, fusion, and grouping per article."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from engine.analysis import terms
from engine.config import RetrievalSettings
from engine.protocols import DenseQuery, Embedder, Vectors
from engine.retrieve.actions import opposed
from engine.retrieve.fusion import ranks, reciprocal_rank, weighted
from engine.store.generations import IndexSnapshot
from engine.types import Article, Candidate, Chunk, Query, Retrieval, ScoredChunk

_CHUNKS_PER_ARTICLE = 3


@dataclass(frozen=True)
class _Scored:
    ordinals: npt.NDArray[np.int64]
    bm25: npt.NDArray[np.float64]
    dense: npt.NDArray[np.float64]
    bm25_rank: npt.NDArray[np.float64]
    dense_rank: npt.NDArray[np.float64]
    bm25_max: float


Mode = Literal["bm25", "dense", "hybrid"]


@dataclass(frozen=True)
class Scores:
    """One question scored once against one snapshot (its embedding, every chunk's BM25 score, and its dense query,
    whose similarities the exact store computes once): `rank` then orders it under any number of masks without
    scoring again."""

    snapshot: IndexSnapshot
    terms: tuple[str, ...]
    vector: Vectors
    lexical: npt.NDArray[np.float64]
    dense: DenseQuery | None
    """None when the snapshot was loaded without its dense index."""
    question: str = ""


def scored(snapshot: IndexSnapshot, query: Query, vector: Vectors) -> Scores:
    """The question's Scores given its embedding: every chunk's BM25 score, computed once."""
    query_terms = tuple(terms(query.text))
    dense = snapshot.dense.query(vector) if snapshot.dense is not None else None
    return Scores(snapshot, query_terms, vector, snapshot.keyword.scores(query_terms), dense, query.text)


class HybridRetriever:
    """BM25 + dense over the articles a mask allows; every candidate keeps its bm25, dense and fused scores.

        scores = retriever.score(snapshot, Query("reset my password"))
        eligible = retriever.rank(scores, masks.eligible)            # what may answer
        shadow = retriever.rank(scores, masks.visible)               # what the asker may see, fresh or not
        deep = retriever.rank(scores, masks.eligible, "bm25", depth=10)
    """

    def __init__(self, embedder: Embedder, settings: RetrievalSettings, headings_kept: int = 4096) -> None:
        self._embedder = embedder
        self._settings = settings
        # Section headings embedded for focusing, by text (the same popular articles are quoted again and again):
        # least recently used dropped first; 4,096 vectors of MiniLM are 6 MB.
        self._headings: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._headings_kept = headings_kept
        self._headings_lock = threading.Lock()  # questions are answered on a thread pool

    def score(self, snapshot: IndexSnapshot, query: Query) -> Scores:
        """Embed the question and BM25-score every chunk, once."""
        return scored(snapshot, query, self._embedder.embed_query(query.text))

    def rank(
        self, scores: Scores, allowed: npt.NDArray[np.bool_], mode: Mode = "hybrid", depth: int | None = None
    ) -> Retrieval:
        """Rank chunks of allowed articles only (the filter applies before ranking in both indexes), grouped into
        at most `depth` articles (default: the settings' max_articles). mode="bm25" searches only the keyword
        index and mode="dense" only the dense one; the other score of each candidate is still reported."""
        snapshot = scores.snapshot
        eligible = int(allowed.sum())
        if eligible == 0 or not snapshot.chunks:
            return Retrieval(candidates=(), eligible_articles=eligible, query_terms=scores.terms)
        lexical = np.zeros(len(snapshot.chunks)) if mode == "dense" else scores.lexical
        dense = scores.dense if mode != "bm25" else None
        scored = self._score(snapshot, lexical, scores.vector, dense, allowed)
        if mode == "bm25":
            fused = scored.bm25 / scored.bm25_max if scored.bm25_max > 0 else scored.bm25
        elif mode == "dense":
            fused = scored.dense
        elif self._settings.fusion == "rrf":
            fused = reciprocal_rank(scored.dense_rank, scored.bm25_rank, self._settings.rrf_k)
        else:
            fused = weighted(scored.dense, scored.bm25, scored.bm25_max, self._settings.dense_weight)
        return Retrieval(
            candidates=self._group(snapshot, scored, fused, depth or self._settings.max_articles),
            eligible_articles=eligible,
            query_terms=scores.terms,
        )

    def leader(self, scores: Scores, allowed: npt.NDArray[np.bool_]) -> tuple[str, float] | None:
        """(article id, fused score) of the best chunk of the allowed articles — what `rank(...)[0]` would lead
        with, without grouping every candidate into articles (a guard runs it on every answer)."""
        if not allowed.any():
            return None
        if self._settings.fusion != "weighted":
            found = self.rank(scores, allowed, depth=1).candidates
            return (found[0].article.id, found[0].fused) if found else None
        scored = self._score(scores.snapshot, scores.lexical, scores.vector, scores.dense, allowed)
        if not len(scored.ordinals):
            return None
        fused = weighted(scored.dense, scored.bm25, scored.bm25_max, self._settings.dense_weight)
        best = int(np.argmax(fused))
        return scores.snapshot.chunks[int(scored.ordinals[best])].article_id, float(fused[best])

    def sections(self, scores: Scores, candidate: Candidate, limit: int = _CHUNKS_PER_ARTICLE) -> Candidate:
        """The candidate's article with its own sections ranked for the question, for quoting: every content
        section is scored (not only those that made the cross-article cut) and the description summary, which is
        indexed to be found, is left out unless the article has nothing else.

        A section's dense score is the better of its text's and its own heading's: the article title, indexed with
        every section, does not tell them apart, and a long step list embeds far from a question that its heading
        ("Reset a forgotten password") matches word for word. A section whose heading names the opposite of the
        action asked for ("Turn on 2FA" for "how do I turn off 2FA?") goes after every other."""
        snapshot = scores.snapshot
        article = candidate.article
        position = snapshot.article_ids.index(article.id)
        ordinals = [
            int(o)
            for o in np.flatnonzero(snapshot.chunk_article == position)
            if not _is_summary(snapshot.chunks[int(o)], article)
        ]
        if not ordinals:
            return candidate
        picked = np.asarray(ordinals, dtype=np.int64)
        dense = np.asarray(snapshot.vectors[picked] @ scores.vector.astype(np.float32), dtype=np.float64)
        dense = np.maximum(dense, self._heading_similarity([snapshot.chunks[int(o)] for o in picked], scores, snapshot))
        bm25 = scores.lexical[picked]
        fused = weighted(dense, bm25, float(scores.lexical.max(initial=0.0)), self._settings.dense_weight)
        opposite = np.array([len(snapshot.chunks[int(o)].heading_path) > 1
                             and opposed(scores.question, snapshot.chunks[int(o)].heading_path[-1]) for o in picked])
        order = np.lexsort((-fused, opposite))[:limit]
        chunks = tuple(
            ScoredChunk(snapshot.chunks[int(picked[i])], float(bm25[i]), float(dense[i]), float(fused[i]))
            for i in order
        )
        return Candidate(article, chunks)

    def _heading_similarity(
        self, chunks: list[Chunk], scores: Scores, snapshot: IndexSnapshot
    ) -> npt.NDArray[np.float64]:
        """Each chunk's own heading (not the article title, which every section shares) against the question;
        0 for a chunk under the title alone."""
        similarity = np.zeros(len(chunks), dtype=np.float64)
        headed = [i for i, c in enumerate(chunks) if len(c.heading_path) > 1]
        if headed:
            headings = self._heading_vectors([chunks[i].heading_path[-1] for i in headed], snapshot)
            similarity[headed] = headings @ scores.vector.astype(np.float32)
        return similarity

    def _heading_vectors(self, headings: list[str], snapshot: IndexSnapshot) -> Vectors:
        """From the generation's heading table (embedded at ingest); a generation written before it had one embeds
        its headings here, once, remembered in a bounded LRU."""
        table = snapshot.headings
        if all(h in table for h in headings):
            return np.asarray(snapshot.heading_vectors[[table[h] for h in headings]], dtype=np.float32)
        with self._headings_lock:
            missing = list(dict.fromkeys(h for h in headings if h not in self._headings))
            if missing:
                for heading, vector in zip(missing, self._embedder.embed_passages(missing), strict=True):
                    self._headings[heading] = np.asarray(vector, dtype=np.float32)
            for heading in headings:
                self._headings.move_to_end(heading)
            vectors = np.stack([self._headings[h] for h in headings])
            while len(self._headings) > self._headings_kept:
                self._headings.popitem(last=False)
        return vectors

    def _score(
        self,
        snapshot: IndexSnapshot,
        lexical: npt.NDArray[np.float64],
        vector: Vectors,
        dense_query: DenseQuery | None,
        allowed: npt.NDArray[np.bool_],
    ) -> _Scored:
        limit = self._settings.candidates_per_index
        chunk_allowed = allowed[snapshot.chunk_article]
        bm25_all = np.where(chunk_allowed, lexical, 0.0)
        bm25_top = _top(bm25_all, limit)
        bm25_top = bm25_top[bm25_all[bm25_top] > 0]
        dense_hits: list[tuple[int, float]] = []
        if dense_query is not None:
            dense_hits = dense_query.search(allowed, limit)
        dense_top = np.array([o for o, _ in dense_hits], dtype=np.int64)
        ordinals = np.union1d(bm25_top, dense_top).astype(np.int64)
        dense = np.zeros(len(ordinals), dtype=np.float64)
        if len(ordinals):
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

    @staticmethod
    def _group(
        snapshot: IndexSnapshot, scored: _Scored, fused: npt.NDArray[np.float64], depth: int
    ) -> tuple[Candidate, ...]:
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
        return tuple(candidates[:depth])


def _is_summary(chunk: Chunk, article: Article) -> bool:
    return not chunk.heading_path and article.description is not None and chunk.text == article.description.strip()


def _top(scores: npt.NDArray[np.float64], limit: int) -> npt.NDArray[np.int64]:
    if len(scores) <= limit:
        return np.argsort(-scores, kind="stable").astype(np.int64)
    part = np.argpartition(-scores, limit)[:limit]
    return part[np.argsort(-scores[part], kind="stable")].astype(np.int64)
