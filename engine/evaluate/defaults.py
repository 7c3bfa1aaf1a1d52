"""Where the harness finds its inputs by default, relative to the repository root (the CLI imports it)."""

from pathlib import Path

KBS = Path("evals/kbs.toml")
DATASETS = Path("evals/datasets")
THRESHOLDS = Path("evals/thresholds.toml")
BASELINE = Path("evals/baseline.toml")
CACHE = Path(".cache/evals")
JUDGMENTS = Path("evals/judgments")
GUARDS = Path("evals/golden/guards.jsonl")
