"""Index generations on disk: each ingest writes a complete new generation, then flips CURRENT atomically.

Layout of `<data_dir>/index/`:
    CURRENT                 name of the serving generation (replaced with os.replace: atomic)
    gen-000042/manifest.json  articles, sources, settings fingerprint
    gen-000042/chunks.jsonl   chunk ordinal = line number = Qdrant point id
    gen-000042/vectors.npy    float32 (chunks × dim): the embedded dense index, reused by the next incremental ingest
    gen-000042/bm25.npz       analysed terms per chunk (vocabulary + term ids; bm25.json.gz before)
    gen-000042/headings.json  each section heading once; headings.npy their vectors (answer focus, no embedding)
    gen-000042/COMPLETE       written last; a generation without it is an interrupted ingest
    .serve.lock             held by the one process serving this data dir (embedded default, engine/store/serving.py)

With ENGINE_QDRANT_URL the dense index is also loaded into the server as collection <name>_gen_000042.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from filelock import FileLock, Timeout

from engine.errors import IndexNotReadyError, IngestError
from engine.protocols import DenseBackend, KeywordIndex, Vectors, VectorStore
from engine.store.codec import article_from_json, article_to_json, chunk_from_json, chunk_to_json
from engine.store.keyword import BM25Index
from engine.types import Article, Chunk

logger = logging.getLogger(__name__)

CURRENT = "CURRENT"
COMPLETE = "COMPLETE"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class IndexSnapshot:
    """One generation, loaded for querying: read-only. `article_ids` fixes the article order every per-article mask
    follows; `chunk_article[i]` is the position in it of chunk i's article."""

    generation: str
    articles: dict[str, Article]
    sources: dict[str, list[str]]
    chunks: list[Chunk]
    vectors: Vectors
    keyword: KeywordIndex
    dense: VectorStore | None
    article_ids: list[str]
    chunk_article: npt.NDArray[np.int32]
    fingerprint: dict[str, Any] = field(default_factory=dict)
    headings: dict[str, int] = field(default_factory=dict)
    """Section heading → its row in `heading_vectors`, embedded at ingest (empty for older generations)."""
    heading_vectors: Vectors = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

    @cached_property
    def locales(self) -> frozenset[str]:
        """Every article's locale, once per generation (asked on each question to route it to a served language)."""
        return frozenset(article.locale for article in self.articles.values())

    def close(self) -> None:
        if self.dense is not None:
            self.dense.close()


@dataclass(frozen=True)
class GenerationData:
    """Everything a new generation is made of, before it is written."""

    articles: Sequence[Article]
    sources: dict[str, list[str]]
    chunks: Sequence[Chunk]
    vectors: Vectors
    terms: Sequence[Sequence[str]]
    fingerprint: dict[str, Any]
    headings: Sequence[str] = ()
    heading_vectors: Vectors | None = None


class GenerationStore:
    """Reads and writes index generations under `root` (`<data_dir>/index`); the dense index of each generation is
    built, opened and dropped by `dense`."""

    def __init__(self, root: Path, dense: DenseBackend, *, keep_generations: int = 2) -> None:
        self.root = root
        self._dense = dense
        self._keep = keep_generations

    @contextmanager
    def ingest_lock(self) -> Iterator[None]:
        """One ingest at a time per data dir; a second one fails at once with a message saying why."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / ".ingest.lock"), timeout=0)
        try:
            lock.acquire()
        except Timeout as exc:
            raise IngestError(f"Another ingest is running (lock {lock.lock_file}); wait for it to finish.") from exc
        try:
            yield
        finally:
            lock.release()

    def current(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text().strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name / COMPLETE).exists() else None

    def current_marker(self) -> tuple[str | None, int]:
        """Cheap change detector for hot reload: (generation, mtime_ns of CURRENT)."""
        try:
            return self.current(), (self.root / CURRENT).stat().st_mtime_ns
        except FileNotFoundError:
            return None, 0

    def write(self, data: GenerationData) -> str:
        """Write a complete generation next to the serving one and return its name (not yet current)."""
        name = self._next_name()
        folder = self.root / name
        folder.mkdir(parents=True)
        manifest = {
            "format": FORMAT_VERSION,
            "generation": name,
            "fingerprint": data.fingerprint,
            "sources": data.sources,
            "articles": [article_to_json(a) for a in data.articles],
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
        with (folder / "chunks.jsonl").open("w", encoding="utf-8") as handle:
            for chunk in data.chunks:
                handle.write(json.dumps(chunk_to_json(chunk), ensure_ascii=False) + "\n")
        np.save(folder / "vectors.npy", data.vectors.astype(np.float32))
        BM25Index.save(data.terms, folder / "bm25.npz")
        if data.heading_vectors is not None:
            (folder / "headings.json").write_text(json.dumps(list(data.headings), ensure_ascii=False))
            np.save(folder / "headings.npy", data.heading_vectors.astype(np.float32))
        self._dense.build(name, data.chunks, data.articles, data.vectors)
        _fsync_tree(folder)
        (folder / COMPLETE).write_text(name)
        return name

    def commit(self, name: str) -> None:
        """Make `name` the serving generation (atomic rename), then prune old ones."""
        pointer = self.root / f".{CURRENT}.tmp"
        pointer.write_text(name)
        os.replace(pointer, self.root / CURRENT)
        self._prune(keep=self._keep)

    def load(self, name: str | None = None, *, with_dense: bool = True) -> IndexSnapshot:
        """A generation (default: the serving one). `with_dense` opens it for serving: in the embedded default that
        takes the data dir's serve lock, so a second serving process fails with a clear error."""
        name = name or self.current()
        if name is None:
            raise IndexNotReadyError(
                f"No index in {self.root}. Run `engine ingest PATH --data-dir {self.root.parent}` first."
            )
        folder = self.root / name
        manifest = json.loads((folder / "manifest.json").read_text())
        articles = {a.id: a for a in map(article_from_json, manifest["articles"])}
        with (folder / "chunks.jsonl").open(encoding="utf-8") as handle:
            chunks = [chunk_from_json(json.loads(line)) for line in handle]
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")  # read-only, shared by every worker
        article_ids = list(articles)
        chunk_article = _chunk_article(article_ids, chunks)
        headings, heading_vectors = _headings(folder)
        return IndexSnapshot(
            generation=name,
            articles=articles,
            sources=manifest["sources"],
            chunks=chunks,
            vectors=vectors,
            keyword=_keyword(folder),
            dense=self._dense.open(name, vectors, chunk_article, article_ids) if with_dense else None,
            article_ids=article_ids,
            chunk_article=chunk_article,
            fingerprint=manifest.get("fingerprint", {}),
            headings=headings,
            heading_vectors=heading_vectors,
        )

    def _next_name(self) -> str:
        numbers = [int(p.name.split("-")[1]) for p in self.root.glob("gen-*") if p.name.split("-")[1].isdigit()]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def _prune(self, keep: int) -> None:
        """Drop interrupted generations and all but the newest `keep` complete ones."""
        current = self.current()
        complete = sorted(p.name for p in self.root.glob("gen-*") if (p / COMPLETE).exists())
        keep_names = set(complete[-keep:]) | {current}
        for folder in self.root.glob("gen-*"):
            if folder.name in keep_names:
                continue
            self._dense.drop(folder.name)
            shutil.rmtree(folder, ignore_errors=True)


def _headings(folder: Path) -> tuple[dict[str, int], Vectors]:
    """The generation's heading table, if its ingest wrote one."""
    if not (folder / "headings.json").is_file():
        return {}, np.zeros((0, 0), dtype=np.float32)
    names = json.loads((folder / "headings.json").read_text(encoding="utf-8"))
    return {name: row for row, name in enumerate(names)}, np.load(folder / "headings.npy", mmap_mode="r")


def _chunk_article(article_ids: Sequence[str], chunks: Sequence[Chunk]) -> npt.NDArray[np.int32]:
    """Position in `article_ids` of each chunk's article."""
    position = {article_id: i for i, article_id in enumerate(article_ids)}
    return np.fromiter((position[c.article_id] for c in chunks), dtype=np.int32, count=len(chunks))


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def _keyword(folder: Path) -> BM25Index:
    """The generation's BM25 index (bm25.npz; a generation written before it has bm25.json.gz)."""
    saved = folder / "bm25.npz"
    return BM25Index.load(saved if saved.exists() else folder / "bm25.json.gz")
