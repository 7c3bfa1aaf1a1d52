"""The conversation replay (python -m engine.evaluate.replay, docs/evals.md "Conversations replayed"): the dataset is
read with each turn's standalone rewrite, and a conversation is replayed turn by turn in one session on the real
engine, history turns asked but not scored."""

from __future__ import annotations

import pytest

from engine.evaluate.gate import load_table_check
from engine.evaluate.replay import (
    DATASET,
    Dialogue,
    Outcome,
    Turn,
    gap_closed,
    in_session,
    load,
    metrics,
    summarise,
    without_session,
)
from engine.wiring import Engine
from tests.conftest import ROOT


def test_mtrag_govt_is_read_with_its_labels_and_the_persons_rewrites() -> None:
    dialogues = load(ROOT / DATASET)
    labelled = [t for d in dialogues for t in d.turns if t.gold is not None]
    assert len(dialogues) == 185 and len(labelled) == 371
    assert sum(t.standalone is not None for t in labelled) == 213
    first = dialogues[0].turns[1]
    assert (first.question, first.standalone) == ("What items should I keep?", "What items should I keep in the safe room?")
    assert sum(t.label == "UNDERSPECIFIED" and t.gold == () for t in labelled) == 25


SLACK = Dialogue("slack", "test", (
    Turn("how do I set up the Slack integration?", None, None),
    Turn("which notifications get posted to the channel?", ("integrations/slack",), "ANSWERABLE",
         "which Fluxboard notifications does the Slack integration post to the channel?"),
    Turn("can I order pizza from the app?", (), "UNANSWERABLE"),
))


@pytest.mark.integration
def test_a_conversation_is_replayed_in_one_session_and_its_follow_up_scored(ticking_kb_engine: Engine) -> None:
    session = in_session(ticking_kb_engine, [SLACK], "session:conversation")
    alone = without_session(ticking_kb_engine, [SLACK], "alone")
    rewrite = without_session(ticking_kb_engine, [SLACK], "rewrite")

    assert [(o.turn, o.label) for o in session] == [(2, "ANSWERABLE"), (3, "UNANSWERABLE")]
    assert session[0].correct and session[0].cited == "integrations/slack"
    assert not alone[0].correct and [o.turn for o in rewrite] == [2] and rewrite[0].correct
    row = summarise(session)
    assert (row.turns, row.answerable, row.unanswerable) == (2, 1, 1)
    assert gap_closed([*session, *alone, *rewrite], {("slack", 2)}) == 1.0


def _outcome(conversation: str, turn: int, way: str, decision: str, cited: str | None,
             gold: tuple[str, ...], label: str = "ANSWERABLE") -> Outcome:
    return Outcome(conversation, turn, label, way, "q", decision, "answered", 0.9, cited, gold, "a")


def test_the_gates_conversation_metrics_are_the_sessions_accuracy_wrong_rate_and_gap_closed() -> None:
    outcomes = [
        # follow-up with a person's rewrite: alone wrong, in session right, rewrite right
        _outcome("c1", 2, "alone", "answer", "x", ("g",)),
        _outcome("c1", 2, "session:conversation", "answer", "g", ("g",)),
        _outcome("c1", 2, "rewrite", "answer", "g", ("g",)),
        # follow-up with a rewrite: all three answer wrongly
        _outcome("c1", 3, "alone", "answer", "x", ("g",)),
        _outcome("c1", 3, "session:conversation", "answer", "x", ("g",)),
        _outcome("c1", 3, "rewrite", "answer", "x", ("g",)),
        # a first turn, and an unanswerable follow-up without a rewrite that the session escalates
        _outcome("c2", 1, "session:conversation", "answer", "g", ("g",)),
        _outcome("c2", 2, "session:conversation", "escalate", None, (), "UNANSWERABLE"),
        _outcome("c2", 2, "alone", "answer", "x", (), "UNANSWERABLE"),
        # two UNDERSPECIFIED turns ("the park"): one asked back, one escalated
        _outcome("c3", 1, "session:conversation", "clarify", None, (), "UNDERSPECIFIED"),
        _outcome("c3", 2, "session:conversation", "escalate", None, (), "UNDERSPECIFIED"),
    ]

    assert metrics(outcomes) == {
        "followups.accuracy": 0.5, "followups.wrong_rate": 0.5, "followups.gap_closed": 1.0,
        "all.accuracy": round(5 / 6, 4), "all.wrong_rate": round(1 / 3, 4), "all.unanswerable_escalated": 1.0,
        "all.underspecified_asked_back": 0.5,
    }


def test_the_shipped_gate_bounds_the_replay_with_the_issues_targets() -> None:
    check = load_table_check(ROOT / "evals" / "thresholds.toml", "conversations")

    assert check is not None and check.cases == DATASET and not check.ci
    assert check.minimums["followups.gap_closed"] >= 0.5 and check.maximums["followups.wrong_rate"] <= 0.15
    assert check.maximums["all.wrong_rate"] <= 0.15
    assert set(check.minimums) | set(check.maximums) <= {
        "followups.accuracy", "followups.wrong_rate", "followups.gap_closed",
        "all.accuracy", "all.wrong_rate", "all.unanswerable_escalated", "all.underspecified_asked_back"}
