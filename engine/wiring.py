"""The composition root: the only place that picks concrete classes from Settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from engine.answer.confidence import ConfidenceModel
from engine.answer.service import AnswerService
from engine.config import Settings
from engine.embedding import OnnxEmbedder, SentenceTransformerEmbedder
from engine.freshness.policy import FreshnessPolicy
from engine.ingest.indexer import Indexer
from engine.protocols import Embedder
from engine.retrieve.eligibility import Clock, Eligibility
from engine.retrieve.hybrid import HybridRetriever
from engine.store.generations import GenerationStore
from engine.store.holder import IndexHolder


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Engine:
    """Everything a front end (CLI, API, evals) needs, built once per process."""

    settings: Settings
    store: GenerationStore
    index: IndexHolder
    embedder: Embedder
    eligibility: Eligibility
    retriever: HybridRetriever
    answers: AnswerService
    clock: Clock

    def indexer(self) -> Indexer:
        return Indexer(self.settings, self.store, lambda: self.embedder)

    def close(self) -> None:
        self.index.close()


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedding.backend == "onnx":
        return OnnxEmbedder(settings.embedding, settings.model_cache_dir)
    return SentenceTransformerEmbedder(settings.embedding)


def build_indexer(settings: Settings) -> Indexer:
    """An indexer that loads the embedding model only if some chunk needs embedding."""
    return Indexer(settings, GenerationStore(settings), partial(make_embedder, settings))


def build_engine(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    embedder: Embedder | None = None,
    policy: FreshnessPolicy | None = None,
) -> Engine:
    store = GenerationStore(settings)
    embedder = embedder or make_embedder(settings)
    eligibility = Eligibility(policy or FreshnessPolicy(), clock, settings.default_locale)
    index = IndexHolder(store)
    retriever = HybridRetriever(embedder, settings.retrieval)
    answers = AnswerService(
        index,
        retriever,
        eligibility,
        settings.answer,
        ConfidenceModel(),
    )
    return Engine(settings, store, index, embedder, eligibility, retriever, answers, clock)
