"""Browser pages: the demo help-center page at /, which embeds the configured public (widget) key."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from engine.api.auth import GateDep

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"


@router.get("/", response_class=HTMLResponse)
def home(gate: GateDep) -> HTMLResponse:
    key = gate.keys.public_key() or ""
    return HTMLResponse((STATIC / "index.html").read_text().replace("{{PUBLIC_KEY}}", key))
