"""The embedded default dense index: exact cosine search over the generation's float32 matrix, filter first.

Chosen by measurement over local-mode qdrant-client (which checks filters point by point in Python: 161 ms a
filtered query at 10k chunks) and qdrant-edge-py (in-process Rust, about as fast exact, approximate with HNSW):
a boolean mask and one matrix-vector product give the exact filtered top-k in about 1 ms at 10k chunks and a few
ms at 50k, with the same ranking Qdrant computes. Numbers and the arithmetic to 1M chunks: docs/scaling.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from engine.protocols import DenseQuery, Vectors, VectorStore
from engine.store.serving import ServeLock
from engine.types import Article, Chunk


class ExactVectorStore:
    """Cosine (dot product of L2-normalised vectors) over every chunk whose article the mask allows."""

    def __init__(self, vectors: Vectors, chunk_article: npt.NDArray[np.int32]) -> None:
        if len(vectors) != len(chunk_article):
            raise ValueError(
                f"vectors has {len(vectors)} rows but chunk_article maps {len(chunk_article)} chunks; they must match"
            )
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._chunk_article = chunk_article

    def search(self, vector: Vectors, allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
        return self.query(vector).search(allowed, limit)

    def query(self, vector: Vectors) -> ExactQuery:
        return ExactQuery(self._vectors, self._chunk_article, vector)

    def close(self) -> None:
        return None


class ExactQuery:
    """One question against the exact store: the matrix-vector product over every chunk is computed on the first
    search and each further mask (the shadow ranking, an eval's other modes) only filters and sorts it again."""

    def __init__(self, vectors: Vectors, chunk_article: npt.NDArray[np.int32], vector: Vectors) -> None:
        self._vectors = vectors
        self._chunk_article = chunk_article
        self._vector = np.asarray(vector, dtype=np.float32)

    @cached_property
    def _similarities(self) -> Vectors:
        return self._vectors @ self._vector

    def search(self, allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
        if not len(self._vectors) or limit <= 0:
            return []
        chunk_allowed = allowed[self._chunk_article]
        count = min(limit, int(np.count_nonzero(chunk_allowed)))
        if count == 0:
            return []
        scores = np.where(chunk_allowed, self._similarities, -np.inf)
        top = np.argpartition(-scores, count - 1)[:count] if count < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")][:count]
        return [(int(i), float(scores[i])) for i in top]


class ExactBackend:
    """The embedded default DenseBackend: a generation's own vectors.npy, searched in this process while holding the
    data dir's serve lock (one serving process per data dir, engine/store/serving.py)."""

    def __init__(self, index_dir: Path) -> None:
        self._index_dir = index_dir

    def build(self, generation: str, chunks: Sequence[Chunk], articles: Sequence[Article], vectors: Vectors) -> None:
        """Nothing to build: the generation's vectors.npy is the index."""

    def open(
        self,
        generation: str,
        vectors: Vectors,
        chunk_article: npt.NDArray[np.int32],
        article_ids: Sequence[str],
    ) -> VectorStore:
        """Exact search over `vectors`; a second process serving the same data dir fails here with a clear error."""
        lock = ServeLock(self._index_dir)
        lock.acquire()
        return _Locked(ExactVectorStore(vectors, chunk_article), lock)

    def drop(self, generation: str) -> None:
        """Nothing to drop: the vectors go with the generation's folder."""


class _Locked:
    """A store that holds the serve lock until it is closed; closing twice releases the lock once."""

    def __init__(self, inner: VectorStore, lock: ServeLock) -> None:
        self._inner = inner
        self._lock: ServeLock | None = lock

    def search(self, vector: Vectors, allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
        return self._inner.search(vector, allowed, limit)

    def query(self, vector: Vectors) -> DenseQuery:
        return self._inner.query(vector)

    def close(self) -> None:
        self._inner.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
