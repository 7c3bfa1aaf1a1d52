"""A follow-up answered through the conversation's words is answered outright only from dialogue.follow_up_sure_from;
below it (with the confirm step on) the customer is asked "is it one of these?". Real kb_samples index and model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.config import AnswerSettings, DialogueSettings
from engine.protocols import Embedder
from engine.types import Decision, Query, Question
from engine.wiring import build_engine
from tests.conftest import KB_NOW, kb_settings

pytestmark = pytest.mark.integration
FIRST = "how do I set up the Slack integration?"
FOLLOW_UP = "which notifications get posted to the channel?"


def _follow_up(data: Path, embedder: Embedder, sure_from: float) -> Decision:
    settings = kb_settings(data, answer=AnswerSettings(confirm=True, confirm_from=0.25, confirm_below=0.85),
                           dialogue=DialogueSettings(follow_up_sure_from=sure_from))
    engine = build_engine(settings, embedder=embedder, clock=lambda: KB_NOW)
    try:
        first = engine.conversation.ask(Question(Query(FIRST), channel="widget"))
        follow = engine.conversation.ask(Question(Query(FOLLOW_UP), session_id=first.session_id, channel="widget"))
        return follow.decision
    finally:
        engine.close()


def test_a_follow_up_read_through_the_conversation_is_asked_back_below_the_raised_edge(
    kb_data_dir: Path, embedder: Embedder, tmp_path: Path
) -> None:
    shutil.copytree(kb_data_dir, tmp_path / "data", ignore=shutil.ignore_patterns("engine.db*"))

    outright = _follow_up(tmp_path / "data", embedder, sure_from=0.0)
    asked = _follow_up(tmp_path / "data", embedder, sure_from=1.0)

    assert outright.decision == "answer" and outright.citations[0].article_id == "integrations/slack"
    assert asked.decision == "confirm" and asked.answer is None
    assert asked.suggestions[0].article_id == "integrations/slack"
