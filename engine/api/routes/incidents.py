"""GET /v1/incidents: the status feed's active incidents, how old the engine's view of it is, and whether the last
read failed. Any key may read it (the widget's banner); staff also see the feed's source and its last error."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from engine.api.auth import CustomerCaller
from engine.api.deps import EngineDep
from engine.api.errors import problems

router = APIRouter(tags=["incidents"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IncidentComponentOut(_Out):
    id: str
    name: str
    status: str


class IncidentUpdateOut(_Out):
    status: str
    body: str
    created_at: datetime


class IncidentOut(_Out):
    """An unresolved incident as the status page tells it; `latest_update` is the newest of its updates."""

    id: str
    name: str
    status: str
    impact: str
    shortlink: str | None
    created_at: datetime
    latest_update: IncidentUpdateOut | None
    components: list[IncidentComponentOut]


class IncidentsOut(BaseModel):
    """What the engine knows of the status page now. `age_s`: seconds since the feed last gave a good page;
    `stale`: the last read failed (the incidents are those of the last good page). Staff also get `source` and
    `error`."""

    configured: bool
    page_url: str | None = None
    indicator: str | None = None
    age_s: float | None = None
    stale: bool = False
    incidents: list[IncidentOut] = []
    source: str | None = None
    error: str | None = None
    checked_at: datetime | None = None


@router.get("/v1/incidents", response_model=IncidentsOut, responses=problems(401, 403, 429))
def incidents(engine: EngineDep, caller: CustomerCaller) -> IncidentsOut:
    board = engine.incidents
    if board is None:
        return IncidentsOut(configured=False)
    state = board.state
    out = IncidentsOut(
        configured=True,
        page_url=state.page.url if state.page else None,
        indicator=state.page.indicator if state.page else None,
        age_s=board.age_s(),
        stale=state.error is not None,
        incidents=[IncidentOut.model_validate(i) for i in state.active_incidents],
    )
    if caller.is_public:
        return out
    return out.model_copy(update={"source": state.source, "error": state.error, "checked_at": state.checked_at})
