"""Follow-ups answered from the right article, with and without the previous turn as context:
`python -m engine.evaluate.followups [conversations.jsonl]` prints a Markdown table (docs/evals.md, "Follow-ups").
A second turn counts as answered correctly when it is answered and its first citation is an expected article."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from engine.config import Settings
from engine.dialogue.followup import REWRITES, Context, is_follow_up, rewrite
from engine.evaluate.kbs import open_kb, resolve_kb
from engine.types import Decision, Query
from engine.wiring import Engine

CONVERSATIONS = Path("evals/golden/conversations.jsonl")


@dataclass(frozen=True)
class TurnCase:
    question: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class Conversation:
    """A golden two-turn conversation: the second turn leans on the first."""

    id: str
    kb: str
    first: TurnCase
    second: TurnCase


def load_conversations(path: Path) -> list[Conversation]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = []
    for row in rows:
        first, second = (TurnCase(t["question"], tuple(t["expected_articles"])) for t in row["turns"])
        cases.append(Conversation(row["id"], row["kb"], first, second))
    return cases


def _hit(decision: Decision, expected: tuple[str, ...]) -> bool:
    return decision.answered and bool(decision.citations) and decision.citations[0].article_id in expected


def measure(engine: Engine, conversations: list[Conversation]) -> dict[str, int]:
    """Second turns answered from an expected article, per rewrite; plus first turns right and follow-ups detected."""
    counts: dict[str, int] = {"first_turn": 0, "detected": 0, "as_deployed": 0, **{how: 0 for how in REWRITES}}
    for case in conversations:
        first, second = case.first, case.second
        before = engine.answers.ask(Query(first.question))
        counts["first_turn"] += _hit(before, first.expected)
        detected = is_follow_up(second.question)
        counts["detected"] += detected
        title = before.citations[0].title if before.citations else ""
        deployed = engine.settings.dialogue.follow_up_rewrite if detected and before.answered else "none"
        for how in REWRITES:
            text = rewrite(second.question, Context(first.question, title), how)
            hit = _hit(engine.answers.ask(Query(text)), second.expected)
            counts[how] += hit
            counts["as_deployed"] += hit and how == deployed
    return counts


def main(path: Path) -> str:
    conversations = [c for c in load_conversations(path) if c.kb == "kb_samples"]
    opened = open_kb(resolve_kb("kb_samples"), Settings())
    try:
        counts = measure(opened.engine, conversations)
    finally:
        opened.close()
    n = len(conversations)
    lines = [f"kb_samples, {n} two-turn conversations", "", "| second turn retrieved with | answered correctly |",
             "|---|---:|"]
    lines += [f"| {how} | {counts[how]}/{n} ({counts[how] / n:.0%}) |" for how in REWRITES]
    lines += [f"| as deployed (detected follow-ups of answers only) | {counts['as_deployed']}/{n} |"]
    lines += ["", f"first turns right: {counts['first_turn']}/{n}; follow-ups detected: {counts['detected']}/{n}"]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else CONVERSATIONS))
