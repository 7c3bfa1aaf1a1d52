"""The benchmark's knowledge bases: the real Plausible help center, ingested for real (ingest throughput), and
synthetic scale-ups of it written straight into an index generation (no re-embedding).

Copy k of every article gets the id `v<k>/<id>`; its chunks keep their text plus the term `variant<k>` and a vector
nudged by gaussian noise (sigma 0.02, renormalised), so copies compete with the originals as near-duplicates do in
a real help center. A quarter of the copies stay visible to a public English asker; the others are for `partners`,
in German, or expired: the audience, locale and freshness filters all cut the candidates, as in production.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from engine.analysis import terms
from engine.config import Settings
from engine.store.generations import GenerationData, IndexSnapshot
from engine.types import Article, IngestReport
from engine.wiring import build_indexer, open_store

EXPIRED = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class IngestTiming:
    articles: int
    chunks: int
    seconds: float
    incremental_seconds: float
    incremental_embedded: int

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.seconds


def ingest_base(sources: list[tuple[str, Path, dict[str, str]]], data_dir: Path, work: Path) -> IngestTiming:
    """Ingest every source into an empty data dir with the real embedder, then re-ingest one changed article."""
    settings = Settings(data_dir=data_dir)
    indexer = build_indexer(settings)
    started = time.perf_counter()
    reports: list[IngestReport] = []
    for name, path, overrides in sources:
        reports.append(indexer.ingest(path, source=name, overrides=overrides or None))
    seconds = time.perf_counter() - started
    name, path, overrides = sources[0]
    changed = work / "changed"
    _copy_tree(path, changed)
    first = sorted(changed.rglob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n\nOne more sentence written for the benchmark.\n")
    started = time.perf_counter()
    again = indexer.ingest(changed, source=name, overrides=overrides or None)
    incremental = time.perf_counter() - started
    return IngestTiming(
        articles=sum(r.articles_total for r in reports[-1:]),
        chunks=reports[-1].chunks_total,
        seconds=seconds,
        incremental_seconds=incremental,
        incremental_embedded=again.chunks_embedded,
    )


def _copy_tree(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target, dirs_exist_ok=True)


def _variant(article: Article, k: int) -> Article:
    kind = k % 4
    return replace(
        article,
        id=f"v{k}/{article.id}",
        path=f"v{k}/{article.path}",
        audience=("partners",) if kind == 1 else article.audience,
        locale="de" if kind == 2 else article.locale,
        expires_at=EXPIRED if kind == 3 else article.expires_at,
        source=f"{article.source}-v{k}",
    )


def write_scaled(base: IndexSnapshot, copies: int, data_dir: Path, seed: int = 8) -> int:
    """Write base + `copies` variants of every article as the serving generation of `data_dir`; returns chunks."""
    rng = np.random.default_rng(seed)
    base_terms = [terms(c.index_text) for c in base.chunks]
    articles = list(base.articles.values())
    chunks = list(base.chunks)
    all_terms: list[list[str]] = [list(t) for t in base_terms]
    blocks = [base.vectors.astype(np.float32)]
    for k in range(1, copies + 1):
        articles.extend(_variant(a, k) for a in base.articles.values())
        chunks.extend(
            replace(c, id=f"v{k}/{c.id}", article_id=f"v{k}/{c.article_id}", text_hash=f"v{k}/{c.text_hash}")
            for c in base.chunks
        )
        all_terms.extend([*t, f"variant{k}"] for t in base_terms)
        noisy = base.vectors + rng.normal(scale=0.02, size=base.vectors.shape).astype(np.float32)
        blocks.append((noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32))
    sources: dict[str, list[str]] = {}
    for article in articles:
        sources.setdefault(article.source, []).append(article.id)
    store = open_store(Settings(data_dir=data_dir))
    data = GenerationData(articles, sources, chunks, np.vstack(blocks), all_terms, base.fingerprint,
                          headings=list(base.headings), heading_vectors=np.asarray(base.heading_vectors))
    store.commit(store.write(data))
    return len(chunks)


def base_id(article_id: str) -> str:
    """The original article a variant was copied from."""
    head, sep, rest = article_id.partition("/")
    return rest if sep and head[:1] == "v" and head[1:].isdigit() else article_id
