"""Term weights add up to the same value in every process, whatever order Python's salted string hashing gives a
set of terms (a plain sum did not, and near-ties between sentences fell differently from run to run)."""

from __future__ import annotations

import os
import subprocess
import sys

from engine.analysis import weight_of

# Float addition is not associative: 1e16 + 1 + 1 is 1e16 in one order and 1e16 + 2 in another.
SNIPPET = """
from engine.analysis import weight_of
from engine.answer.confidence import coverage
weights = {"alpha": 1e16, "bravo": 1.0, "charlie": 1.0, "delta": 1.0}
print(repr(weight_of(["alpha", "bravo", "charlie", "delta"], weights)),
      repr(coverage(list(weights), {"alpha", "bravo", "charlie"}, weights.__getitem__)))
"""


def test_the_weight_of_terms_counts_each_distinct_term_once() -> None:
    assert weight_of(["sync", "sync", "board"], {"sync": 2.0, "board": 0.5, "unused": 9.0}) == 2.5


def test_weights_and_coverage_are_the_same_under_every_hash_seed() -> None:
    results = {
        subprocess.run([sys.executable, "-c", SNIPPET], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in range(12)
    }

    assert results == {f"{1e16 + 3.0!r} {(1e16 + 2.0) / (1e16 + 3.0)!r}\n"}
