"""Parse a Statuspage `/api/v2/summary.json` body into typed objects; anything malformed is one FeedError."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from engine.errors import EngineError
from engine.incidents.types import MAINTENANCE, Component, Incident, IncidentUpdate, StatusPage


class FeedError(EngineError):
    """The status feed could not be read (`kind` "unavailable") or did not parse (`kind` "malformed")."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"status feed {kind}: {reason}")
        self.kind = kind
        self.reason = reason


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Component(_Model):
    id: str
    name: str
    status: str = "operational"


class _Update(_Model):
    status: str
    body: str = ""
    created_at: datetime


class _Incident(_Model):
    id: str
    name: str
    status: str
    impact: str = "none"
    shortlink: str | None = None
    created_at: datetime
    incident_updates: list[_Update] = []
    components: list[_Component] = []


class _Maintenance(_Incident):
    impact: str = MAINTENANCE
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None


class _Page(_Model):
    name: str = ""
    url: str | None = None
    updated_at: datetime | None = None


class _Status(_Model):
    indicator: str = "none"
    description: str = ""


class _Summary(_Model):
    page: _Page = _Page()
    status: _Status = _Status()
    components: list[_Component] = []
    incidents: list[_Incident]
    scheduled_maintenances: list[_Maintenance] = []


def parse_summary(body: bytes | str) -> StatusPage:
    """The page described by a summary.json body (FeedError "malformed" naming the first problem otherwise).

    >>> parse_summary('{"incidents": []}').active_incidents
    ()
    """
    try:
        summary = _Summary.model_validate(json.loads(body))
    except json.JSONDecodeError as exc:
        raise FeedError("malformed", f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc
    except UnicodeDecodeError as exc:
        raise FeedError("malformed", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise FeedError("malformed", f"{where}: {first['msg']} ({exc.error_count()} problem(s))") from exc
    return StatusPage(
        name=summary.page.name,
        url=summary.page.url,
        indicator=summary.status.indicator,
        description=summary.status.description,
        components=tuple(_component(c) for c in summary.components),
        incidents=tuple(_incident(i) for i in summary.incidents)
        + tuple(_maintenance(m) for m in summary.scheduled_maintenances),
        updated_at=summary.page.updated_at,
    )


def _component(raw: _Component) -> Component:
    return Component(raw.id, raw.name, raw.status)


def _maintenance(raw: _Maintenance) -> Incident:
    """A scheduled maintenance as an incident of impact `maintenance` (whatever impact the feed gave it) with its
    window: active while `in_progress` or `verifying`, not while `scheduled` nor once `completed`."""
    return replace(_incident(raw), impact=MAINTENANCE, scheduled_for=raw.scheduled_for,
                   scheduled_until=raw.scheduled_until)


def _incident(raw: _Incident) -> Incident:
    updates = sorted(raw.incident_updates, key=lambda u: u.created_at, reverse=True)
    return Incident(
        id=raw.id,
        name=raw.name,
        status=raw.status,
        impact=raw.impact,
        shortlink=raw.shortlink,
        created_at=raw.created_at,
        updates=tuple(IncidentUpdate(u.status, u.body, u.created_at) for u in updates),
        components=tuple(_component(c) for c in raw.components),
    )
