"""POST /v1/ask: a customer's question → an answer with citations, or an escalation that opens a ticket.
Answers stream as server-sent events when the client asks for them. Every ask is logged (question redacted)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from engine.api.auth import CustomerCaller, GateDep, audiences_for, merge_customer, session_for
from engine.api.deps import ConversationDep
from engine.api.errors import problems
from engine.api.incident_schemas import IncidentNoticeOut
from engine.api.schemas import AskRequest, AskResponse
from engine.conversation import Conversation, EarlyNotice, TicketOwner
from engine.errors import EngineError
from engine.types import Delta, Query, Question

logger = logging.getLogger(__name__)
router = APIRouter(tags=["ask"])
ERRORS = problems(400, 401, 403, 404, 413, 422, 429, 503)
STREAM_DOC: dict[int | str, dict[str, object]] = {
    200: {
        "description": "JSON, or with `Accept: text/event-stream` (or `stream: true`) server-sent events: "
        "`notice` (an incident the question names, before the answer; see `incident`), `delta` {text} pieces of "
        "the answer, then `done` with this JSON plus `replaced` (true when the pieces "
        "were superseded: show `answer`), or `error` with a problem body.",
        "content": {"text/event-stream": {}},
    }
}


@router.post("/v1/ask", response_model=AskResponse, responses={**ERRORS, **STREAM_DOC})
def ask(
    body: AskRequest, request: Request, conversation: ConversationDep, caller: CustomerCaller, gate: GateDep
) -> AskResponse | StreamingResponse:
    session_id = session_for(caller, gate, body.session_id)
    question = Question(
        query=Query(body.question, audiences_for(caller, body.audiences()), body.locale),
        session_id=session_id,
        channel=caller.name,
        customer=merge_customer(caller.customer, body.customer.facts() if body.customer else None),
        contact_first=body.contact_first,
        pick=body.pick.facts() if body.pick else None,
    )
    owner = TicketOwner(session_id, caller.customer)
    if body.stream or "text/event-stream" in request.headers.get("accept", ""):
        events = _stream(conversation, question, owner)
        return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
    return AskResponse.of(conversation.ask(question, owner))


def _stream(conversation: Conversation, question: Question, owner: TicketOwner) -> Iterator[str]:
    try:
        for event in conversation.ask_streaming(question, owner):
            if isinstance(event, Delta):
                yield _sse("delta", {"text": event.text})
            elif isinstance(event, EarlyNotice):
                yield _sse("notice", IncidentNoticeOut.model_validate(event.incident).model_dump())
            else:
                yield _sse("done", {**AskResponse.of(event).model_dump(), "replaced": event.replaced})
    except EngineError as exc:
        logger.exception("streamed answer failed")
        yield _sse("error", {"type": "about:blank", "title": "Engine error", "status": 500, "detail": str(exc)})


def _sse(event: str, data: dict[str, object]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"
