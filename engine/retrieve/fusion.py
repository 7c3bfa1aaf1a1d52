"""Score fusion: pure functions over aligned arrays of candidate scores."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def weighted(dense: Floats, bm25: Floats, bm25_max: float, dense_weight: float) -> Floats:
    """Convex combination of cosine similarity and BM25 scaled by the best eligible BM25 score.

    Scaling by the query's best BM25 score keeps the lexical part in [0, 1] like the cosine part, so one weight
    works across queries of different lengths.
    """
    lexical = bm25 / bm25_max if bm25_max > 0 else np.zeros_like(bm25)
    return dense_weight * dense + (1.0 - dense_weight) * lexical


def reciprocal_rank(dense_rank: Floats, bm25_rank: Floats, k: int) -> Floats:
    """Reciprocal-rank fusion; a rank of 0 means "not retrieved by that index" and contributes nothing."""
    dense_part = np.where(dense_rank > 0, 1.0 / (k + dense_rank), 0.0)
    bm25_part = np.where(bm25_rank > 0, 1.0 / (k + bm25_rank), 0.0)
    return dense_part + bm25_part


def ranks(scores: Floats, retrieved: npt.NDArray[np.bool_]) -> Floats:
    """1-based rank of each retrieved score (best = 1); 0 where not retrieved."""
    order = np.argsort(-np.where(retrieved, scores, -np.inf), kind="stable")
    result = np.zeros(len(scores), dtype=np.float64)
    result[order] = np.arange(1, len(scores) + 1)
    return np.where(retrieved, result, 0.0)
