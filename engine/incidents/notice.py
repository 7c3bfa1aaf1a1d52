"""The incident notice a customer reads before the answer: what is known, where it stands, where to follow it, how
old our view of it is. Pure: a match, the feed's state and the time in, a typed notice and its words out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.incidents.types import MAINTENANCE, FeedState, Incident, IncidentMatch

STATUS_WORDS = {"investigating": "we are investigating", "identified": "the cause is identified",
                "monitoring": "a fix is in place and being monitored", "in_progress": "in progress",
                "verifying": "finished, being verified"}
NOTICE_TITLE_CHARS = 200
NOTICE_UPDATE_CHARS = 500
NOTICE_COMPONENTS = 5
"""A notice leads every affected answer: whatever the feed says, it stays a few lines long."""


@dataclass(frozen=True)
class IncidentNotice:
    """An active incident that concerns a question, as the reply tells it. `link`: the incident's shortlink, else
    the status page; `age_s`: seconds since the feed last gave a good page; `stale`: the last read failed or the
    last good page is too old."""

    incident_id: str
    title: str
    status: str
    impact: str
    opened_at: datetime
    components: tuple[str, ...]
    link: str | None
    latest_update: str | None
    updated_at: datetime | None
    affected_articles: tuple[str, ...]
    age_s: float | None
    stale: bool
    until: datetime | None = None  # a maintenance: when its window is planned to end

    @property
    def text(self) -> str:
        """The notice in words (English), e.g. "Known issue: Sync delays (we are investigating). …"."""
        return notice_text(self)


def notice_for(match: IncidentMatch, state: FeedState, now: datetime) -> IncidentNotice:
    """The notice of one match, told from the feed's current (possibly stale) state.

    >>> notice_for(match, state, now).title
    'Sync delays'
    """
    incident = match.incident
    update = incident.latest_update
    page_url = state.page.url if state.page else None
    names = [c.name for c in match.components]
    if len(names) > NOTICE_COMPONENTS:
        names = names[: NOTICE_COMPONENTS - 1] + [f"{len(names) - NOTICE_COMPONENTS + 1} more"]
    return IncidentNotice(
        incident_id=incident.id,
        title=_cut(incident.name, NOTICE_TITLE_CHARS),
        status=incident.status,
        impact=incident.impact,
        opened_at=incident.scheduled_for or incident.created_at if incident.maintenance else incident.created_at,
        components=tuple(_cut(name, NOTICE_TITLE_CHARS) for name in names),
        link=incident.shortlink or page_url,
        latest_update=_cut(update.body.strip(), NOTICE_UPDATE_CHARS) or None if update else None,
        updated_at=update.created_at if update else None,
        affected_articles=match.affected_articles,
        age_s=state.age_s(now),
        stale=state.stale(now),
        until=incident.scheduled_until if incident.maintenance else None,
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notice_text(notice: IncidentNotice) -> str:
    """Known issue, its status, the latest update, where to follow it, "we'll update here", and when our view is
    stale how old it is."""
    status = STATUS_WORDS.get(notice.status, notice.status)
    if notice.impact == MAINTENANCE:
        until = f", planned to end {notice.until:%Y-%m-%d %H:%M} UTC" if notice.until else ""
        parts = [f"Scheduled maintenance on {', '.join(notice.components)}: {notice.title} ({status}{until})."]
    else:
        parts = [f"Known issue affecting {', '.join(notice.components)}: {notice.title} ({status})."]
    if notice.latest_update:
        parts.append(f"Latest update: {notice.latest_update}")
    follow = f"Follow it on our status page: {notice.link} — " if notice.link else ""
    parts.append(f"{follow}we'll update here as soon as it is fixed.")
    if notice.affected_articles:
        parts.append("Some steps in the articles below may not work until then.")
    if notice.stale and notice.age_s is not None:
        parts.append(f"(Our status information is {as_age(notice.age_s)} old: the status page could not be "
                     "reached since.)")
    return " ".join(parts)


def as_age(seconds: float) -> str:
    """'45 seconds', '1 minute', '3 hours', '2 days'."""
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    count = int(seconds)
    return f"{count} second{'s' if count != 1 else ''}"


def resolution_note(incident: Incident) -> str:
    """What a ticket linked to a resolved incident is told: the incident and its last update."""
    update = incident.latest_update
    said = f" Latest update: {update.body.strip()}" if update and update.body.strip() else ""
    return f"Resolved on the status page: {incident.name} ({incident.status}).{said}"
