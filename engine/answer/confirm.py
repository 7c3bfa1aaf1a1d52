""""Is it one of these?": when the confidence falls in the confirm band, the customer is offered the best articles'
titles instead of an answer from the first one; a pick answers from the article picked, "none of these" escalates.
The band is calibrated on the dev sets (`engine calibrate`, docs/evals.md). Pure functions.

    >>> band = Band(0.45, 0.85)
    >>> band.holds(0.6), band.holds(0.9)
    (True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.types import Candidate, Suggestion


@dataclass(frozen=True)
class Band:
    """Confirm when low ≤ confidence < high."""

    low: float
    high: float

    def holds(self, confidence: float) -> bool:
        return self.low <= confidence < self.high


def band_of(low: float | None, high: float | None) -> Band | None:
    """The band, or None (no confirm step) when an edge is unset or the band is empty."""
    if low is None or high is None or low >= high:
        return None
    return Band(low, high)


def options(candidates: tuple[Candidate, ...], limit: int) -> tuple[Suggestion, ...]:
    """The best candidates with distinct titles (two copies of one article read as one option), at most `limit`;
    each option's question is its title, what a client that cannot pick sends as its next question."""
    offered: dict[str, Suggestion] = {}
    for candidate in candidates:
        title = candidate.article.title.strip()
        if title and title.lower() not in offered:
            offered[title.lower()] = Suggestion(candidate.article.id, title, title)
        if len(offered) == limit:
            break
    return tuple(offered.values())
