"""Amounts stated in text and amounts asked for: "24 months", "$8", "2 GB", "60 requests"; "how many boards…?".
Pure. Read by the conflict check (two articles stating different amounts), the extractive composer (an answer to
"how many…?" starts at a sentence that states one) and the conversation's consistency check."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.analysis import terms

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
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


@dataclass(frozen=True)
class Quantity:
    """A number with its unit (stemmed word, %, or a currency code) as stated in one sentence."""

    value: float
    unit: str
    sentence: str


def quantities(sentence: str) -> list[Quantity]:
    """Amounts of money and numbers followed by a known unit ("24 months", "$8", "2 GB", "60 requests")."""
    found = [Quantity(_number(m.group(2)), _CURRENCIES[m.group(1)], sentence) for m in _CURRENCY.finditer(sentence)]
    for match in _COUNTED.finditer(sentence):
        unit = _unit(match.group(2))
        if unit in UNITS and sentence[max(0, match.start() - 1)] not in _CURRENCIES:
            found.append(Quantity(_number(match.group(1)), unit, sentence))
    return found


def asked_units(question: str, query_terms: Sequence[str]) -> frozenset[str] | None:
    """Units the question asks about: None = any ("how many/long/far back", limits, prices), else those it names
    ("… from 18 months ago" → month); empty when it asks about no amount at all."""
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


def _unit(word: str) -> str:
    found = terms(word)
    return "%" if word == "%" else found[0] if found else word.lower()


def _number(text: str) -> float:
    return float(text.replace(",", ""))
