"""Real multi-turn conversations replayed turn by turn through the conversation layer, as the widget would send them:
`python -m engine.evaluate.replay [--kb mtrag-govt] [--misses FILE]` prints a Markdown table (docs/evals.md,
"Conversations replayed").

Each labelled follow-up turn (not the first of its conversation) is asked three ways:
- **alone**: the turn as the customer typed it, in a new session (no conversation);
- **in session**: every turn of its conversation before it asked in one session first (`gold: null` history turns
  are replayed, not scored), then the turn itself, with each follow-up rewrite (`dialogue.follow_up_rewrite`);
- **rewrite**: the person's standalone rewrite of the turn (questions.jsonl), in a new session — the ceiling.

Correct: gold articles → answered with a gold article cited first; gold [] → not answered (escalated, or asked
back). Wrong: answered from anything else (a gold-[] turn answered at all). An `UNDERSPECIFIED` turn should get a
clarifying question (decision `clarify`); an answerable one should not. Asked "is it one of these?" (decision
`confirm`), the simulated customer of the evals answers: the first option that is a gold page, else "None of
these" — the turn is scored on what follows (an answer from the pick, or an escalation).
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from engine.config import Settings
from engine.evaluate.kbs import DEFAULT_CACHE, DEFAULT_KBS, open_kb, resolve_kb
from engine.types import Decision, Pick, Query, Question
from engine.wiring import Engine

DATASET = Path("evals/datasets/mtrag-govt")
KB = "mtrag-govt"
SESSION_REWRITES = ("title", "conversation")
"""The follow-up rewrites compared in session: the previous answer's title (before #23) and the conversation."""


@dataclass(frozen=True)
class Turn:
    question: str
    gold: tuple[str, ...] | None
    """None: an unlabelled history turn; (): nothing in the KB answers it."""
    label: str | None
    standalone: str | None = None


@dataclass(frozen=True)
class Dialogue:
    id: str
    source: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class Outcome:
    """One labelled turn asked one way: what the engine did and whether that was right."""

    conversation: str
    turn: int
    label: str
    way: str
    asked: str
    decision: str
    reason: str
    confidence: float
    cited: str | None
    gold: tuple[str, ...]
    answer: str

    @property
    def correct(self) -> bool:
        if self.gold:
            return self.decision == "answer" and self.cited in self.gold
        return self.decision != "answer"

    @property
    def wrong(self) -> bool:
        return self.decision == "answer" and not self.correct


def load(folder: Path = DATASET) -> list[Dialogue]:
    """conversations.jsonl with each labelled turn's standalone rewrite from questions.jsonl, where one was written."""
    rewrites: dict[str, str] = {}
    for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rewrites[row["id"]] = row["question"]
    dialogues = []
    for line in (folder / "conversations.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        turns = tuple(
            Turn(t["question"], None if t["gold"] is None else tuple(t["gold"]), t.get("label"),
                 rewrites.get(f"{row['id']}<::>{number}"))
            for number, t in enumerate(row["turns"], start=1)
        )
        dialogues.append(Dialogue(row["id"], row.get("source", ""), turns))
    return dialogues


def _outcome(dialogue: Dialogue, number: int, way: str, asked: str, decision: Decision) -> Outcome:
    turn = dialogue.turns[number - 1]
    cited = decision.citations[0].article_id if decision.citations else None
    text = decision.answer or decision.message or ""
    if decision.suggestions:
        text += " | " + " / ".join(s.title for s in decision.suggestions)
    return Outcome(dialogue.id, number, turn.label or "", way, asked, decision.decision, str(decision.reason),
                   round(decision.confidence, 3), cited, turn.gold or (), " ".join(text.split())[:300])


def _ask(engine: Engine, text: str, session_id: str | None, gold: Sequence[str] | None = None) -> Decision:
    """One turn as the customer sends it. Asked back "is it one of these?", the simulated customer of the evals picks
    the first option that is a gold page, else "None of these"; on a history turn (gold unknown) it takes the first."""
    reply = engine.conversation.ask(Question(Query(text), session_id=session_id, channel="eval"))
    if reply.decision.decision != "confirm":
        return reply.decision
    options = [s.article_id for s in reply.decision.suggestions]
    chosen = options[0] if gold is None else next((a for a in options if a in set(gold)), None)
    pick = Pick(reply.interaction_id, chosen)
    answer = Question(Query(text), session_id=reply.session_id, channel="eval", pick=pick)
    return engine.conversation.ask(answer).decision


def _scored(dialogue: Dialogue) -> Iterable[int]:
    """Turn numbers to score: labelled turns (the follow-up tables leave out first turns)."""
    return (n for n, t in enumerate(dialogue.turns, start=1) if t.gold is not None)


def in_session(engine: Engine, dialogues: Sequence[Dialogue], way: str) -> list[Outcome]:
    """Every conversation asked turn by turn in its own session, up to its last labelled turn."""
    outcomes = []
    for dialogue in dialogues:
        scored = set(_scored(dialogue))
        if not scored:
            continue
        session = f"replay-{uuid.uuid4().hex}"
        for number, turn in enumerate(dialogue.turns[: max(scored)], start=1):
            decision = _ask(engine, turn.question, session, turn.gold)
            if number in scored:
                outcomes.append(_outcome(dialogue, number, way, turn.question, decision))
    return outcomes


def without_session(engine: Engine, dialogues: Sequence[Dialogue], way: str) -> list[Outcome]:
    """Each scored turn in a new session: as typed ("alone") or as the person rewrote it ("rewrite")."""
    outcomes = []
    for dialogue in dialogues:
        for number in _scored(dialogue):
            turn = dialogue.turns[number - 1]
            text = turn.standalone if way == "rewrite" else turn.question
            if text is not None:
                outcomes.append(_outcome(dialogue, number, way, text, _ask(engine, text, None, turn.gold)))
    return outcomes


def run(  # noqa: PLR0913 (the gate passes its KB file and cache)
    kb: str = KB,
    folder: Path = DATASET,
    limit: int | None = None,
    rewrites: Sequence[str] = SESSION_REWRITES,
    kbs_file: Path = DEFAULT_KBS,
    cache_dir: Path = DEFAULT_CACHE,
) -> list[Outcome]:
    """Every way (the session once per follow-up rewrite in `rewrites`, the last of which also asks each turn alone
    and as the person's rewrite), on a fresh events database (the KB's cached index is reused)."""
    dialogues = load(folder)[:limit]
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="replay-") as scratch:
        for rewrite in rewrites:
            settings = Settings(database_url=f"sqlite:///{scratch}/{rewrite}.db")
            settings = settings.model_copy(
                update={"dialogue": settings.dialogue.model_copy(update={"follow_up_rewrite": rewrite})})
            opened = open_kb(resolve_kb(kb, kbs_file), settings, cache_dir)
            try:
                if rewrite == rewrites[-1]:
                    outcomes += without_session(opened.engine, dialogues, "alone")
                    outcomes += without_session(opened.engine, dialogues, "rewrite")
                outcomes += in_session(opened.engine, dialogues, f"session:{rewrite}")
            finally:
                opened.close()
    return outcomes


WAYS = {
    "alone": "(a) the turn alone, no session",
    "session:title": "(b0) in session, previous answer's title (before)",
    "session:conversation": "(b) in session, the conversation (now)",
    "rewrite": "(c) the person's standalone rewrite (ceiling)",
}


@dataclass(frozen=True)
class Row:
    turns: int
    correct: int
    answered: int
    wrong: int
    unanswerable: int
    unanswerable_escalated: int
    underspecified: int
    underspecified_clarified: int
    answerable: int
    answerable_clarified: int

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.answered if self.answered else 0.0


def summarise(outcomes: Sequence[Outcome]) -> Row:
    unanswerable = [o for o in outcomes if o.label == "UNANSWERABLE"]
    underspecified = [o for o in outcomes if o.label == "UNDERSPECIFIED"]
    answerable = [o for o in outcomes if o.gold]
    return Row(
        turns=len(outcomes),
        correct=sum(o.correct for o in outcomes),
        answered=sum(o.decision == "answer" for o in outcomes),
        wrong=sum(o.wrong for o in outcomes),
        unanswerable=len(unanswerable),
        unanswerable_escalated=sum(o.decision == "escalate" for o in unanswerable),
        underspecified=len(underspecified),
        underspecified_clarified=sum(o.decision == "clarify" for o in underspecified),
        answerable=len(answerable),
        answerable_clarified=sum(o.decision == "clarify" for o in answerable),
    )


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "—"


def table(outcomes: Sequence[Outcome], title: str, keys: set[tuple[str, int]] | None = None) -> list[str]:
    """One row per way, over the turns in `keys` (default: every scored turn)."""
    lines = [f"#### {title}", "",
             "| asked as | accuracy | wrong (of answered) | unanswerable escalated | UNDERSPECIFIED asked back "
             "| answerable asked back |", "|---|---:|---:|---:|---:|---:|"]
    for way, label in WAYS.items():
        picked = [o for o in outcomes if o.way == way and (keys is None or (o.conversation, o.turn) in keys)]
        if not picked:
            continue
        row = summarise(picked)
        lines.append(
            f"| {label} | {_pct(row.correct, row.turns)} | {_pct(row.wrong, row.answered)} "
            f"| {_pct(row.unanswerable_escalated, row.unanswerable)} "
            f"| {_pct(row.underspecified_clarified, row.underspecified)} "
            f"| {_pct(row.answerable_clarified, row.answerable)} |"
        )
    return [*lines, ""]


def gap_closed(outcomes: Sequence[Outcome], keys: set[tuple[str, int]]) -> float | None:
    """(b − a) / (c − a) in accuracy over `keys`: the share of the gap between the turn alone and the person's
    rewrite that the conversation closes."""
    def accuracy(way: str) -> int:
        return sum(o.correct for o in outcomes if o.way == way and (o.conversation, o.turn) in keys)
    alone, ceiling = accuracy("alone"), accuracy("rewrite")
    return (accuracy("session:conversation") - alone) / (ceiling - alone) if ceiling != alone else None


def metrics(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """What the gate's [conversations] table bounds, for the session with the conversation (b): on the follow-ups
    with a person's rewrite, accuracy, wrong-answer rate and the share of the gap from (a) to (c) closed; on every
    labelled turn, accuracy, wrong-answer rate, unanswerable turns escalated and UNDERSPECIFIED turns asked back."""
    follow_ups = [o for o in outcomes if o.turn > 1]
    rewritten = {(o.conversation, o.turn) for o in follow_ups if o.way == "rewrite"}
    session = [o for o in outcomes if o.way == "session:conversation"]
    every = summarise(session)
    values: dict[str, float] = {}
    for name, row in (("followups", summarise([o for o in session if (o.conversation, o.turn) in rewritten])),
                      ("all", every)):
        if row.turns:
            values[f"{name}.accuracy"] = round(row.correct / row.turns, 4)
            values[f"{name}.wrong_rate"] = round(row.wrong_rate, 4)
    if every.unanswerable:
        values["all.unanswerable_escalated"] = round(every.unanswerable_escalated / every.unanswerable, 4)
    if every.underspecified:
        values["all.underspecified_asked_back"] = round(every.underspecified_clarified / every.underspecified, 4)
    closed = gap_closed(follow_ups, rewritten)
    if closed is not None:
        values["followups.gap_closed"] = round(closed, 4)
    return values


def report(outcomes: Sequence[Outcome]) -> str:
    follow_ups = [o for o in outcomes if o.turn > 1]
    rewritten = {(o.conversation, o.turn) for o in follow_ups if o.way == "rewrite"}
    everything = {(o.conversation, o.turn) for o in follow_ups if o.way == "alone"}
    labelled = {(o.conversation, o.turn) for o in outcomes if o.way == "alone"}
    closed = gap_closed(follow_ups, rewritten)
    lines = [
        *table(follow_ups, f"Follow-up turns with a person's rewrite ({len(rewritten)}: the fully labelled "
                           "conversations)", rewritten),
        f"Share of the gap from (a) to (c) closed by (b): {closed:.0%}" if closed is not None else "",
        "",
        *table([o for o in follow_ups if o.way != "rewrite"], f"Every labelled follow-up turn ({len(everything)})"),
        *table([o for o in outcomes if o.way != "rewrite"], f"Every labelled turn, first turns too ({len(labelled)})"),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str]) -> str:
    args = list(argv)
    misses = _option(args, "--misses")
    kb = _option(args, "--kb") or KB
    limit = _option(args, "--limit")
    outcomes = run(kb, Path(args[0]) if args else DATASET, int(limit) if limit else None)
    if misses:
        Path(misses).write_text("".join(json.dumps(asdict(o)) + "\n" for o in outcomes), encoding="utf-8")
    return report(outcomes)


def _option(args: list[str], name: str) -> str | None:
    if name not in args:
        return None
    at = args.index(name)
    value = args[at + 1]
    del args[at : at + 2]
    return value


if __name__ == "__main__":
    print(main(sys.argv[1:]))
