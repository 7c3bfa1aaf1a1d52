"""Exact dense search over a snapshot's own vectors, for evaluation runs.

Qdrant's local mode ranks by exact cosine too, but checks the article filter point by point in Python: about
0.3 s a query on Plausible (1,300 chunks), which would make a full eval take the better part of an hour. This
store computes the same ranking with one matrix product, so the harness can afford every question; an
integration test checks that it decides exactly as the Qdrant-backed engine does (`--qdrant-dense` runs that way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from engine.protocols import Vectors
from engine.store.generations import IndexSnapshot
from engine.store.holder import IndexHolder
from engine.store.qdrant import QdrantVectorStore


class ExactVectorStore(QdrantVectorStore):
    """Same interface and ranking as the Qdrant store (cosine of L2-normalised vectors), computed in numpy."""

    def __init__(self, snapshot: IndexSnapshot) -> None:  # no Qdrant client: nothing of the parent is used
        self._vectors = snapshot.vectors.astype(np.float32)
        self._chunk_article = snapshot.chunk_article
        self._position = {article_id: i for i, article_id in enumerate(snapshot.article_ids)}

    def search(self, vector: Vectors, allowed_articles: Sequence[str], limit: int) -> list[tuple[int, float]]:
        if not allowed_articles or not len(self._vectors):
            return []
        allowed = np.zeros(len(self._position), dtype=np.bool_)
        allowed[[self._position[a] for a in allowed_articles if a in self._position]] = True
        chunk_allowed = allowed[self._chunk_article]
        scores = np.where(chunk_allowed, self._vectors @ vector.astype(np.float32), -np.inf)
        count = min(limit, int(chunk_allowed.sum()))
        top = np.argpartition(-scores, count - 1)[:count] if count < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")][:count]
        return [(int(i), float(scores[i])) for i in top]

    def close(self) -> None:
        return None


class ExactIndex(IndexHolder):
    """The engine's serving snapshot with its dense index swapped for ExactVectorStore (rebuilt per generation)."""

    def __init__(self, inner: IndexHolder) -> None:  # delegates to `inner`: no state of its own to initialise
        self._inner = inner
        self._exact: IndexSnapshot | None = None

    def get(self) -> IndexSnapshot:
        snapshot = self._inner.get()
        if self._exact is None or self._exact.generation != snapshot.generation:
            self._exact = replace(snapshot, dense=ExactVectorStore(snapshot))
        return self._exact

    def close(self) -> None:
        self._inner.close()
