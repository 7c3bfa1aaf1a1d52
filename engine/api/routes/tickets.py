"""Tickets: POST /v1/escalate ("still need help"); for agents GET /v1/tickets (filters, search), GET and PATCH
/v1/tickets/{id} (status, assignee, note; optimistic versioning with If-Match)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Response

from engine import desk
from engine.api.auth import CustomerCaller, GateDep, StaffCaller, access_for, merge_customer, session_for
from engine.api.deps import ConversationDep, DeskDep
from engine.api.errors import problems
from engine.api.schemas import EscalateRequest, TicketOut, TicketRef
from engine.api.staff_schemas import STATUS_PATTERN, FeedbackItemOut, TicketChangeRequest, TicketDetailOut
from engine.types import HelpRequest

router = APIRouter(tags=["tickets"])
ERRORS = problems(400, 401, 403, 404, 413, 422, 429)
CHANGE_ERRORS = (400, 401, 403, 404, 409, 413, 422, 428, 429)


@router.post("/v1/escalate", response_model=TicketRef, status_code=201, responses=ERRORS)
def escalate(body: EscalateRequest, conversation: ConversationDep, caller: CustomerCaller, gate: GateDep) -> TicketRef:
    """Open the session's ticket (or add to it), pre-filled from the conversation."""
    session_id = session_for(caller, gate, body.session_id)
    request = HelpRequest(
        session_id=session_id,
        interaction_id=body.interaction_id,
        question=body.question,
        message=body.message,
        customer=merge_customer(caller.customer, body.customer.facts() if body.customer else None),
    )
    ticket = conversation.request_human(request, access_for(caller, gate, session_id))
    return TicketRef.model_validate(ticket)


@router.get("/v1/tickets", response_model=list[TicketOut], responses=ERRORS)
def tickets(
    support: DeskDep,
    _: StaffCaller,
    status: Annotated[str | None, Query(pattern=STATUS_PATTERN)] = None,
    reason: Annotated[str | None, Query(max_length=40)] = None,
    priority: Annotated[str | None, Query(pattern=r"^(low|normal|high|urgent)$")] = None,
    locale: Annotated[str | None, Query(max_length=35)] = None,
    has_contact: Annotated[bool | None, Query(description="Only tickets whose customer email is (not) known.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the subject or the transcript.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    incident: Annotated[str | None, Query(max_length=100, description="Only tickets linked to this incident.")] = None,
) -> list[TicketOut]:
    """Tickets matching every filter given, most recently updated first."""
    query = desk.TicketQuery(status, reason, priority, locale, has_contact, q, limit, offset, incident)
    return [TicketOut.model_validate(t) for t in support.find_tickets(query)]


@router.get("/v1/tickets/{ticket_id}", response_model=TicketDetailOut, responses=ERRORS)
def ticket(ticket_id: str, support: DeskDep, _: StaffCaller, response: Response) -> TicketDetailOut:
    """By number (42) or reference (T-000042), with where each delivery stands; the ETag is its version."""
    found = support.ticket(ticket_id)
    response.headers["ETag"] = f'"{found.version}"'
    feedback = [FeedbackItemOut.model_validate(item) for item in support.ticket_feedback(found)]
    return TicketDetailOut.model_validate(found).model_copy(update={"feedback": feedback})


@router.patch("/v1/tickets/{ticket_id}", response_model=TicketOut, responses=problems(*CHANGE_ERRORS))
def change(
    ticket_id: str,
    body: TicketChangeRequest,
    support: DeskDep,
    caller: StaffCaller,
    response: Response,
    if_match: Annotated[str | None, Header(description='The version the change was made on, e.g. "3".')] = None,
) -> TicketOut:
    """Change status (open → pending → solved), assignee, or add an internal note. 409 when someone changed the
    ticket since the version in If-Match (nothing is written); 428 without If-Match; `If-Match: *` skips the check."""
    change = desk.TicketChange(caller.name, body.status, body.assignee, body.note)
    found = support.change_ticket(ticket_id, change, _version(if_match))
    response.headers["ETag"] = f'"{found.version}"'
    return TicketOut.model_validate(found)


def _version(if_match: str | None) -> int | None:
    """The version of an If-Match header: "3", W/"3" or 3; * (None) changes whatever version is current."""
    if if_match is None:
        raise HTTPException(428, 'If-Match is required: send the ticket version you changed, e.g. If-Match: "3"')
    if if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit()) or len(tag) > 9:  # "²".isdigit() is True, int("²") is not
        raise HTTPException(400, f"If-Match must be a ticket version such as \"3\", got {if_match!r}")
    return int(tag)
