"""Answers never point at what the customer cannot see, start at a sentence boundary and end with the passage that
answers."""

from __future__ import annotations

import pytest

from engine.answer.composer import AnswerRequest
from engine.answer.extractive import CONCISE_CHARS, ExtractiveComposer
from engine.answer.unseen import refers_to_unseen, visible
from engine.types import Article, Candidate, Chunk, ScoredChunk


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Click the button below to cancel your plan.", "Click the button to cancel your plan."),
        ("Go to Settings (see below) and click Save.", "Go to Settings and click Save."),
        ("As shown below, the dashboard lists your goals.", "The dashboard lists your goals."),
        ("Watch this video to learn more.", None),
        ("See below for details.", None),
        ("If you're receiving an error when publishing, click here.", None),
        ("Versions 7.0 and above are affected.", "Versions 7.0 and above are affected."),
        ("Enter the price above which shipping is free.", "Enter the price above which shipping is free."),
        ("You can add a video to any page.", "You can add a video to any page."),
        ("[Click here to reset your password](https://x/reset).", "[Click here to reset your password](https://x/reset)."),
    ],
)
def test_references_to_what_is_not_shown_are_rewritten_or_dropped(sentence: str, expected: str | None) -> None:
    assert visible(sentence) == expected
    assert refers_to_unseen(sentence) == (expected != sentence)


def _request(text: str, terms: tuple[str, ...], weights: dict[str, float]) -> AnswerRequest:
    chunk = Chunk("a#0", "a", 0, ("Plans",), "plans", text, text, "h")
    candidate = Candidate(Article(id="a", title="Plans", body=text), (ScoredChunk(chunk, 1, 0.8, 0.9),))
    return AnswerRequest("how do I cancel my plan?", terms, (candidate,), lambda t: weights.get(t, 0.0))


def test_the_composed_answer_drops_a_video_line_and_rewrites_the_button_below() -> None:
    text = ("Watch this video to see how plans work.\n\nTo cancel your plan, click the button below and confirm.\n\n"
            "Your plan stays active until the end of the billing period.")

    answer = ExtractiveComposer(900).compose(_request(text, ("cancel", "plan"), {"cancel": 2.0})).answer

    assert "video" not in answer and "To cancel your plan, click the button and confirm." in answer
    assert not refers_to_unseen(answer)


def test_an_answer_never_starts_mid_sentence() -> None:
    text = "and then it syncs overnight. Plans renew every month. You can cancel a plan at any time from Billing."

    answer = ExtractiveComposer(900).compose(_request(text, ("cancel", "plan"), {"cancel": 2.0})).answer

    assert answer.startswith("Plans renew every month.")


def test_a_long_section_is_answered_by_its_best_paragraph_not_the_whole_section() -> None:
    filler = " ".join(f"Sentence {i} talks about something else entirely." for i in range(8))
    text = (f"{filler}\n\nTo cancel a plan, open Billing and click Cancel plan. The plan stays active until the end "
            f"of the period.\n\n{filler}\n\n{filler}")

    answer = ExtractiveComposer(900).compose(_request(text, ("cancel",), {"cancel": 2.0})).answer

    assert answer.startswith("To cancel a plan, open Billing") and len(answer) <= CONCISE_CHARS + 400
    assert len(answer) < len(text) // 2


def test_a_step_list_is_never_cut_at_the_concise_length() -> None:
    steps = "\n".join(f"{i}. Click the item number {i} in the list of cancellation settings." for i in range(1, 10))
    text = f"To cancel your plan:\n\n{steps}\n\nSomething else about invoices entirely."

    answer = ExtractiveComposer(900).compose(_request(text, ("cancel",), {"cancel": 2.0})).answer

    assert answer.startswith("To cancel your plan:") and "9. Click the item number 9" in answer
