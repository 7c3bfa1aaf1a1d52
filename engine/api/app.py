"""create_app(): the FastAPI application; the lifespan builds the engine once per process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from engine import __version__
from engine.api import errors
from engine.api.routes import ask, freshness, health, pages
from engine.config import Settings, offline_environment
from engine.wiring import Engine, build_engine

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The API over `engine` (built from `settings` at startup when not given)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        offline_environment()
        built = engine or build_engine(settings)
        app.state.engine = built
        try:
            yield
        finally:
            if engine is None:
                built.close()

    app = FastAPI(
        title="Answer engine",
        version=__version__,
        description="Answers customer questions only from fresh KB articles; escalates everything else.",
        lifespan=lifespan,
    )
    errors.install(app)
    app.include_router(health.router)
    app.include_router(ask.router)
    app.include_router(freshness.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
