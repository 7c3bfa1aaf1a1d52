"""Whether a follow-up's answer contradicts the session's earlier answer: the same unit with different values on
the same topic (12 vs 24 months), found with the sources-conflict rules of engine.answer.conflicts.

    >>> contradicts("Invoices from the last 24 months are in the list.", "You can download invoices from the last "
    ...             "12 months.", topic="can I get invoices by email")
    True
"""

from __future__ import annotations

from engine.analysis import terms
from engine.answer.amounts import Quantity, quantities
from engine.answer.conflicts import disagreement
from engine.answer.extractive import split_units


def statements(text: str) -> list[Quantity]:
    """The quantities an answer states, sentence by sentence."""
    return [q for unit in split_units(text) for q in quantities(unit.text)]


def contradicts(earlier: str, later: str, topic: str) -> bool:
    """True when the two answers state different values of one unit in sentences about `topic`'s terms."""
    ours, theirs = statements(later), statements(earlier)
    if not ours or not theirs:
        return False
    return disagreement(ours, theirs, ours, set(terms(topic))) is not None
