"""--changed-since: the article → questions index and the mapping of articles to changed files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.evaluate.changes import affected_questions, article_files, changed_files, question_index
from engine.evaluate.golden import GoldenRecord, GoldenSet
from engine.evaluate.kbs import KbSource, KbSpec
from engine.types import Article


def golden() -> GoldenSet:
    return GoldenSet(
        "g",
        (
            GoldenRecord("q1", "?", ("billing.md",), "answerable"),
            GoldenRecord("q2", "?", ("billing.md", "team.md"), "answerable"),
            GoldenRecord("q3", "?", (), "stale", stale_articles=("old.md",)),
            GoldenRecord("q4", "?", ("other.md",), "answerable"),
        ),
    )


def test_question_index() -> None:
    index = question_index(golden())
    assert index == {"billing.md": {"q1", "q2"}, "team.md": {"q2"}, "old.md": {"q3"}, "other.md": {"q4"}}


def test_affected_questions_through_files(tmp_path: Path) -> None:
    live, retired = tmp_path / "articles", tmp_path / "retired"
    spec = KbSpec("kb", (KbSource("live", live), KbSource("old", retired)))
    live.mkdir()
    retired.mkdir()
    articles = [
        Article("billing.md", "B", "b", source="live", path="billing.md"),
        Article("team.md", "T", "t", source="live", path="team.md"),
        Article("old.md", "O", "o", source="old", path="old.md"),
    ]
    files = article_files(articles, spec)
    assert files["old.md"] == (retired / "old.md").resolve()
    assert affected_questions(golden(), files, {(live / "team.md").resolve()}) == {"q2"}
    assert affected_questions(golden(), files, {(retired / "old.md").resolve()}) == {"q3"}
    assert affected_questions(golden(), files, set()) == set()


def test_a_jsonl_export_maps_every_article_to_the_export(tmp_path: Path) -> None:
    export = tmp_path / "kb.jsonl"
    export.write_text("")
    spec = KbSpec("kb", (KbSource("kb", export),))
    files = article_files([Article("a", "A", "x", source="kb", path="kb.jsonl")], spec)
    assert files == {"a": export.resolve()}


def test_changed_files_from_git(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "start")
    (tmp_path / "a.md").write_text("one")
    (tmp_path / "b.md").write_text("one")
    git("add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "two files")
    (tmp_path / "b.md").write_text("changed")
    assert changed_files("HEAD", tmp_path) == {(tmp_path / "b.md").resolve()}
    assert changed_files("HEAD~1", tmp_path) == {(tmp_path / "a.md").resolve(), (tmp_path / "b.md").resolve()}
    with pytest.raises(ConfigError, match="git diff"):
        changed_files("no-such-rev", tmp_path)
