"""Text analysis shared by the keyword index, the query side, the extractive composer, the grounding check and the
reader: words and index terms, list items, sentences."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
"""A Markdown list item's marker ("- ", "* ", "2. ", "3) ") at the start of a line: one rule for ingest and answers."""
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(\[*])")
"""Where a sentence ends: after . ! or ?, before a capital, a digit, a quote, a bracket or emphasis ("e.g. the"
and "v2. then" go on)."""

# Function words plus the filler of support chats ("hi, how do i …"): they carry no topic.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each few for from further had hadn't has hasn't have haven't having he her here hers herself him
    himself his how i i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself
    no nor not of off on once only or other ought our ours ourselves out over own same shan't she should
    shouldn't so some such than that that's the their theirs them themselves then there there's these they
    this those through to too under until up very was wasn't we we're were weren't what what's when where
    which while who whom why will with won't would wouldn't you you're your yours yourself yourselves
    hi hello hey thanks thank please pls plz help im ive dont cant wont get got want need needs trying
    also just still really anyone someone something way ok okay u ur would like know""".split()
)

_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """Lower-cased word tokens, apostrophes kept inside words."""
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


def terms(text: str) -> list[str]:
    """Index terms: words minus stopwords, stemmed. Used identically at ingest and query time."""
    return [_stem(w) for w in words(text) if (w not in STOPWORDS and len(w) > 1) or w.isdigit()]


def term_words(text: str) -> list[tuple[str, str]]:
    """(index term, the word it was stemmed from) for each term of `terms(text)`, in order."""
    return [(_stem(w), w) for w in words(text) if (w not in STOPWORDS and len(w) > 1) or w.isdigit()]


def weight_of(found: Iterable[str], weights: Mapping[str, float]) -> float:
    """The total weight of the distinct terms found, e.g. their IDF mass. `math.fsum` makes it the same in whatever
    order a set of terms iterates — Python salts string hashes per process, and with a plain sum near-ties between
    sentences fell differently from one run to the next."""
    return math.fsum(weights.get(term, 0.0) for term in set(found))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence of a run of text, surrounding whitespace and empty pieces left out.

    >>> sentence_spans("Open Settings. Click Save.")
    [(0, 14), (15, 26)]
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in [*SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            spans.append((start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())))
        if match:
            start = match.end()
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of a run of text (one paragraph, one line), stripped: the composer quotes them, the grounding
    check grades a generated answer by them, the reader reads windows of them.

    >>> sentences("Open Settings. Click Save. See e.g. the bar at the top.")
    ['Open Settings.', 'Click Save.', 'See e.g. the bar at the top.']
    """
    return [text[start:end] for start, end in sentence_spans(text)]
