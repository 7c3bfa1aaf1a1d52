"""Typed status-page objects: components, incidents and their updates, and what the engine last knew of the feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CLOSED_INCIDENT_STATUSES = frozenset({"resolved", "postmortem", "completed"})
"""Statuspage statuses after which an incident (or a maintenance: `completed`) no longer affects answers."""
UPCOMING_STATUS = "scheduled"
"""A maintenance that has not started: listed by the feed, not yet affecting anything."""
MAINTENANCE = "maintenance"
"""The impact of a scheduled maintenance (Statuspage's own value)."""


@dataclass(frozen=True)
class Component:
    """One component of the status page (`operational`, `degraded_performance`, `partial_outage`, …)."""

    id: str
    name: str
    status: str


@dataclass(frozen=True)
class IncidentUpdate:
    """One update posted on an incident: its status at the time and what the team wrote."""

    status: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Incident:
    """An incident from the feed, or a scheduled maintenance (impact `maintenance`, with its window); `updates`
    newest first, `components` those it affects."""

    id: str
    name: str
    status: str
    impact: str
    shortlink: str | None
    created_at: datetime
    updates: tuple[IncidentUpdate, ...] = ()
    components: tuple[Component, ...] = ()
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None

    @property
    def active(self) -> bool:
        """Affecting answers now: not closed, and a maintenance only once it is in progress."""
        return self.status not in CLOSED_INCIDENT_STATUSES and self.status != UPCOMING_STATUS

    @property
    def maintenance(self) -> bool:
        return self.impact == MAINTENANCE

    @property
    def latest_update(self) -> IncidentUpdate | None:
        return self.updates[0] if self.updates else None


@dataclass(frozen=True)
class StatusPage:
    """One good read of the feed: the page, its overall indicator, components and unresolved incidents."""

    name: str
    url: str | None
    indicator: str
    description: str
    components: tuple[Component, ...]
    incidents: tuple[Incident, ...]
    updated_at: datetime | None = None

    @property
    def active_incidents(self) -> tuple[Incident, ...]:
        return tuple(incident for incident in self.incidents if incident.active)


@dataclass(frozen=True)
class FeedLimits:
    """What one read of the feed may cost and what is kept of it: a hostile or broken feed cannot hold the poller,
    fill memory or slow every question down (docs/security.md). The counts keep the first ones listed."""

    max_bytes: int = 2_000_000
    max_incidents: int = 100
    max_components: int = 200
    max_updates: int = 20
    max_text_chars: int = 2_000

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value < 1:
                raise ValueError(f"{name} must be greater than 0. Currently {value}")


DEFAULT_LIMITS = FeedLimits()


@dataclass(frozen=True)
class FeedState:
    """The last good page (kept through outages), when it was last confirmed, and the current failure, if any.
    `stale_after_s`: a page older than this is stale even when no read failed (a poller that stopped polling)."""

    source: str
    page: StatusPage | None = None
    fetched_at: datetime | None = None
    checked_at: datetime | None = None
    error: str | None = None
    stale_after_s: float | None = None

    def age_s(self, now: datetime) -> float | None:
        """Seconds since the feed last gave (or confirmed, by 304) a good page; None before the first one."""
        return None if self.fetched_at is None else max(0.0, (now - self.fetched_at).total_seconds())

    def stale(self, now: datetime) -> bool:
        """The page is not the feed's current word: the last read failed, or the last good one is too old."""
        if self.error is not None:
            return True
        age = self.age_s(now)
        return age is not None and self.stale_after_s is not None and age > self.stale_after_s

    @property
    def active_incidents(self) -> tuple[Incident, ...]:
        return self.page.active_incidents if self.page else ()


@dataclass(frozen=True)
class ComponentRule:
    """Which questions a component touches: articles by id, article tags, keywords in the question, distinctive
    words with a way of saying it is down; `use_defaults` adds the component's own name as a tag and a keyword, and
    its distinctive words."""

    component: str
    article_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    use_defaults: bool = True
    words: tuple[str, ...] = ()
    """Distinctive words: a question naming one of them and saying something is down matches; an article tagged
    with all of them is about the component (by default the component name's distinctive words)."""


@dataclass(frozen=True)
class CandidateArticle:
    """An article retrieval put forward for a question: enough to tie it to a component."""

    id: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncidentMatch:
    """An active incident that concerns a question: through which components, why, and which candidate articles it
    affects (their instructions may not work until it is resolved)."""

    incident: Incident
    components: tuple[Component, ...]
    reasons: tuple[str, ...]
    affected_articles: tuple[str, ...] = ()
