"""POST /v1/feedback: a helpful / not-helpful vote on an answer, from the session that got it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, HTTPException

from engine.api.auth import CustomerCaller, GateDep, Principal
from engine.api.deps import EngineDep
from engine.api.errors import problems
from engine.api.schemas import FeedbackRequest, FeedbackResponse
from engine.types import Turn
from engine.wiring import Engine

router = APIRouter(tags=["feedback"])
ERRORS = problems(400, 401, 403, 404, 413, 422, 429)


@router.post("/v1/feedback", response_model=FeedbackResponse, status_code=201, responses=ERRORS)
def feedback(body: FeedbackRequest, engine: EngineDep, caller: CustomerCaller, gate: GateDep) -> FeedbackResponse:
    owned_turn(engine, caller, gate.sessions.valid, body.interaction_id, body.session_id)
    engine.events.record_vote(
        interaction_id=body.interaction_id,
        at=engine.clock(),
        helpful=body.helpful,
        reason=body.reason,
        comment=body.comment,
    )
    return FeedbackResponse(interaction_id=body.interaction_id, helpful=body.helpful)


def owned_turn(
    engine: Engine,
    caller: Principal,
    signed: Callable[[str], bool],
    interaction_id: str,
    session_id: str | None,
) -> Turn:
    """The interaction, if the caller may act on it: staff always, a public key only inside its own session
    (a foreign interaction looks exactly like a missing one)."""
    turn = engine.events.turn(interaction_id)
    if turn is None:
        raise HTTPException(404, f"interaction {interaction_id} not found")
    if caller.is_public:
        valid = session_id is not None and signed(session_id)
        if not valid or turn.session_id != session_id:
            raise HTTPException(404, f"interaction {interaction_id} not found in this session")
    return turn
