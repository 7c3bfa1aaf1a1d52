"""What an answer is quoted from: the chosen article's own sections ranked for the question, never its description
summary (indexed to be found, not to be quoted), even when the summary is what retrieval matched best."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.config import RetrievalSettings, Settings
from engine.ingest.indexer import Indexer
from engine.retrieve.hybrid import HybridRetriever
from engine.store.generations import IndexSnapshot
from engine.types import Query
from engine.wiring import open_store
from tests.fakes import HashEmbedder

ARTICLE = """---
id: sso/okta
title: Configure Okta for single sign-on
description: Which plan includes single sign-on and how to configure Okta as the identity provider for your team.
---
# Configure Okta for single sign-on

## Create the app in Okta

Sign in to the Okta admin console. Click Create App Integration, pick SAML 2.0 and click Next.

## Plans that include single sign-on

Single sign-on is part of the Enterprise plan. Business plans can add it for a monthly fee.
"""


@pytest.fixture
def snapshot(tmp_path: Path) -> IndexSnapshot:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "okta.md").write_text(ARTICLE)
    (kb / "other.md").write_text("---\nid: other\ntitle: Invite your team\n---\n# Invite your team\n\nOpen Team "
                                 "settings and click Invite to add people by email address to your workspace.\n")
    settings = Settings(data_dir=tmp_path / "data")
    store = open_store(settings)
    Indexer(settings, store, HashEmbedder).ingest(kb)
    return store.load()


def test_the_description_is_found_but_the_answer_comes_from_a_section(snapshot: IndexSnapshot) -> None:
    retriever = HybridRetriever(HashEmbedder(), RetrievalSettings())
    scores = retriever.score(snapshot, Query("configure okta as the identity provider for my team"))
    found = retriever.rank(scores, np.ones(len(snapshot.article_ids), dtype=bool))
    top = found.candidates[0]
    description = snapshot.articles["sso/okta"].description
    assert top.article.id == "sso/okta" and top.best.chunk.text == description  # the summary matched best

    quoted = retriever.sections(scores, top)

    assert description not in [s.chunk.text for s in quoted.chunks]
    assert quoted.best.chunk.heading_path[-1] == "Create the app in Okta"
    assert len(quoted.chunks) == 2 and [s.fused for s in quoted.chunks] == sorted((s.fused for s in quoted.chunks),
                                                                                  reverse=True)


def test_headings_are_embedded_at_ingest_and_no_question_waits_for_them(snapshot: IndexSnapshot) -> None:
    assert set(snapshot.headings) == {"Create the app in Okta", "Plans that include single sign-on"}
    row = snapshot.headings["Create the app in Okta"]
    assert np.allclose(snapshot.heading_vectors[row], HashEmbedder().embed_passages(["Create the app in Okta"])[0])
    embedder = HashEmbedder()
    retriever = HybridRetriever(embedder, RetrievalSettings())
    scores = retriever.score(snapshot, Query("which plan includes okta single sign-on"))
    top = retriever.rank(scores, np.ones(len(snapshot.article_ids), dtype=bool)).candidates[0]
    embedded = embedder.embedded

    quoted = retriever.sections(scores, top)

    assert embedder.embedded == embedded  # the focus read the generation's heading vectors
    assert quoted.best.chunk.heading_path[-1] == "Plans that include single sign-on"


def test_an_older_generation_embeds_headings_once_and_the_kept_ones_are_bounded(snapshot: IndexSnapshot) -> None:
    snapshot = replace(snapshot, headings={}, heading_vectors=np.zeros((0, 0), dtype=np.float32))  # no table
    embedder = HashEmbedder()
    retriever = HybridRetriever(embedder, RetrievalSettings())
    everything = np.ones(len(snapshot.article_ids), dtype=bool)

    def focus(question: str) -> str:
        scores = retriever.score(snapshot, Query(question))
        return retriever.sections(scores, retriever.rank(scores, everything).candidates[0]).best.chunk.heading_path[-1]

    first = focus("which plan includes okta single sign-on")
    embedded = embedder.embedded
    assert focus("which plan includes okta single sign-on") == first  # same focus from remembered headings…
    assert embedder.embedded == embedded  # …and nothing embedded again
    small = HybridRetriever(HashEmbedder(), RetrievalSettings(), headings_kept=1)
    for _ in range(2):
        scores = small.score(snapshot, Query("which plan includes okta single sign-on"))
        assert small.sections(scores, small.rank(scores, everything).candidates[0]).best.chunk.heading_path[-1] \
            == first  # a memory smaller than one article's headings changes no result
