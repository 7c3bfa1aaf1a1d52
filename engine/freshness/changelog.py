"""Changelog-driven staleness: an article that mentions a removed or renamed term and was not updated after the
changelog entry that changed it is *suspect* — it may describe something that no longer exists."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import yaml

from engine.errors import ConfigError
from engine.freshness.policy import Suspicion
from engine.types import Article


@dataclass(frozen=True)
class ChangelogEntry:
    date: datetime
    title: str
    removed: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...]

    def terms(self) -> list[tuple[str, str]]:
        """(term to look for, why) pairs."""
        gone = [(term, f"removed: {term}") for term in self.removed]
        moved = [(old, f"renamed: {old} → {new}") for old, new in self.renamed]
        return gone + moved


def parse_changelog(text: str, source: str = "changelog") -> list[ChangelogEntry]:
    """A YAML list of {date, title?, removed?: [terms], renamed?: {old: new}}; raises ConfigError naming the entry."""
    try:
        raw = yaml.safe_load(text) or []
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from exc
    if isinstance(raw, dict):
        raw = raw.get("entries", [])
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: expected a list of entries")
    entries: list[ChangelogEntry] = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or "date" not in item:
            raise ConfigError(f"{source}: entry {number} needs at least a date")
        when = _as_datetime(item["date"])
        if when is None:
            raise ConfigError(f"{source}: entry {number}: date {item['date']!r} is not YYYY-MM-DD")
        renamed = item.get("renamed") or {}
        if not isinstance(renamed, dict):
            raise ConfigError(f"{source}: entry {number}: renamed must map old term → new term")
        entries.append(
            ChangelogEntry(
                date=when,
                title=str(item.get("title") or f"entry {number}"),
                removed=tuple(str(t) for t in item.get("removed") or ()),
                renamed=tuple((str(old), str(new)) for old, new in renamed.items()),
            )
        )
    return entries


def suspicions(articles: Iterable[Article], entries: list[ChangelogEntry]) -> dict[str, Suspicion]:
    """The first (oldest) changelog entry that makes each article suspect."""
    patterns = [
        (entry, term, why, re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE))
        for entry in sorted(entries, key=lambda e: e.date)
        for term, why in entry.terms()
    ]
    found: dict[str, Suspicion] = {}
    for article in articles:
        text = f"{article.title}\n{article.body}"
        for entry, term, why, pattern in patterns:
            updated_after = article.updated_at is not None and article.updated_at > entry.date
            if not updated_after and pattern.search(text):
                found[article.id] = Suspicion(term=term, entry=f"{entry.title} ({why})", entry_date=entry.date)
                break
    return found


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
