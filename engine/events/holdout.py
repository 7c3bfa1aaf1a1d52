"""The randomized holdout that measures deflection: which arm a session is in (a seeded hash of its id) and what
the arms' ticket rates say about tickets the AI answers prevented (docs/metrics.md). Pure: no I/O.

    >>> settings = HoldoutSettings(share=0.05, seed="s")
    >>> in_holdout("abc", settings) == in_holdout("abc", settings)
    True
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Set
from dataclasses import dataclass

from engine.config import HoldoutSettings

Z95 = 1.959964
"""The two-sided 95 % quantile of the normal distribution."""


def in_holdout(session_id: str | None, settings: HoldoutSettings) -> bool:
    """Whether the session is in the holdout arm: the same answer for the same id, seed and share, every time."""
    if session_id is None or settings.share <= 0:
        return False
    digest = hashlib.sha256(f"{settings.seed}\x00{session_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < settings.share


@dataclass(frozen=True)
class Arm:
    """Judged sessions of one arm and how many of them led to a ticket within the containment window."""

    sessions: int
    tickets: int

    @property
    def rate(self) -> float | None:
        return self.tickets / self.sessions if self.sessions else None


@dataclass(frozen=True)
class HoldoutReport:
    """Ticket rate per arm and the incremental deflection (tickets prevented per 100 sessions) with its 95 % CI."""

    share: float
    holdout: Arm
    answered: Arm
    deflection: float | None
    low: float | None
    high: float | None
    precision: float
    sessions_needed: int
    """Judged sessions (both arms) for a 95 % half-width of `precision` per 100 at the rates seen (50 % if unseen)."""


def holdout_report(
    ticketed: Mapping[str, bool], held_out: Set[str], settings: HoldoutSettings
) -> HoldoutReport | None:
    """Compare judged sessions (`ticketed`: session → had a ticket) in the holdout arm (`held_out`: sessions that got
    the holdout reply) with those the hash assigns to the answered arm; None when the holdout is off and unseen."""
    if settings.share <= 0 and not held_out:
        return None
    holdout = _arm([t for key, t in ticketed.items() if key in held_out])
    answered = _arm([t for key, t in ticketed.items() if key not in held_out and not in_holdout(key, settings)])
    interval = deflection_interval(holdout, answered)
    return HoldoutReport(
        share=settings.share,
        holdout=holdout,
        answered=answered,
        deflection=interval[0] if interval else None,
        low=interval[1] if interval else None,
        high=interval[2] if interval else None,
        precision=settings.precision,
        sessions_needed=sessions_needed(holdout.rate, answered.rate, settings.share, settings.precision),
    )


def _arm(ticketed: list[bool]) -> Arm:
    return Arm(len(ticketed), sum(ticketed))


def deflection_interval(holdout: Arm, answered: Arm) -> tuple[float, float, float] | None:
    """(estimate, low, high) of tickets prevented per 100 sessions: the difference of the arms' ticket rates, with the
    Agresti–Caffo 95 % interval (one ticket and one non-ticket added to each arm; sound even at 0 % or 100 %)."""
    if not holdout.sessions or not answered.sessions:
        return None
    estimate = (holdout.tickets / holdout.sessions - answered.tickets / answered.sessions) * 100
    p_h = (holdout.tickets + 1) / (holdout.sessions + 2)
    p_a = (answered.tickets + 1) / (answered.sessions + 2)
    se = math.sqrt(p_h * (1 - p_h) / (holdout.sessions + 2) + p_a * (1 - p_a) / (answered.sessions + 2))
    centre = (p_h - p_a) * 100
    return estimate, centre - Z95 * se * 100, centre + Z95 * se * 100


def sessions_needed(rate_holdout: float | None, rate_answered: float | None, share: float, precision: float) -> int:
    """Total judged sessions for a 95 % half-width of `precision` tickets per 100, when `share` of them are held
    out: n = z² (p_h q_h / s + p_a q_a / (1 − s)) / h²."""
    if share <= 0 or share >= 1:
        return 0
    p_h = 0.5 if rate_holdout is None else rate_holdout
    p_a = 0.5 if rate_answered is None else rate_answered
    variance = p_h * (1 - p_h) / share + p_a * (1 - p_a) / (1 - share)
    return math.ceil(Z95**2 * max(variance, 1e-9) / (precision / 100) ** 2)
