"""The seams between stages: anything that satisfies these can be swapped in by wiring.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    @property
    def dimension(self) -> int: ...

    def embed_query(self, text: str) -> Vectors:
        """One query → a vector of shape (dimension,)."""
        ...

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> Vectors:
        """Many passages → a matrix of shape (len(texts), dimension)."""
        ...


class VectorHit(Protocol):
    @property
    def ordinal(self) -> int: ...

    @property
    def score(self) -> float: ...


class VectorStore(Protocol):
    """Dense nearest-neighbour search over one index generation's chunks, addressed by ordinal."""

    def search(self, vector: Vectors, allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
        """Top `limit` (ordinal, cosine) among chunks of the allowed articles, best first.

        `allowed` is a per-article mask aligned with the generation's article order (IndexSnapshot.article_ids):
        the filter applies before ranking, so `limit` hits come back whenever that many chunks are allowed.
        """
        ...

    def close(self) -> None: ...


class KeywordIndex(Protocol):
    """Lexical scoring over one index generation's chunks, addressed by ordinal."""

    def scores(self, terms: Sequence[str]) -> npt.NDArray[np.float64]:
        """BM25 score of every chunk for the analysed query terms."""
        ...
