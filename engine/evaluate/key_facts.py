"""Answer-level score against a reference answer: the share of its key facts that the engine's answer contains.

Key facts are what a customer acts on: numbers (prices, durations, limits), UI paths ("Settings → Billing",
"Settings > Billing"), quoted or bold names of settings and menu items, and multi-word Capitalised names.

    >>> key_facts("Go to Settings → Billing and click **Update card**; refunds take 5 days.")
    ('settings > billing', 'update card', '5')
    >>> key_fact_share("Open Settings > Billing, then Update card.", "Go to Settings → Billing; click **Update card**.")
    1.0
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_ARROWS = re.compile(r"\s*(?:→|->|=>|»|›|>)\s*")
_ARROW = r"\s*(?:→|->|=>|»|›|>)\s*"
_PIECE = r"[^\n.,;:()<>→»›=-]+"
_PATH = re.compile(rf"{_PIECE}(?:{_ARROW}{_PIECE})+")
# A path's last piece ends where the sentence goes on ("Settings > Code Injection and add the script").
_STOP = {"and", "then", "to", "click", "enter", "choose", "select", "on", "in", "or", "where", "for", "if", "tab"}
_QUOTED = re.compile(r"\"([^\"\n]{2,60})\"|“([^”\n]{2,60})”|\*\*([^*\n]{2,60})\*\*|__([^_\n]{2,60})__")
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z0-9]+(?:\s+[A-Z][a-zA-Z0-9]+)+\b")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,:]\d+)*(?![\w])")
_LIST_MARKER = re.compile(r"^\s*\d+[.)]\s", re.MULTILINE)
_URL = re.compile(r"https?://\S+")
# Capitalised runs that start a sentence with one of these are instructions, not names ("Click Save" → "Save").
_LEADING = {
    "The", "To", "In", "If", "You", "Go", "Click", "Open", "Select", "Then", "Under", "On", "From", "And",
    "Tap", "Press", "Choose", "Enter",
}


def key_facts(reference: str) -> tuple[str, ...]:
    """The reference's key facts, normalised (lower case, one space, paths with ' > '), in order, no repeats."""
    text = _LIST_MARKER.sub(" ", _URL.sub(" ", reference))
    facts: list[str] = []
    for fact in _facts(text):
        normal = normalise(fact)
        if normal and normal not in facts and not any(normal in f for f in facts if " > " in f):
            facts.append(normal)
    return tuple(facts)


def _facts(text: str) -> Iterator[str]:
    yield from (path for m in _PATH.finditer(text) if (path := _trim_path(m.group(0))))
    for match in _QUOTED.finditer(text):
        yield next(group for group in match.groups() if group)
    for match in _CAPITALISED.finditer(text):
        yield _strip_leading(match.group(0))
    yield from (m.group(0) for m in _DATE.finditer(text))
    yield from (m.group(0).rstrip(".,:") for m in _NUMBER.finditer(_DATE.sub(" ", text)))


_LEAD_IN = {w.lower() for w in _LEADING} | {"your", "a", "at", "into", "navigate", "head", "now"}


def _trim_path(found: str) -> str:
    """"Go to Settings > Billing and click Save" → "Settings > Billing": the menu names only."""
    pieces = [piece.split() for piece in re.split(_ARROW, found)]
    first = pieces[0][-3:]
    while first and first[0].lower() in _LEAD_IN:
        first = first[1:]
    last: list[str] = []
    for word in pieces[-1][:3]:
        if word.lower() in _STOP:
            break
        last.append(word)
    if not first or not last:
        return ""
    return " > ".join(" ".join(p) for p in [first, *pieces[1:-1], last])


def _strip_leading(name: str) -> str:
    words = name.split()
    while words and words[0] in _LEADING:
        words = words[1:]
    return " ".join(words) if len(words) > 1 else ""


def normalise(text: str) -> str:
    """Lower case, markdown emphasis and quotes dropped, arrows as ' > ', runs of space as one."""
    text = re.sub(r"[*_`\"“”]", "", text)
    text = _ARROWS.sub(" > ", text)
    return re.sub(r"\s+", " ", text).strip(" .,;:").lower()


def contains_fact(answer: str, fact: str) -> bool:
    """Whether the normalised answer holds `fact` as whole words (a number must not be part of another)."""
    return re.search(rf"(?<![\w.]){re.escape(fact)}(?![\w])", normalise(answer)) is not None


def key_fact_share(answer: str, reference: str) -> float | None:
    """Share of the reference's key facts found in the answer; None when the reference has none."""
    facts = key_facts(reference)
    if not facts:
        return None
    return sum(1 for fact in facts if contains_fact(answer, fact)) / len(facts)
