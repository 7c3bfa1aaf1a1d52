"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter

from engine import __version__
from engine.api.deps import IndexDep
from engine.api.errors import problems
from engine.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok", version=__version__)


@router.get("/readyz", response_model=Health, responses=problems(503))
def readyz(index: IndexDep) -> Health:
    """An index is loaded and can answer (503 with a problem body otherwise)."""
    index.get()
    return Health(status="ok", version=__version__)
