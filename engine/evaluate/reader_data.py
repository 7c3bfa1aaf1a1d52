"""Question–passage pairs for training and measuring the reader (docs/reader.md).

Training pairs come from SQuAD 2.0 dev (answer-bearing window vs the paragraph's other windows and the adversarial
unanswerable questions) and, with no labels at all, from the dev KBs' own structure (a section heading or an article
description vs its own text, and the top-ranked windows of *other* articles as hard negatives). Measurement pairs
are the separation task of issue #14: for each question, the best passage of a gold article vs the best passage of a
non-gold article (what the engine would answer from were the gold article missing). Which KBs feed which file is
fixed here, so nothing reported as held out is ever trained on.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from engine.analysis import terms
from engine.config import Settings
from engine.errors import ConfigError
from engine.evaluate.adapters import resolve_golden
from engine.evaluate.kbs import OpenKb, open_kb, resolve_kb
from engine.reader.windows import framed, plain, windows
from engine.retrieve.hybrid import HybridRetriever
from engine.store.generations import IndexSnapshot
from engine.types import Chunk, Query, ScoredChunk

SQUAD = Path("evals/datasets/squad2-dev/dev-v2.0.json")
SQUAD_SHA256 = "e67e5969b6dc6c1642154740806b79263b77fc048c7c11ee60d534eb48ef81e8"
TRAIN_KBS = ("plausible", "kb_samples")  # unlabelled structure only; their golden questions stay for dev
DEV_SETS = (("plausible", "evals/golden/plausible.jsonl"), ("kb_samples", "evals/golden/kb_samples.jsonl"))
HELD_OUT_SETS = (("wixqa", "wixqa"), ("techqa", "techqa"))
SQUAD_VALIDATION_ARTICLES = 2  # the last two SQuAD articles: a same-distribution check, never trained on
SEED = 20261129
_GENERIC_HEADINGS = frozenset({"overview", "introduction", "intro", "faq", "summary", "notes", "note", "example"})


@dataclass(frozen=True)
class Pair:
    """One training example: does `passage` (a framed window) answer `question`?"""

    question: str
    passage: str
    label: int
    source: str
    group: str


@dataclass(frozen=True)
class Probe:
    """One measurement example: a question and every window of one passage; the reader's score is the best window."""

    question: str
    windows: tuple[str, ...]
    label: int
    set: str
    group: str
    article_id: str
    dense: float = 0.0  # the passage's chunk-level cosine (today's main signal), for comparison
    title: str = ""  # the article's title, which frames every window


def squad_pairs(path: Path = SQUAD) -> tuple[list[Pair], list[Probe]]:
    """SQuAD 2.0 dev → training pairs (all but the last articles) and same-distribution validation probes."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SQUAD_SHA256:
        raise ConfigError(f"{path}: sha256 {digest}, expected {SQUAD_SHA256} (evals/datasets/squad2-dev/README.md)")
    articles = json.loads(path.read_text())["data"]
    rng = random.Random(SEED)
    pairs: list[Pair] = []
    probes: list[Probe] = []
    for number, article in enumerate(articles):
        validation = number >= len(articles) - SQUAD_VALIDATION_ARTICLES
        title = str(article["title"]).replace("_", " ")
        paragraphs = [p["context"] for p in article["paragraphs"]]
        for p_index, paragraph in enumerate(article["paragraphs"]):
            spans = windows(paragraph["context"])
            for qa in paragraph["qas"]:
                starts = [a["answer_start"] for a in qa["answers"]]
                labels = [int(any(w.start <= s < w.end for s in starts)) for w in spans]
                if validation:
                    probes.append(
                        Probe(qa["question"], tuple(framed(title, w.text) for w in spans), int(any(labels)),
                              "squad-validation", qa["id"], title, title=title)
                    )
                    continue
                for w, label in zip(spans, labels, strict=True):
                    pairs.append(Pair(qa["question"], framed(title, w.text), label, "squad", qa["id"]))
                other = rng.choice([i for i in range(len(paragraphs)) if i != p_index] or [p_index])
                if other != p_index:
                    window = rng.choice(windows(paragraphs[other]))
                    pairs.append(Pair(qa["question"], framed(title, window.text), 0, "squad-other", qa["id"]))
    return pairs, probes


def _chunk_windows(snapshot: IndexSnapshot, chunk: Chunk) -> list[str]:
    title = snapshot.articles[chunk.article_id].title
    return [framed(title, w.text) for w in windows(plain(chunk.text))]


def kb_pairs(kb: OpenKb, negatives: int = 3) -> Iterator[Pair]:
    """Heading/description → its own section's first window (1) vs the best windows of other articles (0)."""
    snapshot = kb.engine.index.get()
    retriever = kb.engine.retriever
    allowed = np.ones(len(snapshot.article_ids), dtype=np.bool_)
    for query, chunk in _structural_queries(snapshot):
        own = _chunk_windows(snapshot, chunk)
        if not own:
            continue
        group = f"{kb.spec.name}:{chunk.id}"
        yield Pair(query, own[0], 1, "kb-heading", group)
        found = retriever.rank(retriever.score(snapshot, Query(query)), allowed)
        wanted = set(terms(query))
        others = [c for c in found.candidates if c.article.id != chunk.article_id][:negatives]
        for candidate in others:
            best = _chunk_windows(snapshot, candidate.best.chunk)
            # Help centers repeat themselves: a window holding every word of the heading may well answer it.
            if best and not wanted <= set(terms(best[0])):
                yield Pair(query, best[0], 0, "kb-heading-negative", group)


def _structural_queries(snapshot: IndexSnapshot) -> Iterator[tuple[str, Chunk]]:
    seen: set[str] = set()
    for chunk in snapshot.chunks:
        article = snapshot.articles[chunk.article_id]
        if article.status != "published":
            continue
        if chunk.heading_path:
            heading = chunk.heading_path[-1].strip()
            if len(heading.split()) >= 2 and heading.lower() not in _GENERIC_HEADINGS:
                yield heading, chunk
        elif article.description and article.id not in seen:
            seen.add(article.id)
            yield article.description, chunk


def separation_probes(kb: OpenKb, golden_name: str, set_name: str) -> Iterator[Probe]:
    """Per answerable question: the gold article's best passage (1) and, gold removed, the top passage (0).
    Questions with no gold article contribute their top passage (0): what the engine would answer from."""
    snapshot = kb.engine.index.get()
    retriever: HybridRetriever = kb.engine.retriever
    for record in resolve_golden(golden_name).records:
        if record.kind not in ("answerable", "unanswerable", "stale"):
            continue
        query = Query(record.question, record.audience, record.locale)
        masks = kb.engine.eligibility.masks(snapshot, query)
        gold = set(record.expected_articles)
        keep = np.fromiter((a not in gold for a in snapshot.article_ids), dtype=np.bool_)
        scores = retriever.score(snapshot, query)
        found = retriever.rank(scores, masks.eligible).candidates
        positive = next((c for c in found if c.article.id in gold), None)
        if positive is not None:
            yield _probe(snapshot, record.question, positive.best, 1, set_name, record.id)
        negative = retriever.rank(scores, masks.eligible & keep).candidates
        if negative:
            yield _probe(snapshot, record.question, negative[0].best, 0, set_name, record.id)


def _probe(snapshot: IndexSnapshot, question: str, best: ScoredChunk, label: int, set_name: str, group: str) -> Probe:
    windows_ = tuple(_chunk_windows(snapshot, best.chunk))
    title = snapshot.articles[best.chunk.article_id].title
    return Probe(question, windows_, label, set_name, group, best.chunk.article_id, best.dense, title)


def write_jsonl(path: Path, rows: Iterable[Pair | Probe]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
            count += 1
    return count


def build(out: Path, settings: Settings) -> dict[str, int]:
    """Write train.jsonl, dev.jsonl (model selection, calibration KBs) and heldout.jsonl (reported) under `out`."""
    train, squad_validation = squad_pairs()
    dev: list[Probe] = list(squad_validation)
    for kb_name in TRAIN_KBS:
        kb = open_kb(resolve_kb(kb_name), settings)
        try:
            train.extend(kb_pairs(kb))
            dev.extend(p for name, golden in DEV_SETS if name == kb_name for p in separation_probes(kb, golden, name))
        finally:
            kb.close()
    held_out: list[Probe] = []
    for kb_name, golden in HELD_OUT_SETS:
        kb = open_kb(resolve_kb(kb_name), settings)
        try:
            held_out.extend(separation_probes(kb, golden, kb_name))
        finally:
            kb.close()
    random.Random(SEED).shuffle(train)
    return {
        "train": write_jsonl(out / "train.jsonl", train),
        "dev": write_jsonl(out / "dev.jsonl", dev),
        "heldout": write_jsonl(out / "heldout.jsonl", held_out),
    }
