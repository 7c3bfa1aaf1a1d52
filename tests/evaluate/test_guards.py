"""The guard measurement: the labelled cases file, precision/recall counting, the gate's [guards] table, and the
shipped cases end to end on kb_samples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.config import Settings
from engine.errors import ConfigError
from engine.evaluate.gate import load_table_check, table_violations
from engine.evaluate.guards import (
    GuardCase,
    GuardReport,
    GuardResult,
    load_guard_cases,
    measure_guards,
    table_check,
)

ROOT = Path(__file__).resolve().parents[2]


def _result(expect: str, reason: str) -> GuardResult:
    return GuardResult(GuardCase(f"{expect}-{reason}", "kb", "q", expect), reason, "")  # type: ignore[arg-type]


def test_precision_counts_every_firing_and_recall_every_labelled_case() -> None:
    report = GuardReport((
        _result("sensitive", "sensitive_topic"),
        _result("sensitive", "answered"),
        _result("none", "sensitive_topic"),
        _result("conflict", "sensitive_topic"),
        _result("conflict", "conflict"),
        _result("none", "low_confidence"),
    ))

    metrics = report.metrics()

    assert (metrics["sensitive.precision"], metrics["sensitive.recall"]) == (round(1 / 3, 4), 0.5)
    assert (metrics["conflict.precision"], metrics["conflict.recall"]) == (1.0, 0.5)
    assert [r.case.id for r in report.mistakes()] == [
        "sensitive-answered", "none-sensitive_topic", "conflict-sensitive_topic"
    ]


def test_an_undefined_rate_is_left_out_rather_than_zero() -> None:
    metrics = GuardReport((_result("none", "answered"),)).metrics()

    assert "sensitive.precision" not in metrics and "sensitive.recall" not in metrics
    assert metrics["sensitive.fired"] == 0


def _write(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ({"id": "a", "kb": "k", "question": "q"}, "'expect' must be a non-empty string"),
        ({"id": "a", "kb": "k", "question": "q", "expect": "maybe"}, "expect 'maybe' is not one of"),
        ({"id": "a", "kb": "", "question": "q", "expect": "none"}, "'kb' must be a non-empty string"),
        (["a"], "expected a JSON object"),
    ],
)
def test_bad_case_lines_say_where_and_what(tmp_path: Path, line: object, expected: str) -> None:
    path = _write(tmp_path, line)

    with pytest.raises(ConfigError, match=re.escape(f"{path}:1: {expected}")):
        load_guard_cases(path)


def test_duplicate_case_ids_are_refused(tmp_path: Path) -> None:
    line = {"id": "a", "kb": "k", "question": "q", "expect": "none"}

    with pytest.raises(ConfigError, match="duplicate id 'a'"):
        load_guard_cases(_write(tmp_path, line, line))


def test_the_shipped_cases_load_and_cover_both_guards_both_ways() -> None:
    cases = load_guard_cases(ROOT / "evals" / "golden" / "guards.jsonl")

    assert len(cases) >= 80
    assert {c.expect for c in cases} == {"sensitive", "conflict", "none"}
    assert {"kb_samples", "plausible", "wixqa", "mtrag-govt"} <= {c.kb for c in cases}


def test_the_gate_reads_guard_floors_and_reports_each_one_missed(tmp_path: Path) -> None:
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text(
        '[guards]\ncases = "cases.jsonl"\n[guards.min]\n"sensitive.precision" = 0.9\n"conflict.recall" = 1.0\n'
    )
    check = load_table_check(thresholds)
    assert check is not None and check.cases == Path("cases.jsonl") and check.ci
    report = GuardReport((_result("sensitive", "sensitive_topic"), _result("none", "sensitive_topic")))

    found = [str(v) for v in table_violations(check, report.metrics())]

    assert found == [
        "cases.jsonl on all: conflict.recall = missing, below the minimum 1.0000",
        "cases.jsonl on all: sensitive.precision = 0.5000, below the minimum 0.9000",
    ]


def test_a_guards_table_without_cases_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=re.escape('[guards] needs cases = "evals/golden/guards.jsonl"')):
        table_check({"min": {}}, Path("thresholds.toml"))
    assert table_check(None, Path("thresholds.toml")) is None


def test_the_shipped_gate_floors_name_guard_metrics() -> None:
    check = load_table_check(ROOT / "evals" / "thresholds.toml")

    assert check is not None and check.cases == Path("evals/golden/guards.jsonl")
    known = set(GuardReport((_result("sensitive", "sensitive_topic"), _result("conflict", "conflict"))).metrics())
    assert check.minimums and set(check.minimums) | set(check.maximums) <= known
    assert check.minimums["sensitive.precision"] >= 0.9 and check.minimums["conflict.precision"] >= 0.9


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("guards-cache")


@pytest.mark.integration
def test_the_kb_samples_cases_measured_end_to_end(cache_dir: Path) -> None:
    cases = [c for c in load_guard_cases(ROOT / "evals" / "golden" / "guards.jsonl") if c.kb == "kb_samples"]

    report = measure_guards(cases, Settings(), kbs_file=ROOT / "evals" / "kbs.toml", cache_dir=cache_dir)

    metrics = report.metrics()
    assert metrics["sensitive.recall"] >= 0.85 and metrics["sensitive.precision"] >= 0.9  # 16/18 measured
    assert metrics["conflict.recall"] >= 0.8 and metrics["conflict.precision"] == 1.0
    assert {r.case.id for r in report.results} == {c.id for c in cases}


@pytest.mark.integration
def test_engine_guards_prints_metrics_and_mistakes(cache_dir: Path, tmp_path: Path) -> None:
    cases = _write(
        tmp_path,
        {"id": "price", "kb": "kb_samples", "question": "how much does the Business plan cost per seat?",
         "expect": "none"},
        {"id": "retention", "kb": "kb_samples", "question": "how far back can I download invoices",
         "expect": "conflict"},
        {"id": "missed", "kb": "kb_samples", "question": "how do I download my invoices as pdf",
         "expect": "sensitive"},
    )
    args = ["guards", "--cases", str(cases), "--kbs", str(ROOT / "evals" / "kbs.toml"), "--cache-dir", str(cache_dir)]

    outcome = CliRunner().invoke(app, [*args, "--json"])

    assert outcome.exit_code == 0, outcome.output
    printed = json.loads(outcome.stdout)
    assert printed["metrics"]["conflict.precision"] == 1.0 and printed["metrics"]["sensitive.recall"] == 0.0
    assert [m["id"] for m in printed["mistakes"]] == ["missed"]
    assert printed["per_kb"]["kb_samples"]["conflict"] == {"labelled": 1, "fired": 1, "correct": 1}
