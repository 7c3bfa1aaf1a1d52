"""Walk an ingest root, parse every supported file and report, rather than raise, what could not be read."""

from __future__ import annotations

import fnmatch
import json
import logging
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from engine.errors import ArticleError, IngestError
from engine.ingest.cleaning import SourceText, clean_source
from engine.ingest.formats import (
    RawArticle,
    looks_like_zendesk,
    parse_html,
    parse_jsonl,
    parse_markdown,
    parse_record,
    parse_zendesk,
)
from engine.ingest.metadata import KNOWN_FIELDS, build_article
from engine.types import Article, CleaningReport, FileProblem, ParsedSource

logger = logging.getLogger(__name__)

MARKDOWN = (".md", ".mdx", ".markdown")
HTML = (".html", ".htm")
EXPORTS = (".jsonl", ".json")
SUPPORTED = MARKDOWN + HTML + EXPORTS
# Files that sit beside articles in a help-center repo but are not articles.
DEFAULT_IGNORES = ("README.md", "README.mdx", "LICENSE*", "CONTRIBUTING.md", "_*", ".*")
EXPORT_SIZE_FACTOR = 100


@dataclass(frozen=True)
class LoadOptions:
    """How to read a source: defaults for missing metadata and limits that keep bad files harmless."""

    default_locale: str = "en"
    base_url: str | None = None
    overrides: Mapping[str, Any] | None = None
    max_file_bytes: int = 5_000_000


def load_source(root: Path, options: LoadOptions) -> ParsedSource:
    """Every article under `root` (a folder or one file), plus a problem for each file or record that failed."""
    raws, problems = _read_source(root, options)
    cleaned, cleaning = _cleaned([raw for raw, _ in raws])
    articles: list[Article] = []
    seen: dict[str, str] = {}
    for (raw, relative), body in zip(raws, cleaned, strict=True):
        try:
            article = _to_article(replace(raw, body=body), relative, options)
        except ArticleError as exc:
            where = f"{raw.where}: " if raw.where else ""
            problems.append(FileProblem(relative, f"{where}{exc}"))
            continue
        if article.id in seen:
            problems.append(FileProblem(relative, f"duplicate id {article.id!r} (already used by {seen[article.id]})"))
        else:
            seen[article.id] = article.path
            articles.append(article)
    for problem in problems:
        logger.warning(
            "skipped %s: %s",
            problem.path,
            problem.reason,
            extra={"path": problem.path, "reason": problem.reason},
        )
    return ParsedSource(articles=tuple(articles), problems=tuple(problems), cleaning=cleaning)


def source_texts(root: Path, options: LoadOptions) -> list[SourceText]:
    """Every article body of `root` as parsed, before cleaning: what the cleaning pass reads (answer checks)."""
    return [_source_text(raw) for raw, _ in _read_source(root, options)[0]]


def _read_source(root: Path, options: LoadOptions) -> tuple[list[tuple[RawArticle, str]], list[FileProblem]]:
    if not root.exists():
        raise IngestError(f"{root} does not exist")
    base = root if root.is_dir() else root.parent
    files = [root] if root.is_file() else list(_walk(root, _ignore_patterns(root)))
    raws: list[tuple[RawArticle, str]] = []
    problems: list[FileProblem] = []
    for path in files:
        relative = path.relative_to(base).as_posix()
        for item in _read_file(path, relative, options):
            if isinstance(item, FileProblem):
                problems.append(item)
            else:
                raws.append((item, relative))
    return raws, problems


def _source_text(raw: RawArticle) -> SourceText:
    url = raw.meta.get("url")
    title = raw.meta.get("title") or raw.default_title
    return SourceText(raw.body, url if isinstance(url, str) else None, raw.plain, raw.components,
                      title if isinstance(title, str) else "")


def _cleaned(raws: Sequence[RawArticle]) -> tuple[list[str], CleaningReport]:
    """Each raw article's body with the source's page chrome removed (see engine/ingest/cleaning.py)."""
    return clean_source([_source_text(raw) for raw in raws])


def load_records(records: Sequence[object], options: LoadOptions, origin: str = "api") -> ParsedSource:
    """Articles sent as JSON objects (POST /v1/articles); each bad record is a problem, the rest load."""
    articles: list[Article] = []
    problems: list[FileProblem] = []
    seen: set[str] = set()
    raws: list[RawArticle] = []
    for number, record in enumerate(records, start=1):
        raw = parse_record(record, f"article {number}")
        if isinstance(raw, ArticleError):
            problems.append(FileProblem(origin, str(raw)))
            continue
        raws.append(raw)
    cleaned, cleaning = _cleaned(raws)
    for raw, body in zip(raws, cleaned, strict=True):
        raw = replace(raw, body=body)
        try:
            article = _to_article(raw, origin, options)
        except ArticleError as exc:
            problems.append(FileProblem(origin, f"{raw.where}: {exc}"))
            continue
        if article.id in seen:
            problems.append(FileProblem(origin, f"{raw.where}: duplicate id {article.id!r} in this request"))
            continue
        seen.add(article.id)
        articles.append(article)
    return ParsedSource(articles=tuple(articles), problems=tuple(problems), cleaning=cleaning)


def _ignore_patterns(root: Path) -> tuple[str, ...]:
    ignore_file = root / ".engineignore"
    extra: list[str] = []
    if ignore_file.is_file():
        extra = [
            line.strip() for line in ignore_file.read_text().splitlines() if line.strip() and not line.startswith("#")
        ]
    return DEFAULT_IGNORES + tuple(extra)


def _walk(root: Path, ignores: tuple[str, ...]) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(_ignored(part, relative, ignores) for part in relative.parts):
            continue
        if path.suffix.lower() in SUPPORTED and not path.is_dir():
            yield path


def _ignored(part: str, relative: Path, ignores: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(part, pattern) or fnmatch.fnmatch(relative.as_posix(), pattern) for pattern in ignores)


def _read_file(path: Path, relative: str, options: LoadOptions) -> Iterator[RawArticle | FileProblem]:
    suffix = path.suffix.lower()
    limit = options.max_file_bytes * (EXPORT_SIZE_FACTOR if suffix in EXPORTS else 1)
    try:
        found = path.stat()
        if not stat.S_ISREG(found.st_mode):
            # Reading a FIFO or a device would block the ingest (or never end): never open one.
            yield FileProblem(relative, "not a regular file (a pipe, socket or device), not an article")
            return
        size = found.st_size
        if size > limit:
            yield FileProblem(relative, f"file is {size:,} bytes, over the {limit:,}-byte limit")
            return
        raw = path.read_bytes()
    except OSError as exc:
        yield FileProblem(relative, f"cannot read file: {exc.strerror or exc}")
        return
    if b"\x00" in raw[:8192]:
        yield FileProblem(relative, "binary file (contains NUL bytes), not an article")
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield FileProblem(relative, f"not UTF-8 text (invalid byte at offset {exc.start})")
        return
    try:
        for record in _records(text, suffix):
            if isinstance(record, ArticleError):
                yield FileProblem(relative, str(record))
                continue
            yield record
    except ArticleError as exc:
        yield FileProblem(relative, str(exc))


def _records(text: str, suffix: str) -> Iterator[RawArticle | ArticleError]:
    if suffix in MARKDOWN:
        yield from parse_markdown(text)
    elif suffix in HTML:
        yield from parse_html(text)
    elif suffix == ".jsonl":
        yield from parse_jsonl(text)
    else:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ArticleError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
        if not looks_like_zendesk(document):
            raise ArticleError("unrecognised JSON: expected a Zendesk Help Center articles export")
        yield from parse_zendesk(document)


def _to_article(record: RawArticle, relative: str, options: LoadOptions) -> Article:
    meta = {key: value for key, value in record.meta.items() if key in KNOWN_FIELDS or key == "slug"}
    if options.overrides:
        meta.update(options.overrides)
    stem = PurePosixPath(relative)
    default_title = record.default_title or stem.stem.replace("-", " ").replace("_", " ").capitalize()
    return build_article(
        meta,
        body=record.body,
        default_id=relative,
        default_title=default_title,
        default_url=_default_url(options.base_url, relative, meta.get("slug")),
        default_locale=options.default_locale,
        source="",
        path=f"{relative}:{record.where}" if record.where else relative,
    )


def _default_url(base_url: str | None, relative: str, slug: object) -> str | None:
    if not base_url:
        return None
    path = str(slug).strip("/") if slug else str(PurePosixPath(relative).with_suffix(""))
    return f"{base_url.rstrip('/')}/{path}"
