"""Separation measured directly: how well a score tells a passage that answers from one that is only on topic.

Each probe is a question and the windows of one passage (label 1: a gold article's best passage; 0: the best
passage once the gold articles are removed). A scorer's value for a probe is its best window.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.config import Settings
from engine.reader.scorer import OnnxReader
from engine.reader.train import auc, recall_at_kept

Scorer = Callable[[str, Sequence[str]], Sequence[float]]


def read_probes(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def separation(probes: list[dict[str, Any]], scorers: dict[str, Scorer]) -> dict[str, dict[str, float]]:
    """Per probe set and scorer: AUC and recall at 95 % of the answering passages kept."""
    best = {name: [max(score(p["question"], p["windows"]), default=0.0) for p in probes] for name, score in
            scorers.items()}
    out: dict[str, dict[str, float]] = {}
    for set_name in sorted({p["set"] for p in probes}):
        rows = [i for i, p in enumerate(probes) if p["set"] == set_name]
        labels = [probes[i]["label"] for i in rows]
        row: dict[str, float] = {"n": float(len(rows))}
        for name, values in best.items():
            scores = [values[i] for i in rows]
            row[f"{name}_auc"] = auc(scores, labels)
            row[f"{name}_recall95"] = recall_at_kept(scores, labels)
        out[set_name] = row
    return out


def measure_probes(model: Path, probes_file: Path) -> dict[str, dict[str, float]]:
    """An exported reader against the bi-encoder cosine (the engine's main signal), both on their best window."""
    from engine.wiring import make_embedder

    settings = Settings()
    reader = OnnxReader(model, threads=settings.embedding.threads or 2)
    embedder = make_embedder(settings)

    def cosine(question: str, windows: Sequence[str]) -> Sequence[float]:
        if not windows:
            return []
        vectors = embedder.embed_passages(list(windows))
        return [float(v) for v in vectors @ embedder.embed_query(question)]

    def read(question: str, windows: Sequence[str]) -> Sequence[float]:
        return [float(v) for v in reader.score(question, list(windows))]

    return separation(read_probes(probes_file), {"reader": read, "cosine": cosine})
