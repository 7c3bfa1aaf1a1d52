"""Golden files are valid: ids unique, kinds known, and every article they name exists in the KB's sources."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.evaluate.adapters import resolve_golden
from engine.evaluate.golden import load_golden, record_from_json
from engine.evaluate.kbs import load_kb_specs
from engine.ingest.loader import LoadOptions, load_source

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "evals" / "golden"
DATASETS = ROOT / "evals" / "datasets"


@cache
def kb_article_ids(kb: str) -> frozenset[str]:
    """Ids exactly as the engine's loader reads them from the KB's sources (no embedding needed)."""
    spec = load_kb_specs(ROOT / "evals" / "kbs.toml")[kb]
    ids: set[str] = set()
    for source in spec.sources:
        ids |= {
            a.id for a in load_source(source.path, LoadOptions(overrides=source.overrides or None)).articles
        }
    return frozenset(ids)


@pytest.mark.parametrize(
    ("golden", "kb", "count"),
    [("plausible.jsonl", "plausible", 281), ("kb_samples.jsonl", "kb_samples", 116)],
)
def test_golden_articles_exist_in_kb(golden: str, kb: str, count: int) -> None:
    records = load_golden(GOLDEN / golden).records
    assert len(records) == count
    assert len({r.id for r in records}) == count
    known = kb_article_ids(kb)
    missing = {
        (r.id, a) for r in records for a in (*r.expected_articles, *r.stale_articles) if a not in known
    }
    assert not missing, f"articles named in {golden} but absent from {kb}: {sorted(missing)[:10]}"


def test_plausible_stale_articles_are_retired_or_archived() -> None:
    spec = load_kb_specs(ROOT / "evals" / "kbs.toml")["plausible"]
    retired = spec.sources[1]
    archived = {a.id for a in load_source(retired.path, LoadOptions(overrides=retired.overrides)).articles}
    stale = {a for r in load_golden(GOLDEN / "plausible.jsonl").records for a in r.stale_articles}
    assert stale and stale <= archived


@pytest.mark.parametrize(("adapter", "kb"), [("wixqa", "wixqa"), ("techqa", "techqa")])
def test_third_party_gold_articles_exist_in_kb(adapter: str, kb: str) -> None:
    golden = resolve_golden(adapter, DATASETS)
    known = kb_article_ids(kb)
    assert len({r.id for r in golden.records}) == len(golden.records)
    assert {a for r in golden.records for a in r.expected_articles} <= known


def test_record_validation_names_the_problem() -> None:
    good = {"id": "x", "question": "q?", "kind": "answerable", "expected_articles": ["a"]}
    assert record_from_json(good, "here").expected_articles == ("a",)
    with pytest.raises(ConfigError, match="kind 'weird'"):
        record_from_json({**good, "kind": "weird"}, "here")
    with pytest.raises(ConfigError, match="'question' must be"):
        record_from_json({**good, "question": ""}, "here")
    with pytest.raises(ConfigError, match="expected_articles"):
        record_from_json({**good, "expected_articles": "a"}, "here")


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    line = json.dumps({"id": "same", "question": "q", "kind": "unanswerable", "expected_articles": []})
    path = tmp_path / "dup.jsonl"
    path.write_text(f"{line}\n{line}\n")
    with pytest.raises(ConfigError, match="duplicate id 'same'"):
        load_golden(path)


def test_suspect_articles_must_not_be_cited_either() -> None:
    records = {r.id: r for r in load_golden(GOLDEN / "kb_samples.jsonl").records}
    suspect = [r for r in records.values() if "getting-started/board-views" in r.stale_articles]
    assert suspect, "suspect_articles of kb_samples.jsonl are read as must-not-cite"


def test_audience_and_locale_are_read() -> None:
    records = {r.id: r for r in load_golden(GOLDEN / "kb_samples.jsonl").records}
    admins = [r for r in records.values() if r.audience == ("admins",)]
    german = [r for r in records.values() if r.locale == "de"]
    assert len(admins) == 4 and len(german) == 2


def test_conversations_name_existing_articles_of_their_kb() -> None:
    """evals/golden/conversations.jsonl (docs/evals.md, "Follow-ups"): ≥ 60 two-turn conversations over kb_samples
    and Plausible, ids unique, every expected article an id of the conversation's own KB."""
    from engine.evaluate.followups import CONVERSATIONS, load_conversations

    conversations = load_conversations(ROOT / CONVERSATIONS)
    per_kb = {kb: sum(c.kb == kb for c in conversations) for kb in {c.kb for c in conversations}}
    assert per_kb == {"kb_samples": 44, "plausible": 23}
    assert len({c.id for c in conversations}) == len(conversations)
    for case in conversations:
        for turn in (case.first, case.second):
            assert turn.expected, case.id
            assert set(turn.expected) <= kb_article_ids(case.kb), case.id
