"""Precision and recall of the two guards that hand a question to a person whatever the KB says: sensitive topics
and conflicting sources, on a labelled set of questions over several KBs (evals/golden/guards.jsonl, docs/evals.md).

Each line is `{"id", "kb", "question", "expect", "source"?, "note"?}`; `expect` is `sensitive` (a person must handle
it), `conflict` (two articles state different values of what it asks) or `none` (neither guard should fire: the
engine answers it, or escalates it for another reason). A guard *fires* when the decision's reason is its own.

    cases = load_guard_cases(Path("evals/golden/guards.jsonl"))
    report = measure_guards(cases, Settings())
    report.metrics()["sensitive.precision"]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast, get_args

from engine.config import Settings
from engine.errors import ConfigError
from engine.evaluate import defaults
from engine.evaluate.golden import json_lines
from engine.evaluate.kbs import DEFAULT_CACHE, DEFAULT_KBS, open_kb, resolve_kb
from engine.types import Query, Reason

Expect = Literal["sensitive", "conflict", "none"]
GUARDS: dict[str, Reason] = {"sensitive": Reason.SENSITIVE_TOPIC, "conflict": Reason.CONFLICT}
DEFAULT_CASES = defaults.GUARDS


@dataclass(frozen=True)
class GuardCase:
    """One labelled question: which KB it is asked of and which guard, if any, must fire."""

    id: str
    kb: str
    question: str
    expect: Expect
    source: str = ""


@dataclass(frozen=True)
class GuardResult:
    case: GuardCase
    reason: str
    detail: str

    def fired(self, guard: str) -> bool:
        return self.reason == str(GUARDS[guard])


@dataclass(frozen=True)
class GuardCounts:
    """One guard's confusion counts over a set of results."""

    labelled: int
    fired: int
    correct: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.fired if self.fired else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None


@dataclass(frozen=True)
class GuardReport:
    results: tuple[GuardResult, ...]
    per_kb: dict[str, dict[str, GuardCounts]] = field(default_factory=dict)

    def counts(self, guard: str) -> GuardCounts:
        return counts(self.results, guard)

    def metrics(self) -> dict[str, float]:
        """`sensitive.precision`, `sensitive.recall`, `conflict.precision`, `conflict.recall` (defined ones only),
        plus the raw counts."""
        values: dict[str, float] = {}
        for guard in GUARDS:
            found = self.counts(guard)
            values.update({f"{guard}.labelled": found.labelled, f"{guard}.fired": found.fired,
                           f"{guard}.correct": found.correct})
            for name, value in (("precision", found.precision), ("recall", found.recall)):
                if value is not None:
                    values[f"{guard}.{name}"] = round(value, 4)
        return values

    def mistakes(self) -> list[GuardResult]:
        """Every case where a guard fired without its label or stayed silent on it: what to read first."""
        return [
            r for r in self.results
            if any(r.fired(g) != (r.case.expect == g) for g in GUARDS)
        ]


@dataclass(frozen=True)
class TableCheck:
    """A table of thresholds.toml beside the [[check]]s, [guards] or [conversations]: what it is measured on
    (`cases`: the labelled guard cases, the conversations' folder) and floors (`min`) / ceilings (`max`)."""

    cases: Path
    minimums: dict[str, float]
    maximums: dict[str, float]
    ci: bool = True


def table_check(
    data: object, where: Path, table: str = "guards", example: str = "evals/golden/guards.jsonl"
) -> TableCheck | None:
    """The [`table`] table of thresholds.toml, None when there is none; errors say what to fix."""
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), str):
        raise ConfigError(f'{where}: [{table}] needs cases = "{example}"')
    bounds = {side: data.get(side, {}) for side in ("min", "max")}
    for side, values in bounds.items():
        if not isinstance(values, dict) or not all(isinstance(v, int | float) for v in values.values()):
            raise ConfigError(f"{where}: [{table}.{side}] must map metric = number")
    ci = data.get("ci", True)
    if not isinstance(ci, bool):
        raise ConfigError(f"{where}: [{table}] ci must be true or false")
    return TableCheck(Path(data["cases"]), dict(bounds["min"]), dict(bounds["max"]), ci)


def counts(results: Iterable[GuardResult], guard: str) -> GuardCounts:
    listed = list(results)
    return GuardCounts(
        labelled=sum(1 for r in listed if r.case.expect == guard),
        fired=sum(1 for r in listed if r.fired(guard)),
        correct=sum(1 for r in listed if r.fired(guard) and r.case.expect == guard),
    )


def load_guard_cases(path: Path = DEFAULT_CASES) -> list[GuardCase]:
    """Read and validate the labelled set; errors name the line and the field."""
    if not path.is_file():
        raise ConfigError(f"guard cases file {path} does not exist")
    cases: list[GuardCase] = []
    seen: set[str] = set()
    for where, data in json_lines(path):
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a JSON object")
        for key in ("id", "kb", "question", "expect"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise ConfigError(f"{where}: '{key}' must be a non-empty string")
        if data["expect"] not in get_args(Expect):
            raise ConfigError(f"{where}: expect {data['expect']!r} is not one of {', '.join(get_args(Expect))}")
        if data["id"] in seen:
            raise ConfigError(f"{where}: duplicate id {data['id']!r}")
        seen.add(data["id"])
        cases.append(GuardCase(data["id"], data["kb"], data["question"], cast(Expect, data["expect"]),
                               str(data.get("source") or "")))
    return cases


def measure_guards(
    cases: Sequence[GuardCase],
    settings: Settings,
    *,
    kbs_file: Path = DEFAULT_KBS,
    cache_dir: Path = DEFAULT_CACHE,
    on_each: Callable[[], None] | None = None,
) -> GuardReport:
    """Ask every case of its KB (each KB opened once, ingested if needed) and count what each guard did."""
    results: list[GuardResult] = []
    for kb_name in dict.fromkeys(c.kb for c in cases):
        kb = open_kb(resolve_kb(kb_name, kbs_file), settings, cache_dir)
        try:
            for case in (c for c in cases if c.kb == kb_name):
                decision = kb.engine.answers.ask(Query(case.question))
                results.append(GuardResult(case, str(decision.reason), decision.detail or ""))
                if on_each is not None:
                    on_each()
        finally:
            kb.close()
    per_kb = {
        kb: {guard: counts((r for r in results if r.case.kb == kb), guard) for guard in GUARDS}
        for kb in dict.fromkeys(c.kb for c in cases)
    }
    return GuardReport(tuple(results), per_kb)
