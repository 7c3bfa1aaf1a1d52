"""The freshness report: every article's state and the rule behind it, most-needed fixes first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from engine.freshness.policy import State, Verdict
from engine.types import Article

# Blocked articles that customers still ask about come first; then blocked ones; then those due soon.
_SEVERITY = {
    State.EXPIRED: 0,
    State.STALE: 0,
    State.SUSPECT: 0,
    State.SUPERSEDED: 1,
    State.ARCHIVED: 2,
    State.DRAFT: 3,
    State.DUE_SOON: 4,
    State.FRESH: 5,
}


@dataclass(frozen=True)
class ReportRow:
    article_id: str
    title: str
    state: State
    rule: str
    detail: str
    owner: str | None
    updated_at: datetime | None
    hits_30d: int


def freshness_report(
    articles: Iterable[Article], verdicts: Mapping[str, Verdict], hits: Mapping[str, int]
) -> list[ReportRow]:
    rows = [
        ReportRow(
            article_id=a.id,
            title=a.title,
            state=verdicts[a.id].state,
            rule=verdicts[a.id].rule,
            detail=verdicts[a.id].detail,
            owner=a.owner,
            updated_at=a.updated_at,
            hits_30d=hits.get(a.id, 0),
        )
        for a in articles
    ]
    return sorted(rows, key=lambda r: (-r.hits_30d if r.state != State.FRESH else 0, _SEVERITY[r.state], r.article_id))


def to_markdown(rows: list[ReportRow]) -> str:
    lines = [
        "| article | state | rule | why | owner | last updated | questions (30 d) |",
        "|---|---|---|---|---|---|---:|",
    ]
    for r in rows:
        updated = r.updated_at.date().isoformat() if r.updated_at else "-"
        lines.append(
            f"| {r.article_id} | {r.state} | {r.rule} | {r.detail} | {r.owner or '-'} | {updated} | {r.hits_30d} |"
        )
    return "\n".join(lines)
