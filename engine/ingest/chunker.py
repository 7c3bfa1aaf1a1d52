"""Heading-aware chunking with llama-index: split on Markdown headings, then long sections by sentences."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from llama_index.core import Document
from llama_index.core.node_parser import MarkdownNodeParser, SentenceSplitter

from engine.config import ChunkingSettings
from engine.ingest.markdown import explicit_anchor, plain_text, slugify, strip_explicit_anchor
from engine.types import Article, Chunk

_SEPARATOR = "\x1f"  # header_path separator that cannot occur in a heading
_MIN_WORDS = 3


class Chunker:
    """Article → chunks that each keep the article id, title, heading path and the anchor of their section."""

    def __init__(self, settings: ChunkingSettings) -> None:
        self._sections = MarkdownNodeParser(header_path_separator=_SEPARATOR, include_prev_next_rel=False)
        self._splitter = SentenceSplitter(
            chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap, include_prev_next_rel=False
        )

    def chunk(self, article: Article) -> list[Chunk]:
        pieces: list[tuple[tuple[str, ...], str | None, str]] = []
        for node in self._sections.get_nodes_from_documents([Document(text=article.body)]):
            path, anchor, text = _section(node.get_content(), str(node.metadata.get("header_path", "")))
            if len(text.split()) < _MIN_WORDS:
                continue
            for part in self._splitter.split_text(text):
                pieces.append((path, anchor, part))
        if not pieces:
            pieces.append(((), None, article.body))
        if article.description:
            # The summary a help center writes for search engines is the best one-line description of the article.
            pieces.append(((), None, article.description))
        return [
            _make_chunk(article, ordinal, path, anchor, text) for ordinal, (path, anchor, text) in enumerate(pieces)
        ]


def _section(content: str, header_path: str) -> tuple[tuple[str, ...], str | None, str]:
    """A section's heading path (parents + own heading), anchor and text without its heading line."""
    parents = tuple(strip_explicit_anchor(h) for h in header_path.strip(_SEPARATOR).split(_SEPARATOR) if h)
    first, _, rest = content.partition("\n")
    if first.startswith("#"):
        heading = first.lstrip("#").strip()
        anchor = explicit_anchor(heading) or slugify(heading)
        return parents + (strip_explicit_anchor(heading),), anchor or None, rest.strip()
    return parents, None, content.strip()


def _make_chunk(article: Article, ordinal: int, path: tuple[str, ...], anchor: str | None, text: str) -> Chunk:
    index_text = "\n".join([" > ".join((article.title, *path)), plain_text(text)])
    return Chunk(
        id=f"{article.id}#{ordinal}",
        article_id=article.id,
        ordinal=ordinal,
        heading_path=path,
        anchor=anchor,
        text=text.strip(),
        index_text=index_text,
        text_hash=hashlib.sha256(index_text.encode()).hexdigest(),
    )


def chunk_all(chunker: Chunker, articles: Iterable[Article]) -> dict[str, list[Chunk]]:
    return {article.id: chunker.chunk(article) for article in articles}
