"""Normalise raw article metadata (front matter, HTML meta tags, JSON fields) into Article fields.

Documented defaults (README "Article metadata"): status=published, audience=public, locale=the configured
default, updated_at/review_by/expires_at unset (freshness treats unknown dates per its policy), title from
the first heading or the file name, url from --base-url + path when not given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from engine.errors import ArticleError
from engine.types import PUBLIC_AUDIENCE, Article, ArticleStatus
from engine.urls import is_web_url

STATUSES: tuple[ArticleStatus, ...] = ("published", "draft", "archived")
KNOWN_FIELDS = frozenset(
    "id title url status updated_at review_by expires_at audience locale tags category owner superseded_by"
    " description".split()
)


def parse_datetime(value: object, field: str) -> datetime | None:
    """Dates in front matter arrive as date, datetime or ISO strings; naive ones are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ArticleError(f"{field}: {value!r} is not an ISO date (use YYYY-MM-DD)") from exc
    else:
        raise ArticleError(f"{field}: expected a date, got {type(value).__name__}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _string_list(value: object, field: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list | tuple):
        return tuple(str(item).strip() for item in value if str(item).strip())
    raise ArticleError(f"{field}: expected a list or a comma-separated string, got {type(value).__name__}")


def _optional_str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _web_url(url: str | None) -> str | None:
    """An article's link is shown to customers and agents: http(s) only, never javascript:, data: or the like."""
    if url is not None and not is_web_url(url):
        raise ArticleError(f"url: {url[:100]!r} is not an http:// or https:// URL")
    return url


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def build_article(
    meta: Mapping[str, Any],
    *,
    body: str,
    default_id: str,
    default_title: str,
    default_url: str | None,
    default_locale: str,
    source: str,
    path: str,
) -> Article:
    """Validate metadata and build an Article; raises ArticleError with a message naming the field."""
    if not body.strip():
        raise ArticleError("empty article: no text after the metadata")
    status = str(meta.get("status") or "published").strip().lower()
    if status not in STATUSES:
        raise ArticleError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    article_id = _optional_str(meta.get("id")) or default_id
    title = _optional_str(meta.get("title")) or default_title
    audience = _string_list(meta.get("audience"), "audience") or (PUBLIC_AUDIENCE,)
    return Article(
        id=article_id,
        title=title,
        body=body.strip(),
        url=_web_url(_optional_str(meta.get("url"))) or default_url,
        status=status,
        updated_at=parse_datetime(meta.get("updated_at"), "updated_at"),
        review_by=parse_datetime(meta.get("review_by"), "review_by"),
        expires_at=parse_datetime(meta.get("expires_at"), "expires_at"),
        audience=tuple(a.lower() for a in audience),
        locale=(_optional_str(meta.get("locale")) or default_locale).lower(),
        tags=_string_list(meta.get("tags"), "tags"),
        category=_optional_str(meta.get("category")),
        owner=_optional_str(meta.get("owner")),
        superseded_by=_optional_str(meta.get("superseded_by")),
        description=_optional_str(meta.get("description")),
        source=source,
        path=path,
        content_hash=content_hash(title, body.strip()),
    )
