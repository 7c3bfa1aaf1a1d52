"""Amounts stated in text and amounts asked for: "24 months", "$8", "2 GB", "60 requests"; "how many boards…?".
Pure. Read by the conflict check (two articles stating different amounts), the extractive composer (an answer to
"how many…?" starts at a sentence that states one) and the conversation's consistency check."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.analysis import terms

_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_CURRENCY = re.compile(r"([$€£])\s?" + _NUMBER)
_COUNTED = re.compile(_NUMBER + r"\s*(?:-\s*)?(%|[A-Za-z]+)")
_CURRENCIES = {"$": "usd", "€": "eur", "£": "gbp"}
_UNIT_WORDS = (
    "seconds minutes hours days weeks months years percent kb mb gb tb seats members users guests boards requests "
    "runs events endpoints attempts characters retries"
)
UNITS = frozenset({"%", *terms(_UNIT_WORDS)})
_ASKS_QUANTITY = re.compile(
    r"\bhow\s+(?:many|much|long|far|often|old|big|large|soon)\b|\b(?:limit|limits|maximum|max|minimum|cost|costs"
    r"|price|prices|fee|fees|older|oldest|up\s+to|more\s+than|at\s+most|at\s+least|how\s+far\s+back)\b",
    re.IGNORECASE,
)


# What kind of amount a number is: a lower bound, an upper bound, a threshold passed, or the amount itself.
_BOUNDS = (
    ("min", re.compile(r"\b(?:minimum(?:\s+of)?|min\.?|at\s+least|no\s+fewer\s+than|no\s+less\s+than|from)\s*$", re.I)),
    ("max", re.compile(r"\b(?:maximum(?:\s+of)?|max\.?|up\s+to|at\s+most|no\s+more\s+than|limit(?:ed)?\s+(?:of|to)"
                       r"|capped\s+at)\s*$", re.I)),
    ("over", re.compile(r"\b(?:above|over|more\s+than|beyond|exceeding|larger\s+than|greater\s+than)\s*$", re.I)),
    ("under", re.compile(r"\b(?:below|under|fewer\s+than|less\s+than|smaller\s+than)\s*$", re.I)),
)
# Said after the amount: "$10,000 or less", "5 seats or more"; a range: "between $30-$100", "2 to 4 weeks".
_BOUNDS_AFTER = (
    ("max", re.compile(r"^\s*(?:[A-Za-z]+\s+)?(?:or\s+(?:less|fewer|under|below)|at\s+most|maximum|max\b)", re.I)),
    ("min", re.compile(r"^\s*(?:[A-Za-z]+\s+)?(?:or\s+(?:more|greater|over|above|longer)|at\s+least|minimum|min\b)|^\+",
                       re.I)),
)
_RANGE_AFTER = re.compile(r"^\s*(?:[A-Za-z%]+\s*)?(?:-|–|—|to)\s*[$€£]?\s?\d")
_RANGE_BEFORE = re.compile(
    r"(?:(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+few|several))\s*"
    r"(?:[A-Za-z%]+\s*)?(?:-|–|—|to)\s*[$€£]?\s?"
    r"|\bbetween\s+[$€£]?\s?(?:[\d,.]+\s*(?:[A-Za-z%]+\s*)?and\s+[$€£]?\s?)?)$",
    re.I,
)
# A clause: the part of a sentence a number belongs to ("Earth takes 24 hours, and Mars takes 25 hours").
_CLAUSE_BREAK = re.compile(r"[,;:()]\s*|\s+(?:and|but|while|whereas|or)\s+(?=[A-Z]|the\b|a\b|an\b|it\b|this\b)|\n")
_PER = re.compile(r"^\s*(?:/\s*|per\s+|a\s+|an\s+|each\s+|every\s+)([A-Za-z]+)")
_CURRENCY_UNITS = frozenset(_CURRENCIES.values())
_ASKS_COUNT = re.compile(r"\bhow\s+many\b|\bnumber\s+of\b", re.IGNORECASE)
_ASKS_MONEY = re.compile(
    r"\b(?:cost|costs|price|prices|pricing|priced|fee|fees|charge|charged|pay|paid|spend|expensive|cheap)\b|[$€£]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    """A number with its unit (stemmed word, %, or a currency code) as stated in one sentence; `bound` says whether
    it is a minimum, a maximum, a threshold passed ("over") or below ("under"), one end of a "range", or the amount
    itself (""), and `per`
    the unit it is counted per ("$8 per seat" → seat, "$96/year" → year)."""

    value: float
    unit: str
    sentence: str
    bound: str = ""
    per: str = ""
    clause: str = ""  # the part of the sentence the number belongs to; empty: the whole sentence

    @property
    def context(self) -> str:
        """The words that say what the amount is of: its clause, else its sentence."""
        return self.clause or self.sentence

    @property
    def measure(self) -> tuple[str, str, str]:
        """What is measured: two statements about the same thing disagree only when this is the same."""
        return self.unit, self.bound, self.per


def quantities(sentence: str) -> list[Quantity]:
    """Amounts of money and numbers followed by a known unit ("24 months", "$8", "2 GB", "60 requests")."""
    breaks = [m.span() for m in _CLAUSE_BREAK.finditer(sentence)]  # sorted, not overlapping
    found = [
        _quantity(sentence, breaks, m.group(2), _CURRENCIES[m.group(1)], m.start(), m.end())
        for m in _CURRENCY.finditer(sentence)
    ]
    for match in _COUNTED.finditer(sentence):
        unit = _unit(match.group(2))
        if unit in UNITS and sentence[max(0, match.start() - 1)] not in _CURRENCIES:
            found.append(_quantity(sentence, breaks, match.group(1), unit, match.start(), match.end()))
    return found


def _quantity(sentence: str, breaks: list[tuple[int, int]], number: str, unit: str, start: int, end: int) -> Quantity:
    before = bisect.bisect_right(breaks, (start, len(sentence)))
    opened = next((b_end for _, b_end in reversed(breaks[:before]) if b_end <= start), 0)
    after = bisect.bisect_left(breaks, (end, 0))
    closed = breaks[after][0] if after < len(breaks) else len(sentence)
    clause = sentence[opened:closed].strip()
    return Quantity(_number(number), unit, sentence, _bound(sentence, start, end), _per(sentence, end),
                    clause if clause != sentence.strip() else "")


def asked_units(question: str, query_terms: Sequence[str]) -> frozenset[str] | None:
    """Units the question asks about: money when it asks a price ("how much does it cost per seat?" → usd, eur,
    gbp: the seats are what it is counted per), any unit but money when it asks a count ("how many", "the number
    of"), None = any ("how long/far back", limits), else those it names
    ("… from 18 months ago" → month); empty when it asks about no amount at all."""
    if _ASKS_MONEY.search(question) and _ASKS_QUANTITY.search(question):
        return _CURRENCY_UNITS
    if _ASKS_COUNT.search(question):
        return UNITS  # a count of something ("how many", "the number of"): any unit but money
    if _ASKS_QUANTITY.search(question):
        return None
    return frozenset(t for t in query_terms if t in UNITS)


def amount_asked(question: str, query_terms: Sequence[str]) -> frozenset[str] | None:
    """The units an answer to `question` should state an amount of: None when it asks for no amount, empty when any
    unit will do ("is there a limit on boards?" → {"board"}; "how much does it cost?" → any)."""
    if not _ASKS_QUANTITY.search(question):
        return None
    return frozenset(t for t in query_terms if t in UNITS)


def states_amount(text: str, units: frozenset[str]) -> bool:
    """`text` states an amount in one of `units` (any unit when empty)."""
    return any(not units or q.unit in units for q in quantities(text))


def _bound(sentence: str, start: int, end: int) -> str:
    before = sentence[max(0, start - 30) : start].replace("*", "")
    after = sentence[end : end + 30].replace("*", "")
    if _RANGE_BEFORE.search(before) or _RANGE_AFTER.match(after):
        return "range"
    found = next((name for name, pattern in _BOUNDS if pattern.search(before)), "")
    return found or next((name for name, pattern in _BOUNDS_AFTER if pattern.match(after)), "")


def _per(sentence: str, end: int) -> str:
    match = _PER.match(sentence[end : end + 30].replace("*", ""))
    if match is None:
        return ""
    found = terms(match.group(1))
    return found[0] if found else ""


def _unit(word: str) -> str:
    found = terms(word)
    return "%" if word == "%" else found[0] if found else word.lower()


def _number(text: str) -> float:
    return float(text.replace(",", ""))
