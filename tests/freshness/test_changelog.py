"""Changelog-driven staleness: removed/renamed terms make not-yet-updated articles suspect, with the reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.errors import ConfigError
from engine.freshness.changelog import parse_changelog, suspicions
from engine.types import Article

CHANGELOG = """
- date: 2026-08-01
  title: Time tracking refresh
  renamed: {Timesheets: Time reports}
- date: 2026-09-15
  title: Classic timeline removed
  removed: [Classic timeline]
"""


def _article(article_id: str, body: str, updated: datetime | None) -> Article:
    return Article(id=article_id, title=article_id, body=body, updated_at=updated)


def test_rename_and_removal_mark_articles_not_updated_since() -> None:
    entries = parse_changelog(CHANGELOG)
    articles = [
        _article("old-rename", "Open Timesheets from the sidebar.", datetime(2026, 7, 10, tzinfo=UTC)),
        _article("updated-after", "Timesheets are now Time reports.", datetime(2026, 8, 2, tzinfo=UTC)),
        _article("removed", "Switch to the classic timeline view.", datetime(2026, 5, 20, tzinfo=UTC)),
        _article("no-date", "Timesheets export.", None),
        _article("unrelated", "Timesheetsxyz and timeline views.", datetime(2026, 1, 1, tzinfo=UTC)),
    ]

    found = suspicions(articles, entries)

    assert set(found) == {"old-rename", "removed", "no-date"}
    assert found["old-rename"].term == "Timesheets" and "Time reports" in found["old-rename"].entry
    assert found["removed"].entry_date == datetime(2026, 9, 15, tzinfo=UTC)


def test_the_real_kb_samples_changelog_flags_exactly_the_intended_articles() -> None:
    from engine.ingest.loader import LoadOptions, load_source
    from tests.conftest import KB_SAMPLES

    entries = parse_changelog((KB_SAMPLES / "changelog.yml").read_text())
    published = [a for a in load_source(KB_SAMPLES, LoadOptions()).articles if a.status == "published"]

    found = suspicions(published, entries)

    assert {"getting-started/time-tracking", "getting-started/board-views"} <= set(found)
    assert "billing/update-payment-method" not in found


@pytest.mark.parametrize(
    ("text", "message"),
    [("- title: no date\n", "needs at least a date"), ("- date: someday\n", "not YYYY-MM-DD"),
     ("- date: 2026-01-01\n  renamed: [a, b]\n", "renamed must map"), ("{", "not valid YAML")],
)
def test_bad_changelogs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_changelog(text)
