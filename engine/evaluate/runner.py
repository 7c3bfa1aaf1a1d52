"""Runs a golden set through the engine (and the baseline): retrieval per mode, decision, citations."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from engine.evaluate.baseline import BaselinePipeline
from engine.evaluate.golden import GoldenRecord, GoldenSet
from engine.evaluate.metrics import NDCG_K, Outcome
from engine.retrieve.hybrid import Mode, Scores
from engine.store.generations import IndexSnapshot
from engine.types import Decision, Query, Reason, Scope
from engine.wiring import Engine

logger = logging.getLogger(__name__)
MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid")
CONTEXTS = 5  # retrieved passages handed to the ragas context metrics
_GATED = (Reason.ANSWERED, Reason.LOW_CONFIDENCE)


@dataclass(frozen=True)
class QuestionResult:
    """Everything measured for one question; `rankings` maps a mode (bm25, dense, hybrid) to article ids."""

    record: GoldenRecord
    rankings: dict[str, tuple[str, ...]]
    ours: Outcome
    answer: str | None
    contexts: tuple[str, ...]
    context_ids: tuple[str, ...]
    reference_contexts: tuple[str, ...]
    baseline: Outcome | None = None
    baseline_ranking: tuple[str, ...] = ()
    unconfirmed: Outcome | None = None
    """Our outcome without the confirm step, when the engine confirmed (else `ours` is the same)."""

    @property
    def without_confirm(self) -> Outcome:
        return self.unconfirmed or self.ours


class Runner:
    """Asks every question of one KB's engine; the optional baseline is built per eligibility mask, lazily."""

    def __init__(self, engine: Engine, baseline_cutoff: float | None = None) -> None:
        self._engine = engine
        self._cutoff = baseline_cutoff
        # The engine's own ranking, only cut at nDCG@10 instead of the answer's max_articles.
        self._depth = max(NDCG_K, engine.settings.retrieval.max_articles)
        self._baselines: dict[bytes, BaselinePipeline] = {}

    def run(self, golden: GoldenSet, on_each: Callable[[], None] | None = None) -> list[QuestionResult]:
        results = []
        for record in golden.records:
            results.append(self.ask(record))
            if on_each is not None:
                on_each()
        return results

    def ask(self, record: GoldenRecord) -> QuestionResult:
        engine = self._engine
        snapshot = engine.index.get()
        query = Query(record.question, record.audience, record.locale)
        excluded = frozenset(record.excluded_articles)
        masks = engine.eligibility.masks(snapshot, query).without(snapshot, excluded)
        scores = engine.retriever.score(snapshot, query)
        rankings, contexts = self._rank(scores, masks.eligible, record)
        scope = Scope(exclude=excluded)
        decision = engine.answers.ask(query, scope)
        allowed = {snapshot.article_ids[i] for i in np.flatnonzero(masks.eligible)}
        unconfirmed = None
        ours = _outcome(decision, record, allowed)
        if decision.confirming:
            unconfirmed = _outcome(engine.answers.ask(query, scope, confirm=False), record, allowed)
            decision = simulated_customer(engine, decision, record, query, scope)
            ours = replace(_outcome(decision, record, allowed), turns=2, confirmed=True, picked=decision.answered)
        result = QuestionResult(
            record=record,
            rankings=rankings,
            ours=ours,
            answer=decision.answer,
            contexts=tuple(text for _, text in contexts),
            context_ids=tuple(article for article, _ in contexts),
            reference_contexts=tuple(_chunks_of(snapshot, record.expected_articles)),
            unconfirmed=unconfirmed,
        )
        if self._cutoff is None:
            return result
        pipeline = self._baseline(snapshot, masks.eligible | _mask_of(snapshot, record.excluded_articles))
        answer = pipeline.ask(query.text, scores.vector, record.excluded_articles)
        forbidden = tuple(a for a in answer.outcome.cited if a not in allowed or a in record.stale_articles)
        return replace(
            result, baseline=replace(answer.outcome, forbidden=forbidden), baseline_ranking=answer.ranking
        )

    def _rank(
        self, scores: Scores, allowed: npt.NDArray[np.bool_], record: GoldenRecord
    ) -> tuple[dict[str, tuple[str, ...]], tuple[tuple[str, str], ...]]:
        """Article rankings per mode and the hybrid top passages; skipped when nothing is expected (unscored)."""
        if not record.expected_articles:
            return {}, ()
        rankings: dict[str, tuple[str, ...]] = {}
        contexts: tuple[tuple[str, str], ...] = ()
        for mode in MODES:
            found = self._engine.retriever.rank(scores, allowed, mode, depth=self._depth)
            rankings[mode] = tuple(c.article.id for c in found.candidates)
            if mode == "hybrid":
                contexts = tuple((c.article.id, c.best.chunk.text) for c in found.candidates[:CONTEXTS])
        return rankings, contexts

    def _baseline(self, snapshot: IndexSnapshot, allowed: npt.NDArray[np.bool_]) -> BaselinePipeline:
        key = snapshot.generation.encode() + np.packbits(allowed).tobytes()
        if key not in self._baselines:
            assert self._cutoff is not None
            self._baselines[key] = BaselinePipeline(
                snapshot, allowed, self._engine.embedder.embed_query, self._cutoff
            )
        return self._baselines[key]


def simulated_customer(engine: Engine, confirm: Decision, record: GoldenRecord, query: Query, scope: Scope) -> Decision:
    """The customer of the eval (issue #23): shown "is it one of these?", they pick the title of an expected article
    when one is offered (the first offered), and say "none of these" otherwise, which escalates."""
    offered = [s.article_id for s in confirm.suggestions]
    gold = next((a for a in offered if a in record.expected_articles), None)
    if gold is not None:
        return engine.answers.ask(query, scope, chosen=gold)
    return replace(confirm, decision="escalate", suggestions=(), reason=Reason.NONE_OF_THESE)


def _outcome(decision: Decision, record: GoldenRecord, allowed: Collection[str]) -> Outcome:
    cited = tuple(c.article_id for c in decision.citations)
    top = cited[0] if cited else (decision.candidates[0].article.id if decision.candidates else None)
    return Outcome(
        answered=decision.answered,
        cited=cited,
        confidence=decision.confidence,
        reason=str(decision.reason),
        top=top,
        gated=decision.reason in _GATED,
        forbidden=tuple(a for a in cited if a not in allowed or a in record.stale_articles),
    )


def _mask_of(snapshot: IndexSnapshot, ids: Collection[str]) -> npt.NDArray[np.bool_]:
    wanted = set(ids)
    return np.fromiter(
        (a in wanted for a in snapshot.article_ids), dtype=np.bool_, count=len(snapshot.article_ids)
    )


def _chunks_of(snapshot: IndexSnapshot, article_ids: Collection[str]) -> Iterator[str]:
    wanted = set(article_ids)
    return (chunk.text for chunk in snapshot.chunks if chunk.article_id in wanted)
