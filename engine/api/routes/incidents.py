"""GET /v1/incidents: the status feed's active incidents, how old the engine's view of it is, and whether the last
read failed. Any key may read it (the widget's banner); staff also see the feed's source and its last error.
POST /v1/incidents/{id}/notify: "notify me when it's fixed" (the email kept on the session's ticket)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from engine.api.auth import CustomerCaller, GateDep, access_for, merge_customer, session_for
from engine.api.deps import ConversationDep, DeskDep, IncidentBoardDep
from engine.api.errors import problems
from engine.api.incident_schemas import NotifyRequest
from engine.api.schemas import TicketRef
from engine.types import Customer, HelpRequest

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
    """An unresolved incident, or a maintenance in progress (impact `maintenance`, with its window), as the status
    page tells it; `latest_update` is the newest of its updates."""

    id: str
    name: str
    status: str
    impact: str
    shortlink: str | None
    created_at: datetime
    latest_update: IncidentUpdateOut | None
    components: list[IncidentComponentOut]
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    questions: int | None = None
    """Staff only: the questions asked about it so far (each one that got its notice, and requests for a person in
    a conversation about it)."""


class IncidentsOut(BaseModel):
    """What the engine knows of the status page now. `age_s`: seconds since the feed last gave a good page;
    `stale`: the last read failed, or the last good page is older than two polls and a deadline (the incidents are
    those of the last good page). Staff also get `source` and `error`."""

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
def incidents(board: IncidentBoardDep, support: DeskDep, caller: CustomerCaller) -> IncidentsOut:
    if board is None:
        return IncidentsOut(configured=False)
    state = board.state
    out = IncidentsOut(
        configured=True,
        page_url=state.page.url if state.page else None,
        indicator=state.page.indicator if state.page else None,
        age_s=board.age_s(),
        stale=board.stale(),
        incidents=[IncidentOut.model_validate(i) for i in state.active_incidents],
    )
    if caller.is_public:
        return out
    asked = support.incident_questions(i.id for i in out.incidents)
    counted = [i.model_copy(update={"questions": asked.get(i.id, 0)}) for i in out.incidents]
    return out.model_copy(update={"source": state.source, "error": state.error, "checked_at": state.checked_at,
                                  "incidents": counted})


@router.post("/v1/incidents/{incident_id}/notify", response_model=TicketRef, status_code=201,
             responses=problems(400, 401, 403, 404, 413, 422, 429))
def notify(incident_id: str, body: NotifyRequest, conversation: ConversationDep, caller: CustomerCaller,
           gate: GateDep) -> TicketRef:
    """Tell this customer when the incident is resolved: the session's ticket (reason known_incident) is linked to
    the incident and keeps the email; 404 when the incident is no longer active."""
    session_id = session_for(caller, gate, body.session_id)
    request = HelpRequest(session_id=session_id, interaction_id=body.interaction_id,
                          customer=merge_customer(caller.customer, Customer(email=body.email, name=body.name)))
    ticket = conversation.notify_when_fixed(incident_id, request, access_for(caller, gate, session_id))
    return TicketRef.model_validate(ticket)
