"""Deterministic stand-ins for the model, for tests of logic only (behaviour is also tested with the real one)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from engine.analysis import terms
from engine.protocols import Vectors


class HashEmbedder:
    """Bag of stemmed terms hashed into 64 dimensions, L2-normalised. Counts how many texts it embedded."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.embedded = 0
        self._fail_after = fail_after

    @property
    def dimension(self) -> int:
        return 64

    def _vector(self, text: str) -> Vectors:
        vector = np.zeros(64, dtype=np.float32)
        for term in terms(text) or ["empty"]:
            vector[int(hashlib.md5(term.encode()).hexdigest(), 16) % 64] += 1.0
        return vector / np.linalg.norm(vector)

    def embed_query(self, text: str) -> Vectors:
        return self._vector(text)

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> Vectors:
        if self._fail_after is not None and self.embedded + len(texts) > self._fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.embedded += len(texts)
        return np.vstack([self._vector(t) for t in texts]) if texts else np.zeros((0, 64), dtype=np.float32)
