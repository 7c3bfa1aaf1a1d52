"""The CI gate: run the checks of evals/thresholds.toml and report every metric past its floor or ceiling."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.config import Settings
from engine.errors import ConfigError
from engine.evaluate import defaults
from engine.evaluate.adapters import DEFAULT_DATASETS, resolve_golden
from engine.evaluate.guards import TableCheck, table_check
from engine.evaluate.harness import EvalOptions, Progress, evaluate_kb
from engine.evaluate.kbs import DEFAULT_KBS, resolve_kb
from engine.evaluate.report import EvalReport

DEFAULT_THRESHOLDS = defaults.THRESHOLDS


@dataclass(frozen=True)
class Check:
    """One golden set on one KB, with floors (`min`) and ceilings (`max`) for named metrics."""

    kb: str
    golden: str
    sample: int | None = None
    minimums: dict[str, float] = field(default_factory=dict)
    maximums: dict[str, float] = field(default_factory=dict)
    ci: bool = True

    @property
    def metrics(self) -> set[str]:
        return set(self.minimums) | set(self.maximums)


@dataclass(frozen=True)
class Violation:
    kb: str
    golden: str
    metric: str
    value: float | None
    bound: float
    side: str

    def __str__(self) -> str:
        shown = "missing" if self.value is None else f"{self.value:.4f}"
        relation = "below the minimum" if self.side == "min" else "above the maximum"
        return f"{self.golden} on {self.kb}: {self.metric} = {shown}, {relation} {self.bound:.4f}"


def load_checks(path: Path = DEFAULT_THRESHOLDS) -> list[Check]:
    if not path.is_file():
        raise ConfigError(f"thresholds file {path} does not exist (expected evals/thresholds.toml)")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    checks = data.get("check")
    if not isinstance(checks, list) or not checks:
        raise ConfigError(f"{path}: no [[check]] tables")
    return [_check(c, number, path) for number, c in enumerate(checks, start=1)]


def _check(data: Any, number: int, path: Path) -> Check:
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("kb"), str)
        or not isinstance(data.get("golden"), str)
    ):
        raise ConfigError(f'{path}: check {number} needs kb = "..." and golden = "..."')
    bounds = {side: data.get(side, {}) for side in ("min", "max")}
    for side, values in bounds.items():
        if not isinstance(values, dict) or not all(isinstance(v, int | float) for v in values.values()):
            raise ConfigError(
                f"{path}: check {number} ({data['golden']}): [check.{side}] must map metric = number"
            )
    sample = data.get("sample")
    if sample is not None and (not isinstance(sample, int) or sample < 1):
        raise ConfigError(f"{path}: check {number}: sample must be a positive integer")
    ci = data.get("ci", True)
    if not isinstance(ci, bool):
        raise ConfigError(f"{path}: check {number}: ci must be true or false")
    return Check(data["kb"], data["golden"], sample, dict(bounds["min"]), dict(bounds["max"]), ci)


def load_table_check(path: Path = DEFAULT_THRESHOLDS, table: str = "guards") -> TableCheck | None:
    """The optional [guards] table (floors for the sensitive-topic and conflict guards on their labelled cases) or
    [conversations] table (the mtrag-govt conversations replayed, engine/evaluate/replay.py)."""
    if not path.is_file():
        return None
    example = "evals/golden/guards.jsonl" if table == "guards" else "evals/datasets/mtrag-govt"
    return table_check(tomllib.loads(path.read_text(encoding="utf-8")).get(table), path, table, example)


def table_violations(check: TableCheck, values: dict[str, float]) -> list[Violation]:
    """Every metric of `values` past its bound in `check` (a missing one too)."""
    return _past("all", str(check.cases), check.minimums, check.maximums, values)


def violations(check: Check, report: EvalReport) -> list[Violation]:
    return _past(check.kb, check.golden, check.minimums, check.maximums, report.flat())


def _past(
    kb: str, golden: str, minimums: dict[str, float], maximums: dict[str, float], values: dict[str, float]
) -> list[Violation]:
    found = []
    for side, bounds in (("min", minimums), ("max", maximums)):
        for metric, bound in sorted(bounds.items()):
            value = values.get(metric)
            if value is None or (value < bound if side == "min" else value > bound):
                found.append(Violation(kb, golden, metric, value, float(bound), side))
    return found


def run_gate(
    checks: Sequence[Check],
    settings: Settings,
    options: EvalOptions,
    *,
    kbs_file: Path = DEFAULT_KBS,
    datasets: Path = DEFAULT_DATASETS,
    progress: Progress | None = None,
) -> tuple[list[EvalReport], list[Violation]]:
    """Run every check, opening each KB once; baseline and ragas run only if a check names their metrics."""
    reports: list[EvalReport] = []
    found: list[Violation] = []
    for kb in dict.fromkeys(c.kb for c in checks):
        mine = [c for c in checks if c.kb == kb]
        names = set().union(*(c.metrics for c in mine))
        kb_options = replace(
            options,
            baseline=options.baseline and any(n.startswith("baseline.") for n in names),
            ragas=options.ragas and any(n.startswith("ragas.") for n in names),
        )
        goldens = [resolve_golden(c.golden, datasets, sample_size=c.sample) for c in mine]
        kb_reports = evaluate_kb(resolve_kb(kb, kbs_file), goldens, settings, kb_options, progress)
        for check, report in zip(mine, kb_reports, strict=True):
            found += violations(check, report)
        reports += kb_reports
    return reports, found
