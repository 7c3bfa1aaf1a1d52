"""Probe behind the choice of embedded engines (docs/scaling.md): filtered top-10 dense search with numpy exact vs
qdrant-edge-py (exact and HNSW) vs qdrant-client local mode, and BM25 scoring with rank-bm25 vs rank-bm25-rs.

`python -m bench.probe_engines [--sizes 10000,50000]` prints one markdown table (random unit vectors, 384 dims,
8 chunks an article; the filter keeps a quarter of the articles, as the bench's synthetic KBs do).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine.store.exact import ExactVectorStore

DIM = 384
QUERIES = 40


def _p50_ms(call: Callable[[int], object], runs: int = QUERIES) -> float:
    call(0)
    times = []
    for i in range(runs):
        started = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def probe(size: int, local_qdrant: bool) -> dict[str, float]:
    rng = np.random.default_rng(size)
    vectors = rng.normal(size=(size, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    articles = size // 8
    chunk_article = (np.arange(size) % articles).astype(np.int32)
    allowed = np.arange(articles) % 4 == 0
    queries = rng.normal(size=(QUERIES, DIM)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    out: dict[str, float] = {}
    exact = ExactVectorStore(vectors, chunk_article)
    out["numpy exact"] = _p50_ms(lambda i: exact.search(queries[i], allowed, 10))
    out.update(_edge(vectors, chunk_article, allowed, queries))
    if local_qdrant:
        out["qdrant-client local"] = _local(vectors, chunk_article, allowed, queries)
    corpus = [[f"t{j}" for j in rng.integers(0, 5000, size=40)] for _ in range(size)]
    from rank_bm25 import BM25Okapi as Reference
    from rank_bm25_rs import BM25Okapi as Fast

    slow, fast = Reference(corpus), Fast(corpus)
    query = ["t1", "t20", "t300"]
    out["rank-bm25 get_scores"] = _p50_ms(lambda i: slow.get_scores(query), runs=5)
    out["rank-bm25-rs get_scores"] = _p50_ms(lambda i: fast.get_scores(query))
    return out


def _edge(vectors: np.ndarray, chunk_article: np.ndarray, allowed: np.ndarray, queries: np.ndarray) -> dict[str, float]:
    import qdrant_edge as qe

    with tempfile.TemporaryDirectory() as folder:
        params = qe.EdgeVectorParams(size=DIM, distance=qe.Distance.Cosine)
        shard = qe.EdgeShard.create(folder, qe.EdgeConfig(vectors=params))
        for start in range(0, len(vectors), 2000):
            points = [qe.Point(int(i), vectors[i].tolist(), {"article": int(chunk_article[i])})
                      for i in range(start, min(start + 2000, len(vectors)))]
            shard.update(qe.UpdateOperation.upsert_points(points))
        shard.optimize()
        keep = [int(a) for a in np.flatnonzero(allowed)]
        flt = qe.Filter(must=[qe.FieldCondition(key="article", match=qe.MatchAny(any=keep))])

        def search(i: int, exact: bool) -> object:
            request = qe.QueryRequest(limit=10, query=qe.Query.Nearest(queries[i].tolist()), filter=flt,
                                      params=qe.SearchParams(exact=exact))
            return shard.query(request)

        result = {"qdrant-edge exact": _p50_ms(lambda i: search(i, True)),
                  "qdrant-edge HNSW": _p50_ms(lambda i: search(i, False))}
        shard.close()
    return result


def _local(vectors: np.ndarray, chunk_article: np.ndarray, allowed: np.ndarray, queries: np.ndarray) -> float:
    from engine.store.qdrant import QdrantVectorStore, open_client

    with tempfile.TemporaryDirectory() as folder:
        ids = [str(a) for a in range(len(allowed))]
        client = open_client(url=None, api_key=None, path=Path(folder))
        QdrantVectorStore.build(client, "p", vectors, [{"article_id": ids[a]} for a in chunk_article],
                                payload_indexes=False)
        store = QdrantVectorStore(client, "p", ids)
        value = _p50_ms(lambda i: store.search(queries[i], allowed, 10), runs=5)
        client.close()
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--local-qdrant-max", type=int, default=10000, help="Skip local qdrant-client above this.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = {size: probe(size, size <= args.local_qdrant_max) for size in sizes}
    names = sorted({name for row in rows.values() for name in row})
    print("| engine (p50 ms, filtered top-10) | " + " | ".join(f"{s} chunks" for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{rows[s][name]:.2f}" if name in rows[s] else "-" for s in sizes) + " |")


if __name__ == "__main__":
    main()
