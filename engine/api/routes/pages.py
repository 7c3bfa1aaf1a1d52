"""Browser pages: the demo help center at / (embeds the configured public widget key), the widget script, the
agent console and dashboard (static; staff sign in with their key in the page, never embedded) and the API docs
(Swagger UI from the swagger-ui-bundle package, so they work offline)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import tomllib
from datetime import date
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from engine.api.auth import GateDep
from engine.api.deps import SettingsDep
from engine.api.security import page_policy

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"
WIDGET_STRINGS = Path(__file__).resolve().parents[2] / "dialogue" / "widget.toml"
WIDGET_CACHE = "public, max-age=300"
"""Short enough that a widget fix reaches embedding sites within minutes."""


@router.get("/", response_class=HTMLResponse)
def home(gate: GateDep, settings: SettingsDep) -> HTMLResponse:
    key = gate.keys.public_key() or ""
    page = (STATIC / "index.html").read_text().replace("{{PUBLIC_KEY}}", key)
    return HTMLResponse(page.replace("{{CLOCK_NOTE}}", clock_note(settings.pinned_date)))


def clock_note(pinned: date | None) -> str:
    """What the demo page says when the server runs on a pinned calendar (Settings.pinned_date); nothing otherwise."""
    if pinned is None:
        return ""
    day = f"{pinned.day} {pinned:%B %Y}"
    return (f'<p class="clock-note" role="note" id="clock-note">Demo clock: it is {day} on this server '
            f"(ENGINE_PINNED_DATE={pinned.isoformat()}), the day this sample help center was written for, so its "
            "articles' review dates look the same whenever the demo runs. A real help center runs on the real date."
            "</p>")


@router.get("/widget.js")
def widget() -> Response:
    """widget.js with the Markdown renderer it shares with the staff pages, its incident parts and its wording per
    language (engine/dialogue/widget.toml), all inside one closure (no globals on the embedding page)."""
    strings = "var WIDGET_STRINGS = " + json.dumps(widget_strings(), ensure_ascii=False) + ";"
    parts = [strings] + [(STATIC / name).read_text() for name in ("markdown.js", "widget-incidents.js", "widget.js")]
    return Response("(function () {\n" + "\n".join(parts) + "})();\n", media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": WIDGET_CACHE})


@cache
def widget_strings() -> dict[str, dict[str, str]]:
    """The widget's wording by language; English complete, the other languages falling back to it string by string."""
    table = tomllib.loads(WIDGET_STRINGS.read_text(encoding="utf-8"))
    return {language: {key: str(value) for key, value in strings.items()} for language, strings in table.items()}


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


@router.get("/agent")
def agent_console() -> FileResponse:
    return FileResponse(STATIC / "agent.html", media_type="text/html; charset=utf-8")


@router.get("/dashboard")
def dashboard() -> FileResponse:
    return FileResponse(STATIC / "dashboard.html", media_type="text/html; charset=utf-8")


@router.get("/docs")
def api_docs() -> HTMLResponse:
    """Swagger UI; its one inline start script is allowed by its hash, no other inline script runs."""
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="Answer engine — API",
                               swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                               swagger_css_url="/docs-assets/swagger-ui.css",
                               swagger_favicon_url="/static/favicon.svg")
    inline = re.findall(r"<script>(.*?)</script>", bytes(page.body).decode(), flags=re.DOTALL)
    hashes = [base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() for script in inline]
    page.headers["Content-Security-Policy"] = page_policy(*hashes)
    return page
