"""BM25 keyword index over chunk terms, persisted as the analysed term lists (bm25.npz: the vocabulary once, each
chunk's terms as int32 ids into it).

Scored by rank-bm25-rs, a Rust drop-in for rank-bm25 with bit-identical scores (tests/store/test_keyword.py checks
that on the Plausible corpus): 0.3 ms a query at 50k chunks instead of rank-bm25's ~150 ms (docs/scaling.md). The
term lists live only while the scorer is built: every worker keeps the scorer's own tables, not a Python list per
chunk (about 100 MB at 20k chunks), and a term is one string object however many chunks use it.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from rank_bm25_rs import BM25Okapi


class BM25Index:
    """Okapi BM25 over one generation's chunks (a KeywordIndex); row i scores chunk ordinal i."""

    def __init__(self, corpus: Sequence[Sequence[str]]) -> None:
        self._size = len(corpus)
        # rank-bm25 divides by the corpus size: an empty index must still answer (with no matches).
        self._bm25 = BM25Okapi([list(doc) for doc in corpus]) if corpus else None

    def __len__(self) -> int:
        return self._size

    def scores(self, terms: Sequence[str]) -> npt.NDArray[np.float64]:
        if self._bm25 is None or not terms:
            return np.zeros(self._size, dtype=np.float64)
        return np.asarray(self._bm25.get_scores(list(terms)), dtype=np.float64)

    def idf(self, term: str) -> float:
        """Inverse document frequency of the term; 0.0 when no chunk contains it."""
        if self._bm25 is None:
            return 0.0
        return float(self._bm25.idf.get(term, 0.0))

    def knows(self, term: str) -> bool:
        """Whether any chunk contains the term."""
        return self._bm25 is not None and term in self._bm25.idf

    @staticmethod
    def save(corpus: Sequence[Sequence[str]], path: Path) -> None:
        """Write `corpus` (each chunk's terms) as bm25.npz: the sorted vocabulary and every chunk's term ids."""
        vocabulary = sorted({term for doc in corpus for term in doc})
        number = {term: i for i, term in enumerate(vocabulary)}
        ids = np.fromiter((number[term] for doc in corpus for term in doc), dtype=np.int32)
        offsets = np.cumsum([0, *map(len, corpus)], dtype=np.int64)
        with path.open("wb") as handle:
            np.savez(handle, vocabulary=np.array(vocabulary, dtype=np.str_), ids=ids, offsets=offsets)

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        """The index saved at `path` (bm25.npz, or the bm25.json.gz term lists of older generations)."""
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                return cls(json.load(handle))
        with np.load(path, allow_pickle=False) as saved:
            words = np.array(saved["vocabulary"].tolist(), dtype=object)[saved["ids"]]
            offsets = saved["offsets"].tolist()
        return cls([words[start:end].tolist() for start, end in zip(offsets, offsets[1:], strict=False)])
