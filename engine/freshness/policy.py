"""The freshness gate: a verdict per article, computed at query time against an injected clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from engine.types import Article


class State(StrEnum):
    FRESH = "fresh"
    DUE_SOON = "due_soon"
    STALE = "stale"
    EXPIRED = "expired"
    ARCHIVED = "archived"
    DRAFT = "draft"
    SUPERSEDED = "superseded"
    SUSPECT = "suspect"


ELIGIBLE_STATES = frozenset({State.FRESH, State.DUE_SOON})


class FreshnessPolicy(BaseModel):
    """When an article stops being allowed to answer. Defaults are documented in docs/freshness.md."""

    review_grace_days: int = Field(default=0, ge=0, description="Days after review_by before it blocks.")
    due_soon_days: int = Field(default=14, ge=0, description="Flag articles whose review/expiry is this close.")
    max_age_days: dict[str, int] = Field(
        default_factory=dict, description="Per-category max days since updated_at; key '*' is the default."
    )
    allow_unknown_age: bool = Field(default=True, description="Articles without updated_at pass the age rule.")


@dataclass(frozen=True)
class Suspicion:
    """Why the product changelog casts doubt on an article."""

    term: str
    entry: str
    entry_date: datetime


@dataclass(frozen=True)
class Verdict:
    """Whether an article may answer now, the rule that decided it, and a sentence a person can act on."""

    article_id: str
    state: State
    rule: str
    detail: str
    successor: str | None = None

    @property
    def eligible(self) -> bool:
        return self.state in ELIGIBLE_STATES


def verdict(
    article: Article,
    now: datetime,
    policy: FreshnessPolicy,
    suspicions: Mapping[str, Suspicion] | None = None,
) -> Verdict:
    """Apply the rules in order of severity; the first that blocks decides."""
    blocked = _blocking(article, now, policy, suspicions or {})
    if blocked is not None:
        return blocked
    return _due_soon(article, now, policy) or Verdict(article.id, State.FRESH, "ok", "passes every freshness rule")


def _blocking(
    article: Article, now: datetime, policy: FreshnessPolicy, suspicions: Mapping[str, Suspicion]
) -> Verdict | None:
    if article.status == "archived":
        return Verdict(article.id, State.ARCHIVED, "status", "status is archived")
    if article.status == "draft":
        return Verdict(article.id, State.DRAFT, "status", "status is draft (not published)")
    if article.superseded_by:
        return Verdict(
            article.id,
            State.SUPERSEDED,
            "superseded_by",
            f"replaced by {article.superseded_by}",
            article.superseded_by,
        )
    if article.expires_at and now >= article.expires_at:
        return Verdict(article.id, State.EXPIRED, "expires_at", f"expired on {article.expires_at.date().isoformat()}")
    if article.review_by and now >= article.review_by + timedelta(days=policy.review_grace_days):
        return Verdict(
            article.id,
            State.STALE,
            "review_by",
            f"review was due {article.review_by.date().isoformat()} (grace {policy.review_grace_days} days)",
        )
    too_old = _too_old(article, now, policy)
    if too_old is not None:
        return too_old
    suspicion = suspicions.get(article.id)
    if suspicion is not None:
        return Verdict(
            article.id,
            State.SUSPECT,
            "changelog",
            f"mentions '{suspicion.term}' changed by changelog entry '{suspicion.entry}' "
            f"({suspicion.entry_date.date().isoformat()}) and was not updated since",
        )
    return None


def _too_old(article: Article, now: datetime, policy: FreshnessPolicy) -> Verdict | None:
    limit = policy.max_age_days.get(article.category or "", policy.max_age_days.get("*"))
    if limit is None:
        return None
    if article.updated_at is None:
        if policy.allow_unknown_age:
            return None
        return Verdict(article.id, State.STALE, "max_age", "no updated_at and the policy requires one")
    age = (now - article.updated_at).days
    if age > limit:
        return Verdict(
            article.id,
            State.STALE,
            "max_age",
            f"last updated {age} days ago; the limit for category '{article.category or '*'}' is {limit} days",
        )
    return None


def _due_soon(article: Article, now: datetime, policy: FreshnessPolicy) -> Verdict | None:
    horizon = now + timedelta(days=policy.due_soon_days)
    for when, rule in ((article.review_by, "review_by"), (article.expires_at, "expires_at")):
        if when and when <= horizon:
            return Verdict(
                article.id,
                State.DUE_SOON,
                rule,
                f"{rule} is {when.date().isoformat()}, within {policy.due_soon_days} days",
            )
    return None
