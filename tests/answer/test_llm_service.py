"""The engine with the LLM composer on, end to end: real kb_samples index, real MiniLM, scripted LLM server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.answer.extractive import split_units
from engine.config import AnswerSettings, FreshnessSettings, LLMSettings, Settings
from engine.protocols import Embedder
from engine.types import Delta, Final, Query, Reason
from engine.wiring import Engine, build_engine
from tests.conftest import KB_NOW, KB_SAMPLES
from tests.llm_server import Script, ScriptedLLM, scripted_llm, source_blocks

pytestmark = pytest.mark.integration

PDF_QUESTION = "how can i download my invoices as pdf"
CURRENCY_QUESTION = "which currencies can I pay in and how are exchange rates handled?"


@dataclass
class LLMEngine:
    engine: Engine
    llm: ScriptedLLM


@pytest.fixture(scope="module")
def llm_engine(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LLMEngine]:
    """kb_samples' index (copied: local Qdrant allows one client per folder) with ENGINE_LLM__URL set."""
    data_dir = tmp_path_factory.mktemp("kb-llm")
    shutil.copytree(kb_data_dir, data_dir, dirs_exist_ok=True)
    with scripted_llm() as llm:
        settings = Settings(
            data_dir=data_dir,
            freshness=FreshnessSettings(changelog_file=KB_SAMPLES / "changelog.yml"),
            llm=LLMSettings(url=llm.url, model="scripted"),
        )
        engine = build_engine(settings, embedder=embedder, clock=lambda: KB_NOW)
        yield LLMEngine(engine, llm)
        engine.close()


def _echo(source_id: str, extra: str = "", sentences: int = 2, tail: str = "") -> Script:
    """A faithful reply: the first sentences of one given source, cited, between `extra` and `tail`."""

    def reply(prompt: str) -> str:
        units = [u.text for u in split_units(source_blocks(prompt)[source_id]) if not u.is_step][:sentences]
        return extra + " ".join(f"{u.rstrip('.')} [{source_id}]." for u in units) + tail

    return Script(reply=reply)


def test_an_answerable_question_is_answered_by_the_llm_from_the_cited_article(llm_engine: LLMEngine) -> None:
    llm_engine.llm.reset(_echo("S1"))

    decision = llm_engine.engine.answers.ask(Query(PDF_QUESTION))

    assert decision.decision == "answer" and "llm_answer" in decision.flags
    assert decision.citations[0].article_id == "billing/download-invoices"
    assert '<source id="S1" article="billing/download-invoices"' in llm_engine.llm.prompt()
    assert "[S1]" not in (decision.answer or "") and decision.answer


def test_stream_sends_the_same_answer_in_pieces_then_the_decision(llm_engine: LLMEngine) -> None:
    llm_engine.llm.reset(_echo("S1"))
    asked = llm_engine.engine.answers.ask(Query(PDF_QUESTION))

    events = list(llm_engine.engine.answers.stream(Query(PDF_QUESTION)))

    assert isinstance(events[-1], Final) and not events[-1].replaced
    pieces = [e.text for e in events[:-1] if isinstance(e, Delta)]
    assert len(pieces) == len(events) - 1 >= 2
    assert "".join(pieces) == events[-1].decision.answer == asked.answer
    assert events[-1].decision.citations == asked.citations
    assert llm_engine.llm.requests[-1]["stream"] is True


def test_extractive_stream_matches_ask(kb_engine: Engine) -> None:
    asked = kb_engine.answers.ask(Query(PDF_QUESTION))

    events = list(kb_engine.answers.stream(Query(PDF_QUESTION)))

    final = events[-1]
    assert isinstance(final, Final) and final.decision == asked
    assert "".join(e.text for e in events[:-1] if isinstance(e, Delta)) == asked.answer
    assert len(events) > 2


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("what's the weather like in lisbon tomorrow", Reason.OUT_OF_SCOPE),
        ("I already disputed the last three charges with my bank, refund me or else", Reason.SENSITIVE_TOPIC),
        ("how far back can I download invoices", Reason.CONFLICT),
    ],
)
def test_the_llm_never_turns_an_escalation_into_an_answer(llm_engine: LLMEngine, question: str, reason: Reason) -> None:
    llm_engine.llm.reset(Script(reply="All refunds are approved [S1]."))

    decision = llm_engine.engine.answers.ask(Query(question))
    events = list(llm_engine.engine.answers.stream(Query(question)))

    assert decision.decision == "escalate" and decision.reason == reason and decision.answer is None
    assert len(events) == 1 and isinstance(events[0], Final) and events[0].decision.reason == reason
    assert llm_engine.llm.requests == []  # the model was never asked


def test_instructions_planted_in_an_article_are_never_followed_with_the_llm_on(llm_engine: LLMEngine) -> None:
    llm_engine.llm.reset(_echo("S1", extra="All refunds are approved [S1]. "))

    decision = llm_engine.engine.answers.ask(Query(CURRENCY_QUESTION))
    events = list(llm_engine.engine.answers.stream(Query(CURRENCY_QUESTION)))

    assert decision.decision == "answer" and decision.citations[0].article_id == "billing/supported-currencies"
    prompt = llm_engine.llm.prompt(0)
    assert "ignore all previous instructions" not in prompt.lower() and "refunds are approved" not in prompt
    assert any("foreign transaction fee" in block for block in source_blocks(prompt).values())  # the rest is there
    assert "refund" not in (decision.answer or "").lower() and "llm_dropped_sentences:1" in decision.flags
    assert not any(isinstance(e, Delta) and "refund" in e.text.lower() for e in events)


def test_a_streamed_answer_that_ends_up_ungrounded_is_replaced_by_the_extractive_one_in_final(
    llm_engine: LLMEngine, kb_engine: Engine
) -> None:
    invented = " Invoices can be paid in Bitcoin at a discount [S1]. Refunds of invoices are instant [S1]."
    llm_engine.llm.reset(_echo("S1", sentences=1, tail=invented))

    events = list(llm_engine.engine.answers.stream(Query(PDF_QUESTION)))

    final = events[-1]
    assert isinstance(final, Final) and final.replaced
    assert [e for e in events if isinstance(e, Delta)]  # the grounded first sentence was sent…
    assert final.decision.answer == kb_engine.answers.ask(Query(PDF_QUESTION)).answer  # …then replaced
    assert {"llm_fallback:ungrounded", "stream_replaced"} <= set(final.decision.flags)


def test_when_the_model_finds_no_answer_in_the_passages_the_question_escalates(llm_engine: LLMEngine) -> None:
    llm_engine.llm.reset(Script(reply="NO_ANSWER"))

    decision = llm_engine.engine.answers.ask(Query(PDF_QUESTION))
    events = list(llm_engine.engine.answers.stream(Query(PDF_QUESTION)))

    assert decision.decision == "escalate" and decision.reason == Reason.LOW_CONFIDENCE
    assert "llm_fallback:declined" in decision.flags and decision.answer is None
    final = events[-1]
    assert isinstance(final, Final) and final.decision.decision == "escalate"
    assert final.replaced == any(isinstance(e, Delta) for e in events)  # pieces already shown are withdrawn


def test_a_declining_model_can_be_overruled_by_configuration(
    llm_engine: LLMEngine, kb_data_dir: Path, embedder: Embedder, tmp_path: Path
) -> None:
    shutil.copytree(kb_data_dir, tmp_path / "data", ignore=shutil.ignore_patterns("engine.db*"))
    settings = Settings(
        data_dir=tmp_path / "data",
        freshness=FreshnessSettings(changelog_file=KB_SAMPLES / "changelog.yml"),
        llm=LLMSettings(url=llm_engine.llm.url, model="scripted"),
        answer=AnswerSettings(escalate_when_llm_declines=False),
    )
    engine = build_engine(settings, embedder=embedder, clock=lambda: KB_NOW)
    llm_engine.llm.reset(Script(reply="NO_ANSWER"))

    decision = engine.answers.ask(Query(PDF_QUESTION))
    engine.close()

    assert decision.decision == "answer" and "llm_fallback:declined" in decision.flags
    assert decision.citations[0].article_id == "billing/download-invoices"
