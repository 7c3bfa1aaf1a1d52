"""Judged alternatives: a reviewer's verdict on whether an article other than the expected one answers a question.

`evals/judgments/*.jsonl`, one JSON object a line: `{question_id, article_id, verdict, reason}` with verdict
`answers` (a customer would be fully helped), `partial` or `wrong`. Pooled as TREC pools: every (question, article)
pair that either system cited first is judged once, and the verdict applies to both systems (docs/evals.md).

    judgments = load_judgments(Path("evals/judgments"))
    golden = attach_judgments(resolve_golden("wixqa"), judgments)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, cast, get_args

from engine.errors import ConfigError
from engine.evaluate.golden import GoldenRecord, GoldenSet, json_lines

Verdict = Literal["answers", "partial", "wrong"]
VERDICTS: tuple[str, ...] = get_args(Verdict)
_FIELDS = ("question_id", "article_id", "verdict", "reason")


@dataclass(frozen=True)
class Judgment:
    """One reviewed (question, article) pair and why; `where` is the file:line it came from."""

    question_id: str
    article_id: str
    verdict: Verdict
    reason: str
    where: str = ""


Judgments = Mapping[tuple[str, str], Judgment]


def load_judgments(folder: Path) -> dict[tuple[str, str], Judgment]:
    """Every `*.jsonl` under `folder` (none: no judgments), keyed by (question id, article id)."""
    found: dict[tuple[str, str], Judgment] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.jsonl")):
        for judgment in read_judgments(path):
            key = (judgment.question_id, judgment.article_id)
            if key in found:
                first = found[key].where
                raise ConfigError(f"{judgment.where}: {key} is already judged at {first}; judge a pair once")
            found[key] = judgment
    return found


def read_judgments(path: Path) -> list[Judgment]:
    """One judgments file, validated; errors name the file and line and what to fix."""
    return [judgment_from_json(data, where) for where, data in json_lines(path)]


def judgment_from_json(data: Any, where: str) -> Judgment:
    """One line → a Judgment; every field a non-empty string, verdict one of answers, partial, wrong."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a JSON object")
    for key in _FIELDS:
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(unknown)}; expected {', '.join(_FIELDS)}")
    if data["verdict"] not in VERDICTS:
        raise ConfigError(f"{where}: verdict {data['verdict']!r} is not one of {', '.join(VERDICTS)}")
    return Judgment(
        data["question_id"], data["article_id"], cast(Verdict, data["verdict"]), data["reason"].strip(), where
    )


def attach_judgments(golden: GoldenSet, judgments: Judgments) -> GoldenSet:
    """The set with each record's judged `answers` and `partial` articles filled in (expected ones ignored)."""
    by_question: dict[str, list[Judgment]] = {}
    for judgment in judgments.values():
        by_question.setdefault(judgment.question_id, []).append(judgment)
    records = tuple(_attach(record, by_question.get(record.judgment_key, [])) for record in golden.records)
    return replace(golden, records=records)


def _attach(record: GoldenRecord, judged: list[Judgment]) -> GoldenRecord:
    if not judged:
        return record
    others = [j for j in judged if j.article_id not in record.expected_articles]
    return replace(
        record,
        judged_answers=frozenset(j.article_id for j in others if j.verdict == "answers"),
        judged_partial=frozenset(j.article_id for j in others if j.verdict == "partial"),
        judged_wrong=frozenset(j.article_id for j in others if j.verdict == "wrong"),
    )


def verdict_of(record: GoldenRecord, article_id: str | None) -> str | None:
    """How citing `article_id` first is judged for `record`: expected, answers, partial, wrong, or None (unjudged)."""
    if article_id is None:
        return None
    if article_id in record.expected_articles:
        return "expected"
    for verdict, articles in (
        ("answers", record.judged_answers),
        ("partial", record.judged_partial),
        ("wrong", record.judged_wrong),
    ):
        if article_id in articles:
            return verdict
    return None
