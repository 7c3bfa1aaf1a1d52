"""Metric functions against values computed by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from engine.evaluate.golden import GoldenRecord
from engine.evaluate.metrics import (
    Outcome,
    best_cutoff,
    decision_metrics,
    hit_at,
    ndcg_at,
    reciprocal_rank,
    retrieval_metrics,
    sweep,
)


def record(rid: str, expected: tuple[str, ...] = (), kind: str = "answerable") -> GoldenRecord:
    return GoldenRecord(id=rid, question=f"q {rid}", expected_articles=expected, kind=kind)  # type: ignore[arg-type]


def answered(article: str, confidence: float = 0.9, forbidden: tuple[str, ...] = ()) -> Outcome:
    return Outcome(True, (article,), confidence, "answered", article, gated=True, forbidden=forbidden)


def escalated(top: str | None = None, confidence: float = 0.1, reason: str = "low_confidence") -> Outcome:
    return Outcome(False, (), confidence, reason, top, gated=reason == "low_confidence")


def test_hit_at_k() -> None:
    ranked = ["x", "y", "a", "z"]
    assert hit_at(ranked, {"a"}, 1) == 0.0
    assert hit_at(ranked, {"a"}, 2) == 0.0
    assert hit_at(ranked, {"a"}, 3) == 1.0
    assert hit_at(ranked, {"a", "x"}, 1) == 1.0
    assert hit_at([], {"a"}, 5) == 0.0


def test_reciprocal_rank_uses_first_relevant_position() -> None:
    assert reciprocal_rank(["x", "a", "b"], {"a", "b"}) == 0.5
    assert reciprocal_rank(["x", "y", "z", "b"], {"b"}) == 0.25
    assert reciprocal_rank(["x"], {"b"}) == 0.0


def test_ndcg_binary_relevance() -> None:
    # Relevant at positions 2 and 3 of two expected: DCG = 1/log2(3) + 1/log2(4); IDCG = 1 + 1/log2(3).
    expected = (1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3))
    assert ndcg_at(["x", "a", "b"], {"a", "b"}) == pytest.approx(expected)
    assert ndcg_at(["a", "b"], {"a", "b"}) == pytest.approx(1.0)
    # Three expected but only one found at rank 1: DCG = 1; IDCG = 1 + 1/log2(3) + 1/log2(4).
    assert ndcg_at(["a", "x"], {"a", "b", "c"}) == pytest.approx(1 / (1 + 1 / math.log2(3) + 0.5))
    # A repeated id is counted once; beyond k counts nothing.
    assert ndcg_at(["a", "a"], {"a"}) == pytest.approx(1.0)
    assert ndcg_at(["x", "a"], {"a"}, k=1) == 0.0


def test_retrieval_metrics_skip_questions_without_expected_articles() -> None:
    result = retrieval_metrics([(["a", "b"], ("a",)), (["x", "b"], ("b",)), (["a"], ())])
    assert result.questions == 2
    assert result.hit == {1: 0.5, 3: 1.0, 5: 1.0}
    assert result.mrr == pytest.approx(0.75)
    assert result.ndcg == pytest.approx((1.0 + 1 / math.log2(3)) / 2)


def test_retrieval_metrics_are_undefined_without_expected_articles() -> None:
    result = retrieval_metrics([(["a"], ()), ([], ())])
    assert result.questions == 0
    assert result.hit == {1: None, 3: None, 5: None} and result.mrr is None and result.ndcg is None


def test_decision_metrics_by_hand() -> None:
    pairs = [
        (record("1", ("a",)), answered("a")),  # correct
        (record("2", ("a",)), answered("b")),  # wrong answer
        (record("3", ("a",)), escalated("a")),  # missed an answerable one
        (record("4", (), "out_of_scope"), escalated(reason="out_of_scope")),  # right escalation
        (record("5", (), "out_of_scope"), answered("c")),  # wrong: should have escalated
        (record("6", (), "stale"), escalated(reason="stale_source")),  # right escalation
        (
            record("7", ("d",), "stale"),
            answered("d", forbidden=("old",)),
        ),  # correct, but cited a stale article
    ]
    m = decision_metrics(pairs)
    assert (m.questions, m.answerable, m.answered) == (7, 4, 4)
    assert m.answered_correctly == 2 and m.answered_correctly_rate == pytest.approx(2 / 4)
    assert m.wrong_answers == 2 and m.wrong_answer_rate == pytest.approx(2 / 4)
    assert m.coverage == pytest.approx(4 / 7)
    assert m.forbidden_citations == 1
    # Overall: should escalate {4,5,6}; escalated {3,4,6}; correctly escalated {4,6}.
    assert m.overall.recall == pytest.approx(2 / 3)
    assert m.overall.precision == pytest.approx(2 / 3)
    oos = m.per_kind["out_of_scope"]
    assert (oos.questions, oos.should_escalate, oos.escalated, oos.correctly_escalated) == (2, 2, 1, 1)
    assert oos.recall == 0.5 and oos.precision == 1.0
    answerable = m.per_kind["answerable"]
    assert answerable.recall is None  # nothing of this kind should escalate
    assert answerable.precision == 0.0  # its one escalation was wrong
    stale = m.per_kind["stale"]
    assert stale.recall == 1.0 and stale.precision == 1.0


def test_decision_rates_are_undefined_without_denominator() -> None:
    m = decision_metrics([(record("1", (), "out_of_scope"), escalated(reason="out_of_scope"))])
    assert m.answered_correctly_rate is None
    assert m.wrong_answer_rate is None
    assert m.coverage == 0.0


def test_sweep_by_hand() -> None:
    pairs = [
        (record("1", ("a",)), answered("a", 0.9)),
        (record("2", ("a",)), answered("b", 0.6)),
        (record("3", ("a",)), escalated("a", 0.3)),  # low confidence: answers once the threshold is <= 0.3
        (record("4", ()), escalated("c", 0.2)),
        (record("5", ()), escalated(None, 0.95, reason="stale_source")),  # not gated: never answers
    ]
    points = {p.threshold: p for p in sweep(pairs, [0.0, 0.25, 0.5, 0.7, 1.0])}
    assert (points[1.0].answered, points[1.0].correct) == (0, 0)
    assert points[1.0].coverage == 0.0 and points[1.0].wrong_answer_rate is None
    assert (points[0.7].answered, points[0.7].correct) == (1, 1)
    assert points[0.7].wrong_answer_rate == 0.0
    assert (points[0.5].answered, points[0.5].correct) == (2, 1)
    assert points[0.5].coverage == pytest.approx(2 / 5)
    assert points[0.5].wrong_answer_rate == pytest.approx(0.5)
    assert (points[0.25].answered, points[0.25].correct) == (3, 2)
    assert points[0.25].answered_correctly_rate == pytest.approx(2 / 3)
    assert (points[0.0].answered, points[0.0].correct) == (4, 2)
    assert points[0.0].wrong_answer_rate == pytest.approx(0.5)


def test_sweep_at_operating_point_matches_decisions() -> None:
    pairs = [
        (record("1", ("a",)), answered("a", 0.9)),
        (record("2", ("a",)), answered("b", 0.6)),
        (record("3", ()), escalated("c", 0.4)),
    ]
    point = sweep(pairs, [0.5])[0]
    m = decision_metrics(pairs)
    assert point.coverage == m.coverage
    assert point.wrong_answer_rate == m.wrong_answer_rate
    assert point.answered_correctly_rate == m.answered_correctly_rate


def test_best_cutoff_maximises_correct_minus_wrong() -> None:
    pairs = [
        (record("1", ("a",)), answered("a", 0.9)),
        (record("2", ("a",)), answered("a", 0.7)),
        (record("3", ()), answered("x", 0.6)),
        (record("4", ()), answered("y", 0.55)),
        (record("5", ("b",)), answered("b", 0.4)),
    ]
    # 0.7 → 2 correct, 0 wrong (net 2); 0.4 → 3 correct, 2 wrong (net 1); ties prefer the higher threshold.
    assert best_cutoff(pairs, [0.0, 0.4, 0.5, 0.6, 0.7, 0.8]) == 0.7


def test_judged_decisions_count_judged_answers_as_correct() -> None:
    """Six questions: strict 1 correct of 3 answerable; judged 3 of 4 (the hub answers, so does the unanswerable)."""
    hub = frozenset({"hub"})
    pairs = [
        (record("1", ("a",)), answered("a")),  # correct either way
        (replace(record("2", ("a",)), judged_answers=hub), answered("hub")),  # judged correct
        (replace(record("3", ("a",)), judged_partial=frozenset({"near"})), answered("near")),  # partial: wrong
        (replace(record("4", (), "unanswerable"), judged_answers=hub), answered("hub")),  # answerable after all
        (replace(record("5", (), "sensitive"), judged_answers=hub), answered("hub")),  # policy: still wrong
        (record("6", (), "unanswerable"), escalated()),  # correctly escalated either way
    ]

    strict, judged = decision_metrics(pairs), decision_metrics(pairs, judged=True)

    assert (strict.answerable, strict.answered, strict.answered_correctly, strict.wrong_answers) == (3, 5, 1, 4)
    assert (judged.answerable, judged.answered, judged.answered_correctly, judged.wrong_answers) == (4, 5, 3, 2)
    assert judged.answered_correctly_rate == pytest.approx(3 / 4) and judged.wrong_answer_rate == pytest.approx(2 / 5)
    assert judged.partial_answers == 1 and judged.partial_rate == pytest.approx(1 / 5) and strict.partial_answers == 0
    assert strict.overall.recall == pytest.approx(1 / 3)  # 6 escalated of 4, 5, 6
    assert judged.overall.recall == pytest.approx(1 / 2)  # 6 escalated of 5, 6
    assert judged.per_kind["unanswerable"].should_escalate == 1
