"""The extractive composer quotes its source verbatim and keeps steps together."""

from __future__ import annotations

from engine.answer.extractive import ExtractiveComposer, split_units
from engine.types import Article, Candidate, Chunk, ScoredChunk

TEXT = """Paddle emails an invoice after each payment. You can also download invoices yourself.

To download one:

1. Open **Settings → Billing**.
2. Click *Invoices*.
3. Pick the month and click **Download PDF**.

Invoices are kept for 24 months. Older ones are available from support."""


def _candidate(text: str) -> Candidate:
    chunk = Chunk("a#0", "a", 0, ("Invoices",), "invoices", text, text, "h")
    return Candidate(Article(id="a", title="Invoices", body=text, url="https://help/x"), (ScoredChunk(chunk, 1, 0.8, 0.9),))


def test_units_are_sentences_and_list_items() -> None:
    units = [u.text for u in split_units(TEXT)]

    assert units[:3] == ["Paddle emails an invoice after each payment.", "You can also download invoices yourself.",
                         "To download one:"]
    assert "2. Click *Invoices*." in units


def test_short_sections_are_quoted_whole_and_cited_with_anchor() -> None:
    composition = ExtractiveComposer(lambda t: 1.0, max_chars=2000).compose(["invoic"], _candidate(TEXT))

    assert composition.answer == TEXT
    assert composition.citations[0].url == "https://help/x#invoices"


def test_long_sections_keep_the_best_unit_and_every_answer_line_is_in_the_source() -> None:
    composer = ExtractiveComposer(lambda t: {"month": 3.0, "24": 3.0}.get(t, 0.1), max_chars=120)

    composition = composer.compose(["24", "month"], _candidate(TEXT))

    assert "Invoices are kept for 24 months." in composition.answer
    assert len(composition.answer) <= 120
    for unit in composition.units:
        assert unit in TEXT
