"""Third-party question sets turned into golden records, so every set runs through the same runner.

- `wixqa`: 100 real Wix support questions, each with the articles that answer it (kind answerable).
- `wixqa-gold-removed`: the same questions with their gold articles taken out of the KB for that question
  only (an eligibility mask, not a re-ingest: docs/evals.md); nothing answers them now: they must escalate.
- `techqa`: 480 IBM forum questions, 96 of them unanswerable from the technotes (must escalate).
- `oos`, `oos-clinc150`, `oos-hint3`: out-of-scope messages that must escalate on any KB; a fixed-seed sample.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from engine.errors import ConfigError
from engine.evaluate import defaults
from engine.evaluate.golden import GoldenRecord, GoldenSet, load_golden

DEFAULT_DATASETS = defaults.DATASETS
DEFAULT_OOS_SAMPLE = 300
SAMPLE_SEED = 20261123
_OOS_FILES = {"clinc150": "clinc150_oos_test.jsonl", "hint3": "hint3_no_nodes_test.jsonl"}


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        raise ConfigError(f"dataset file {path} does not exist")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ConfigError(f"{path}:{number}: expected a JSON object")
            yield record


def wixqa(datasets: Path, *, gold_removed: bool = False) -> GoldenSet:
    records = []
    for q in _lines(datasets / "wixqa" / "questions_dev.jsonl"):
        gold = tuple(str(a) for a in q["article_ids"])
        records.append(
            GoldenRecord(
                id=str(q["id"]) + ("-gold-removed" if gold_removed else ""),
                question=str(q["question"]),
                expected_articles=() if gold_removed else gold,
                kind="unanswerable" if gold_removed else "answerable",
                reference_answer=None if gold_removed else str(q.get("answer") or "") or None,
                excluded_articles=gold if gold_removed else (),
                judged_as=str(q["id"]),  # one judgment per (question, article), with or without its gold
            )
        )
    return GoldenSet("wixqa-gold-removed" if gold_removed else "wixqa", tuple(records))


def techqa(datasets: Path) -> GoldenSet:
    records = []
    for q in _lines(datasets / "techqa" / "questions.jsonl"):
        answerable = bool(q.get("answerable"))
        records.append(
            GoldenRecord(
                id=str(q["id"]),
                question=str(q["question"]),
                expected_articles=tuple(str(a) for a in q.get("article_ids") or ()) if answerable else (),
                kind="answerable" if answerable else "unanswerable",
                reference_answer=str(q.get("answer") or "") or None if answerable else None,
            )
        )
    return GoldenSet("techqa", tuple(records))


def out_of_scope(datasets: Path, pools: tuple[str, ...] = ("clinc150", "hint3")) -> GoldenSet:
    records = [
        GoldenRecord(id=str(q["id"]), question=str(q["text"]), expected_articles=(), kind="out_of_scope")
        for pool in pools
        for q in _lines(datasets / "out-of-scope" / _OOS_FILES[pool])
        if str(q.get("text") or "").strip()
    ]
    return GoldenSet("oos" if len(pools) > 1 else f"oos-{pools[0]}", tuple(records))


def sample(golden: GoldenSet, size: int | None, seed: int = SAMPLE_SEED) -> GoldenSet:
    """A fixed-seed random subset (same records on every run and machine), kept in file order."""
    if size is None or size >= len(golden.records):
        return golden
    chosen = set(random.Random(seed).sample(range(len(golden.records)), size))
    records = tuple(r for i, r in enumerate(golden.records) if i in chosen)
    return GoldenSet(f"{golden.name}[{size}]", records, golden.path)


ADAPTERS: dict[str, Callable[[Path], GoldenSet]] = {
    "wixqa": wixqa,
    "wixqa-gold-removed": lambda d: wixqa(d, gold_removed=True),
    "techqa": techqa,
    "oos": out_of_scope,
    "oos-clinc150": lambda d: out_of_scope(d, ("clinc150",)),
    "oos-hint3": lambda d: out_of_scope(d, ("hint3",)),
}
# The KB an adapter's questions are about, used without --kb (out-of-scope sets need an explicit one).
NATURAL_KB = {"wixqa": "wixqa", "wixqa-gold-removed": "wixqa", "techqa": "techqa"}


def resolve_golden(
    name_or_path: str,
    datasets: Path = DEFAULT_DATASETS,
    *,
    sample_size: int | None = None,
    full: bool = False,
) -> GoldenSet:
    """A golden JSONL file or an adapter name; out-of-scope pools default to a fixed sample; `full`: all."""
    if name_or_path in ADAPTERS:
        golden = ADAPTERS[name_or_path](datasets)
        if name_or_path.startswith("oos") and sample_size is None:
            sample_size = DEFAULT_OOS_SAMPLE
    else:
        path = Path(name_or_path)
        if not path.is_file():
            known = ", ".join(ADAPTERS)
            raise ConfigError(f"--golden {name_or_path!r} is neither a file nor an adapter ({known})")
        golden = load_golden(path)
    return golden if full else sample(golden, sample_size)


def natural_kb(name_or_path: str) -> str | None:
    """The KB a golden set is about: the adapter's, or the golden file's stem (plausible.jsonl: plausible)."""
    return NATURAL_KB.get(name_or_path) or (
        Path(name_or_path).stem if name_or_path.endswith(".jsonl") else None
    )
