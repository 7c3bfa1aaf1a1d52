"""Browser pages: the demo help-center page at /."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"


@router.get("/")
def home() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")
