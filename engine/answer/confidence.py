"""Confidence: a logistic model over retrieval signals. The weights are fitted by `engine calibrate`."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel

from engine.analysis import terms, weight_of
from engine.errors import ConfigError
from engine.types import Candidate, Signals

SIGNAL_NAMES = ("fused", "dense", "bm25_norm", "margin", "agreement", "coverage", "oov")


class ConfidenceModel(BaseModel):
    """Weights of the logistic confidence model; defaults were fitted on the Plausible dev set (docs/calibration.md)."""

    weights: dict[str, float] = {
        "fused": 2.0,
        "dense": 6.0,
        "bm25_norm": 0.5,
        "margin": 4.0,
        "agreement": 1.0,
        "coverage": 3.0,
    }
    bias: float = -6.5
    threshold: float = 0.5
    confirm_from: float | None = None
    """The confirm band [confirm_from, confirm_below): the customer is asked which article (None = no band)."""
    confirm_below: float | None = None

    def score(self, signals: Signals) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * getattr(signals, name) for name in SIGNAL_NAMES)
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def signals(
    candidates: Sequence[Candidate],
    query_terms: Sequence[str],
    idf: Callable[[str], float],
    bm25_max: float,
    known: Callable[[str], bool],
) -> Signals:
    """Signals about the top candidate: how strong, how far ahead, whether both indexes agree, term coverage."""
    if not candidates:
        return Signals(oov=out_of_vocabulary(query_terms, known))
    top = candidates[0].best
    runner_up = candidates[1].fused if len(candidates) > 1 else 0.0
    in_bm25 = top.bm25_rank is not None and top.bm25_rank <= 3
    in_dense = top.dense_rank is not None and top.dense_rank <= 3
    return Signals(
        fused=top.fused,
        dense=top.dense,
        bm25_norm=top.bm25 / bm25_max if bm25_max > 0 else 0.0,
        margin=max(0.0, candidates[0].fused - runner_up),
        agreement=(in_bm25 + in_dense) / 2.0,
        coverage=coverage(query_terms, set(terms(top.chunk.index_text)), idf),
        oov=out_of_vocabulary(query_terms, known),
    )


def out_of_vocabulary(query_terms: Sequence[str], known: Callable[[str], bool]) -> float:
    unique = set(query_terms)
    return sum(1 for t in unique if not known(t)) / len(unique) if unique else 1.0


def coverage(query_terms: Sequence[str], passage_terms: set[str], idf: Callable[[str], float]) -> float:
    """Share of the query's information (idf mass) found in the passage; terms unknown to the KB count as rare."""
    unique = set(query_terms)
    if not unique:
        return 0.0
    weights = {t: idf(t) for t in unique}
    rare = max([w for w in weights.values() if w > 0], default=1.0)
    weights = {t: (w if w > 0 else rare) for t, w in weights.items()}
    total = weight_of(weights, weights)
    return weight_of(unique & passage_terms, weights) / total if total else 0.0


def default_calibration_path() -> Path:
    return Path(__file__).with_name("calibration.toml")


def load_confidence(path: Path | None) -> ConfidenceModel:
    """The calibrated model (`engine calibrate` writes it); the built-in defaults when no file exists."""
    path = path or default_calibration_path()
    if not path.is_file():
        return ConfidenceModel()
    try:
        return ConfidenceModel.model_validate(tomllib.loads(path.read_text()))
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ConfigError(f"calibration file {path}: {exc}; re-run `engine calibrate`") from exc
