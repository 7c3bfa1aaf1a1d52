"""Article and chunk (de)serialisation for the on-disk index generation."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, cast

from engine.types import Article, ArticleStatus, Chunk

_DATES = ("updated_at", "review_by", "expires_at")
_TUPLES = ("audience", "tags")


def article_to_json(article: Article) -> dict[str, Any]:
    data = dataclasses.asdict(article)
    for key in _DATES:
        value = data[key]
        data[key] = value.isoformat() if value else None
    for key in _TUPLES:
        data[key] = list(data[key])
    return data


def article_from_json(data: dict[str, Any]) -> Article:
    values = dict(data)
    for key in _DATES:
        values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
    for key in _TUPLES:
        values[key] = tuple(values.get(key) or ())
    values["status"] = cast(ArticleStatus, values["status"])
    return Article(**values)


def chunk_to_json(chunk: Chunk) -> dict[str, Any]:
    data = dataclasses.asdict(chunk)
    data["heading_path"] = list(chunk.heading_path)
    return data


def chunk_from_json(data: dict[str, Any]) -> Chunk:
    values = dict(data)
    values["heading_path"] = tuple(values["heading_path"])
    return Chunk(**values)
