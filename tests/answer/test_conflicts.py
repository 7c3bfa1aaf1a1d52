"""Conflict detection: pure functions on hand-built candidates, and the planted kb_samples pair end to end."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.analysis import terms
from engine.answer.amounts import Quantity, asked_units, quantities
from engine.answer.conflicts import disagreement, find_conflict
from engine.types import Article, Candidate, Chunk, Query, Reason, ScoredChunk
from engine.wiring import Engine

FAQ = "You can download invoices from the **last 12 months** in **Settings → Billing → Invoices**."
GUIDE = "Invoices from the **last 24 months** are available in the list. Older ones: email billing."
PRICES = "| Plan | Annual |\n|---|---|\n| Team | $8 |\n| Business | $16 |"
EXAMPLE = "For example, upgrading 10 seats with 6 months left costs **$480** today."


def _candidate(article_id: str, fused: float, *texts: str) -> Candidate:
    chunks = tuple(
        ScoredChunk(Chunk(f"{article_id}#{i}", article_id, i, (), None, t, t, "h"), 1.0, fused, fused - 0.1 * i)
        for i, t in enumerate(texts)
    )
    return Candidate(Article(id=article_id, title=article_id, body="\n\n".join(texts)), chunks)


def _conflict(question: str, *candidates: Candidate) -> tuple[str, str] | None:
    found = find_conflict(question, terms(question), candidates, max_rank=3)
    return found.articles if found else None


def test_quantities_read_counted_units_percentages_and_currency_amounts() -> None:
    found = quantities("Keep 24 months or a 12-month plan, 10% off, $1,200 a year, 5 boards, 3 apples.")

    assert [(q.value, q.unit) for q in found] == [
        (1200.0, "usd"), (24.0, "month"), (12.0, "month"), (10.0, "%"), (5.0, "board")
    ]


def test_a_question_asks_about_any_amount_or_only_the_units_it_names() -> None:
    assert asked_units("how far back can I download invoices", terms("how far back can I download invoices")) is None
    assert asked_units("need one from 18 months ago", terms("need one from 18 months ago")) == {"month"}
    assert asked_units("how do I download an invoice", terms("how do I download an invoice")) == frozenset()


def test_quantities_say_whether_they_are_a_bound_and_what_they_are_counted_per() -> None:
    found = quantities("Team: minimum 3 seats, maximum 100 members, $8/seat/month or $96 per year, above 50 seats.")

    assert [(q.value, q.unit, q.bound, q.per) for q in found] == [
        (8.0, "usd", "", "seat"), (96.0, "usd", "", "year"), (3.0, "seat", "min", ""),
        (100.0, "member", "max", ""), (50.0, "seat", "over", ""),
    ]


def test_bounds_said_after_the_amount_and_ranges_are_read() -> None:
    found = quantities("Fees are between $30-$100, claims of $10,000 or less, 5 seats or more, 2 to 4 weeks.")

    assert [(q.value, q.unit, q.bound) for q in found] == [
        (30.0, "usd", "range"), (100.0, "usd", "range"), (10000.0, "usd", "max"), (5.0, "seat", "min"),
        (4.0, "week", "range"),  # "2" has no unit of its own: not a quantity, but it makes "4 weeks" a range end
    ]


def test_a_fee_and_a_claim_limit_of_the_same_court_are_not_a_conflict() -> None:
    question = "What is the filing fee for a small claims case?"
    fees = _candidate("fees", 0.8, "The filing fee for a small claims case is between $30-$100.")
    limit = _candidate("limit", 0.7, "Small claims cases are for damages of $10,000 or less.")

    assert _conflict(question, fees, limit) is None


def test_a_price_question_asks_for_money_not_for_the_unit_it_is_counted_per() -> None:
    question = "how much does the Business plan cost per seat?"

    assert asked_units(question, terms(question)) == {"usd", "eur", "gbp"}


def test_a_minimum_and_a_threshold_of_the_same_unit_are_different_quantities() -> None:
    question = "how much does the Business plan cost per seat?"
    team = _candidate("pricing", 0.8, "The Business plan has a minimum of 3 seats.")
    faq = _candidate("faq", 0.7, "For Business subscriptions above 50 seats, sales can prepare a quote.")
    minimum = Quantity(3, "seat", "The Business plan has a minimum of 3 seats.", bound="min")
    above = Quantity(50, "seat", "For Business subscriptions above 50 seats, sales can prepare a quote.", bound="over")

    assert _conflict(question, team, faq) is None
    assert _conflict("how many seats does the Business plan need", team, faq) is None
    assert disagreement([minimum], [above], [minimum], {"busi", "seat"}) is None
    five = replace(minimum, value=5, sentence="The Business plan has a minimum of 5 seats.")
    assert disagreement([minimum], [five], [minimum], {"busi"}) == (minimum, five)


def test_prices_per_different_things_do_not_disagree() -> None:
    question = "how much does the Team plan cost"
    per_seat = _candidate("a", 0.8, "The Team plan costs $8 per seat each month.")
    per_year = _candidate("b", 0.7, "The Team plan costs $96 per year for one member.")

    assert _conflict(question, per_seat, per_year) is None
    assert _conflict(question, per_seat, _candidate("c", 0.7, "The Team plan costs $10 per seat a month.")) == ("a", "c")


def test_the_planted_retention_pair_conflicts_in_both_orders() -> None:
    question = "how far back can I download invoices"

    assert _conflict(question, _candidate("faq", 0.8, FAQ), _candidate("guide", 0.5, "Steps.", GUIDE)) == (
        "faq",
        "guide",
    )
    assert _conflict(question, _candidate("guide", 0.8, GUIDE), _candidate("faq", 0.7, FAQ)) == ("guide", "faq")


def test_no_conflict_when_the_question_is_not_about_an_amount_or_beyond_the_rank_limit() -> None:
    faq, guide = _candidate("faq", 0.8, FAQ), _candidate("guide", 0.7, GUIDE)
    other = _candidate("x", 0.75, "Unrelated text.")

    assert _conflict("how do I download an invoice", faq, guide) is None
    assert find_conflict("how far back can I download invoices", terms("how far back"), (faq, other, other, guide), 3) is None


def test_tables_worked_examples_and_different_topics_are_not_conflicts() -> None:
    question = "how much does it cost"

    assert _conflict(question, _candidate("a", 0.8, "Team costs $10 per seat."), _candidate("b", 0.7, PRICES)) is None
    assert _conflict(question, _candidate("a", 0.8, "Upgrading costs $96 per seat."), _candidate("b", 0.7, EXAMPLE)) is None
    assert _conflict(
        "how long are links valid",
        _candidate("a", 0.8, "Reset links are valid for 60 minutes."),
        _candidate("b", 0.7, "Accounts lock for 15 minutes after failed attempts."),
    ) is None


def test_a_value_the_other_side_also_states_is_an_option_not_a_disagreement() -> None:
    mine = Quantity(12, "month", "Invoices from the last 12 months can be downloaded.")
    theirs = Quantity(24, "month", "Invoices from the last 24 months can be downloaded.")
    also = Quantity(24, "month", "Enterprise keeps invoices for 24 months.")

    assert disagreement([mine], [theirs], [mine], {"invoic"}) == (mine, theirs)
    assert disagreement([mine], [theirs], [mine, also], {"invoic"}) is None
    assert disagreement([mine], [theirs], [mine], {"refund"}) is None  # not what the question is about


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    ["how far back can I download invoices", "how far back can I download old invoices? need one from 18 months ago"],
)
def test_the_kb_samples_invoice_retention_conflict_escalates_with_the_pair(kb_engine: Engine, question: str) -> None:
    decision = kb_engine.answers.ask(Query(question))

    assert decision.decision == "escalate" and decision.reason == Reason.CONFLICT and decision.answer is None
    assert set(decision.conflict or ()) == {"billing/download-invoices", "billing/billing-faq"}
    assert "24 month" in decision.detail and "12 month" in decision.detail


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    ["how much does the Business plan cost per seat?", "what is the minimum number of seats on the Team plan?"],
)
def test_amounts_of_different_things_in_kb_samples_are_not_a_conflict(kb_engine: Engine, question: str) -> None:
    decision = kb_engine.answers.ask(Query(question))

    assert decision.reason != Reason.CONFLICT and decision.conflict is None, decision.detail


@pytest.mark.integration
def test_answerable_invoice_questions_are_still_answered(kb_engine: Engine) -> None:
    decision = kb_engine.answers.ask(Query("how can i download my invoices as pdf"))

    assert decision.decision == "answer" and decision.conflict is None


def test_an_amount_under_a_condition_or_money_in_a_count_question_is_no_conflict() -> None:
    fee = _candidate("fees", 0.8, "The filing fee for an appeal is $390.")
    conditional = _candidate("claims", 0.7, "If the claim is for $1,500 or less, the filing fee is $30.")
    business = _candidate("small", 0.8, "The cases are limited to disputes up to $5,000 for a business.")
    civil = _candidate("civil", 0.7, "Limited cases are disputes up to $25,000 for a business.")

    assert _conflict("how much is the filing fee?", fee, conditional) is None
    assert _conflict("how many cases can a business file?", business, civil) is None
    assert _conflict("what is the limit for business cases?", business, civil) == ("small", "civil")
