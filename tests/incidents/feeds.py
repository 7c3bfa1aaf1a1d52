"""A changing Statuspage-compatible feed served for real on 127.0.0.1, and builders of summary.json bodies."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request, Response

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
COMPONENTS = {
    "sync": {"id": "cmp-sync", "name": "Sync", "status": "operational"},
    "login": {"id": "cmp-login", "name": "Login & SSO", "status": "operational"},
    "email": {"id": "cmp-email", "name": "Email notifications", "status": "operational"},
}


def incident(
    name: str, component: str, status: str = "investigating", impact: str = "major", updates: int = 1
) -> dict[str, Any]:
    """An incident in the summary.json shape affecting one of COMPONENTS, with `updates` updates (oldest first)."""
    affected = {**COMPONENTS[component], "status": "major_outage"}
    return {
        "id": f"inc-{component}", "name": name, "status": status, "impact": impact,
        "shortlink": f"https://stspg.io/{component}", "created_at": T0.isoformat(),
        "updated_at": (T0 + timedelta(minutes=10 * updates)).isoformat(), "page_id": "page-1",
        "incident_updates": [
            {"id": f"upd-{n}", "status": status if n == updates else "investigating", "body": f"Update {n} on {name}.",
             "created_at": (T0 + timedelta(minutes=10 * n)).isoformat(), "display_at": None}
            for n in range(1, updates + 1)
        ],
        "components": [affected],
    }


def maintenance(name: str, component: str, status: str = "in_progress", hours: int = 2) -> dict[str, Any]:
    """A scheduled maintenance in the summary.json shape: its window is T0 + 1 h for `hours` hours."""
    found = {**incident(name, component, status=status, impact="maintenance"), "id": f"mnt-{component}",
             "scheduled_for": (T0 + timedelta(hours=1)).isoformat(),
             "scheduled_until": (T0 + timedelta(hours=1 + hours)).isoformat()}
    found["components"] = [{**COMPONENTS[component], "status": "under_maintenance"}]
    return found


def summary(*incidents: dict[str, Any], maintenances: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """A whole summary.json body with the given unresolved incidents and scheduled maintenances."""
    down = {c["id"] for i in incidents for c in i["components"]}
    return {
        "page": {"id": "page-1", "name": "Fluxboard", "url": "https://status.fluxboard.example",
                 "time_zone": "Etc/UTC", "updated_at": T0.isoformat()},
        "status": {"indicator": "major" if incidents else "none",
                   "description": "Partial System Outage" if incidents else "All Systems Operational"},
        "components": [{**c, "status": "major_outage" if c["id"] in down else "operational", "position": n,
                        "group": False, "only_show_if_degraded": False} for n, c in enumerate(COMPONENTS.values())],
        "incidents": list(incidents),
        "scheduled_maintenances": list(maintenances),
    }


@dataclass
class Feed:
    """What the feed server serves next (a JSON body, or raw bytes, or an HTTP error) and what it was asked."""

    body: bytes = b""
    status: int = 200
    requests: list[str | None] = field(default_factory=list)
    not_modified: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serve_json(self, data: dict[str, Any]) -> None:
        self.serve_raw(json.dumps(data).encode())

    def serve_raw(self, body: bytes, status: int = 200) -> None:
        with self.lock:
            self.body, self.status = body, status


def feed_app(feed: Feed) -> FastAPI:
    """GET /api/v2/summary.json with a strong ETag; If-None-Match with the current one answers 304."""
    app = FastAPI()

    @app.get("/api/v2/summary.json")
    def summary_json(request: Request) -> Response:
        asked = request.headers.get("if-none-match")
        with feed.lock:
            feed.requests.append(asked)
            etag = '"' + hashlib.sha256(feed.body).hexdigest()[:16] + '"'
            if feed.status == 200 and asked == etag:
                feed.not_modified += 1
                return Response(status_code=304, headers={"ETag": etag})
            return Response(feed.body, status_code=feed.status, media_type="application/json",
                            headers={"ETag": etag} if feed.status == 200 else {})

    return app


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
