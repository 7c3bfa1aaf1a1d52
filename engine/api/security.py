"""Who the client is behind a proxy, and the browser security headers of every response (docs/security.md)."""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UVICORN_OPTIONS: dict[str, object] = {"proxy_headers": False}
"""How the server runs uvicorn: X-Forwarded-For is the app's business (ClientAddress, trusted proxies only), never
uvicorn's, which by default believes it from 127.0.0.1 — and so lets anyone on the host pick their rate-limit bucket."""

PAGE_POLICY = ("default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'")
"""The pages' Content-Security-Policy: everything self-hosted, no inline script (a page that has one names its
hash), styles inline allowed (the widget's shadow DOM and the charts set them), never framed."""


def page_policy(*script_hashes: str) -> str:
    """PAGE_POLICY allowing the inline scripts of these sha256 hashes (base64), e.g. Swagger UI's start script."""
    return PAGE_POLICY.format(scripts="".join(f" 'sha256-{h}'" for h in script_hashes))


def parse_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """Addresses or CIDR ranges (10.0.0.1, 10.0.0.0/8, ::1); ValueError naming the bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an IP address or network (e.g. 10.0.0.1 or 10.0.0.0/8)") from exc
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class ClientAddress:
    """Sets the request's client address from X-Forwarded-For only when the peer is a trusted proxy: the nearest
    address in the chain that is not itself a trusted proxy. From anyone else the header is ignored, so a client
    cannot pick a new address (and a fresh rate-limit bucket) per request."""

    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...]) -> None:
        self._app = app
        self._trusted = trusted

    def _is_trusted(self, host: str) -> bool:
        address = _address(host)
        return address is not None and any(address in network for network in self._trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and self._trusted and client and self._is_trusted(client[0]):
            forwarded = ",".join(v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"x-forwarded-for")
            hops = [hop.strip() for hop in forwarded.split(",") if _address(hop) is not None]
            origin = next((hop for hop in reversed(hops) if not self._is_trusted(hop)), hops[0] if hops else None)
            if origin is not None:
                scope = {**scope, "client": (origin.strip("[]"), 0)}
        await self._app(scope, receive, send)


class SecurityHeaders:
    """nosniff and no-referrer on every response; the page policy and X-Frame-Options: DENY on HTML (a route that
    sets its own Content-Security-Policy keeps it)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", page_policy())
                    headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await self._app(scope, receive, with_headers)


SESSION_IN_PATH = re.compile(r"(/v1/sessions/)[^/?#\s]+")


class MaskSessionIds(logging.Filter):
    """Access-log lines show /v1/sessions/… instead of the id: a session id is a bearer secret, and logs are read
    by more people than conversations are."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(SESSION_IN_PATH.sub(r"\1…", a) if isinstance(a, str) else a for a in record.args)
        return True


def mask_session_ids_in_access_log() -> None:
    """Install MaskSessionIds on uvicorn's access log (once per process)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskSessionIds) for f in access.filters):
        access.addFilter(MaskSessionIds())
