"""Golden question sets: one JSON object per line, validated into typed records."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast, get_args

from engine.errors import ConfigError
from engine.types import PUBLIC_AUDIENCE

Kind = Literal["answerable", "unanswerable", "out_of_scope", "sensitive", "injection", "stale"]
KINDS: tuple[str, ...] = get_args(Kind)
# Kinds whose must-escalate questions escalate whatever the KB says: a judged answer never makes answering correct.
POLICY_ESCALATIONS = frozenset({"out_of_scope", "sensitive", "injection"})


@dataclass(frozen=True)
class GoldenRecord:
    """One question and what a correct engine does: cite one of `expected_articles`, or escalate if empty."""

    id: str
    question: str
    expected_articles: tuple[str, ...]
    kind: Kind
    audience: tuple[str, ...] = (PUBLIC_AUDIENCE,)
    locale: str | None = None
    reference_answer: str | None = None
    stale_articles: tuple[str, ...] = ()  # never to be cited (the file's stale_articles + suspect_articles)
    excluded_articles: tuple[str, ...] = ()  # taken out of the KB for this question ("gold removed")
    judged_as: str | None = None  # the question id its judgments are filed under (default: `id`)
    judged_answers: frozenset[str] = frozenset()  # other articles a reviewer judged to answer it fully
    judged_partial: frozenset[str] = frozenset()  # other articles a reviewer judged to answer it in part
    judged_wrong: frozenset[str] = frozenset()  # other articles a reviewer judged not to answer it

    @property
    def should_escalate(self) -> bool:
        return not self.expected_articles

    @property
    def judgment_key(self) -> str:
        """The question id under which evals/judgments/*.jsonl file this question's judged articles."""
        return self.judged_as or self.id

    @property
    def judged_expected(self) -> frozenset[str]:
        """Articles whose citation counts as correct under judged scoring (none for a policy escalation)."""
        if self.should_escalate and self.kind in POLICY_ESCALATIONS:
            return frozenset()
        return frozenset(self.expected_articles) | self.judged_answers

    @property
    def judged_should_escalate(self) -> bool:
        """Must escalate under judged scoring: nothing expected and no article judged to answer it."""
        return not self.judged_expected


@dataclass(frozen=True)
class GoldenSet:
    """A named list of records; `path` is the JSONL file it came from (None for adapters)."""

    name: str
    records: tuple[GoldenRecord, ...]
    path: Path | None = None

    def limited(self, limit: int | None) -> GoldenSet:
        return self if limit is None else GoldenSet(self.name, self.records[:limit], self.path)

    def only(self, ids: Iterable[str]) -> GoldenSet:
        keep = set(ids)
        return GoldenSet(self.name, tuple(r for r in self.records if r.id in keep), self.path)


def load_golden(path: Path) -> GoldenSet:
    """Read and validate a golden JSONL file; errors name the line and the field to fix."""
    if not path.is_file():
        raise ConfigError(f"golden file {path} does not exist")
    records: list[GoldenRecord] = []
    seen: set[str] = set()
    for where, data in json_lines(path):
        record = record_from_json(data, where)
        if record.id in seen:
            raise ConfigError(f"{where}: duplicate id {record.id!r}")
        seen.add(record.id)
        records.append(record)
    return GoldenSet(path.name, tuple(records), path)


def json_lines(path: Path) -> Iterator[tuple[str, Any]]:
    """("file:line", parsed JSON) for each non-blank line; a line that is not JSON raises ConfigError saying where."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            yield where, json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc.msg})") from exc


def record_from_json(data: Any, where: str) -> GoldenRecord:
    """One golden line → a record; rejects missing fields and unknown kinds with a message saying which."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a JSON object")
    for key in ("id", "question", "kind"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    if data["kind"] not in KINDS:
        raise ConfigError(f"{where}: kind {data['kind']!r} is not one of {', '.join(KINDS)}")
    audience = data.get("audience") or PUBLIC_AUDIENCE
    return GoldenRecord(
        id=data["id"],
        question=data["question"],
        expected_articles=_ids(data.get("expected_articles"), "expected_articles", where),
        kind=cast(Kind, data["kind"]),
        audience=(audience,) if isinstance(audience, str) else tuple(str(a) for a in audience),
        locale=data.get("locale"),
        reference_answer=data.get("reference_answer"),
        stale_articles=_ids(data.get("stale_articles"), "stale_articles", where)
        + _ids(data.get("suspect_articles"), "suspect_articles", where),
        excluded_articles=_ids(data.get("excluded_articles"), "excluded_articles", where),
    )


def _ids(value: Any, field: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{field}' must be a list of article ids")
    return tuple(value)
