"""Conflicting sources: two eligible articles that state different quantities for the same point of a question.

Conservative on purpose: a conflict needs a question that asks about a quantity, two sentences (one in the best
article's answer-bearing passages, one in a retrieved passage of a runner-up) that share the question's topic, and
the same quantity (unit, bound, per what) with different values that the other article never states. Anything less
is not a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.analysis import terms
from engine.answer.amounts import UNITS, Quantity, asked_units, quantities
from engine.answer.extractive import split_units
from engine.types import Candidate, Chunk

# Passages of the best article that read as the answer (the extractive composer's window).
ANSWER_MARGIN = 0.05
RUNNER_UP_CHUNKS = 3
MIN_SHARED_TERMS = 2
MAX_PER_UNIT = 2
_EXAMPLE = re.compile(r"\b(?:for\s+example|for\s+instance|e\.g\.|example)\b", re.IGNORECASE)
# "If the claim is for $1,500 or less, the filing fee is $30": one case under a condition, not the rule.
_CONDITION = re.compile(r"\b(?:if|unless)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Conflict:
    """Two articles disagreeing: what each says, in its own words."""

    articles: tuple[str, str]
    statements: tuple[Quantity, Quantity]

    def describe(self) -> str:
        first, second = self.statements
        return (
            f"sources disagree: {self.articles[0]} says {_show(first)} ({first.sentence!r}); "
            f"{self.articles[1]} says {_show(second)} ({second.sentence!r})"
        )


def find_conflict(
    question: str, query_terms: Sequence[str], candidates: Sequence[Candidate], max_rank: int
) -> Conflict | None:
    """The first disagreement between the best article's answer passages and a runner-up (rank ≤ max_rank)."""
    units = asked_units(question, query_terms)
    if len(candidates) < 2 or units == frozenset():
        return None
    best = candidates[0]
    answer_chunks = [s.chunk for s in best.chunks if s.fused >= best.best.fused - ANSWER_MARGIN]
    ours = [q for q in _statements(answer_chunks) if units is None or q.unit in units]
    ours_everywhere = _statements([s.chunk for s in best.chunks])
    for other in candidates[1:max_rank]:
        if other.article.id == best.article.id:
            continue
        theirs = _statements([s.chunk for s in other.chunks[:RUNNER_UP_CHUNKS]])
        pair = disagreement(ours, theirs, ours_everywhere, set(query_terms))
        if pair is not None:
            return Conflict((best.article.id, other.article.id), pair)
    return None


def disagreement(
    ours: Sequence[Quantity], theirs: Sequence[Quantity], ours_everywhere: Sequence[Quantity], topic: set[str]
) -> tuple[Quantity, Quantity] | None:
    """A pair of statements about the same quantity (same unit, same kind of bound, counted per the same thing:
    "minimum 3 seats" and "above 50 seats" are not) with different values, on the same topic, where neither side
    also states the other's value (then it is a list of options, not a disagreement)."""
    for mine in ours:
        for other in theirs:
            if mine.measure != other.measure or mine.value == other.value:
                continue
            if _states(ours_everywhere, other) or _states(theirs, mine):
                continue
            shared = _context(mine) & _context(other)
            if len(shared) >= MIN_SHARED_TERMS and shared & topic:
                return mine, other
    return None


def _statements(chunks: Sequence[Chunk]) -> list[Quantity]:
    """Quantities stated in prose sentences and list items; tables, code, worked examples, conditions ("if …") and
    sentences listing several amounts of one unit (a calculation, a price list) state options, not one fact."""
    found: list[Quantity] = []
    for chunk in chunks:
        for unit in split_units(chunk.text):
            if unit.text.lstrip().startswith(("|", "```", "~~~")) or _EXAMPLE.search(unit.text) or _CONDITION.search(
                unit.text
            ):
                continue
            stated = quantities(unit.text)
            units = [q.unit for q in stated]
            found.extend(q for q in stated if units.count(q.unit) <= MAX_PER_UNIT)
    return found


def _states(statements: Sequence[Quantity], quantity: Quantity) -> bool:
    return any(s.unit == quantity.unit and s.value == quantity.value for s in statements)


def _context(quantity: Quantity) -> set[str]:
    """What the amount is of: the terms of its clause minus numbers and units."""
    return {t for t in terms(quantity.context) if not t.replace(".", "").isdigit() and t not in UNITS}


def _show(quantity: Quantity) -> str:
    value = f"{quantity.value:g}"
    return f"{value} {quantity.unit}"
