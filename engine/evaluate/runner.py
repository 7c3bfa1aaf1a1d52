"""Runs a golden set through the engine (and the baseline): retrieval per mode, decision, citations."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from engine.answer.service import AnswerService
from engine.errors import EngineError
from engine.evaluate.baseline import BaselinePipeline
from engine.evaluate.golden import GoldenRecord, GoldenSet
from engine.evaluate.metrics import NDCG_K, Outcome
from engine.freshness.policy import Verdict
from engine.protocols import Embedder, Vectors
from engine.retrieve.eligibility import Eligibility, Masks
from engine.retrieve.hybrid import HybridRetriever
from engine.store.generations import IndexSnapshot
from engine.store.holder import IndexHolder
from engine.types import Decision, Query, Reason
from engine.wiring import Engine

logger = logging.getLogger(__name__)
MODES = ("bm25", "dense", "hybrid")
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


class ExcludingEligibility(Eligibility):
    """The engine's eligibility with some articles masked out as if absent from the KB ("gold removed")."""

    def __init__(
        self, inner: Eligibility, excluded: Collection[str]
    ) -> None:  # delegates: no super().__init__
        self._inner = inner
        self._excluded = frozenset(excluded)

    def verdicts(self, snapshot: IndexSnapshot) -> dict[str, Verdict]:
        return self._inner.verdicts(snapshot)

    def masks(self, snapshot: IndexSnapshot, query: Query) -> Masks:
        masks = self._inner.masks(snapshot, query)
        keep = np.fromiter((a not in self._excluded for a in snapshot.article_ids), dtype=np.bool_)
        return Masks(visible=masks.visible & keep, eligible=masks.eligible & keep)


class Runner:
    """Asks every question of one KB's engine; the optional baseline is built per eligibility mask, lazily."""

    def __init__(self, engine: Engine, baseline_cutoff: float | None = None) -> None:
        self._engine = engine
        self._cutoff = baseline_cutoff
        self._index: IndexHolder = engine.index
        wide = engine.settings.retrieval.model_copy(
            update={"max_articles": max(NDCG_K, engine.settings.retrieval.max_articles)}
        )
        self._embedder = _LastQuery(engine.embedder)
        # Same ranking as the engine's retriever, only cut at nDCG@10 instead of the answer's max_articles.
        self._ranker = HybridRetriever(self._embedder, wide)
        self._retriever = HybridRetriever(self._embedder, engine.settings.retrieval)
        self._answers = self._service(engine.eligibility)
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
        snapshot = self._index.get()
        query = Query(record.question, record.audience, record.locale)
        eligibility = ExcludingEligibility(engine.eligibility, record.excluded_articles)
        service = self._service(eligibility) if record.excluded_articles else self._answers
        masks = eligibility.masks(snapshot, query)
        vector = self._embedder.embed_query(query.text)
        rankings, contexts = self._rank(snapshot, query, masks.eligible, vector, record)
        decision = service.ask(query)
        allowed = {snapshot.article_ids[i] for i in np.flatnonzero(masks.eligible)}
        result = QuestionResult(
            record=record,
            rankings=rankings,
            ours=_outcome(decision, record, allowed),
            answer=decision.answer,
            contexts=tuple(text for _, text in contexts),
            context_ids=tuple(article for article, _ in contexts),
            reference_contexts=tuple(_chunks_of(snapshot, record.expected_articles)),
        )
        if self._cutoff is None:
            return result
        pipeline = self._baseline(snapshot, masks.eligible | _mask_of(snapshot, record.excluded_articles))
        answer = pipeline.ask(query.text, vector, record.excluded_articles)
        forbidden = tuple(a for a in answer.outcome.cited if a not in allowed or a in record.stale_articles)
        return replace(
            result, baseline=replace(answer.outcome, forbidden=forbidden), baseline_ranking=answer.ranking
        )

    def _rank(
        self,
        snapshot: IndexSnapshot,
        query: Query,
        allowed: npt.NDArray[np.bool_],
        vector: Vectors,
        record: GoldenRecord,
    ) -> tuple[dict[str, tuple[str, ...]], tuple[tuple[str, str], ...]]:
        """Article rankings per mode and the hybrid top passages; skipped when nothing is expected (unscored)."""
        if not record.expected_articles:
            return {}, ()
        rankings: dict[str, tuple[str, ...]] = {}
        contexts: tuple[tuple[str, str], ...] = ()
        for mode in MODES:
            found = self._ranker.retrieve(snapshot, query, allowed, vector, mode=mode)
            rankings[mode] = tuple(c.article.id for c in found.candidates)
            if mode == "hybrid":
                contexts = tuple((c.article.id, c.best.chunk.text) for c in found.candidates[:CONTEXTS])
        return rankings, contexts

    def _service(self, eligibility: Eligibility) -> AnswerService:
        """The engine's own answer service (confidence model, guardrails, settings) over this runner's index,
        retriever and `eligibility`. AnswerService has no public way to change its scope, so a shallow copy gets
        those attributes replaced, failing loudly should they be renamed; the integration tests compare its
        decisions with engine.answers'."""
        scoped = copy.copy(self._engine.answers)
        for name, value in (
            ("_index", self._index),
            ("_eligibility", eligibility),
            ("_retriever", self._retriever),
        ):
            if not hasattr(scoped, name):
                raise EngineError(
                    f"AnswerService has no attribute {name} any more: update engine/evaluate/runner.py"
                )
            setattr(scoped, name, value)
        return scoped

    def _baseline(self, snapshot: IndexSnapshot, allowed: npt.NDArray[np.bool_]) -> BaselinePipeline:
        key = snapshot.generation.encode() + np.packbits(allowed).tobytes()
        if key not in self._baselines:
            assert self._cutoff is not None
            self._baselines[key] = BaselinePipeline(
                snapshot, allowed, self._engine.retriever.embed, self._cutoff
            )
        return self._baselines[key]


class _LastQuery:
    """The engine's embedder, remembering the last query so ranking and answering embed each question once."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self._last: tuple[str, Vectors] | None = None

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_query(self, text: str) -> Vectors:
        if self._last is None or self._last[0] != text:
            self._last = (text, self._inner.embed_query(text))
        return self._last[1]

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> Vectors:
        return self._inner.embed_passages(texts, progress=progress)


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
