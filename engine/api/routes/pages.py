"""Browser pages: the demo help center at / (embeds the configured public widget key), the widget script, and
the agent console and dashboard (static; staff sign in with their key in the page, never embedded)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from engine.api.auth import GateDep

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"
WIDGET_CACHE = "public, max-age=300"
"""Short enough that a widget fix reaches embedding sites within minutes."""


@router.get("/", response_class=HTMLResponse)
def home(gate: GateDep) -> HTMLResponse:
    key = gate.keys.public_key() or ""
    return HTMLResponse((STATIC / "index.html").read_text().replace("{{PUBLIC_KEY}}", key))


@router.get("/widget.js")
def widget() -> FileResponse:
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": WIDGET_CACHE})


@router.get("/agent")
def agent_console() -> FileResponse:
    return FileResponse(STATIC / "agent.html", media_type="text/html; charset=utf-8")


@router.get("/dashboard")
def dashboard() -> FileResponse:
    return FileResponse(STATIC / "dashboard.html", media_type="text/html; charset=utf-8")
