"""Sentence windows: the unit the reader experiments read, shared by training data and measurement."""

from __future__ import annotations

from engine.reader.windows import framed, plain, sentences, windows


def test_windows_overlap_by_one_sentence_and_keep_offsets() -> None:
    text = "One two. Three four. Five six."

    found = windows(text, max_words=4)

    assert [w.text for w in found] == ["One two. Three four.", "Three four. Five six."]
    assert all(text[w.start : w.end] == w.text for w in found)


def test_a_sentence_longer_than_the_limit_is_a_window_of_its_own() -> None:
    assert [w.text for w in windows("A b c d e f. G h.", max_words=3)] == ["A b c d e f.", "G h."]


def test_list_items_and_lines_are_sentences() -> None:
    assert [s.text for s in sentences("Steps:\nOpen the app\nTap Save")] == ["Steps:", "Open the app", "Tap Save"]


def test_plain_drops_markup_but_keeps_words() -> None:
    text = "## Reset\n\n1. Go to **Settings** → [Account](https://x.example). Click *Reset* <CtaBox id=\"a\" />now."

    assert plain(text) == "Reset\n\nGo to Settings → Account. Click Reset now."


def test_framed_puts_the_title_first() -> None:
    assert framed("Billing", "Invoices are monthly.") == "Billing: Invoices are monthly."
    assert framed("", "Invoices are monthly.") == "Invoices are monthly."
