"""GET /v1/sessions/{id}: a conversation's questions, replies and tickets (a widget restores its own)."""

from __future__ import annotations

from fastapi import APIRouter

from engine import conversation
from engine.api.auth import CustomerCaller, GateDep, access_for
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.schemas import SessionOut

router = APIRouter(tags=["sessions"])
ERRORS = problems(401, 403, 404, 429)


@router.get("/v1/sessions/{session_id}", response_model=SessionOut, responses=ERRORS)
def session(session_id: str, engine: EngineDep, caller: CustomerCaller, gate: GateDep) -> SessionOut:
    found = conversation.session(engine, session_id, access_for(caller, gate, session_id))
    return SessionOut.model_validate(found)
