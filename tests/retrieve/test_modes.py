"""A question is BM25-scored once; then mode="bm25" and mode="dense" rank by their own index only, hybrid by both."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from engine.config import RetrievalSettings, Settings
from engine.ingest.indexer import Indexer
from engine.protocols import DenseQuery, Vectors, VectorStore
from engine.retrieve.hybrid import HybridRetriever
from engine.store.generations import IndexSnapshot
from engine.store.keyword import BM25Index
from engine.types import Query
from engine.wiring import open_store
from tests.conftest import KB_SAMPLES
from tests.fakes import HashEmbedder


class _CountingDense:
    """Counts the questions put to the store (`queries`) and the masked searches made with them (`calls`)."""

    def __init__(self, inner: VectorStore) -> None:
        self.inner, self.calls, self.queries = inner, 0, 0

    def search(self, vector: Vectors, allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
        return self.query(vector).search(allowed, limit)

    def query(self, vector: Vectors) -> DenseQuery:
        self.queries += 1
        return _CountingQuery(self, self.inner.query(vector))

    def close(self) -> None:
        self.inner.close()


class _CountingQuery:
    def __init__(self, owner: _CountingDense, inner: DenseQuery) -> None:
        self.owner, self.inner = owner, inner

    def search(self, allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
        self.owner.calls += 1
        return self.inner.search(allowed, limit)


class _CountingKeyword(BM25Index):
    def __init__(self, inner: BM25Index) -> None:
        self.inner, self.calls = inner, 0

    def scores(self, terms: Sequence[str]) -> npt.NDArray[np.float64]:
        self.calls += 1
        return self.inner.scores(terms)


@pytest.fixture
def snapshot(tmp_path: Path) -> Iterator[IndexSnapshot]:
    kb = tmp_path / "kb"
    shutil.copytree(KB_SAMPLES / "billing", kb)
    settings = Settings(data_dir=tmp_path / "data")
    store = open_store(settings)
    Indexer(settings, store, HashEmbedder).ingest(kb)
    loaded = store.load()
    assert loaded.dense is not None
    yield replace(loaded, dense=_CountingDense(loaded.dense), keyword=_CountingKeyword(loaded.keyword))
    loaded.close()


@pytest.mark.parametrize(("mode", "dense_calls", "bm25_calls"), [("bm25", 0, 1), ("dense", 1, 0), ("hybrid", 1, 1)])
def test_each_mode_searches_only_what_it_ranks_by(
    snapshot: IndexSnapshot, mode: str, dense_calls: int, bm25_calls: int
) -> None:
    embedder = HashEmbedder()
    retriever = HybridRetriever(embedder, RetrievalSettings())
    query = Query("download invoice pdf")
    allowed = np.ones(len(snapshot.article_ids), dtype=bool)

    scores = retriever.score(snapshot, query)
    result = retriever.rank(scores, allowed, mode)  # type: ignore[arg-type]

    assert result.candidates
    assert isinstance(snapshot.dense, _CountingDense) and isinstance(snapshot.keyword, _CountingKeyword)
    assert snapshot.keyword.calls == 1  # scored once, whatever the mode
    assert snapshot.dense.calls == dense_calls
    best = result.candidates[0].best
    assert (best.bm25_rank is not None, best.dense_rank is not None) == (bm25_calls == 1, dense_calls == 1)


def test_a_question_is_put_to_the_dense_index_once_and_searched_under_each_mask(snapshot: IndexSnapshot) -> None:
    retriever = HybridRetriever(HashEmbedder(), RetrievalSettings())
    everything = np.ones(len(snapshot.article_ids), dtype=bool)
    fewer = everything.copy()
    fewer[0] = False

    scores = retriever.score(snapshot, Query("download invoice pdf"))
    retriever.rank(scores, everything)
    retriever.rank(scores, fewer)  # the shadow ranking's second mask

    assert isinstance(snapshot.dense, _CountingDense)
    assert (snapshot.dense.queries, snapshot.dense.calls) == (1, 2)
