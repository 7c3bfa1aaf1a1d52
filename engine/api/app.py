"""create_app(): the FastAPI application; the lifespan builds the engine once per process and runs the
ticket delivery worker."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from engine import __version__
from engine.api import errors
from engine.api.auth import SERVE_PORT, Gate, KeyRing, RateLimiter, SessionSigner, load_keys, session_secret
from engine.api.limits import BodyLimit
from engine.api.routes import (
    articles,
    ask,
    conversations,
    feedback,
    freshness,
    health,
    metrics,
    pages,
    preview,
    sessions,
    tickets,
)
from engine.api.routes import incidents as incidents_route
from engine.api.security import (
    ClientAddress,
    SecurityHeaders,
    mask_session_ids_in_access_log,
    parse_networks,
)
from engine.config import Settings, get_settings, offline_environment
from engine.store.serving import SERVE_PORT_ENV
from engine.wiring import Engine, build_engine

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, engine: Engine | None = None, port: int = SERVE_PORT) -> FastAPI:
    """The API over `engine` (built from `settings` at startup when not given), served on `port`."""
    keys = KeyRing(load_keys(settings, port))
    mask_session_ids_in_access_log()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        offline_environment()
        built = engine or build_engine(settings)
        app.state.engine = built
        leadership = built.leadership
        if leadership is None:
            built.desk.start()
        else:  # with several workers on this data dir, one delivers tickets; another takes over if it dies
            leadership.start(on_elected=built.desk.start)
        if built.incidents is not None:
            built.incidents.start()  # every worker reads the feed: its answers need the current incidents
        try:
            yield
        finally:
            if built.incidents is not None:
                built.incidents.stop()
            if leadership is not None:
                leadership.stop()
            built.desk.stop()
            if engine is None:
                built.close()

    app = FastAPI(
        title="Answer engine",
        version=__version__,
        description="Answers customer questions only from fresh KB articles; escalates everything else as "
        "pre-filled tickets. Authenticate with `Authorization: Bearer KEY` or `X-API-Key: KEY`.",
        lifespan=lifespan,
        docs_url=None,  # served by routes/pages.py from the packaged Swagger UI, not a CDN: /docs works offline
        redoc_url=None,
    )
    app.state.gate = Gate(
        keys, RateLimiter(), SessionSigner(session_secret(settings)), settings.auth.anonymous_rate_per_minute
    )
    errors.install(app)
    routers = (health, ask, feedback, tickets, sessions, preview, articles, metrics, conversations, freshness, pages)
    for module in routers:
        app.include_router(module.router)
    app.include_router(incidents_route.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
    app.add_middleware(
        CORSMiddleware,
        allow_origins=keys.origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "X-API-Key", "X-Session-Id", "Content-Type", "Accept"],
        max_age=600,
    )
    app.add_middleware(BodyLimit, default=settings.auth.max_request_bytes, ingest=settings.auth.max_ingest_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ClientAddress, trusted=parse_networks(settings.server.trusted_proxies))
    return app


def app_from_environment() -> FastAPI:
    """The app of one `engine serve --workers N` worker (a uvicorn factory): settings from the environment, and the
    worker ends with its supervisor instead of serving on, orphaned, after the supervisor is killed."""
    end_with_parent()
    return create_app(get_settings(), port=int(os.environ.get(SERVE_PORT_ENV, SERVE_PORT)))


def end_with_parent() -> None:
    """Ask Linux to send SIGTERM to this process when its parent dies (prctl PR_SET_PDEATHSIG); elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the request: nobody would tell us
        os.kill(os.getpid(), signal.SIGTERM)
