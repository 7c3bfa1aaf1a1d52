"""Parsers for each supported source format. Each yields raw records; loader.py turns them into Articles."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml
from bs4 import BeautifulSoup
from markdownify import markdownify

from engine.errors import ArticleError
from engine.ingest.markdown import clean_mdx, multiline_components

_H1 = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)
_TABLE_START = re.compile(r"(?<=[^|\n])\n\|")  # trafilatura starts a table on the line after a paragraph


@dataclass
class RawArticle:
    """One article as found in a file, before metadata is validated. `where` locates it inside the file."""

    meta: dict[str, Any]
    body: str
    where: str = ""
    default_title: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    plain: bool = False  # plain text with no markup (a JSONL export)
    components: tuple[str, ...] = ()  # multi-line JSX/MDX components removed from the body (for the ingest report)


def parse_markdown(text: str) -> Iterator[RawArticle]:
    """Markdown/MDX with optional YAML front matter (Docusaurus style)."""
    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise ArticleError(f"broken front matter: {_first_line(exc)}") from exc
    if not isinstance(post.metadata, dict):
        raise ArticleError("broken front matter: expected key: value pairs")
    body = clean_mdx(post.content)
    heading = _H1.search(body)
    default_title = heading.group(1).strip() if heading else None
    components = tuple(multiline_components(post.content))
    yield RawArticle(meta=dict(post.metadata), body=body, default_title=default_title, components=components)


def html_to_markdown(html: str) -> tuple[str, dict[str, str], str | None]:
    """HTML → (Markdown body, <meta name=...> values, title) with scripts, styles and navigation removed."""
    soup = BeautifulSoup(html, "html.parser")
    meta = {
        str(tag.get("name")).strip().lower(): str(tag.get("content", "")).strip()
        for tag in soup.find_all("meta")
        if tag.get("name")
    }
    title_tag = soup.find("title")
    h1 = soup.find("h1")
    title = (title_tag.get_text(strip=True) if title_tag else "") or (h1.get_text(strip=True) if h1 else "")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "template", "head"]):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.find("body") or soup
    body = markdownify(str(root), heading_style="ATX", bullets="-", strip=["img"])
    return clean_mdx(body), meta, title or None


def parse_html(text: str) -> Iterator[RawArticle]:
    """A whole web page: its main content (trafilatura: navigation, sidebars, footers and widgets left out), else the
    page's <article>/<main>/<body> as html_to_markdown reads it."""
    body, meta, title = html_to_markdown(text)
    main = main_content(text)
    if main is not None and len(main.split()) >= len(body.split()) // 5:
        body = main
    known = {key: value for key, value in meta.items() if key not in ("description", "viewport", "generator")}
    yield RawArticle(meta=known, body=body, default_title=title)


def main_content(html: str) -> str | None:
    """The page's main content as Markdown (headings, lists, links, tables kept), or None when none is found."""
    import trafilatura  # lxml-based and slow to import: only for HTML pages

    extracted = trafilatura.extract(
        html,
        output_format="markdown",
        include_formatting=True,
        include_links=True,
        include_tables=True,
        include_images=False,
        include_comments=False,
        favor_recall=True,
        deduplicate=False,
    )
    if not extracted or not extracted.strip():
        return None
    return clean_mdx(_TABLE_START.sub("\n\n|", extracted))


def parse_jsonl(text: str) -> Iterator[RawArticle | ArticleError]:
    """One article per line: id, title, url, text (+ any metadata field). Bad lines are yielded as errors."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ArticleError(f"{where}: not valid JSON ({exc.msg})")
            continue
        yield parse_record(record, where)


def parse_record(record: object, where: str) -> RawArticle | ArticleError:
    """One JSON object (a JSONL line or an article posted to the API) → a raw article or the reason it is not."""
    if not isinstance(record, dict):
        return ArticleError(f"{where}: expected a JSON object")
    body = record.get("text") or record.get("body") or ""
    if not isinstance(body, str):
        return ArticleError(f"{where}: text must be a string")
    if not record.get("id"):
        return ArticleError(f"{where}: missing id")
    meta = {key: value for key, value in record.items() if key not in ("text", "body")}
    return RawArticle(meta=meta, body=_jsonl_body(body, str(record.get("title") or "")), where=where, plain=True)


def _jsonl_body(text: str, title: str) -> str:
    """Plain-text exports often repeat the title as their first line; drop it so it is not indexed twice."""
    stripped = text.strip()
    if title and stripped.startswith(title):
        stripped = stripped[len(title) :].lstrip()
    return stripped


def parse_zendesk(document: Any) -> Iterator[RawArticle | ArticleError]:
    """A Zendesk Help Center articles export: {"articles": [...]} (the API's page shape) or a bare list."""
    records = document.get("articles") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise ArticleError('not a Zendesk export: expected {"articles": [...]} or a list of articles')
    for position, record in enumerate(records):
        where = f"article #{position}"
        if not isinstance(record, dict) or "body" not in record or "id" not in record:
            yield ArticleError(f"{where}: a Zendesk article needs at least id and body")
            continue
        where = f"article id {record['id']}"
        body_html = record.get("body") or ""
        if not isinstance(body_html, str):
            yield ArticleError(f"{where}: body must be an HTML string")
            continue
        body, _, _ = html_to_markdown(body_html)
        segment = record.get("user_segment_id")
        meta: dict[str, Any] = {
            "id": str(record["id"]),
            "title": record.get("title"),
            "url": record.get("html_url"),
            "updated_at": record.get("edited_at") or record.get("updated_at"),
            "status": "draft" if record.get("draft") else "published",
            "locale": record.get("locale"),
            "tags": record.get("label_names") or [],
            "category": str(record["section_id"]) if record.get("section_id") is not None else None,
            "audience": f"segment-{segment}" if segment is not None else None,
        }
        yield RawArticle(meta=meta, body=body, where=where)


def looks_like_zendesk(document: Any) -> bool:
    records = document.get("articles") if isinstance(document, dict) else document
    return isinstance(records, list) and all(
        isinstance(r, dict) and ("body" in r or "html_url" in r) for r in records[:5]
    )


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
