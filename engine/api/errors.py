"""Translate engine errors and bad requests into RFC 9457 problem-details responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.api.schemas import Problem
from engine.errors import (
    ConflictError,
    EngineError,
    ForbiddenError,
    IndexNotReadyError,
    InvalidRequestError,
    NotFoundError,
    StoreUnavailableError,
    UnprocessableError,
)

logger = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
ENGINE_ERRORS: dict[type[EngineError], tuple[int, str]] = {
    IndexNotReadyError: (503, "Index not ready"),
    StoreUnavailableError: (503, "Storage unavailable"),
    InvalidRequestError: (400, "Bad request"),
    NotFoundError: (404, "Not found"),
    ForbiddenError: (403, "Forbidden"),
    ConflictError: (409, "Conflict"),
    UnprocessableError: (422, "Invalid request"),
}
"""The engine errors a client can act on, as HTTP status and problem title; any other EngineError is a 500."""


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """An operation's documented error responses (OpenAPI `responses`): a problem-details body per status."""
    return {status: {"model": Problem} for status in statuses}


def problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type=PROBLEM,
    )


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":  # loc is ("body", offset)
            offset = error.get("loc", ("body", "?"))[-1]
            reason = (error.get("ctx") or {}).get("error", "JSON decode error")
            parts.append(f"request body is not valid JSON ({reason} at character {offset})")
            continue
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, "Invalid request", _describe(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, _title(exc.status_code), _detail(exc))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    for error in ENGINE_ERRORS:
        app.add_exception_handler(error, _engine_problem)

    @app.exception_handler(EngineError)
    async def _engine(_: Request, exc: EngineError) -> JSONResponse:
        logger.exception("engine error")
        return problem(500, "Engine error", str(exc))


async def _engine_problem(_: Request, exc: Exception) -> JSONResponse:
    status, title = next(ENGINE_ERRORS[kind] for kind in type(exc).__mro__ if kind in ENGINE_ERRORS)
    return problem(status, title, str(exc))


def _detail(exc: StarletteHTTPException) -> str:
    """FastAPI's "error parsing the body" hides the reason; bytes that are not UTF-8 are the usual one."""
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        return f"request body is not valid UTF-8 (invalid byte at offset {exc.__cause__.start}); send UTF-8 JSON"
    return str(exc.detail)


def _title(status: int) -> str:
    return {
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Payload too large",
        415: "Unsupported media type",
        428: "Precondition required",
        429: "Too many requests",
    }.get(status, "Error")
