"""The freshness report puts the most-needed fixes first."""

from __future__ import annotations

from engine.freshness.policy import State, Verdict
from engine.freshness.report import freshness_report, to_markdown
from engine.types import Article


def test_blocked_articles_customers_still_ask_about_come_first() -> None:
    articles = [Article(id=i, title=i.upper(), body="b", owner="docs") for i in ("fresh", "arch", "stale", "hot", "due")]
    verdicts = {
        "fresh": Verdict("fresh", State.FRESH, "ok", "fine"),
        "arch": Verdict("arch", State.ARCHIVED, "status", "status is archived"),
        "stale": Verdict("stale", State.STALE, "review_by", "review was due"),
        "hot": Verdict("hot", State.EXPIRED, "expires_at", "expired"),
        "due": Verdict("due", State.DUE_SOON, "review_by", "soon"),
    }

    rows = freshness_report(articles, verdicts, {"hot": 5, "arch": 2, "fresh": 9})

    assert [r.article_id for r in rows] == ["hot", "arch", "stale", "due", "fresh"]
    assert rows[0].hits_30d == 5 and rows[-1].hits_30d == 9
    table = to_markdown(rows)
    assert "| hot | expired | expires_at | expired | docs | - | 5 |" in table
