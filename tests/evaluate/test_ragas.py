"""ragas scores on hand-made results: the non-LLM metrics offline, and a judge that is down loses nothing else."""

from __future__ import annotations

import pytest

from engine.evaluate.golden import GoldenRecord
from engine.evaluate.metrics import Outcome
from engine.evaluate.ragas_scores import JudgeSettings, ragas_scores
from engine.evaluate.runner import QuestionResult


def result(expected: tuple[str, ...], context_ids: tuple[str, ...], answer: str | None) -> QuestionResult:
    record = GoldenRecord(
        id="q",
        question="how do I reset my password?",
        expected_articles=expected,
        kind="answerable",
        reference_answer="Click Forgot password on the sign-in page.",
    )
    texts = {"a": "Click Forgot password on the sign-in page.", "b": "Invoices are under Settings, Billing."}
    return QuestionResult(
        record=record,
        rankings={},
        ours=Outcome(answer is not None, context_ids[:1] if answer else (), 0.9, "answered", None, True),
        answer=answer,
        contexts=tuple(texts[i] for i in context_ids),
        context_ids=context_ids,
        reference_contexts=tuple(texts[i] for i in expected),
    )


def test_non_llm_metrics_by_hand() -> None:
    scores = ragas_scores(
        [
            result(("a",), ("b", "a"), "Click Forgot password on the sign-in page."),
            result(("a",), ("b",), None),
        ],
        JudgeSettings(url=None),
    )
    means, counts = scores.means, scores.counts
    assert not scores.judged
    assert counts["id_context_precision"] == 2 and counts["string_similarity"] == 1
    assert means["id_context_precision"] == pytest.approx((1 / 2 + 0) / 2)
    assert means["id_context_recall"] == pytest.approx((1 + 0) / 2)
    # Identical passage found at rank 2 of 2: average precision 1/2 for the first result, none for the second.
    assert means["nonllm_context_precision"] == pytest.approx((0.5 + 0) / 2, abs=1e-6)
    assert means["nonllm_context_recall"] == pytest.approx((1 + 0) / 2)
    assert means["string_similarity"] == pytest.approx(1.0)
    assert means["rouge_l"] == pytest.approx(1.0)
    assert not any(name.startswith("llm_") for name in means)


def test_a_judge_that_is_down_keeps_the_other_scores() -> None:
    scores = ragas_scores(
        [result(("a",), ("a",), "Click Forgot password.")], JudgeSettings(url="http://127.0.0.1:9/v1")
    )
    assert scores.judged
    assert "id_context_recall" in scores.means
    assert not any(name.startswith("llm_") for name in scores.means)
