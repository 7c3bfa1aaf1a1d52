"""Follow-ups answered from the right article, with and without the previous turn as context:
`python -m engine.evaluate.followups [conversations.jsonl]` asks each conversation on its own KB (its `kb`) and prints
a Markdown table, a column per KB plus the total (docs/evals.md, "Follow-ups").
A second turn counts as answered correctly when it is answered and its first citation is an expected article."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from engine.config import Settings
from engine.dialogue.followup import REWRITES, Context, choose, expand, is_follow_up, rewrite
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


def measure(engine: Engine, conversations: list[Conversation], verbose: bool = False) -> dict[str, int]:
    """Second turns answered from an expected article, per rewrite; plus first turns right and follow-ups detected."""
    counts: dict[str, int] = {"first_turn": 0, "detected": 0, "as_deployed": 0, "chosen": 0, "chosen_deployed": 0,
                              "conversation": 0, "chosen_conversation": 0, **{how: 0 for how in REWRITES}}
    idf = engine.index.get().keyword.idf
    setting = engine.settings.dialogue.follow_up_rewrite
    legacy = setting if setting in REWRITES else "title"  # the rewrite deployed before #23
    for case in conversations:
        first, second = case.first, case.second
        before = engine.answers.ask(Query(first.question))
        counts["first_turn"] += _hit(before, first.expected)
        detected = is_follow_up(second.question)
        counts["detected"] += detected
        title = before.citations[0].title if before.citations else ""
        deployed = legacy if detected and before.answered else "none"
        decisions = {how: engine.answers.ask(Query(rewrite(second.question, Context(first.question, title), how)))
                     for how in REWRITES}
        for how, decision in decisions.items():
            hit = _hit(decision, second.expected)
            counts[how] += hit
            counts["as_deployed"] += hit and how == deployed
        expanded = engine.answers.ask(Query(expand(second.question, [Context(first.question, title)], idf)))
        counts["conversation"] += _hit(expanded, second.expected)
        counts["chosen_conversation"] += _hit(choose(decisions["none"], expanded), second.expected)
        chosen = choose(decisions["none"], decisions[legacy])
        counts["chosen"] += _hit(chosen, second.expected)
        counts["chosen_deployed"] += _hit(chosen if deployed != "none" else decisions["none"], second.expected)
        if verbose and not _hit(chosen, second.expected):
            _explain(case, decisions["none"], decisions[legacy], chosen)
    return counts


def _explain(case: Conversation, alone: Decision, context: Decision, chosen: Decision) -> None:
    """A miss of the chosen query, with both candidates' confidence, first citation and opening words."""
    print(f"## {case.id} ({case.kb}): {case.first.question!r} -> {case.second.question!r}; "
          f"expected {case.second.expected}")
    for name, decision in (("alone", alone), ("context", context)):
        mark = "*" if decision is chosen else " "
        cited = decision.citations[0].article_id if decision.citations else "-"
        words = " ".join((decision.answer or decision.reason).split())[:160]
        print(f"  {mark}{name}: {decision.decision} {decision.confidence:.2f} {cited}: {words}")


LABELS = {
    "none": "the message alone",
    "question": "previous question + message",
    "title": "cited article's title + message",
    "both": "both + message",
    "as_deployed": "as deployed before: title (detected follow-ups of answers only)",
    "chosen": "alone or title + message, whichever is more confident",
    "chosen_deployed": "as deployed before #23: that choice (detected follow-ups of answers only)",
    "conversation": "the conversation's most specific words + message (#23)",
    "chosen_conversation": "as deployed now (#23): alone or the conversation, whichever is more confident",
    "first_turn": "first turn right",
    "detected": "second turn detected as a follow-up",
}


def main(path: Path, verbose: bool = False) -> str:
    """Each conversation asked on its own KB; a column per KB plus the total."""
    conversations = load_conversations(path)
    kbs = sorted({c.kb for c in conversations}, key=lambda kb: (kb != "kb_samples", kb))
    per_kb: dict[str, tuple[int, dict[str, int]]] = {}
    for kb in kbs:
        cases = [c for c in conversations if c.kb == kb]
        opened = open_kb(resolve_kb(kb), Settings())
        try:
            per_kb[kb] = (len(cases), measure(opened.engine, cases, verbose))
        finally:
            opened.close()
    n_all = sum(n for n, _ in per_kb.values())
    total = {key: sum(counts[key] for _, counts in per_kb.values()) for key in LABELS}
    columns = [*per_kb.items(), ("overall", (n_all, total))]
    lines = [f"{n_all} two-turn conversations", "",
             "| second turn retrieved with | " + " | ".join(f"{kb} ({n})" for kb, (n, _) in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for key, label in LABELS.items():
        cells = [f"{counts[key]}/{n} ({counts[key] / n:.0%})" for _, (n, counts) in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    paths = [a for a in sys.argv[1:] if a != "--misses"]
    print(main(Path(paths[0]) if paths else CONVERSATIONS, verbose="--misses" in sys.argv))
