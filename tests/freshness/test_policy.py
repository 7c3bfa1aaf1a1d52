"""Each freshness rule with a fixed clock, the explanation it gives, and time travel across review_by."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.freshness.policy import FreshnessPolicy, State, Suspicion, verdict
from engine.types import Article

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def _article(**fields: object) -> Article:
    return Article(id="a", title="A", body="b", **fields)  # type: ignore[arg-type]


def test_a_plain_published_article_is_fresh() -> None:
    result = verdict(_article(), NOW, FreshnessPolicy())

    assert (result.state, result.eligible, result.rule) == (State.FRESH, True, "ok")


def test_status_rules() -> None:
    assert verdict(_article(status="archived"), NOW, FreshnessPolicy()).state == State.ARCHIVED
    assert verdict(_article(status="draft"), NOW, FreshnessPolicy()).state == State.DRAFT
    assert not verdict(_article(status="draft"), NOW, FreshnessPolicy()).eligible


def test_expired_article_names_the_day() -> None:
    result = verdict(_article(expires_at=datetime(2026, 8, 31, tzinfo=UTC)), NOW, FreshnessPolicy())

    assert result.state == State.EXPIRED and not result.eligible and "2026-08-31" in result.detail


def test_review_by_blocks_after_the_grace_period() -> None:
    article = _article(review_by=datetime(2026, 11, 20, tzinfo=UTC))

    assert verdict(article, NOW, FreshnessPolicy()).state == State.STALE
    assert verdict(article, NOW, FreshnessPolicy(review_grace_days=7)).eligible


def test_time_travel_across_review_by_without_reingest() -> None:
    article = _article(review_by=datetime(2026, 11, 24, tzinfo=UTC))
    policy = FreshnessPolicy()

    tonight = datetime(2026, 11, 23, 23, 59, tzinfo=UTC)
    after_midnight = tonight + timedelta(minutes=2)

    assert verdict(article, tonight, policy).state == State.DUE_SOON
    assert verdict(article, tonight, policy).eligible
    assert verdict(article, after_midnight, policy).state == State.STALE


def test_category_max_age() -> None:
    policy = FreshnessPolicy(max_age_days={"billing": 180, "*": 730})
    old_billing = _article(category="billing", updated_at=NOW - timedelta(days=200))
    old_other = _article(category="team", updated_at=NOW - timedelta(days=200))

    result = verdict(old_billing, NOW, policy)
    assert result.state == State.STALE and result.rule == "max_age" and "180 days" in result.detail
    assert verdict(old_other, NOW, policy).eligible


def test_superseded_points_at_its_successor() -> None:
    result = verdict(_article(superseded_by="b"), NOW, FreshnessPolicy())

    assert result.state == State.SUPERSEDED and result.successor == "b" and not result.eligible


def test_changelog_suspicion_is_explained() -> None:
    suspicion = Suspicion(term="Timesheets", entry="Timesheets renamed", entry_date=datetime(2026, 8, 1, tzinfo=UTC))

    result = verdict(_article(), NOW, FreshnessPolicy(), {"a": suspicion})

    assert result.state == State.SUSPECT and "Timesheets" in result.detail and "2026-08-01" in result.detail
