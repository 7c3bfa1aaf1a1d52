"""A run's results reduced to metrics: retrieval per mode, decisions per system, the sweep, ragas scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.evaluate.judgments import verdict_of
from engine.evaluate.key_facts import key_fact_share
from engine.evaluate.metrics import (
    HIT_KS,
    NDCG_K,
    ConfirmMetrics,
    DecisionMetrics,
    KindMetrics,
    RetrievalMetrics,
    SweepPoint,
    confirm_metrics,
    decision_metrics,
    retrieval_metrics,
    sweep,
    threshold_grid,
)
from engine.evaluate.ragas_scores import RagasScores
from engine.evaluate.runner import MODES, QuestionResult

OURS, BASELINE = "ours", "baseline"
NO_CONFIRM = "ours.no_confirm"  # metric prefix of our decisions without the confirm step


@dataclass(frozen=True)
class Miss:
    """A question the engine got wrong, for the report's list of failures."""

    id: str
    kind: str
    question: str
    expected: tuple[str, ...]
    cited: tuple[str, ...]
    reason: str
    confidence: float
    answer: str | None = None
    verdict: str | None = None  # the judged verdict on `cited[0]`: answers, partial, wrong, or None (unjudged)
    baseline_cited: tuple[str, ...] = ()
    confirmed: bool = False  # asked "is it one of these?" first (the simulated customer then picked or declined)


@dataclass(frozen=True)
class KeyFacts:
    """Mean share of the reference's key facts found in our answers, over answered questions with any."""

    mean: float | None
    questions: int


@dataclass(frozen=True)
class EvalReport:
    kb: str
    golden: str
    questions: int
    retrieval: dict[str, RetrievalMetrics]
    decision: dict[str, DecisionMetrics]
    sweep: dict[str, list[SweepPoint]]
    operating_point: dict[str, float]
    ragas: RagasScores | None = None
    misses: list[Miss] = field(default_factory=list)
    seconds: float = 0.0
    selection: str = "all"
    tuned: dict[str, float] = field(default_factory=dict)
    judged: dict[str, DecisionMetrics] = field(default_factory=dict)
    key_facts: KeyFacts = KeyFacts(None, 0)
    confirm: ConfirmMetrics | None = None
    """Ours with the confirm step and a simulated customer…"""
    unconfirmed: DecisionMetrics | None = None
    """…and ours without the step (the same questions, confirm=False), for comparison."""
    unconfirmed_turns: ConfirmMetrics | None = None

    def flat(self) -> dict[str, float]:
        """Every metric under a stable dotted name (as in thresholds.toml); undefined rates left out."""
        values: dict[str, float | None] = {}
        for mode, r in self.retrieval.items():
            values.update({f"{mode}.hit@{k}": r.hit[k] for k in HIT_KS})
            values.update({f"{mode}.mrr": r.mrr, f"{mode}.ndcg@{NDCG_K}": r.ndcg})
        for system, d in self.decision.items():
            values.update(
                {
                    f"{system}.answered_correctly": d.answered_correctly_rate,
                    f"{system}.wrong_answer_rate": d.wrong_answer_rate,
                    f"{system}.coverage": d.coverage,
                    f"{system}.forbidden_citations": float(d.forbidden_citations),
                    f"{system}.escalation_recall": d.overall.recall,
                    f"{system}.escalation_precision": d.overall.precision,
                }
            )
            for kind, k in d.per_kind.items():
                values[f"{system}.escalation_recall.{kind}"] = k.recall
                values[f"{system}.escalation_precision.{kind}"] = k.precision
        for system, d in self.judged.items():
            values.update(_judged_flat(system, d))
        values[f"{OURS}.answer.key_facts"] = self.key_facts.mean
        values.update(self._confirm_flat())
        if self.ragas is not None:
            values.update({f"ragas.{name}": mean for name, mean in self.ragas.means.items()})
        return {name: round(value, 4) for name, value in values.items() if value is not None}

    def _confirm_flat(self) -> dict[str, float | None]:
        values: dict[str, float | None] = {}
        if self.confirm is not None:
            values[f"{OURS}.confirm_rate"] = self.confirm.confirm_rate
            values[f"{OURS}.pick_rate"] = self.confirm.pick_rate
            values[f"{OURS}.turns_per_resolved"] = self.confirm.turns_per_resolved
        if self.unconfirmed_turns is not None:
            values[f"{NO_CONFIRM}.turns_per_resolved"] = self.unconfirmed_turns.turns_per_resolved
        if self.unconfirmed is not None:
            d = self.unconfirmed
            values[f"{NO_CONFIRM}.answered_correctly"] = d.answered_correctly_rate
            values[f"{NO_CONFIRM}.wrong_answer_rate"] = d.wrong_answer_rate
            values[f"{NO_CONFIRM}.coverage"] = d.coverage
            values[f"{NO_CONFIRM}.escalation_recall"] = d.overall.recall
            for kind, k in d.per_kind.items():
                values[f"{NO_CONFIRM}.escalation_recall.{kind}"] = k.recall
        return values

    def to_dict(self) -> dict[str, Any]:
        return {
            "kb": self.kb,
            "golden": self.golden,
            "selection": self.selection,
            "questions": self.questions,
            "seconds": round(self.seconds, 1),
            "metrics": self.flat(),
            "counts": {s: _counts(d) for s, d in self.decision.items()},
            "no_confirm_counts": _counts(self.unconfirmed) if self.unconfirmed else {},
            "confirm_counts": self.confirm.__dict__ if self.confirm else {},
            "judged_counts": {s: _counts(d) for s, d in self.judged.items()},
            "key_facts_questions": self.key_facts.questions,
            "operating_point": self.operating_point,
            "tuned": self.tuned,
            "sweep": {
                s: [
                    {
                        "threshold": p.threshold,
                        "coverage": p.coverage,
                        "wrong_answer_rate": p.wrong_answer_rate,
                    }
                    for p in points
                ]
                for s, points in self.sweep.items()
            },
            "ragas_counts": self.ragas.counts if self.ragas else {},
            "ragas_llm_judged": bool(self.ragas and self.ragas.judged),
            "misses": [m.__dict__ for m in self.misses],
        }


def _judged_flat(system: str, d: DecisionMetrics) -> dict[str, float | None]:
    values = {
        f"{system}.judged.answered_correctly": d.answered_correctly_rate,
        f"{system}.judged.wrong_answer_rate": d.wrong_answer_rate,
        f"{system}.judged.partial_rate": d.partial_rate,
        f"{system}.judged.escalation_recall": d.overall.recall,
        f"{system}.judged.escalation_precision": d.overall.precision,
    }
    for kind, k in d.per_kind.items():
        values[f"{system}.judged.escalation_recall.{kind}"] = k.recall
    return values


def _counts(d: DecisionMetrics) -> dict[str, Any]:
    def kind(k: KindMetrics) -> dict[str, int]:
        return {
            "questions": k.questions,
            "should_escalate": k.should_escalate,
            "escalated": k.escalated,
            "correctly_escalated": k.correctly_escalated,
        }

    return {
        "questions": d.questions,
        "answerable": d.answerable,
        "answered": d.answered,
        "answered_correctly": d.answered_correctly,
        "wrong_answers": d.wrong_answers,
        "partial_answers": d.partial_answers,
        "forbidden_citations": d.forbidden_citations,
        "per_kind": {name: kind(k) for name, k in d.per_kind.items()},
    }


def build_report(
    kb: str,
    golden: str,
    results: Sequence[QuestionResult],
    operating_point: dict[str, float],
    ragas: RagasScores | None = None,
) -> EvalReport:
    grid = sorted(set(threshold_grid()) | set(operating_point.values()))
    ours = [(r.record, r.ours) for r in results]
    retrieval: dict[str, RetrievalMetrics] = {
        mode: retrieval_metrics([(r.rankings.get(mode, ()), r.record.expected_articles) for r in results])
        for mode in MODES
    }
    without = [(r.record, r.without_confirm) for r in results]
    decisions = {OURS: decision_metrics(ours)}
    judged = {OURS: decision_metrics(ours, judged=True)}
    # The sweep varies the answer threshold alone: it reads the decisions without the confirm step.
    sweeps = {OURS: sweep(without, grid)}
    with_baseline = [r for r in results if r.baseline is not None]
    if with_baseline and len(with_baseline) == len(results):
        pairs = [(r.record, r.baseline) for r in results if r.baseline is not None]
        retrieval[BASELINE] = retrieval_metrics(
            [(r.baseline_ranking, r.record.expected_articles) for r in results]
        )
        decisions[BASELINE] = decision_metrics(pairs)
        judged[BASELINE] = decision_metrics(pairs, judged=True)
        sweeps[BASELINE] = sweep(pairs, grid)
    return EvalReport(
        kb=kb,
        golden=golden,
        questions=len(results),
        retrieval=retrieval,
        decision=decisions,
        sweep=sweeps,
        operating_point=operating_point,
        ragas=ragas,
        misses=[_miss(r) for r in results if not _passed(r)],
        judged=judged,
        key_facts=key_facts_score(results),
        confirm=confirm_metrics(ours),
        unconfirmed=decision_metrics(without),
        unconfirmed_turns=confirm_metrics(without),
    )


def key_facts_score(results: Sequence[QuestionResult]) -> KeyFacts:
    """Mean key-fact share over our answered questions whose reference answer has key facts."""
    shares = [
        share
        for r in results
        if r.ours.answered and r.answer and r.record.reference_answer
        and (share := key_fact_share(r.answer, r.record.reference_answer)) is not None
    ]
    return KeyFacts(sum(shares) / len(shares) if shares else None, len(shares))


def _passed(result: QuestionResult) -> bool:
    o, record = result.ours, result.record
    if o.forbidden:
        return False
    if record.should_escalate:
        return not o.answered
    return o.answered and bool(o.cited) and o.cited[0] in record.expected_articles


def _miss(result: QuestionResult) -> Miss:
    record, o = result.record, result.ours
    return Miss(
        record.id,
        record.kind,
        record.question,
        record.expected_articles,
        o.cited,
        o.reason,
        o.confidence,
        answer=result.answer,
        verdict=verdict_of(record, o.cited[0]) if o.answered and o.cited else None,
        baseline_cited=result.baseline.cited if result.baseline and result.baseline.answered else (),
        confirmed=o.confirmed,
    )
