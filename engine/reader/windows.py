"""Passages → short overlapping windows of whole sentences: the unit the reader reads against a question.

Shared by inference (engine/reader/scorer.py) and training-data building, so the model is trained on exactly
the kind of text it is later asked about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.analysis import sentence_spans
from engine.ingest.markdown import plain_text

# What the index's plain_text keeps that a reader need not see: single-star emphasis, list markers, leftover tags.
_MARKUP = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+|\*+|</?[A-Za-z][\w.\-]*(?:\s[^<>]*?)?/?>", re.M)
DEFAULT_WINDOW_WORDS = 60


@dataclass(frozen=True)
class Window:
    """A run of whole sentences of a passage; `start`/`end` are character offsets into the text it came from."""

    start: int
    end: int
    text: str


def plain(text: str) -> str:
    """Markdown/MDX → the plain words a reader sees: link targets, emphasis, list markers and tags dropped."""
    return _MARKUP.sub("", plain_text(text))


def sentences(text: str) -> list[Window]:
    """Sentence spans of `text` (engine.analysis.sentence_spans), every line break ending one too: list items and
    steps are sentences of their own. Offsets into `text`."""
    spans: list[Window] = []
    offset = 0
    for line in text.split("\n"):
        spans.extend(Window(offset + start, offset + end, line[start:end]) for start, end in sentence_spans(line))
        offset += len(line) + 1
    return spans


def windows(text: str, max_words: int = DEFAULT_WINDOW_WORDS) -> list[Window]:
    """Greedy runs of sentences up to `max_words` words, each overlapping the previous by one sentence.

    >>> [w.text for w in windows("One two. Three four. Five six.", max_words=4)]
    ['One two. Three four.', 'Three four. Five six.']
    """
    spans = sentences(text)
    out: list[Window] = []
    i = 0
    while i < len(spans):
        j, count = i, 0
        while j < len(spans) and (j == i or count + len(spans[j].text.split()) <= max_words):
            count += len(spans[j].text.split())
            j += 1
        out.append(Window(spans[i].start, spans[j - 1].end, text[spans[i].start : spans[j - 1].end]))
        if j >= len(spans):
            break
        i = j - 1 if j - 1 > i else j
    return out


def framed(title: str, text: str) -> str:
    """What the reader is given as the passage: where it sits (title › heading) and the window's words."""
    return f"{title}: {text}" if title else text


def unframed(title: str, passage: str) -> str:
    """The window's own words: `framed` undone."""
    prefix = f"{title}: "
    return passage[len(prefix):] if title and passage.startswith(prefix) else passage
