"""GET /v1/sessions/{id}: a conversation's questions, replies and tickets (a widget restores its own)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException

from engine.api.auth import CustomerCaller, GateDep
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.schemas import SessionOut, TicketRef, TurnOut

router = APIRouter(tags=["sessions"])
ERRORS = problems(401, 403, 404, 429)


@router.get("/v1/sessions/{session_id}", response_model=SessionOut, responses=ERRORS)
def session(session_id: str, engine: EngineDep, caller: CustomerCaller, gate: GateDep) -> SessionOut:
    if caller.is_public and not gate.sessions.valid(session_id):
        raise HTTPException(404, "session not found")
    turns = engine.events.session(session_id)
    tickets = engine.desk.store.for_session(session_id)
    if not turns and not tickets:
        raise HTTPException(404, "session not found")
    return SessionOut(
        session_id=session_id,
        turns=[TurnOut.model_validate({**asdict(t), "at": t.at.isoformat()}) for t in turns],
        tickets=[TicketRef.of(t) for t in tickets],
    )
