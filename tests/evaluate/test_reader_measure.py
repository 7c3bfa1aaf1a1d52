"""Separation on judged probes: a gold-removed negative a reviewer judged to answer is no negative."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from engine.evaluate.judgments import Judgment
from engine.evaluate.reader_measure import judged, separation, with_views


def _probe(group: str, article: str, label: int, score: float) -> dict[str, Any]:
    return {"question": group, "windows": [str(score)], "label": label, "set": "kb", "group": group,
            "article_id": article}


def test_only_negatives_judged_to_answer_are_dropped() -> None:
    probes = [_probe("q1", "gold", 1, 0.9), _probe("q1", "sibling", 0, 0.95), _probe("q2", "near", 0, 0.8),
              _probe("q3", "other", 0, 0.7), _probe("q3", "gold3", 1, 0.6)]
    verdicts = {("q1", "sibling"): Judgment("q1", "sibling", "answers", "says the same"),
                ("q2", "near"): Judgment("q2", "near", "partial", "half of it"),
                ("q3", "gold3"): Judgment("q3", "gold3", "wrong", "a positive is never dropped")}

    kept = judged(probes, verdicts)

    assert [(p["group"], p["article_id"]) for p in kept] == [("q1", "gold"), ("q2", "near"), ("q3", "other"),
                                                             ("q3", "gold3")]
    score = {"value": lambda question, windows: [float(w) for w in windows]}
    assert separation(probes, score)["kb"]["value_auc"] == pytest.approx(2 / 6)  # the sibling outscores both
    assert separation(kept, score)["kb"]["value_auc"] == pytest.approx(2 / 4)


def test_the_cosine_is_also_measured_on_the_body_and_on_the_title() -> None:
    # A scorer that rewards the word "answer": only the title of the negative carries it.
    def has_answer(question: str, windows: Sequence[str]) -> list[float]:
        return [float("answer" in w) for w in windows]

    probes = [{"question": "q", "windows": ["Setup: the answer is 3"], "title": "Setup", "label": 1, "set": "kb",
               "group": "q", "article_id": "gold"},
              {"question": "q", "windows": ["An answer hub: nothing here"], "title": "An answer hub", "label": 0,
               "set": "kb", "group": "q", "article_id": "hub"}]

    row = with_views(probes, {"cosine": has_answer}, has_answer)["kb"]

    assert (row["cosine_auc"], row["cosine_body_auc"], row["cosine_title_auc"]) == (0.5, 1.0, 0.0)
