"""The runner end to end on kb_samples with the real model and index: `engine eval` and what it uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from engine.answer.confidence import load_confidence
from engine.cli import app
from engine.config import Settings
from engine.evaluate.golden import load_golden
from engine.evaluate.kbs import OpenKb, load_kb_specs, open_kb
from engine.evaluate.runner import Runner
from engine.types import Query

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "evals" / "golden" / "kb_samples.jsonl"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("eval-cache")


@pytest.fixture(scope="module")
def kb(cache_dir: Path) -> Iterator[OpenKb]:
    opened = open_kb(load_kb_specs(ROOT / "evals" / "kbs.toml")["kb_samples"], Settings(), cache_dir)
    yield opened
    opened.close()


def test_engine_eval_on_kb_samples(
    kb: OpenKb, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb.close()  # local Qdrant allows one client per folder: the command opens its own
    monkeypatch.chdir(ROOT)
    html = tmp_path / "report.html"
    args = [
        "eval",
        "--golden",
        str(GOLDEN),
        "--kb",
        "kb_samples",
        "--limit",
        "12",
        "--json",
        "--html",
        str(html),
    ]
    outcome = CliRunner().invoke(app, [*args, "--cache-dir", str(cache_dir)])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.stdout)["reports"][0]
    metrics = report["metrics"]
    assert report["questions"] == 12 and report["selection"] == "all, first 12"
    for mode in ("bm25", "dense", "hybrid", "baseline"):
        assert 0.0 <= metrics[f"{mode}.hit@1"] <= metrics[f"{mode}.hit@5"] <= 1.0
    # The first 12 questions are plain answerable ones that the engine mostly gets right.
    assert metrics["hybrid.hit@5"] >= 0.8
    assert metrics["ours.answered_correctly"] >= 0.5
    assert metrics["ours.forbidden_citations"] == 0 and metrics["baseline.forbidden_citations"] == 0
    assert report["operating_point"]["ours"] == load_confidence(None).threshold
    assert 0.0 <= metrics["ragas.id_context_recall"] <= 1.0
    assert "data:image/png;base64," in html.read_text()


@pytest.fixture(scope="module")
def reopened(cache_dir: Path) -> Iterator[OpenKb]:
    opened = open_kb(load_kb_specs(ROOT / "evals" / "kbs.toml")["kb_samples"], Settings(), cache_dir)
    yield opened
    opened.close()


def test_runner_respects_eligibility_in_both_pipelines(reopened: OpenKb) -> None:
    runner = Runner(reopened.engine, baseline_cutoff=0.0)
    snapshot = reopened.engine.index.get()
    records = load_golden(GOLDEN).records
    stale = [r for r in records if r.stale_articles][:6]
    admins = [r for r in records if "admins" in r.audience][:2]
    for record in [*stale, *admins]:
        result = runner.ask(record)
        masks = reopened.engine.eligibility.masks(
            snapshot, Query(record.question, record.audience, record.locale)
        )
        eligible = {snapshot.article_ids[i] for i in np.flatnonzero(masks.eligible)}
        for ranking in (*result.rankings.values(), result.baseline_ranking):
            assert set(ranking) <= eligible, (record.id, set(ranking) - eligible)
        assert not result.ours.forbidden and result.baseline is not None and not result.baseline.forbidden


def test_gold_removed_mask_hides_the_gold_and_changes_nothing_else(reopened: OpenKb) -> None:
    runner = Runner(reopened.engine)
    record = next(r for r in load_golden(GOLDEN).records if r.id == "kbs-001")
    plain = runner.ask(record)
    assert plain.ours.answered and plain.ours.cited[0] in record.expected_articles
    # The runner asks the engine's own service (per-call scope): with no exclusions, the same decision.
    direct = reopened.engine.answers.ask(Query(record.question, record.audience, record.locale))
    assert (direct.decision, direct.confidence) == ("answer", plain.ours.confidence)
    removed = runner.ask(replace(record, expected_articles=(), excluded_articles=record.expected_articles))
    for ranking in removed.rankings.values():
        assert not set(ranking) & set(record.expected_articles)
    assert not set(removed.ours.cited) & set(record.expected_articles)
    assert removed.ours.top not in record.expected_articles
