"""Judged alternatives: the loader's validation and how judgments attach to golden records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.evaluate.adapters import wixqa
from engine.evaluate.golden import GoldenRecord, GoldenSet
from engine.evaluate.judgments import (
    attach_judgments,
    judgment_from_json,
    load_judgments,
    read_judgments,
    verdict_of,
)

GOOD = [
    {"question_id": "q1", "article_id": "hub", "verdict": "answers", "reason": "repeats the how-to"},
    {"question_id": "q1", "article_id": "near", "verdict": "partial", "reason": "first step only"},
    {"question_id": "q1", "article_id": "off", "verdict": "wrong", "reason": "another feature"},
    {"question_id": "q1", "article_id": "gold", "verdict": "wrong", "reason": "ignored: already expected"},
]


def write(folder: Path, name: str, lines: list[object]) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_good_lines_load_and_attach(tmp_path: Path) -> None:
    write(tmp_path, "set.jsonl", GOOD)
    judgments = load_judgments(tmp_path)
    records = (GoldenRecord("q1", "?", ("gold",), "answerable"), GoldenRecord("q2", "?", (), "unanswerable"))
    golden = GoldenSet("set", records)

    q1, q2 = attach_judgments(golden, judgments).records

    assert len(judgments) == 4 and judgments[("q1", "hub")].where.endswith("set.jsonl:1")
    assert (q1.judged_answers, q1.judged_partial, q1.judged_wrong) == ({"hub"}, {"near"}, {"off"})
    assert q1.judged_expected == {"gold", "hub"} and q2 == golden.records[1]
    assert [verdict_of(q1, a) for a in ("gold", "hub", "near", "off", "new", None)] == [
        "expected", "answers", "partial", "wrong", None, None,
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not valid JSON"),
        ("[1]", "expected a JSON object"),
        ('{"question_id": "q1", "article_id": "a", "verdict": "answers"}', "'reason' must be a non-empty string"),
        ('{"question_id": "q1", "article_id": "a", "verdict": "maybe", "reason": "r"}', "verdict 'maybe' is not one"),
        ('{"question_id": "q1", "article_id": "a", "verdict": "wrong", "reason": " "}', "'reason' must be"),
        ('{"question_id": "q1", "article_id": "a", "verdict": "wrong", "reason": "r", "by": "x"}', "unknown field(s) by"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOOD[0]) + "\n\n" + line + "\n", encoding="utf-8")

    with pytest.raises(ConfigError) as error:
        read_judgments(path)

    assert f"{path}:3: " in str(error.value) and message in str(error.value)


def test_a_pair_judged_twice_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.jsonl", GOOD[:1])
    write(tmp_path, "b.jsonl", [{**GOOD[0], "verdict": "wrong"}])

    with pytest.raises(ConfigError, match=r"b\.jsonl:1: .* already judged at .*a\.jsonl:1"):
        load_judgments(tmp_path)


def test_no_folder_means_no_judgments(tmp_path: Path) -> None:
    assert load_judgments(tmp_path / "absent") == {}


def test_wixqa_gold_removed_shares_the_questions_judgments(tmp_path: Path) -> None:
    (tmp_path / "wixqa").mkdir()
    write(tmp_path / "wixqa", "questions_dev.jsonl", [{"id": "W-1", "question": "?", "article_ids": ["gold"]}])
    line = {"question_id": "W-1", "article_id": "hub", "verdict": "answers", "reason": "same steps"}
    judged = {("W-1", "hub"): judgment_from_json(line, "t:1")}

    [present] = attach_judgments(wixqa(tmp_path), judged).records
    [removed] = attach_judgments(wixqa(tmp_path, gold_removed=True), judged).records

    assert present.judged_answers == removed.judged_answers == {"hub"}
    assert removed.should_escalate and not removed.judged_should_escalate


def test_policy_escalations_stay_escalations() -> None:
    sensitive = GoldenRecord("s", "?", (), "sensitive", judged_answers=frozenset({"hub"}))
    injection = GoldenRecord("i", "?", ("gold",), "injection", judged_answers=frozenset({"hub"}))

    assert sensitive.judged_should_escalate and sensitive.judged_expected == frozenset()
    assert injection.judged_expected == {"gold", "hub"}

