"""BM25 scoring: rank-bm25-rs serves, rank-bm25 is the reference; scores must be equal bit for bit."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi as ReferenceBM25

from engine.analysis import terms
from engine.store.keyword import BM25Index
from tests.conftest import DATASETS

GOLDEN = DATASETS.parent / "golden" / "plausible.jsonl"


def _plausible_paragraphs() -> list[list[str]]:
    paragraphs = []
    for path in sorted((DATASETS / "plausible-docs" / "articles").rglob("*.md")):
        paragraphs.extend(terms(p) for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip())
    return [p for p in paragraphs if p]


def test_scores_equal_rank_bm25_bit_for_bit_on_the_plausible_corpus() -> None:
    corpus = _plausible_paragraphs()
    ours, reference = BM25Index(corpus), ReferenceBM25(corpus)
    questions = [json.loads(line)["question"] for line in GOLDEN.read_text(encoding="utf-8").splitlines()[:80]]
    assert len(corpus) > 1000

    for question in [*questions, "zzz-unknown-term", "goal goal goal"]:
        query = terms(question)
        expected = np.asarray(reference.get_scores(query), dtype=np.float64)
        assert np.array_equal(ours.scores(query), expected), question
    assert ours.idf("goal") == reference.idf["goal"] and ours.knows("goal") and not ours.knows("zzz-unknown-term")


def test_an_empty_index_and_an_empty_query_score_zero() -> None:
    empty = BM25Index([])
    assert len(empty.scores(["goal"])) == 0 and empty.idf("goal") == 0.0
    index = BM25Index([["goal", "convers"], ["dashboard"]])
    assert np.array_equal(index.scores([]), np.zeros(2))


def test_a_saved_index_scores_as_the_one_built_and_older_term_lists_still_load(tmp_path: Path) -> None:
    corpus = _plausible_paragraphs()
    built = BM25Index(corpus)
    BM25Index.save(corpus, tmp_path / "bm25.npz")
    with gzip.open(tmp_path / "bm25.json.gz", "wt", encoding="utf-8") as handle:
        json.dump(corpus, handle)

    for saved in (BM25Index.load(tmp_path / "bm25.npz"), BM25Index.load(tmp_path / "bm25.json.gz")):
        assert len(saved) == len(corpus)
        for query in (["goal", "convers"], ["dashboard", "share", "link"], ["zzz"]):
            assert np.array_equal(saved.scores(query), built.scores(query)), query
