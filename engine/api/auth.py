"""API keys, roles, signed session ids and per-key+IP rate limits: who may call what (docs/api.md)."""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
import threading
import time
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError

from engine.config import ApiKey, Role, Settings
from engine.errors import ConfigError
from engine.types import Customer, SessionAccess

SERVE_PORT = 8000
"""The port `engine serve` listens on unless told otherwise: what `{port}` in a key's origins means by default."""
"""Requests per minute per IP without a valid key: slows down key guessing."""


@dataclass(frozen=True)
class Principal:
    """The caller behind an API key."""

    name: str
    role: Role
    audiences: tuple[str, ...]
    origins: tuple[str, ...]
    customer: Customer | None
    origin: str | None = None
    """The browser origin the request came from (its Origin header), if any."""

    @property
    def is_public(self) -> bool:
        return self.role == "public"


def with_port(origins: tuple[str, ...], port: int) -> tuple[str, ...]:
    """Origins with `{port}` replaced by the port the API is served on, so a page the server itself serves (the
    demo help center) is allowed whichever port it runs on.

        >>> with_port(("http://127.0.0.1:{port}", "https://shop.example"), 8001)
        ('http://127.0.0.1:8001', 'https://shop.example')
    """
    return tuple(origin.replace("{port}", str(port)) for origin in origins)


def load_keys(settings: Settings, port: int = SERVE_PORT) -> list[ApiKey]:
    """Keys from settings plus the optional keys file (`{port}` in origins: the port served on); names and secrets
    must be unique."""
    keys = list(settings.auth.keys)
    path = settings.auth.keys_file
    if path is not None:
        try:
            document = tomllib.loads(path.read_text())
            keys += [ApiKey.model_validate(item) for item in document.get("keys", [])]
        except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
            raise ConfigError(f"auth keys file {path}: {exc}") from exc
    keys = [k.model_copy(update={"origins": with_port(k.origins, port)}) for k in keys]
    names = [k.name for k in keys]
    if len(set(names)) != len(names):
        raise ConfigError(f"API key names must be unique, got {names}")
    if len({k.key.get_secret_value() for k in keys}) != len(keys):
        raise ConfigError("two API keys share the same secret")
    return keys


class KeyRing:
    """Looks keys up by their SHA-256 digest, so a wrong key costs one hash and one dict miss."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self._by_digest = {_digest(k.key.get_secret_value()): k for k in keys}

    def find(self, secret: str) -> ApiKey | None:
        return self._by_digest.get(_digest(secret))

    def public_key(self) -> str | None:
        """A widget (public) key to embed in the demo page; public keys are meant to be seen by browsers."""
        for key in self._by_digest.values():
            if key.role == "public":
                return key.key.get_secret_value()
        return None

    @property
    def origins(self) -> list[str]:
        return sorted({origin for key in self._by_digest.values() for origin in key.origins})


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class RateLimiter:
    """A token bucket per (key, client IP): `rate` requests per minute, bursts up to `rate`."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: tuple[str, str], rate: int) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        now = time.monotonic()
        per_second = rate / 60.0
        with self._lock:
            tokens, last = self._buckets.get(key, (float(rate), now))
            tokens = min(float(rate), tokens + (now - last) * per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / per_second


class SessionSigner:
    """Session ids handed to widgets carry an HMAC, so a public key can only act in sessions it was given. The signed
    part also names (by a keyed digest) the origin the session started on: `started_on` tells whether a request
    comes from the same site. Ids are bearer secrets: whoever holds one reads the conversation (docs/security.md)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self, origin: str | None = None) -> str:
        token = uuid.uuid4().hex + self._origin_tag(origin)
        return f"{token}.{self._mac(token)}"

    def valid(self, session_id: str) -> bool:
        token, _, mac = session_id.partition(".")
        # Bytes, not str: compare_digest raises on non-ASCII text, and ids come straight from the URL.
        return bool(token) and hmac.compare_digest(mac.encode(), self._mac(token).encode())

    def started_on(self, session_id: str, origin: str | None) -> bool:
        """Whether the signed session `session_id` was issued to a request from `origin` (ids issued before origins
        were recorded match none)."""
        token = session_id.partition(".")[0]
        return self.valid(session_id) and hmac.compare_digest(token[32:].encode(), self._origin_tag(origin).encode())

    def _origin_tag(self, origin: str | None) -> str:
        return hmac.new(self._secret, b"origin\0" + (origin or "").encode(), hashlib.sha256).hexdigest()[:8]

    def _mac(self, token: str) -> str:
        return hmac.new(self._secret, token.encode(), hashlib.sha256).hexdigest()[:24]


def session_secret(settings: Settings) -> bytes:
    """The configured secret, else one generated once and kept (mode 0600) in the data dir."""
    if settings.auth.session_secret is not None:
        return settings.auth.session_secret.get_secret_value().encode()
    path: Path = settings.data_dir / "session.secret"
    if not path.exists():
        # Written whole, then linked into place: workers starting together all read the one secret that won.
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".session.secret.{os.getpid()}")
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip().encode()


@dataclass
class Gate:
    """Everything authentication needs, built once per app."""

    keys: KeyRing
    limiter: RateLimiter
    sessions: SessionSigner
    anonymous_rate: int = 30


def _gate(request: Request) -> Gate:
    gate: Gate = request.app.state.gate
    return gate


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


def _limit(gate: Gate, name: str, request: Request, rate: int) -> None:
    client = request.client.host if request.client else "unknown"
    wait = gate.limiter.check((name, client), rate)
    if wait > 0:
        raise HTTPException(
            429,
            f"rate limit of {rate} requests per minute exceeded; retry in {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )


API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey",
                              description="Your API key (public, agent or admin) in the X-API-Key header.")
BEARER = HTTPBearer(auto_error=False, scheme_name="Bearer", description="Your API key as `Authorization: Bearer KEY`.")
"""Declared in the OpenAPI document (so /docs has an Authorize button and "Try it out" sends the key); the key is
read by _presented_key, the same for both."""


def authorize(*roles: Role) -> object:
    """A dependency that admits callers whose key has one of `roles` (401 without a valid key, 403 otherwise)."""

    def dependency(
        request: Request,
        gate: Annotated[Gate, Depends(_gate)],
        _header: Annotated[str | None, Security(API_KEY_HEADER)] = None,
        _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
    ) -> Principal:
        secret = _presented_key(request)
        key = gate.keys.find(secret) if secret else None
        if key is None:
            _limit(gate, "anonymous", request, gate.anonymous_rate)
            detail = "missing API key" if secret is None else "unknown API key"
            raise HTTPException(
                401,
                f"{detail}: send it as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        _limit(gate, key.name, request, key.rate)
        origin = request.headers.get("origin")
        if key.role == "public" and key.origins and origin is not None and origin not in key.origins:
            raise HTTPException(403, f"origin {origin} is not allowed for this key")
        if key.role not in roles:
            allowed = " or ".join(roles)
            article = "an" if allowed[0] in "aeiou" else "a"
            raise HTTPException(403, f"this endpoint needs {article} {allowed} key; '{key.name}' is a {key.role} key")
        customer = Customer(**key.customer.model_dump()) if key.customer else None
        return Principal(key.name, key.role, tuple(key.audiences), tuple(key.origins), customer, origin)

    return Depends(dependency)


ANY_ROLE: tuple[Role, ...] = ("public", "agent", "admin")
STAFF: tuple[Role, ...] = ("agent", "admin")
CustomerCaller = Annotated[Principal, authorize(*ANY_ROLE)]
StaffCaller = Annotated[Principal, authorize(*STAFF)]
AdminCaller = Annotated[Principal, authorize("admin")]
GateDep = Annotated[Gate, Depends(_gate)]


def session_for(caller: Principal, gate: Gate, session_id: str | None) -> str:
    """The session a request acts in: a new signed one when none is given; a public key may only use ids it was
    handed (signed), staff keys may name any session."""
    if session_id is None:
        return gate.sessions.issue(caller.origin)
    if caller.is_public and not gate.sessions.valid(session_id):
        raise HTTPException(403, "unknown session for this key; omit session_id to start a new conversation")
    return session_id


def access_for(caller: Principal, gate: Gate, session_id: str | None) -> SessionAccess:
    """Staff reach every session; a public key only the signed session it presents (none when it presents none)."""
    if not caller.is_public:
        return SessionAccess(every_session=True)
    if session_id is None or not gate.sessions.valid(session_id):
        return SessionAccess(None)
    return SessionAccess(session_id, may_change_contact=gate.sessions.started_on(session_id, caller.origin))


def audiences_for(caller: Principal, requested: tuple[str, ...] | None) -> tuple[str, ...]:
    """Public keys ask as their configured audiences (and no others); staff may preview any audience."""
    if requested is None:
        return caller.audiences if caller.is_public else ("public",)
    if caller.is_public and not set(requested) <= set(caller.audiences):
        raise HTTPException(403, f"this key may only ask as {', '.join(caller.audiences)}")
    return requested


def merge_customer(vouched: Customer | None, given: Customer | None) -> Customer:
    """The request's customer details, with the key's own (vouched) facts taking precedence."""
    result = given or Customer()
    if vouched is None:
        return result
    return Customer(
        id=vouched.id or result.id,
        email=vouched.email or result.email,
        name=vouched.name or result.name,
        plan=vouched.plan or result.plan,
    )
