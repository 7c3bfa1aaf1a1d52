"""Heading-aware chunking keeps each chunk's article, heading path and anchor."""

from __future__ import annotations

from engine.config import ChunkingSettings
from engine.ingest.chunker import Chunker
from engine.ingest.loader import LoadOptions, load_source
from engine.types import Article
from tests.conftest import DATASETS

BODY = """Intro paragraph that explains what this article covers in a few words.

## Update your card

Go to **Settings → Billing** and click *Update card*. The new card is charged from the next invoice.

### On mobile {#mobile-card}

Open the app menu, then Billing, then Payment method, and save the new card.

## Tiny

Ok.
"""


def test_chunks_follow_headings_and_carry_path_anchor_and_title() -> None:
    article = Article(id="billing/card", title="Payment methods", body=BODY)

    chunks = Chunker(ChunkingSettings()).chunk(article)

    assert [c.heading_path for c in chunks] == [(), ("Update your card",), ("Update your card", "On mobile")]
    assert [c.anchor for c in chunks] == [None, "update-your-card", "mobile-card"]
    assert [c.id for c in chunks] == ["billing/card#0", "billing/card#1", "billing/card#2"]
    assert chunks[1].text.startswith("Go to **Settings → Billing**")  # shown text keeps Markdown
    assert chunks[1].index_text.startswith("Payment methods > Update your card\nGo to Settings → Billing")
    assert len({c.text_hash for c in chunks}) == 3


def test_long_sections_are_split_below_the_chunk_size() -> None:
    long_body = "## Steps\n\n" + " ".join(f"Sentence number {i} explains one more detail." for i in range(200))
    article = Article(id="long", title="Long", body=long_body)

    chunks = Chunker(ChunkingSettings(chunk_size=100, chunk_overlap=10)).chunk(article)

    assert len(chunks) > 5
    assert all(c.heading_path == ("Steps",) and c.anchor == "steps" for c in chunks)
    assert all(len(c.text.split()) <= 100 for c in chunks)


def test_every_real_plausible_article_yields_chunks_with_its_id() -> None:
    articles = load_source(DATASETS / "plausible-docs" / "articles", LoadOptions()).articles
    chunker = Chunker(ChunkingSettings())

    for article in articles:
        chunks = chunker.chunk(article)
        assert chunks, article.id
        assert all(c.article_id == article.id and c.index_text.startswith(article.title) for c in chunks)
