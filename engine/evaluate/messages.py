"""Precision and recall of the message types (engine.dialogue.messages) on a labelled set of real messages:
`python -m engine.evaluate.messages [labelled.jsonl]` prints a Markdown table and the misclassified messages (the dev
set); `python -m engine.evaluate.messages --held-out` prints only the table of the held-out set, so that its
messages are never read while rules are written (evals/datasets/messages/README.md, docs/evals.md)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.dialogue.messages import MessageKind, classify

LABELLED = Path("evals/datasets/messages/labelled.jsonl")
HELD_OUT = Path("evals/datasets/messages/heldout.jsonl")
KINDS: tuple[MessageKind, ...] = ("greeting", "thanks", "goodbye", "handoff", "frustration", "vague", "question")


@dataclass(frozen=True)
class KindScore:
    """One message type: how many were labelled, predicted, and both."""

    kind: str
    labelled: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None


def score(pairs: Sequence[tuple[str, str]]) -> list[KindScore]:
    """(label, prediction) pairs → a score per kind."""
    return [
        KindScore(kind, sum(lab == kind for lab, _ in pairs), sum(pred == kind for _, pred in pairs),
                  sum(lab == pred == kind for lab, pred in pairs))
        for kind in KINDS
    ]


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def report(path: Path, misses: bool = True) -> str:
    """The Markdown table for one labelled file, and (unless `misses` is False) the misclassified messages."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = [(row["kind"], classify(row["text"]).kind) for row in rows]
    lines = ["| type | labelled | predicted | precision | recall |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {s.kind} | {s.labelled} | {s.predicted} | {_cell(s.precision)} | {_cell(s.recall)} |"
              for s in score(pairs)]
    if not misses:
        return "\n".join([*lines, "", f"{len(rows)} messages (misses not shown: held out)"])
    wrong = [
        f"- {row['text']!r}: labelled {lab}, predicted {pred}"
        for row, (lab, pred) in zip(rows, pairs, strict=True)
        if lab != pred
    ]
    return "\n".join([*lines, "", f"{len(wrong)} of {len(rows)} misclassified:", *wrong])


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["--held-out"]:
        print(report(HELD_OUT, misses=False))
    else:
        print(report(Path(args[0]) if args else LABELLED))
