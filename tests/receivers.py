"""Help-desk receivers for tests: a webhook endpoint that verifies signatures and dedupes by idempotency key,
and a Zendesk-compatible tickets API. Both are real FastAPI apps served on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


@dataclass
class Inbox:
    """What a receiver saw: every attempt, and the tickets it accepted once per idempotency key."""

    attempts: list[dict[str, Any]] = field(default_factory=list)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keys(self) -> list[str]:
        return list(self.accepted)


def webhook_receiver(secret: str, inbox: Inbox) -> FastAPI:
    app = FastAPI()

    @app.post("/hooks/tickets")
    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        timestamp = request.headers.get("x-engine-timestamp", "")
        expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        key = request.headers.get("idempotency-key", "")
        with inbox.lock:
            signed = hmac.compare_digest(expected, request.headers.get("x-engine-signature", ""))
            inbox.attempts.append({"key": key, "signed": signed, "event": request.headers.get("x-engine-event")})
            if not signed:
                return JSONResponse({"error": "bad signature"}, status_code=401)
            if inbox.fail_next > 0:
                inbox.fail_next -= 1
                return JSONResponse({"error": "busy"}, status_code=503)
            inbox.accepted.setdefault(key, json.loads(body))
        return JSONResponse({"ok": True})

    return app


def zendesk_receiver(email: str, token: str, inbox: Inbox) -> FastAPI:
    """POST /api/v2/tickets.json creates (201 {ticket: {id}}), PUT /api/v2/tickets/{id}.json comments."""
    app = FastAPI()
    expected_auth = "Basic " + base64.b64encode(f"{email}/token:{token}".encode()).decode()
    tickets: dict[int, dict[str, Any]] = {}
    by_key: dict[str, int] = {}

    def _authorized(request: Request) -> bool:
        return request.headers.get("authorization") == expected_auth

    @app.post("/api/v2/tickets.json")
    async def create(request: Request) -> JSONResponse:
        if not _authorized(request):
            return JSONResponse({"error": "Couldn't authenticate you"}, status_code=401)
        payload = await request.json()
        key = request.headers.get("idempotency-key", "")
        with inbox.lock:
            inbox.attempts.append({"key": key, "method": "POST"})
            if key in by_key:  # Zendesk replays the original response for a repeated key
                return JSONResponse({"ticket": {"id": by_key[key]}}, status_code=201)
            ticket_id = 1000 + len(tickets)
            tickets[ticket_id] = {**payload["ticket"], "id": ticket_id, "comments": [payload["ticket"]["comment"]]}
            by_key[key] = ticket_id
            inbox.accepted[key] = tickets[ticket_id]
        return JSONResponse({"ticket": {"id": ticket_id}}, status_code=201)

    @app.put("/api/v2/tickets/{ticket_id}.json")
    async def update(ticket_id: int, request: Request) -> JSONResponse:
        if not _authorized(request):
            return JSONResponse({"error": "Couldn't authenticate you"}, status_code=401)
        payload = await request.json()
        key = request.headers.get("idempotency-key", "")
        with inbox.lock:
            inbox.attempts.append({"key": key, "method": "PUT", "ticket_id": ticket_id})
            if ticket_id not in tickets:
                return JSONResponse({"error": "RecordNotFound"}, status_code=404)
            if key not in inbox.accepted:
                tickets[ticket_id]["comments"].append(payload["ticket"]["comment"])
                tickets[ticket_id]["priority"] = payload["ticket"]["priority"]
                inbox.accepted[key] = tickets[ticket_id]
        return JSONResponse({"ticket": {"id": ticket_id}})

    app.state.tickets = tickets
    return app
