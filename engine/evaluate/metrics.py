"""Pure metric functions: ranking quality, decision quality and the confidence sweep (docs/evals.md)."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from engine.evaluate.golden import GoldenRecord

HIT_KS = (1, 3, 5)
NDCG_K = 10


@dataclass(frozen=True)
class Outcome:
    """What one system did with one question, reduced to what the decision metrics need.

    `gated` says the decision depends only on `confidence` against the threshold (answered, or escalated for
    low confidence); `top` is the article it cites, or would cite were the threshold low enough.
    `forbidden` lists cited articles that must never be cited (stale_articles, or not eligible now).
    """

    answered: bool
    cited: tuple[str, ...]
    confidence: float
    reason: str
    top: str | None
    gated: bool
    forbidden: tuple[str, ...] = ()
    turns: int = 1
    """Customer turns the question took: 2 when the engine asked "is it one of these?" first."""
    confirmed: bool = False
    picked: bool = False
    """Confirmed, and the (simulated) customer picked an option."""


def hit_at(ranked: Sequence[str], expected: Collection[str], k: int) -> float:
    return 1.0 if any(article in expected for article in ranked[:k]) else 0.0


def reciprocal_rank(ranked: Sequence[str], expected: Collection[str]) -> float:
    return next((1.0 / position for position, a in enumerate(ranked, start=1) if a in expected), 0.0)


def ndcg_at(ranked: Sequence[str], expected: Collection[str], k: int = NDCG_K) -> float:
    """Binary-relevance nDCG: each expected article counts once, at its first position."""
    seen: set[str] = set()
    dcg = 0.0
    for position, article in enumerate(ranked[:k], start=1):
        if article in expected and article not in seen:
            seen.add(article)
            dcg += 1.0 / math.log2(position + 1)
    ideal = sum(1.0 / math.log2(position + 1) for position in range(1, min(len(expected), k) + 1))
    return dcg / ideal if ideal else 0.0


@dataclass(frozen=True)
class RetrievalMetrics:
    """Means over the questions that have expected articles (None when there are none)."""

    questions: int
    hit: dict[int, float | None]
    mrr: float | None
    ndcg: float | None


def retrieval_metrics(rankings: Sequence[tuple[Sequence[str], Collection[str]]]) -> RetrievalMetrics:
    """`rankings`: (article ids best first, expected ids) per question; those without expected ids skipped."""
    scored = [(ranked, expected) for ranked, expected in rankings if expected]
    return RetrievalMetrics(
        questions=len(scored),
        hit={k: _mean([hit_at(r, e, k) for r, e in scored]) for k in HIT_KS},
        mrr=_mean([reciprocal_rank(r, e) for r, e in scored]),
        ndcg=_mean([ndcg_at(r, e) for r, e in scored]),
    )


@dataclass(frozen=True)
class KindMetrics:
    questions: int
    should_escalate: int
    escalated: int
    correctly_escalated: int

    @property
    def recall(self) -> float | None:
        return _ratio(self.correctly_escalated, self.should_escalate)

    @property
    def precision(self) -> float | None:
        return _ratio(self.correctly_escalated, self.escalated)


@dataclass(frozen=True)
class DecisionMetrics:
    """Decision counts under one scoring: strict (expected articles only) or judged (+ judged `answers`)."""

    questions: int
    answerable: int
    answered: int
    answered_correctly: int
    wrong_answers: int
    forbidden_citations: int
    per_kind: dict[str, KindMetrics]
    overall: KindMetrics
    partial_answers: int = 0  # judged only: answered citing an article judged `partial` (counted wrong)

    @property
    def answered_correctly_rate(self) -> float | None:
        return _ratio(self.answered_correctly, self.answerable)

    @property
    def wrong_answer_rate(self) -> float | None:
        return _ratio(self.wrong_answers, self.answered)

    @property
    def coverage(self) -> float | None:
        return _ratio(self.answered, self.questions)

    @property
    def partial_rate(self) -> float | None:
        return _ratio(self.partial_answers, self.answered)


def is_correct(record: GoldenRecord, cited: str | None, judged: bool = False) -> bool:
    """Strict: `cited` is an expected article; judged: or an article a reviewer judged to answer the question."""
    if cited is None:
        return False
    return cited in (record.judged_expected if judged else record.expected_articles)


def must_escalate(record: GoldenRecord, judged: bool = False) -> bool:
    """Strict: nothing is expected; judged: nor has any article been judged to answer it."""
    return record.judged_should_escalate if judged else record.should_escalate


def decision_metrics(pairs: Sequence[tuple[GoldenRecord, Outcome]], judged: bool = False) -> DecisionMetrics:
    """Correct = answered and first citation expected (judged: or judged `answers`); wrong = answered otherwise."""
    answered = [(r, o.cited[0] if o.cited else None) for r, o in pairs if o.answered]
    kinds = sorted({r.kind for r, _ in pairs})
    correct = sum(1 for r, cited in answered if is_correct(r, cited, judged))
    return DecisionMetrics(
        questions=len(pairs),
        answerable=sum(1 for r, _ in pairs if not must_escalate(r, judged)),
        answered=len(answered),
        answered_correctly=correct,
        wrong_answers=len(answered) - correct,
        forbidden_citations=sum(len(o.forbidden) for _, o in pairs),
        per_kind={kind: _kind_metrics([(r, o) for r, o in pairs if r.kind == kind], judged) for kind in kinds},
        overall=_kind_metrics(pairs, judged),
        partial_answers=sum(1 for r, cited in answered if judged and cited in r.judged_partial),
    )


def _kind_metrics(pairs: Sequence[tuple[GoldenRecord, Outcome]], judged: bool = False) -> KindMetrics:
    return KindMetrics(
        questions=len(pairs),
        should_escalate=sum(1 for r, _ in pairs if must_escalate(r, judged)),
        escalated=sum(1 for _, o in pairs if not o.answered),
        correctly_escalated=sum(1 for r, o in pairs if must_escalate(r, judged) and not o.answered),
    )


@dataclass(frozen=True)
class ConfirmMetrics:
    """The confirm step with a simulated customer (docs/evals.md): how often it asked, how often an option was
    picked, and the customer turns spent per resolved question (answered correctly, or escalated when it must)."""

    questions: int
    confirmed: int
    picked: int
    turns: int
    resolved: int

    @property
    def confirm_rate(self) -> float | None:
        return _ratio(self.confirmed, self.questions)

    @property
    def pick_rate(self) -> float | None:
        return _ratio(self.picked, self.confirmed)

    @property
    def turns_per_resolved(self) -> float | None:
        return _ratio(self.turns, self.resolved)


def confirm_metrics(pairs: Sequence[tuple[GoldenRecord, Outcome]]) -> ConfirmMetrics:
    """Resolved = answered with an expected article first, or escalated when nothing is expected (strict)."""
    resolved = sum(
        1
        for r, o in pairs
        if (not o.answered and r.should_escalate) or (o.answered and is_correct(r, o.cited[0] if o.cited else None))
    )
    return ConfirmMetrics(
        questions=len(pairs),
        confirmed=sum(o.confirmed for _, o in pairs),
        picked=sum(o.picked for _, o in pairs),
        turns=sum(o.turns for _, o in pairs),
        resolved=resolved,
    )


@dataclass(frozen=True)
class SweepPoint:
    """The decision metrics had the minimum confidence been `threshold`, all else equal."""

    threshold: float
    questions: int
    answerable: int
    answered: int
    correct: int

    @property
    def coverage(self) -> float | None:
        return _ratio(self.answered, self.questions)

    @property
    def wrong_answer_rate(self) -> float | None:
        return _ratio(self.answered - self.correct, self.answered)

    @property
    def answered_correctly_rate(self) -> float | None:
        return _ratio(self.correct, self.answerable)


def sweep(pairs: Sequence[tuple[GoldenRecord, Outcome]], thresholds: Sequence[float]) -> list[SweepPoint]:
    """One point per threshold: a gated outcome answers (citing `top`) when its confidence reaches it."""
    answerable = sum(1 for r, _ in pairs if not r.should_escalate)
    points = []
    for threshold in thresholds:
        answered = [(r, o) for r, o in pairs if o.gated and o.top is not None and o.confidence >= threshold]
        correct = sum(1 for r, o in answered if is_correct(r, o.top))
        points.append(SweepPoint(threshold, len(pairs), answerable, len(answered), correct))
    return points


def threshold_grid(step: float = 0.02) -> list[float]:
    return [round(i * step, 4) for i in range(int(round(1 / step)) + 1)]


def best_cutoff(pairs: Sequence[tuple[GoldenRecord, Outcome]], thresholds: Sequence[float]) -> float:
    """The threshold with the most correct minus wrong answers (ties: the higher, more cautious one)."""
    points = sweep(pairs, thresholds)
    best = max(points, key=lambda p: (p.correct - (p.answered - p.correct), p.threshold))
    return best.threshold


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None
