"""Calibration maths: fit the confidence model on labelled outcomes and pick the threshold that meets a target
wrong-answer rate with the most coverage. Pure functions; `engine calibrate` feeds them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.answer.confidence import SIGNAL_NAMES, ConfidenceModel
from engine.types import Signals

Matrix = npt.NDArray[np.float64]


def signal_matrix(rows: Sequence[Signals]) -> Matrix:
    return np.array([[getattr(s, name) for name in SIGNAL_NAMES] for s in rows], dtype=np.float64)


def fit_logistic(features: Matrix, labels: Sequence[bool], l2: float = 0.01, steps: int = 3000) -> ConfidenceModel:
    """L2-regularised logistic regression by full-batch gradient descent (features are all in ~[0, 1])."""
    y = np.asarray(labels, dtype=np.float64)
    weights = np.zeros(features.shape[1])
    bias = 0.0
    rate = 0.5
    for _ in range(steps):
        z = np.clip(features @ weights + bias, -40, 40)
        p = 1.0 / (1.0 + np.exp(-z))
        error = p - y
        weights -= rate * (features.T @ error / len(y) + l2 * weights)
        bias -= rate * float(error.mean())
    return ConfidenceModel(
        weights={name: round(float(w), 4) for name, w in zip(SIGNAL_NAMES, weights, strict=True)},
        bias=round(bias, 4),
    )


@dataclass(frozen=True)
class OperatingPoint:
    """What happens at one threshold: share of questions answered, and of those answered, how many wrongly."""

    threshold: float
    coverage: float
    wrong_rate: float
    correct_rate: float


def sweep(confidence: Sequence[float], correct: Sequence[bool], answerable: Sequence[bool]) -> list[OperatingPoint]:
    """Operating points at every distinct confidence: answered = confidence ≥ threshold.

    `correct` says the top candidate was an expected article; `answerable` says the question has any.
    coverage = answered / all; wrong_rate = answered but not correct / answered; correct_rate = answered and correct /
    answerable questions.
    """
    conf = np.asarray(confidence, dtype=np.float64)
    ok = np.asarray(correct, dtype=bool)
    total_answerable = max(1, int(np.asarray(answerable, dtype=bool).sum()))
    points = []
    for threshold in sorted({0.0, *np.round(conf, 4).tolist(), 1.0001}):
        answered = conf >= threshold
        count = int(answered.sum())
        wrong = int((answered & ~ok).sum())
        points.append(
            OperatingPoint(
                threshold=float(threshold),
                coverage=count / len(conf) if len(conf) else 0.0,
                wrong_rate=wrong / count if count else 0.0,
                correct_rate=int((answered & ok).sum()) / total_answerable,
            )
        )
    return points


def choose_threshold(points: Sequence[OperatingPoint], target_wrong_rate: float) -> OperatingPoint:
    """The lowest threshold (most coverage) whose wrong-answer rate is within the target."""
    meeting = [p for p in points if p.wrong_rate <= target_wrong_rate and p.coverage > 0]
    if not meeting:
        return max(points, key=lambda p: p.threshold)
    return min(meeting, key=lambda p: p.threshold)


@dataclass(frozen=True)
class ConfirmBand:
    """The confirm band chosen on the dev set: answer at or above `high` without asking; ask "is it one of these?"
    in [low, high); below `low` escalate (as below the answer threshold)."""

    low: float
    high: float
    direct_wrong_rate: float
    """Wrong-answer rate of the answers given without asking (confidence ≥ high)."""
    pick_share: float
    """Share of the questions in [low, threshold) with an expected article among the options (a pick answers)."""


def choose_band(
    confidence: Sequence[float],
    correct: Sequence[bool],
    offered: Sequence[bool],
    answerable: Sequence[bool],
    threshold: float,
    direct_wrong_rate: float,
    min_pick_share: float,
) -> ConfirmBand:
    """Upper edge: the lowest threshold whose answers are wrong at most `direct_wrong_rate` (never below the answer
    threshold). Lower edge: the lowest confidence under the answer threshold such that, among the questions from it
    up to the threshold, at least `min_pick_share` had an expected article among the options (asking them is more
    often an answer than a detour)."""
    high = max(choose_threshold(sweep(confidence, correct, answerable), direct_wrong_rate).threshold, threshold)
    conf = np.asarray(confidence, dtype=np.float64)
    hit = np.asarray(offered, dtype=bool)
    low, share = threshold, 0.0
    for edge in sorted({c for c in np.round(conf, 4).tolist() if c < threshold}, reverse=True):
        inside = (conf >= edge) & (conf < threshold)
        if hit[inside].mean() >= min_pick_share:
            low, share = float(edge), float(hit[inside].mean())
    above = conf >= high
    wrong = float((above & ~np.asarray(correct, dtype=bool)).sum() / above.sum()) if above.any() else 0.0
    return ConfirmBand(low, float(high), wrong, share)
