"""Answers never point at what the customer cannot see, start at a sentence boundary and end with the passage that
answers."""

from __future__ import annotations

import pytest

from engine.answer.composer import AnswerRequest
from engine.answer.extractive import ExtractiveComposer
from engine.answer.unseen import refers_to_unseen, visible
from engine.boundaries import names_in, restore_boundaries
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


def test_glued_sentences_and_headings_get_their_boundaries_back_but_code_and_names_do_not() -> None:
    body = ("Make sure you set up payments.You can also accept cash.Cards work too. Troubleshooting declined "
            "paymentsTroubleshooting issues while placing an orderIf your customer cannot pay, set maxThreads and "
            "com.ibm.ws.WebContainer on WordPress. WordPress sites work too.")

    restored = restore_boundaries(body, names_in(body))

    assert "payments. You can also accept cash. Cards work" in restored
    assert "declined payments\nTroubleshooting issues while placing an order\nIf your customer" in restored
    assert "maxThreads" in restored and "com.ibm.ws.WebContainer" in restored and "on WordPress." in restored
    assert restore_boundaries("One glued sentence.Only one, so paymentsTroubleshooting stays.") == \
        "One glued sentence. Only one, so paymentsTroubleshooting stays."


def test_a_glued_plain_text_answer_is_quoted_with_its_boundaries() -> None:
    text = ("Accept payments first.Then test a purchase.Use a real card. Troubleshooting declined "
            "paymentsTroubleshooting issues while placing an orderIf your customer cannot place their order, "
            "check your payment settings.")

    answer = ExtractiveComposer(900).compose(_request(text, ("order",), {"order": 2.0})).answer

    assert "placing an order If your customer cannot place their order" in answer
    assert "orderIf" not in answer and "paymentsTroubleshooting" not in answer
