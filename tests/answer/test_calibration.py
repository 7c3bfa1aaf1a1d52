"""Calibration maths against hand-computed numbers, and the confidence model's loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.answer.calibration import choose_threshold, fit_logistic, signal_matrix, sweep
from engine.answer.confidence import ConfidenceModel, load_confidence
from engine.errors import ConfigError
from engine.types import Signals


def test_sweep_counts_coverage_wrong_and_correct_rates() -> None:
    confidence = [0.9, 0.8, 0.6, 0.3]
    correct = [True, False, True, False]
    answerable = [True, True, True, False]

    points = {p.threshold: p for p in sweep(confidence, correct, answerable)}

    at_07 = points[0.8]  # answers the 0.9 and 0.8 questions
    assert (at_07.coverage, at_07.wrong_rate, at_07.correct_rate) == (0.5, 0.5, pytest.approx(1 / 3))
    at_06 = points[0.6]
    assert (at_06.coverage, at_06.wrong_rate, at_06.correct_rate) == (0.75, pytest.approx(1 / 3), pytest.approx(2 / 3))
    assert points[0.9].wrong_rate == 0.0 and points[0.9].coverage == 0.25


def test_choose_threshold_takes_the_most_coverage_within_the_target() -> None:
    points = sweep([0.9, 0.8, 0.6, 0.3], [True, False, True, False], [True, True, True, False])

    assert choose_threshold(points, 0.0).threshold == 0.9
    assert choose_threshold(points, 0.34).threshold == 0.6
    assert choose_threshold(points, 0.5).threshold == 0.0  # everything answered is within 50% wrong


def test_fit_logistic_learns_which_signal_separates() -> None:
    rows = [Signals(dense=d, coverage=0.5) for d in np.linspace(0, 1, 40)]
    labels = [s.dense > 0.5 for s in rows]

    model = fit_logistic(signal_matrix(rows), labels)

    assert model.weights["dense"] > 2.0
    assert model.score(Signals(dense=0.95, coverage=0.5)) > 0.8 > 0.2 > model.score(Signals(dense=0.05, coverage=0.5))


def test_load_confidence_reads_the_packaged_calibration_and_rejects_garbage(tmp_path: Path) -> None:
    packaged = load_confidence(None)
    assert 0.0 < packaged.threshold < 1.0 and packaged.weights

    bad = tmp_path / "c.toml"
    bad.write_text("threshold = 'high'\n")
    with pytest.raises(ConfigError, match="re-run `engine calibrate`"):
        load_confidence(bad)
    assert load_confidence(tmp_path / "missing.toml") == ConfidenceModel()
