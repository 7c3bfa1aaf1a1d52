"""Parse a Statuspage `/api/v2/summary.json` body into typed objects; anything malformed is one FeedError."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from engine.errors import EngineError
from engine.incidents.types import (
    DEFAULT_LIMITS,
    MAINTENANCE,
    Component,
    FeedLimits,
    Incident,
    IncidentUpdate,
    StatusPage,
)
from engine.urls import is_web_url


class FeedError(EngineError):
    """The status feed could not be read in time (`kind` "unavailable"), was larger than allowed ("too_large") or
    did not parse ("malformed")."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"status feed {kind}: {reason}")
        self.kind = kind
        self.reason = reason


def _capped(value: str, info: ValidationInfo) -> str:
    """Any text of the feed, cut to the limit (a 50 MB update body becomes a few thousand characters)."""
    limit: FeedLimits = (info.context or {}).get("limits", DEFAULT_LIMITS)
    return value if len(value) <= limit.max_text_chars else value[: limit.max_text_chars - 1] + "…"


def _utc(value: datetime) -> datetime:
    """A time without a zone is read as UTC, so naive and aware times of one feed still compare."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _web_url(value: str | None) -> str | None:
    """Links go to customers and agents: http(s) only; anything else (javascript:, data:…) is dropped."""
    return value if value is not None and is_web_url(value) else None


Text = Annotated[str, AfterValidator(_capped)]
Time = Annotated[datetime, AfterValidator(_utc)]
WebUrl = Annotated[Text | None, AfterValidator(_web_url)]


def _first(value: Any, info: ValidationInfo, count: str) -> Any:
    """The first `count` items of a list as the feed lists them (Statuspage: newest first), before validation."""
    limit: FeedLimits = (info.context or {}).get("limits", DEFAULT_LIMITS)
    return value[: getattr(limit, count)] if isinstance(value, list) else value


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Component(_Model):
    id: Text
    name: Text
    status: Text = "operational"


class _Update(_Model):
    status: Text
    body: Text = ""
    created_at: Time


class _Incident(_Model):
    id: Text
    name: Text
    status: Text
    impact: Text = "none"
    shortlink: WebUrl = None
    created_at: Time
    incident_updates: list[_Update] = []
    components: list[_Component] = []

    @field_validator("incident_updates", mode="before")
    @classmethod
    def _updates(cls, value: Any, info: ValidationInfo) -> Any:
        return _first(value, info, "max_updates")

    @field_validator("components", mode="before")
    @classmethod
    def _components(cls, value: Any, info: ValidationInfo) -> Any:
        return _first(value, info, "max_components")


class _Maintenance(_Incident):
    impact: Text = MAINTENANCE
    scheduled_for: Time | None = None
    scheduled_until: Time | None = None


class _Page(_Model):
    name: Text = ""
    url: WebUrl = None
    updated_at: Time | None = None


class _Status(_Model):
    indicator: Text = "none"
    description: Text = ""


class _Summary(_Model):
    page: _Page = _Page()
    status: _Status = _Status()
    components: list[_Component] = []
    incidents: list[_Incident]
    scheduled_maintenances: list[_Maintenance] = []

    @field_validator("components", mode="before")
    @classmethod
    def _components(cls, value: Any, info: ValidationInfo) -> Any:
        return _first(value, info, "max_components")

    @field_validator("incidents", "scheduled_maintenances", mode="before")
    @classmethod
    def _incidents(cls, value: Any, info: ValidationInfo) -> Any:
        return _first(value, info, "max_incidents")


def parse_summary(body: bytes | str, limits: FeedLimits = DEFAULT_LIMITS) -> StatusPage:
    """The page described by a summary.json body, its texts and lists cut to `limits`; FeedError "malformed" naming
    the first problem otherwise, whatever the problem (deep nesting included).

    >>> parse_summary('{"incidents": []}').active_incidents
    ()
    """
    if len(body) > limits.max_bytes:
        raise FeedError("too_large", f"the body is larger than {limits.max_bytes} bytes")
    try:
        summary = _Summary.model_validate(json.loads(body), context={"limits": limits})
    except json.JSONDecodeError as exc:
        raise FeedError("malformed", f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc
    except UnicodeDecodeError as exc:
        raise FeedError("malformed", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise FeedError("malformed", f"{where}: {first['msg']} ({exc.error_count()} problem(s))") from exc
    except RecursionError as exc:
        raise FeedError("malformed", "nested too deeply") from exc
    except (ValueError, TypeError) as exc:  # e.g. an integer of more than 4300 digits
        raise FeedError("malformed", f"{type(exc).__name__}: {str(exc)[:200]}") from exc
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
