"""The randomized holdout: arm assignment is a pure, seeded, well-spread function of the session id, and the
estimator recovers a known true effect within its 95 % interval (simulated sessions with known ticket rates)."""

from __future__ import annotations

import math
import random

from engine.config import HoldoutSettings
from engine.events.holdout import Arm, deflection_interval, holdout_report, in_holdout, sessions_needed

SETTINGS = HoldoutSettings(share=0.2, seed="sim", precision=2.0)


def _simulate(rng: random.Random, sessions: int, rate_holdout: float, rate_answered: float) -> dict[str, bool]:
    """Judged sessions → had a ticket, drawn with the arm's true ticket rate (the arm set by the hash, as in ask)."""
    ticketed = {}
    for n in range(sessions):
        key = f"{rng.getrandbits(64):016x}.{n}"
        rate = rate_holdout if in_holdout(key, SETTINGS) else rate_answered
        ticketed[key] = rng.random() < rate
    return ticketed


def test_assignment_is_pure_seeded_and_matches_the_share() -> None:
    keys = [f"session-{n}" for n in range(20_000)]

    held = [in_holdout(k, SETTINGS) for k in keys]

    assert held == [in_holdout(k, SETTINGS) for k in keys]
    assert abs(sum(held) / len(keys) - 0.2) < 0.01
    reseeded = [in_holdout(k, HoldoutSettings(share=0.2, seed="other")) for k in keys]
    assert held != reseeded and abs(sum(reseeded) / len(keys) - 0.2) < 0.01
    assert not any(in_holdout(k, HoldoutSettings(share=0.0)) for k in keys) and not in_holdout(None, SETTINGS)


def test_a_known_effect_is_recovered_within_its_interval() -> None:
    ticketed = _simulate(random.Random(7), 20_000, rate_holdout=0.30, rate_answered=0.18)
    held_out = {key for key in ticketed if in_holdout(key, SETTINGS)}

    report = holdout_report(ticketed, held_out, SETTINGS)

    assert report is not None and report.deflection is not None and report.low is not None and report.high is not None
    assert report.low <= 12.0 <= report.high
    assert abs(report.deflection - 12.0) < 3.0 and report.high - report.low < 6.0
    assert report.holdout.sessions + report.answered.sessions == 20_000


def test_the_interval_covers_the_true_effect_about_95_times_in_100() -> None:
    rng = random.Random(11)
    covered = 0
    for _ in range(200):
        ticketed = _simulate(rng, 2_000, rate_holdout=0.25, rate_answered=0.20)
        held_out = {key for key in ticketed if in_holdout(key, SETTINGS)}
        report = holdout_report(ticketed, held_out, SETTINGS)
        assert report is not None and report.low is not None and report.high is not None
        covered += report.low <= 5.0 <= report.high

    assert 0.90 <= covered / 200 <= 0.99


def test_interval_and_sample_size_by_hand() -> None:
    estimate, low, high = deflection_interval(Arm(100, 30), Arm(400, 80)) or (0.0, 0.0, 0.0)
    p_h, p_a = 31 / 102, 81 / 402
    half = 1.959964 * math.sqrt(p_h * (1 - p_h) / 102 + p_a * (1 - p_a) / 402) * 100

    assert math.isclose(estimate, 10.0)
    assert math.isclose(low, (p_h - p_a) * 100 - half) and math.isclose(high, (p_h - p_a) * 100 + half)
    # n = z² (0.3·0.7/0.2 + 0.2·0.8/0.8) / 0.02² = 3.8415 · 1.25 / 0.0004 = 12004.8 → 12005
    assert sessions_needed(0.3, 0.2, 0.2, 2.0) == 12005
    assert deflection_interval(Arm(0, 0), Arm(10, 1)) is None
    assert holdout_report({}, set(), HoldoutSettings()) is None
