"""Request and response bodies about status-page incidents: the notice an answer leads with, a ticket's link to
its incident, "notify me when it's fixed" (docs/incidents.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from engine.api.input_text import Email, Text


def _isoformat(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


IsoTime = Annotated[str, BeforeValidator(_isoformat)]


class FromEngine(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class NotifyRequest(BaseModel):
    """"Notify me when it's fixed": the email to tell, kept on the session's ticket for the incident."""

    model_config = ConfigDict(extra="forbid")

    email: Email = Field(max_length=320, description="Where to say it is fixed: a valid address.")
    session_id: str | None = Field(default=None, max_length=200, pattern=r"^[\w\-.:]+$")
    interaction_id: str | None = Field(default=None, min_length=36, max_length=36, pattern=r"^[0-9a-f\-]{36}$")
    name: Text | None = Field(default=None, max_length=200)


class IncidentNoticeOut(FromEngine):
    """The active status-page incident the question is about: shown before the answer (docs/incidents.md)."""

    incident_id: str
    title: str
    status: str = Field(description="investigating, identified or monitoring; a maintenance: in_progress or verifying")
    impact: str = Field(description="none, minor, major, critical; `maintenance` for a scheduled maintenance")
    opened_at: IsoTime = Field(description="When it opened; a maintenance: when its window began.")
    until: IsoTime | None = Field(default=None, description="A maintenance: when its window is planned to end.")
    components: list[str]
    link: str | None = Field(description="The incident's shortlink, else the status page.")
    latest_update: str | None
    updated_at: IsoTime | None
    affected_articles: list[str] = Field(description="Cited articles whose steps may not work until it is fixed.")
    age_s: float | None = Field(description="Seconds since the status feed last gave a good page.")
    stale: bool = Field(description="The last read of the feed failed (or none succeeded for too long): this is the "
                        "last known state (age_s old).")
    text: str = Field(description="The notice in words, also the start of `message`.")


class IncidentLinkOut(FromEngine):
    id: str
    title: str
    url: str | None
    resolved_at: IsoTime | None = Field(description="When the poller saw it resolved and the ticket was told.")


