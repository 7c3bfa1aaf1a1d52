"""Separation metrics of the reader experiments, checked on hand-computed numbers."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from engine.evaluate.reader_measure import separation
from engine.reader.train import auc, recall_at_kept


def test_auc_counts_ordered_pairs_and_ties_half() -> None:
    # positives 0.9, 0.5; negatives 0.5, 0.1: pairs (0.9>0.5, 0.9>0.1, 0.5=0.5, 0.5>0.1) = 3.5 / 4
    assert auc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]) == pytest.approx(0.875)


def test_recall_at_kept_is_the_share_of_negatives_below_the_cut_that_keeps_the_positives() -> None:
    positives = [float(x) for x in range(1, 21)]  # 20 positives: keeping 95 % cuts at the lowest (1.0)
    negatives = [0.5, 0.7, 1.5, 3.0]
    labels = [1] * 20 + [0] * 4

    assert recall_at_kept(positives + negatives, labels, kept=0.95) == pytest.approx(0.5)


def test_separation_scores_a_passage_by_its_best_window() -> None:
    probes = [
        {"question": "q1", "windows": ["good", "bad"], "label": 1, "set": "s"},
        {"question": "q1", "windows": ["bad", "bad"], "label": 0, "set": "s"},
    ]

    def score(_question: str, windows: Sequence[str]) -> Sequence[float]:
        return [1.0 if w == "good" else 0.0 for w in windows]

    assert separation(probes, {"toy": score})["s"]["toy_auc"] == 1.0
