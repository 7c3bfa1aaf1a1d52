"""One contract, every VectorStore: the embedded exact store and Qdrant (qdrant-client local mode, the same
client code path as a server) must rank alike, filter before ranking and report cosine scores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from engine.protocols import Vectors, VectorStore
from engine.store.exact import ExactQuery, ExactVectorStore
from engine.store.qdrant import QdrantVectorStore, open_client
from engine.types import Query
from engine.wiring import Engine

ARTICLES = [f"a{i}" for i in range(6)]
StoreFactory = Callable[[Vectors, npt.NDArray[np.int32], list[str], Path], VectorStore]


def _exact(vectors: Vectors, chunk_article: npt.NDArray[np.int32], _ids: list[str], _tmp: Path) -> VectorStore:
    return ExactVectorStore(vectors, chunk_article)


def _qdrant(vectors: Vectors, chunk_article: npt.NDArray[np.int32], ids: list[str], tmp: Path) -> VectorStore:
    client = open_client(url=None, api_key=None, path=tmp / "qdrant")
    payloads = [{"article_id": ids[a]} for a in chunk_article]
    QdrantVectorStore.build(client, "contract", vectors, payloads, payload_indexes=False)
    return QdrantVectorStore(client, "contract", ids)


@pytest.fixture(params=[_exact, _qdrant], ids=["exact", "qdrant"])
def make_store(request: pytest.FixtureRequest) -> StoreFactory:
    factory: StoreFactory = request.param
    return factory


@pytest.fixture
def data() -> tuple[Vectors, npt.NDArray[np.int32]]:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(30, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors, (np.arange(30) % len(ARTICLES)).astype(np.int32)


@pytest.fixture
def store(
    make_store: StoreFactory, data: tuple[Vectors, npt.NDArray[np.int32]], tmp_path: Path
) -> Iterator[VectorStore]:
    built = make_store(data[0], data[1], ARTICLES, tmp_path)
    yield built
    built.close()


def _mask(*allowed: str) -> npt.NDArray[np.bool_]:
    return np.array([a in allowed for a in ARTICLES])


def test_unfiltered_search_is_the_exact_cosine_top_k(store: VectorStore, data: tuple[Vectors, np.ndarray]) -> None:
    vectors, _ = data
    query = vectors[3] * 0.6 + vectors[11] * 0.4
    query /= np.linalg.norm(query)
    expected = np.argsort(-(vectors @ query))[:5]

    hits = store.search(query, _mask(*ARTICLES), 5)

    assert [o for o, _ in hits] == [int(i) for i in expected]
    assert [s for _, s in hits] == pytest.approx([float(vectors[i] @ query) for i in expected], abs=1e-5)


def test_the_filter_applies_before_ranking(store: VectorStore, data: tuple[Vectors, np.ndarray]) -> None:
    vectors, chunk_article = data
    query = vectors[0]  # chunk 0 belongs to a0, which the mask excludes

    hits = store.search(query, _mask("a1", "a2"), 7)

    assert len(hits) == 7  # a full page although the best chunks are filtered out
    assert {ARTICLES[chunk_article[o]] for o, _ in hits} <= {"a1", "a2"}
    allowed = [i for i in range(len(vectors)) if ARTICLES[chunk_article[i]] in ("a1", "a2")]
    best = sorted(allowed, key=lambda i: -float(vectors[i] @ query))[:7]
    assert [o for o, _ in hits] == best


def test_fewer_allowed_chunks_than_the_limit_returns_them_all(store: VectorStore, data: tuple[Vectors, np.ndarray]) -> None:
    hits = store.search(data[0][4], _mask("a4"), 50)

    assert sorted(o for o, _ in hits) == [4, 10, 16, 22, 28]
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_an_empty_mask_finds_nothing(store: VectorStore, data: tuple[Vectors, np.ndarray]) -> None:
    assert store.search(data[0][0], _mask(), 5) == []


def test_one_query_searched_under_several_masks_equals_a_search_per_mask(
    store: VectorStore, data: tuple[Vectors, np.ndarray]
) -> None:
    query = store.query(data[0][5])

    for mask in (_mask(*ARTICLES), _mask("a1", "a2"), _mask("a5"), _mask()):
        once, alone = query.search(mask, 7), store.search(data[0][5], mask, 7)
        assert [o for o, _ in once] == [o for o, _ in alone]
        assert [s for _, s in once] == pytest.approx([s for _, s in alone], abs=1e-6)


class _CountingMatrix(np.ndarray):
    products = 0

    def __matmul__(self, other: object) -> np.ndarray:
        type(self).products += 1
        return np.asarray(self) @ other  # type: ignore[operator]


def test_the_exact_query_multiplies_the_matrix_once_for_every_mask(data: tuple[Vectors, np.ndarray]) -> None:
    vectors, chunk_article = data
    query = ExactQuery(vectors.view(_CountingMatrix), chunk_article, vectors[2])

    first = query.search(_mask(*ARTICLES), 5)
    second = query.search(_mask("a3"), 5)

    assert _CountingMatrix.products == 1
    assert first == ExactVectorStore(vectors, chunk_article).search(vectors[2], _mask(*ARTICLES), 5)
    assert second == ExactVectorStore(vectors, chunk_article).search(vectors[2], _mask("a3"), 5)


@pytest.mark.integration
def test_exact_and_qdrant_rank_the_real_index_identically(kb_engine: Engine, tmp_path: Path) -> None:
    snapshot = kb_engine.index.get()
    exact = ExactVectorStore(snapshot.vectors, snapshot.chunk_article)
    qdrant = _qdrant(snapshot.vectors, snapshot.chunk_article, snapshot.article_ids, tmp_path)
    try:
        for text, audience in (("reset my password", ("public",)), ("SAML single sign-on", ("admins",)),
                               ("download invoices as pdf", ("public",)), ("Passwort vergessen", ("public",))):
            query = Query(text, audience)
            mask = kb_engine.eligibility.masks(snapshot, query).eligible
            vector = kb_engine.embedder.embed_query(text)
            a, b = exact.search(vector, mask, 40), qdrant.search(vector, mask, 40)
            assert [o for o, _ in a] == [o for o, _ in b], text
            assert [s for _, s in a] == pytest.approx([s for _, s in b], abs=1e-5)
    finally:
        qdrant.close()
