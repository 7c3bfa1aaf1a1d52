"""Confirm rate, pick rate and "none of these" rate (docs/metrics.md), from facts counted by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.events.metrics import GAP_REASONS, AskFact, compute_metrics, confirm_rates
from tests.fakes import HashEmbedder

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def fact(n: int, session: str, decision: str, reason: str) -> AskFact:
    return AskFact(f"i{n}", session, AT + timedelta(minutes=n), "q", decision, reason, ())


FACTS = [
    fact(1, "s1", "confirm", "unsure"), fact(2, "s1", "answer", "picked"),  # a confirm and its pick: 1 question
    fact(3, "s2", "confirm", "unsure"), fact(4, "s2", "escalate", "none_of_these"),  # declined: 1 question
    fact(5, "s3", "confirm", "unsure"),  # the customer left without answering: still 1 question
    fact(6, "s4", "answer", "answered"), fact(7, "s4", "escalate", "low_confidence"),  # 2 plain questions
    fact(8, "s5", "reply", "greeting"), fact(9, "s5", "clarify", "vague"),  # no question
]


def test_a_confirm_and_its_answer_are_one_question() -> None:
    rates = confirm_rates(FACTS)

    assert (rates["confirm_rate"].numerator, rates["confirm_rate"].denominator) == (3, 5)
    assert (rates["pick_rate"].numerator, rates["pick_rate"].denominator) == (1, 3)
    assert (rates["none_rate"].numerator, rates["none_rate"].denominator) == (1, 3)


def test_none_of_these_is_a_content_gap_and_the_rates_reach_the_metrics() -> None:
    assert "none_of_these" in GAP_REASONS
    metrics = compute_metrics(FACTS, [], [], [], start=AT, end=AT + timedelta(days=1), now=AT + timedelta(days=2),
                              containment_hours=24, embed=HashEmbedder().embed_passages, gap_similarity=0.75)

    assert metrics.questions == 4 and metrics.self_service.numerator == 2  # the pick and the plain answer
    assert metrics.confirm_rate.value == 3 / 5 and metrics.pick_rate.value == 1 / 3
    assert metrics.escalations["none_of_these"].numerator == 1
    assert sum(g.count for g in metrics.content_gaps) == 2  # none_of_these and low_confidence
