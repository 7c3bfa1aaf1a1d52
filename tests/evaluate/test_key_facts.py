"""Key facts of a reference answer and the share an answer contains, against hand-worked examples."""

from __future__ import annotations

import pytest

from engine.evaluate.key_facts import contains_fact, key_fact_share, key_facts, normalise


def test_ui_paths_with_either_arrow_keep_only_the_menu_names() -> None:
    assert key_facts("Go to Settings → Billing → Payment method, click Save.") == ("settings > billing > payment method",)
    assert key_facts("In site settings > Goals click + Add goal") == ("site settings > goals",)
    assert key_facts("In Ghost go to Settings > Code Injection and add the script") == ("settings > code injection",)


def test_numbers_prices_durations_and_dates() -> None:
    assert key_facts("Plans cost $9.99 a month; refunds take 5-7 days; 1,000 variants.") == ("9.99", "5", "7", "1,000")
    assert key_facts("Stale since 2026-01-31.") == ("2026-01-31",)
    assert key_facts("1. Open the app\n2. Tap Save") == ()  # list markers are not facts


def test_quoted_bold_and_capitalised_names() -> None:
    facts = key_facts('Pick **Commenter**, then "Invite as guest". Only the Billing Admin can pay.')
    assert facts == ("commenter", "invite as guest", "billing admin")
    assert key_facts("Click Save Changes.") == ("save changes",)  # the instruction verb is dropped


def test_normalise_and_whole_word_matching() -> None:
    assert normalise("  **Settings** → Billing. ") == "settings > billing"
    assert contains_fact("Open Settings > Billing now", "settings > billing")
    assert not contains_fact("It costs 19 dollars", "9")
    assert not contains_fact("version 1.9", "9")


@pytest.mark.parametrize(
    ("answer", "share"),
    [
        ("Go to Settings > Billing and click Update card within 14 days.", 1.0),
        ("Open Settings → Billing.", 1 / 3),  # 1 of settings > billing, update card, 14
        ("Contact support.", 0.0),
    ],
)
def test_share_of_reference_facts_found(answer: str, share: float) -> None:
    reference = "Go to Settings → Billing, click **Update card**; you have 14 days."
    assert key_fact_share(answer, reference) == pytest.approx(share)


def test_a_reference_without_facts_scores_nothing() -> None:
    assert key_fact_share("anything", "escalate to a human agent instead of guessing") is None
