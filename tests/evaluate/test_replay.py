"""The conversation replay (python -m engine.evaluate.replay, docs/evals.md "Conversations replayed"): the dataset is
read with each turn's standalone rewrite, and a conversation is replayed turn by turn in one session on the real
engine, history turns asked but not scored."""

from __future__ import annotations

import pytest

from engine.evaluate.replay import DATASET, Dialogue, Turn, gap_closed, in_session, load, summarise, without_session
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
