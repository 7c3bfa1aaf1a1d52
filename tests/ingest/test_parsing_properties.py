"""Property tests for front matter and Markdown parsing: whatever a file holds, the loader either builds an article
or raises ArticleError (which it reports per file) — never anything else — and declared ids and titles survive."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.errors import ArticleError
from engine.ingest.formats import parse_markdown
from engine.ingest.markdown import clean_mdx
from engine.ingest.metadata import build_article

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Printable text without the characters YAML refuses outright, so generated front matter is valid YAML.
SAFE_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=("Cs", "Cc")), max_size=60)
WORDS = st.lists(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,11}", fullmatch=True), min_size=1, max_size=30)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), SAFE_TEXT, st.dates())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(SAFE_TEXT, inner, max_size=3),
                      max_leaves=8)
FIELDS = st.sampled_from(["id", "title", "url", "status", "updated_at", "review_by", "expires_at", "audience", "locale",
                          "tags", "category", "owner", "superseded_by", "description"])


def _article(text: str) -> Any:
    raw = next(parse_markdown(text))
    return build_article(raw.meta, body=raw.body, default_id="file.md", default_title=raw.default_title or "File",
                         default_url=None, default_locale="en", source="s", path="file.md")


@FAST
@given(st.text(max_size=400))
@example("---\n")
@example("---\n---\n")
@example("---\n- a\n- b\n---\nbody")
@example("---\n: :\n---\nbody")
@example("---\ntitle: [unclosed\n---\nbody")
@example("---\n!!python/object:os.system x\n---\nbody")
@example("---\nupdated_at: 2026-13-45\n---\nbody")
@example("+++\ntitle = 'toml'\n+++\nbody")
def test_any_text_becomes_an_article_or_an_article_error(text: str) -> None:
    try:
        article = _article(text)
    except ArticleError:
        return
    assert article.body.strip() and article.id and article.title


@FAST
@given(st.dictionaries(FIELDS, VALUES, max_size=6), st.text(min_size=1, max_size=200))
def test_any_metadata_values_are_accepted_or_rejected_with_an_article_error(meta: dict[str, Any], body: str) -> None:
    try:
        article = build_article(meta, body=body, default_id="d", default_title="T", default_url=None,
                                default_locale="en", source="s", path="p")
    except ArticleError as exc:
        assert str(exc)
        return
    assert article.status in ("published", "draft", "archived") and article.audience


@FAST
@given(
    st.from_regex(r"[a-z0-9][a-z0-9\-/]{0,40}", fullmatch=True),
    SAFE_TEXT.filter(lambda t: t.strip()),
    WORDS,
)
def test_declared_id_and_title_round_trip_through_front_matter(article_id: str, title: str, words: list[str]) -> None:
    front = yaml.safe_dump({"id": article_id, "title": title, "audience": "admins"}, allow_unicode=True)
    article = _article(f"---\n{front}---\n\n{' '.join(words)}\n")

    assert article.id == article_id
    assert article.title == title.strip()
    assert article.audience == ("admins",)
    assert all(word in article.body for word in words)


@FAST
@given(WORDS, WORDS)
def test_without_a_title_the_first_heading_names_the_article(heading: list[str], words: list[str]) -> None:
    article = _article(f"# {' '.join(heading)}\n\n{' '.join(words)}\n")

    assert article.title == " ".join(heading) and article.id == "file.md"


@FAST
@given(st.text(max_size=300))
def test_cleaning_mdx_is_idempotent_and_never_raises(text: str) -> None:
    once = clean_mdx(text)

    assert clean_mdx(once) == once
