"""Sentence and heading boundaries that a plain-text export lost with its line breaks: "…accepting
paymentsTroubleshooting issues while placing an orderIf your customer…". Pure text in, text out; read where an
answer quotes the text (engine/answer/extractive.py), so the indexed chunks stay as ingested.

    restore_boundaries("Set up payments.You can also take cash.Cards work. Declined paymentsTroubleshooting issues")
    → "Set up payments. You can also take cash. Cards work. Declined payments\nTroubleshooting issues"
"""

from __future__ import annotations

import re
from collections import Counter

# Whole whitespace-delimited runs, so code (com.ibm.ws.Foo, maxThreads=5) never matches:
# "account.You" / "now."An" (a sentence end glued to the next sentence),
_SENTENCE_RUN = re.compile(r"^([(\"“]?[A-Za-z]*[a-z]{2}[.!?][\"”’)]?)([A-Z][a-z]+[.,;:!?\"”)]*)$")
# "(FAQs)Using" (link text glued to a heading) and "paymentsTroubleshooting", "SettingsAbout" (one hump).
_BRACKET_RUN = re.compile(r"^(\([A-Za-z ]+\))([A-Z][a-z]+[.,;:!?]*)$")
_WORD_RUN = re.compile(r"^([(\"“]?[A-Za-z][a-z]{3,})([A-Z][a-z]+[.,;:!?\"”)]*)$")
_CAMEL = re.compile(r"\b[A-Za-z]*[a-z][A-Z][A-Za-z]*\b")
# A text with at least this many glued sentences lost its line breaks: only then is a glued word a boundary.
_GLUED = 2


def names_in(text: str) -> frozenset[str]:
    """Words with an inner capital that `text` uses more than once (WordPress, LinkedIn): names, not glue."""
    counts = Counter(m.group(0) for m in _CAMEL.finditer(text))
    return frozenset(token for token, n in counts.items() if n >= 2)


def restore_boundaries(text: str, names: frozenset[str] = frozenset()) -> str:
    """A sentence end glued to the next sentence ("account.You") gets a space; in a text with at least _GLUED such
    sentences, a heading or link text glued to what follows ("paymentsTroubleshooting", "(FAQs)Using") gets a line
    break. Code-like words (dots, digits, underscores, several humps: com.ibm.Foo, WCCByteBuffer), short lowercase
    heads (maxThreads) and `names` are left alone."""
    sentences = sum(1 for run in text.split() if _SENTENCE_RUN.match(run))
    if not sentences:
        return text

    def run(match: re.Match[str]) -> str:
        token = match.group(0)
        glued = _SENTENCE_RUN.match(token)
        if glued:
            return f"{glued.group(1)} {glued.group(2)}"
        if sentences < _GLUED:
            return token
        bracket = _BRACKET_RUN.match(token)
        if bracket:
            return f"{bracket.group(1)}\n{bracket.group(2)}"
        word = _WORD_RUN.match(token)
        if word is None or (word.group(1) + word.group(2)).strip("\"“”(),.;:!?") in names:
            return token
        return f"{word.group(1)}\n{word.group(2)}"

    return re.sub(r"\S+", run, text)
