"""Dense index in a Qdrant server via qdrant-client (ENGINE_QDRANT_URL), with payload indexes on the filter fields.

Each index generation is its own collection, built beside the serving one and swapped in atomically. qdrant-client's
on-disk local mode also satisfies this store (the contract tests use it), but it filters point by point in Python,
so the embedded default is engine/store/exact.py instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import SecretStr
from qdrant_client import QdrantClient, models

from engine.errors import StoreUnavailableError
from engine.protocols import DenseQuery, Vectors
from engine.types import Article, Chunk

logger = logging.getLogger(__name__)
_UPLOAD_BATCH = 256


def open_client(*, url: str | None, api_key: str | None, path: Path | None) -> QdrantClient:
    """A client for a Qdrant server (url) or for an on-disk local store (path)."""
    try:
        if url:
            return QdrantClient(url=url, api_key=api_key, timeout=30)
        if path is None:
            raise StoreUnavailableError("Qdrant local mode needs a folder")
        return QdrantClient(path=str(path))
    except RuntimeError as exc:
        # Local mode locks its folder: a second process cannot open it.
        raise StoreUnavailableError(
            f"Cannot open the local Qdrant store at {path}: {exc}. The embedded default allows one process; "
            "stop the other engine process or set ENGINE_QDRANT_URL to use a Qdrant server."
        ) from exc
    except Exception as exc:  # network errors of several libraries
        raise StoreUnavailableError(f"Cannot reach Qdrant at {url or path}: {exc}") from exc


class QdrantVectorStore:
    """Cosine search over one generation's chunk vectors, with payload filters applied before ranking."""

    def __init__(self, client: QdrantClient, collection: str, article_ids: Sequence[str]) -> None:
        self._client = client
        self._collection = collection
        self._article_ids = list(article_ids)

    @staticmethod
    def build(
        client: QdrantClient,
        collection: str,
        vectors: Vectors,
        payloads: Sequence[dict[str, Any]],
        *,
        payload_indexes: bool,
    ) -> None:
        """Create `collection` and load every vector; point id = chunk ordinal."""
        if client.collection_exists(collection):
            client.delete_collection(collection)
        client.create_collection(
            collection,
            vectors_config=models.VectorParams(size=int(vectors.shape[1]), distance=models.Distance.COSINE),
        )
        if payload_indexes:  # a server uses them to filter before ranking; local mode ignores them
            for field in ("article_id", "audience", "locale", "status"):
                client.create_payload_index(collection, field, models.PayloadSchemaType.KEYWORD)
        for start in range(0, len(payloads), _UPLOAD_BATCH):
            stop = min(start + _UPLOAD_BATCH, len(payloads))
            client.upsert(
                collection,
                points=models.Batch(
                    ids=list(range(start, stop)),
                    vectors=vectors[start:stop].astype(np.float32).tolist(),
                    payloads=list(payloads[start:stop]),
                ),
                wait=True,
            )

    def search(self, vector: Vectors, allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
        allowed_articles = [self._article_ids[i] for i in np.flatnonzero(allowed)]
        if not allowed_articles:
            return []
        query_filter = None
        if len(allowed_articles) < len(self._article_ids):
            query_filter = models.Filter(
                must=[models.FieldCondition(key="article_id", match=models.MatchAny(any=allowed_articles))]
            )
        response = self._client.query_points(
            self._collection,
            query=vector.astype(np.float32).tolist(),
            query_filter=query_filter,
            limit=limit,
            with_payload=False,
        )
        return [(int(point.id), float(point.score)) for point in response.points]

    def query(self, vector: Vectors) -> DenseQuery:
        """Each search is its own request to Qdrant, which filters by payload index before ranking."""
        return _QdrantQuery(self, vector)

    def close(self) -> None:
        try:
            self._client.close()
        except Exception:  # closing a local client twice or after its folder moved is harmless
            logger.debug("qdrant close failed", exc_info=True)


class _QdrantQuery:
    def __init__(self, store: QdrantVectorStore, vector: Vectors) -> None:
        self._store = store
        self._vector = vector

    def search(self, allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
        return self._store.search(self._vector, allowed, limit)


class QdrantBackend:
    """The DenseBackend of a Qdrant server (ENGINE_QDRANT_URL): one collection `<prefix>_gen_000042` per generation,
    with payload indexes on the filter fields."""

    def __init__(self, url: str, api_key: SecretStr | None, prefix: str) -> None:
        self._url = url
        self._api_key = api_key
        self._prefix = prefix

    def build(self, generation: str, chunks: Sequence[Chunk], articles: Sequence[Article], vectors: Vectors) -> None:
        """Load the generation's vectors into a new collection (none for an empty generation)."""
        if not chunks:
            return
        by_id = {a.id: a for a in articles}
        payloads = [_payload(chunk, by_id[chunk.article_id]) for chunk in chunks]
        client = self._client()
        try:
            QdrantVectorStore.build(client, self._collection(generation), vectors, payloads, payload_indexes=True)
        finally:
            client.close()

    def open(
        self,
        generation: str,
        vectors: Vectors,
        chunk_article: npt.NDArray[np.int32],
        article_ids: Sequence[str],
    ) -> QdrantVectorStore | None:
        """A store over the generation's collection; None for an empty generation (it has no collection)."""
        if not len(vectors):
            return None
        return QdrantVectorStore(self._client(), self._collection(generation), article_ids)

    def drop(self, generation: str) -> None:
        """Delete the generation's collection if it exists."""
        client = self._client()
        try:
            if client.collection_exists(self._collection(generation)):
                client.delete_collection(self._collection(generation))
        finally:
            client.close()

    def _client(self) -> QdrantClient:
        key = self._api_key.get_secret_value() if self._api_key else None
        return open_client(url=self._url, api_key=key, path=None)

    def _collection(self, generation: str) -> str:
        return f"{self._prefix}_{generation.replace('-', '_')}"


def _payload(chunk: Chunk, article: Article) -> dict[str, Any]:
    return {
        "chunk_id": chunk.id,
        "article_id": chunk.article_id,
        "audience": list(article.audience),
        "locale": article.locale,
        "status": article.status,
    }
