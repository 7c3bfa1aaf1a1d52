"""One sentence rule (engine.analysis.sentences) for the extractive composer, the grounding check and the reader: a
sentence ends after . ! or ? before a capital, a digit, a quote, a bracket or emphasis, and nowhere else."""

from __future__ import annotations

from engine.analysis import sentence_spans, sentences
from engine.answer.extractive import split_units
from engine.answer.grounding import split_sentences
from engine.reader.windows import sentences as reader_sentences

TEXT = "Open Settings. Click **Save**. See e.g. the bar at the top! 2 options remain. “Done” shows. [S1] cites."


def test_a_sentence_ends_before_a_capital_a_digit_a_quote_a_bracket_or_emphasis() -> None:
    assert sentences(TEXT) == ["Open Settings.", "Click **Save**.", "See e.g. the bar at the top!", "2 options remain.",
                               "“Done” shows.", "[S1] cites."]
    assert sentences("Version 2. then restart. ok? yes") == ["Version 2. then restart. ok? yes"]
    assert sentences("  \n ") == [] and sentences("No end") == ["No end"]


def test_spans_are_offsets_of_the_stripped_sentences() -> None:
    text = "  One two.   Three four!  "

    assert [text[a:b] for a, b in sentence_spans(text)] == ["One two.", "Three four!"]


def test_the_composer_the_grounding_check_and_the_reader_split_a_paragraph_alike() -> None:
    paragraph = "Open Settings. Click Save. See e.g. the bar at the top."

    assert [u.text for u in split_units(paragraph)] == sentences(paragraph)
    assert [s.text for s in split_sentences(paragraph)] == sentences(paragraph)
    assert [w.text for w in reader_sentences(paragraph)] == sentences(paragraph)


def test_the_reader_also_ends_a_sentence_at_each_line_break() -> None:
    text = "Steps\nopen the app. then sign in\nDone."

    assert [(w.text, text[w.start : w.end]) for w in reader_sentences(text)] == [
        ("Steps", "Steps"), ("open the app. then sign in", "open the app. then sign in"), ("Done.", "Done.")]
