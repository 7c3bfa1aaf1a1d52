"""Third-party sets become golden records with the right counts, kinds and fixed-seed samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.evaluate.adapters import natural_kb, resolve_golden, sample

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"


def test_wixqa_is_all_answerable() -> None:
    golden = resolve_golden("wixqa", DATASETS)
    assert len(golden.records) == 100
    assert all(
        r.kind == "answerable" and r.expected_articles and not r.excluded_articles for r in golden.records
    )
    assert all(r.reference_answer for r in golden.records)


def test_wixqa_gold_removed_must_escalate_without_its_gold() -> None:
    plain = resolve_golden("wixqa", DATASETS).records
    removed = resolve_golden("wixqa-gold-removed", DATASETS).records
    assert len(removed) == 100
    for before, after in zip(plain, removed, strict=True):
        assert after.question == before.question
        assert after.kind == "unanswerable" and after.should_escalate
        assert after.excluded_articles == before.expected_articles


def test_techqa_splits_answerable_and_unanswerable() -> None:
    records = resolve_golden("techqa", DATASETS).records
    assert len(records) == 480
    assert sum(r.kind == "answerable" for r in records) == 384
    unanswerable = [r for r in records if r.kind == "unanswerable"]
    assert len(unanswerable) == 96 and all(r.should_escalate for r in unanswerable)


def test_out_of_scope_is_sampled_with_a_fixed_seed_unless_full() -> None:
    first = resolve_golden("oos", DATASETS)
    again = resolve_golden("oos", DATASETS)
    assert len(first.records) == 300
    assert [r.id for r in first.records] == [r.id for r in again.records]
    assert {r.id.split("-")[0] for r in first.records} == {"clinc", "hint3"}
    full = resolve_golden("oos", DATASETS, full=True)
    assert len(full.records) == 2350
    assert all(r.kind == "out_of_scope" and r.should_escalate for r in full.records)
    assert len(resolve_golden("oos-clinc150", DATASETS, sample_size=50).records) == 50


def test_sample_keeps_file_order_and_changes_with_seed() -> None:
    golden = resolve_golden("techqa", DATASETS)
    picked = sample(golden, 40)
    positions = [golden.records.index(r) for r in picked.records]
    assert positions == sorted(positions)
    assert [r.id for r in sample(golden, 40, seed=1).records] != [r.id for r in picked.records]
    assert sample(golden, None) is golden


def test_unknown_golden_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="neither a file nor an adapter"):
        resolve_golden("nope", DATASETS)


def test_natural_kb() -> None:
    assert natural_kb("wixqa-gold-removed") == "wixqa"
    assert natural_kb("evals/golden/plausible.jsonl") == "plausible"
    assert natural_kb("oos") is None
