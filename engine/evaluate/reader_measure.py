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
from engine.evaluate.judgments import Judgments
from engine.reader.scorer import OnnxReader
from engine.reader.train import auc, recall_at_kept
from engine.reader.windows import unframed

Scorer = Callable[[str, Sequence[str]], Sequence[float]]
Probes = list[dict[str, Any]]
Separation = dict[str, dict[str, float]]

# What else of a passage the cosine can be given: its windows without the title that frames them, and the title alone.
VIEWS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "body": lambda p: [unframed(str(p.get("title", "")), w) for w in p["windows"]],
    "title": lambda p: [str(p["title"])] if p.get("title") else [],
}


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


def judged(probes: list[dict[str, Any]], judgments: Judgments) -> list[dict[str, Any]]:
    """The probes a reviewer's verdicts leave: a gold-removed "negative" whose article was judged to answer the
    question fully is no negative (a sibling article that answers is a right answer), so it is dropped; `partial`
    and unjudged ones stay negatives."""
    def answers(probe: dict[str, Any]) -> bool:
        found = judgments.get((str(probe["group"]), str(probe["article_id"])))
        return found is not None and found.verdict == "answers"

    return [p for p in probes if p["label"] == 1 or not answers(p)]


def measure_probes(
    model: Path | None, probes_file: Path, judgments: Judgments | None = None
) -> dict[str, dict[str, float]]:
    """An exported reader (none: the cosine alone) against the bi-encoder cosine (the engine's main signal), both on
    their best window; with judgments, each set is measured again on its judged probes (`<set>:judged`)."""
    from engine.wiring import make_embedder

    settings = Settings()
    embedder = make_embedder(settings)

    seen: dict[str, Any] = {}  # passage → vector: the views and the judged sets repeat passages

    def cosine(question: str, windows: Sequence[str]) -> Sequence[float]:
        missing = list(dict.fromkeys(w for w in windows if w not in seen))
        if missing:
            seen.update(zip(missing, embedder.embed_passages(missing), strict=True))
        query = embedder.embed_query(question)
        return [float(seen[w] @ query) for w in windows]

    scorers: dict[str, Scorer] = {"cosine": cosine}
    if model is not None:
        reader = OnnxReader(model, threads=settings.embedding.threads or 2)
        scorers["reader"] = lambda question, windows: [float(v) for v in reader.score(question, list(windows))]
    probes = read_probes(probes_file)
    if judgments is not None:
        kept = judged(probes, judgments)
        probes = probes + [{**p, "set": f"{p['set']}:judged"} for p in kept]
    return with_views(probes, scorers, cosine)


def with_views(probes: Probes, scorers: dict[str, Scorer], cosine: Scorer) -> Separation:
    """The scorers on the windows as built, and the cosine on each other view of the passage (`cosine_body`, …)."""
    out = separation(probes, scorers)
    for view, of in VIEWS.items():
        for set_name, row in separation([{**p, "windows": of(p)} for p in probes], {f"cosine_{view}": cosine}).items():
            out[set_name].update({k: v for k, v in row.items() if k != "n"})
    return out
