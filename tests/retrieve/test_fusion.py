"""Fusion maths, checked against hand-computed numbers."""

from __future__ import annotations

import numpy as np

from engine.retrieve.fusion import ranks, reciprocal_rank, weighted


def test_weighted_scales_bm25_by_the_best_eligible_score() -> None:
    fused = weighted(np.array([0.8, 0.5]), np.array([10.0, 5.0]), bm25_max=10.0, dense_weight=0.7)

    # 0.7*0.8 + 0.3*(10/10) = 0.86 ; 0.7*0.5 + 0.3*(5/10) = 0.5
    np.testing.assert_allclose(fused, [0.86, 0.5])


def test_weighted_with_no_lexical_match_is_pure_dense_share() -> None:
    fused = weighted(np.array([0.6]), np.array([0.0]), bm25_max=0.0, dense_weight=0.7)

    np.testing.assert_allclose(fused, [0.42])


def test_reciprocal_rank_ignores_the_index_that_did_not_retrieve() -> None:
    fused = reciprocal_rank(np.array([1.0, 0.0]), np.array([2.0, 1.0]), k=60)

    np.testing.assert_allclose(fused, [1 / 61 + 1 / 62, 1 / 61])


def test_ranks_are_one_based_and_zero_when_not_retrieved() -> None:
    result = ranks(np.array([0.2, 0.9, 0.5]), np.array([True, True, False]))

    np.testing.assert_array_equal(result, [2.0, 1.0, 0.0])
