"""The seams between stages: anything that satisfies these can be swapped in by wiring.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from engine.types import Article, Chunk

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors.

    Example::

        embedder = make_embedder(settings)            # engine.wiring
        matrix = embedder.embed_passages(["Open Settings → Billing."])
        scores = matrix @ embedder.embed_query("where are my invoices?")
    """

    @property
    def dimension(self) -> int: ...

    def embed_query(self, text: str) -> Vectors:
        """One query → a vector of shape (dimension,)."""
        ...

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> Vectors:
        """Many passages → a matrix of shape (len(texts), dimension)."""
        ...


class DenseQuery(Protocol):
    """One question's vector against one generation's dense index, searched under any number of masks: an
    in-process store computes the question's similarity to every chunk once, on the first search, for all of them.

    Example::

        dense = store.query(embedder.embed_query("reset password"))
        eligible = dense.search(masks.eligible, limit=40)
        shadow = dense.search(masks.visible, limit=40)      # no second product over the whole matrix
    """

    def search(self, allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
        """Top `limit` (ordinal, cosine) among chunks of the allowed articles, best first (VectorStore.search)."""
        ...


class VectorStore(Protocol):
    """Dense nearest-neighbour search over one index generation's chunks, addressed by ordinal.

    Example::

        store = ExactVectorStore(snapshot.vectors, snapshot.chunk_article)
        allowed = np.ones(len(snapshot.article_ids), dtype=bool)   # every article may answer
        for ordinal, cosine in store.search(embedder.embed_query("reset password"), allowed, limit=5):
            print(snapshot.chunks[ordinal].article_id, cosine)
    """

    def search(self, vector: Vectors, allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
        """Top `limit` (ordinal, cosine) among chunks of the allowed articles, best first.

        `allowed` is a per-article mask aligned with the generation's article order (IndexSnapshot.article_ids):
        the filter applies before ranking, so `limit` hits come back whenever that many chunks are allowed.
        """
        ...

    def query(self, vector: Vectors) -> DenseQuery:
        """The vector ready to be searched under several masks, each search equal to `search(vector, mask, limit)`."""
        ...

    def close(self) -> None:
        """Release what the store holds (a client connection, the serve lock); closing twice is harmless."""
        ...


class DenseBackend(Protocol):
    """Where a generation's dense index lives beside its files: built when the generation is written, opened for
    serving, dropped when the generation is pruned. GenerationStore calls it; wiring.py picks it.

    Example::

        backend = ExactBackend(settings.index_dir)       # or QdrantBackend(url, api_key, "engine_chunks")
        backend.build("gen-000042", chunks, articles, vectors)
        dense = backend.open("gen-000042", vectors, chunk_article, article_ids)
        hits = dense.search(query_vector, allowed, limit=10) if dense is not None else []
        backend.drop("gen-000041")
    """

    def build(self, generation: str, chunks: Sequence[Chunk], articles: Sequence[Article], vectors: Vectors) -> None:
        """Make the generation's vectors searchable (row i of `vectors` is chunk ordinal i)."""
        ...

    def open(
        self,
        generation: str,
        vectors: Vectors,
        chunk_article: npt.NDArray[np.int32],
        article_ids: Sequence[str],
    ) -> VectorStore | None:
        """A store to search the generation with; None when it has nothing to search."""
        ...

    def drop(self, generation: str) -> None:
        """Forget the generation's dense index (its folder is removed by the caller)."""
        ...


class KeywordIndex(Protocol):
    """Lexical scoring over one index generation's chunks, addressed by ordinal.

    Example::

        keyword = snapshot.keyword                       # a BM25Index
        scores = keyword.scores(terms("export invoices as pdf"))   # one float per chunk
        rare = [t for t in terms("export invoices") if keyword.knows(t) and keyword.idf(t) > 2.0]
    """

    def __len__(self) -> int:
        """Number of chunks scored."""
        ...

    def scores(self, terms: Sequence[str]) -> npt.NDArray[np.float64]:
        """BM25 score of every chunk for the analysed query terms."""
        ...

    def idf(self, term: str) -> float:
        """Inverse document frequency of an analysed term; 0.0 for a term no chunk contains."""
        ...

    def knows(self, term: str) -> bool:
        """Whether any chunk contains the analysed term."""
        ...
