""""Is it one of these?" (issue #23): the band, the options, the decision, a pick, over the real kb_samples index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.answer.calibration import choose_band
from engine.answer.confidence import load_confidence
from engine.answer.confirm import Band, band_of, options
from engine.config import AnswerSettings
from engine.protocols import Embedder
from engine.types import Article, Candidate, Chunk, Query, Reason, ScoredChunk
from engine.wiring import Engine, build_engine
from tests.conftest import KB_NOW, kb_settings

READ_ONLY = "our workspace went READ ONLY?? nobody can edit anything. we did get some emails about the card i think"
BAND = AnswerSettings(confirm=True, confirm_from=0.25, confirm_below=0.85)


def _candidate(article_id: str, title: str, fused: float) -> Candidate:
    chunk = Chunk(f"{article_id}#0", article_id, 0, (title,), None, "text", "text", "h")
    return Candidate(Article(article_id, title, "body"), (ScoredChunk(chunk, 1.0, 0.5, fused),))


def test_the_band_holds_from_its_lower_edge_up_to_but_not_its_upper_edge() -> None:
    band = Band(0.3, 0.8)
    assert band.holds(0.3) and band.holds(0.79) and not band.holds(0.8) and not band.holds(0.29)
    assert band_of(None, 0.8) is None and band_of(0.5, 0.5) is None and band_of(0.3, 0.8) == band


def test_options_are_the_best_distinct_titles_at_most_the_limit() -> None:
    found = (_candidate("a", "Reset password", 0.9), _candidate("a-copy", "reset password ", 0.8),
             _candidate("b", "Two-factor", 0.7), _candidate("c", "Login problems", 0.6), _candidate("d", "SSO", 0.5))

    offered = options(found, 3)

    assert [o.article_id for o in offered] == ["a", "b", "c"]
    assert offered[0].title == "Reset password" and offered[0].question == "Reset password"


def test_the_band_is_chosen_from_the_direct_wrong_rate_and_the_share_of_options_that_hold_the_answer() -> None:
    # Eight answerable questions. From 0.85 one of two answers is wrong (0.5), from 0.65 one of four (0.25), from 0.55
    # two of five (0.4): high = 0.65. Under the threshold 0.5: [0.45, 0.5) holds 0.45 (offered): share 1; [0.3, 0.5)
    # adds 0.3 (not offered): 1/2, still enough; [0.2, 0.5) adds 0.2 (not): 1/3 → low = 0.3.
    confidence = [0.95, 0.85, 0.7, 0.65, 0.55, 0.45, 0.3, 0.2]
    correct = [True, False, True, True, False, False, False, False]
    offered = [True, True, True, True, True, True, False, False]
    band = choose_band(confidence, correct, offered, [True] * 8, 0.5, direct_wrong_rate=0.25, min_pick_share=0.5)

    assert (band.low, band.high) == (0.3, 0.65)
    assert band.direct_wrong_rate == 0.25 and band.pick_share == 0.5


def test_the_packaged_calibration_has_a_band_around_the_answer_threshold() -> None:
    model = load_confidence(None)
    band = band_of(model.confirm_from, model.confirm_below)
    assert band is not None and band.low < model.threshold < band.high


pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def confirming(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    settings = kb_settings(kb_data_dir, answer=BAND)
    engine = build_engine(settings, embedder=embedder, clock=lambda: KB_NOW)
    yield engine
    engine.close()


def test_a_question_in_the_band_is_asked_back_with_the_best_titles_and_no_answer(confirming: Engine) -> None:
    decision = confirming.answers.ask(Query(READ_ONLY))

    assert decision.decision == "confirm" and decision.reason == Reason.UNSURE
    assert decision.answer is None and decision.citations == ()
    assert 0.25 <= decision.confidence < 0.85
    offered = [s.article_id for s in decision.suggestions]
    assert 2 <= len(offered) <= 3 and "billing/failed-payments-and-dunning" in offered
    assert offered[0] == decision.candidates[0].article.id  # the article it would have answered from comes first


def test_without_the_step_the_same_question_is_answered_from_the_first_article(confirming: Engine) -> None:
    decision = confirming.answers.ask(Query(READ_ONLY), confirm=False)

    assert decision.decision == "answer" and decision.citations[0].article_id == "billing/cancel-subscription"


def test_a_pick_answers_from_the_article_picked(confirming: Engine) -> None:
    decision = confirming.answers.ask(Query(READ_ONLY), chosen="billing/failed-payments-and-dunning")

    assert decision.decision == "answer" and decision.reason == Reason.PICKED
    assert decision.citations[0].article_id == "billing/failed-payments-and-dunning"
    body = confirming.index.get().articles["billing/failed-payments-and-dunning"].body
    assert decision.answer and "Past due" in decision.answer
    assert " ".join(decision.answer.split("\n")[0].split()) in " ".join(body.split())  # quoted from that article


def test_a_pick_of_an_article_the_asker_may_not_see_is_not_answered(confirming: Engine) -> None:
    picked = confirming.answers.ask(Query(READ_ONLY), chosen="admin/scim-provisioning")  # admins only

    assert picked.decision == "escalate" and picked.reason == Reason.NO_MATCH and picked.citations == ()


def test_clear_answers_sensitive_topics_and_off_topic_messages_are_never_asked_back(confirming: Engine) -> None:
    clear = confirming.answers.ask(Query("how can i download my invoices as pdf"))
    sensitive = confirming.answers.ask(Query("I filed a chargeback with my bank, refund me now"))
    off_topic = confirming.answers.ask(Query("write me a poem about the sea"))

    assert clear.decision == "answer" and clear.confidence >= 0.85
    assert sensitive.decision == "escalate" and sensitive.reason == Reason.SENSITIVE_TOPIC
    assert off_topic.decision == "escalate" and off_topic.reason in (Reason.OUT_OF_SCOPE, Reason.NO_MATCH)


def test_a_raised_upper_edge_asks_back_what_would_be_answered_and_leaves_a_surer_answer_alone(
    confirming: Engine,
) -> None:
    question = Query("how can i download my invoices as pdf")
    answered = confirming.answers.ask(question)

    asked = confirming.answers.ask(question, sure_from=min(answered.confidence + 0.01, 1.0))
    still = confirming.answers.ask(question, sure_from=answered.confidence)

    assert asked.decision == "confirm" and asked.reason == Reason.UNSURE and asked.answer is None
    assert asked.suggestions[0].article_id == answered.citations[0].article_id
    assert still.decision == "answer" and still.answer == answered.answer
