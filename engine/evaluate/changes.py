"""`--changed-since REV`: re-run only questions whose expected (or stale) articles' files changed."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from engine.errors import ConfigError
from engine.evaluate.golden import GoldenSet
from engine.evaluate.kbs import KbSpec
from engine.types import Article


def question_index(golden: GoldenSet) -> dict[str, set[str]]:
    """Article id → ids of the questions that expect it (or must not cite it)."""
    index: dict[str, set[str]] = {}
    for record in golden.records:
        for article in (*record.expected_articles, *record.stale_articles):
            index.setdefault(article, set()).add(record.id)
    return index


def article_files(articles: Iterable[Article], spec: KbSpec) -> dict[str, Path]:
    """Article id → the absolute path of the file it was read from (a JSONL export: the export file)."""
    roots = {source.name: source.path.resolve() for source in spec.sources}
    files = {}
    for article in articles:
        root = roots.get(article.source)
        if root is not None:
            files[article.id] = (root if root.is_dir() else root.parent) / article.path
    return files


def affected_questions(golden: GoldenSet, files: Mapping[str, Path], changed: set[Path]) -> set[str]:
    """Ids of the questions that depend on an article whose file is in `changed`."""
    hit: set[str] = set()
    for article, questions in question_index(golden).items():
        if article in files and files[article] in changed:
            hit |= questions
    return hit


def changed_files(rev: str, cwd: Path = Path(".")) -> set[Path]:
    """Absolute paths of files that differ between REV and the working tree (git diff --name-only REV)."""
    try:
        top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
        names = _git(["diff", "--name-only", rev, "--"], cwd)
    except FileNotFoundError as exc:
        raise ConfigError("--changed-since needs git on PATH") from exc
    return {(Path(top) / name).resolve() for name in names.splitlines() if name.strip()}


def _git(args: list[str], cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ConfigError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout
