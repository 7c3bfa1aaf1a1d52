"""Reports from synthetic results: flat metric names, JSON shape, the HTML with its plot, and the gate."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.evaluate.gate import Check, load_checks, violations
from engine.evaluate.golden import GoldenRecord
from engine.evaluate.html import render_html, sweep_png
from engine.evaluate.metrics import Outcome
from engine.evaluate.report import build_report
from engine.evaluate.runner import QuestionResult

ROOT = Path(__file__).resolve().parents[2]


def result(
    rid: str, expected: tuple[str, ...], kind: str, ours: Outcome, ranking: tuple[str, ...]
) -> QuestionResult:
    record = GoldenRecord(id=rid, question=f"question {rid}", expected_articles=expected, kind=kind)  # type: ignore[arg-type]
    baseline = Outcome(bool(ranking), ranking[:1], 0.7, "answered", ranking[0] if ranking else None, True)
    return QuestionResult(
        record=record,
        rankings={"bm25": ranking, "dense": ranking[::-1], "hybrid": ranking},
        ours=ours,
        answer="an answer" if ours.answered else None,
        contexts=(),
        context_ids=(),
        reference_contexts=(),
        baseline=baseline,
        baseline_ranking=ranking,
    )


@pytest.fixture
def results() -> list[QuestionResult]:
    return [
        result("1", ("a",), "answerable", Outcome(True, ("a",), 0.9, "answered", "a", True), ("a", "b")),
        result("2", ("b",), "answerable", Outcome(True, ("a",), 0.6, "answered", "a", True), ("a", "b")),
        result("3", (), "out_of_scope", Outcome(False, (), 0.2, "low_confidence", "c", True), ("c",)),
        result("4", (), "stale", Outcome(True, ("old",), 0.8, "answered", "old", True, ("old",)), ("old",)),
    ]


def test_flat_metrics(results: list[QuestionResult]) -> None:
    report = build_report("kb", "set", results, {"ours": 0.5, "baseline": 0.5})
    flat = report.flat()
    assert flat["hybrid.hit@1"] == 0.5 and flat["hybrid.hit@3"] == 1.0
    assert flat["dense.hit@1"] == 0.5  # reversed ("b", "a"): question 2 hits first
    assert flat["ours.answered_correctly"] == 0.5
    assert flat["ours.wrong_answer_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert flat["ours.coverage"] == 0.75
    assert flat["ours.forbidden_citations"] == 1.0
    assert flat["ours.escalation_recall.out_of_scope"] == 1.0
    assert flat["ours.escalation_recall.stale"] == 0.0
    assert "ours.escalation_recall.answerable" not in flat  # undefined: nothing there should escalate
    assert flat["baseline.coverage"] == 1.0
    assert [m.id for m in report.misses] == ["2", "4"]


def test_json_and_html(results: list[QuestionResult]) -> None:
    report = build_report("kb", "set", results, {"ours": 0.5, "baseline": 0.5})
    data = json.loads(json.dumps(report.to_dict()))
    assert data["counts"]["ours"]["answered_correctly"] == 1
    assert data["counts"]["ours"]["per_kind"]["stale"]["should_escalate"] == 1
    at_operating_point = [p for p in data["sweep"]["ours"] if p["threshold"] == 0.5][0]
    assert at_operating_point["coverage"] == 0.75
    page = render_html([report])
    png = re.search(r'src="data:image/png;base64,([^"]+)"', page)
    assert png is not None and base64.b64decode(png.group(1)).startswith(b"\x89PNG")
    assert "hit@5" in page and "wrong-answer rate" in page and "question 4" in page
    assert sweep_png(report).startswith(b"\x89PNG")


def test_gate_reports_each_metric_past_its_bound(results: list[QuestionResult]) -> None:
    report = build_report("kb", "set", results, {"ours": 0.5})
    check = Check(
        "kb",
        "set",
        minimums={"hybrid.hit@1": 0.4, "ours.answered_correctly": 0.6, "ours.nonexistent": 0.1},
        maximums={"ours.forbidden_citations": 0, "ours.wrong_answer_rate": 0.9},
    )
    found = {v.metric: v for v in violations(check, report)}
    assert set(found) == {"ours.answered_correctly", "ours.nonexistent", "ours.forbidden_citations"}
    assert "below the minimum 0.6000" in str(found["ours.answered_correctly"])
    assert "above the maximum 0.0000" in str(found["ours.forbidden_citations"])
    assert "missing" in str(found["ours.nonexistent"])


def test_shipped_thresholds_name_real_metrics(results: list[QuestionResult]) -> None:
    checks = load_checks(ROOT / "evals" / "thresholds.toml")
    assert checks
    known = set(build_report("kb", "set", results, {"ours": 0.5, "baseline": 0.5}).flat())
    # Present only when the set has them: per-kind escalation, ragas, reference answers (key facts), confirmed
    # questions (the pick rate).
    known_prefixes = ("ours.escalation_recall.", "ours.escalation_precision.", "ragas.", "ours.answer.",
                      "ours.no_confirm.escalation_recall.", "ours.pick_rate")
    for check in checks:
        assert check.metrics, f"{check.golden} on {check.kb} checks nothing"
        for metric in check.metrics:
            assert metric in known or metric.startswith(known_prefixes), metric
        assert check.maximums.get("ours.forbidden_citations") == 0


def test_bad_thresholds_file(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[[check]]\nkb = "kb"\ngolden = "g"\n[check.min]\n"x" = "high"\n')
    with pytest.raises(ConfigError, match=r"\[check.min\] must map metric = number"):
        load_checks(path)
