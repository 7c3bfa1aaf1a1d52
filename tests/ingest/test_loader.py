"""The loader reads every supported format, and reports bad files by path and reason while keeping the rest."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from engine.ingest.loader import LoadOptions, load_source
from tests.conftest import DATASETS, FIXTURES, KB_SAMPLES

PLAUSIBLE = DATASETS / "plausible-docs"


def _write(root: Path, name: str, text: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_docusaurus_markdown_from_the_real_plausible_help_center() -> None:
    parsed = load_source(PLAUSIBLE / "articles", LoadOptions(base_url="https://plausible.io/docs"))

    assert len(parsed.articles) == 132 and parsed.problems == ()
    by_id = {a.id: a for a in parsed.articles}
    # ids are paths relative to the ingest root, subfolders included
    assert "proxy/guides/nginx.md" in by_id
    billing = by_id["billing.md"]
    assert billing.title == "Billing FAQ"
    assert billing.url == "https://plausible.io/docs/billing"
    # <head> JSON-LD, MDX imports, JSX tags and admonition fences are gone; their words are kept
    assert "import PlausibleProvider from 'next-plausible'" in by_id["nextjs-integration.md"].body
    for article in parsed.articles:
        assert "<head>" not in article.body and "@context" not in article.body
        assert "@docusaurus/" not in article.body  # MDX imports (code samples inside fences are kept)
        assert ":::" not in article.body
        assert "<img" not in article.body and "useBaseUrl" not in article.body


def test_admonitions_become_labelled_paragraphs(tmp_path: Path) -> None:
    _write(tmp_path, "a.mdx", "---\ntitle: A\n---\nimport X from '@site/x';\n\n:::tip Use the proxy\nIt avoids blockers.\n:::\n\n<div class=\"x\">Inside a div</div>\n")

    article = load_source(tmp_path, LoadOptions()).articles[0]

    assert article.body == "Tip: Use the proxy\nIt avoids blockers.\n\nInside a div"


def test_front_matter_metadata_is_recognised_with_documented_defaults(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "billing/card.md",
        "---\nid: billing/update-card\ntitle: Update your card\nurl: https://help.example/card\nstatus: published\n"
        "updated_at: 2026-09-14\nreview_by: 2027-03-14\nexpires_at: 2027-01-31T10:00:00Z\naudience: [admins, enterprise]\n"
        "locale: de\ntags: [billing, card]\ncategory: billing\nowner: billing-team\nsuperseded_by: billing/new\n---\nBody text here.\n",
    )
    _write(tmp_path, "plain.md", "# Plain article\n\nNo front matter at all.\n")

    parsed = load_source(tmp_path, LoadOptions(default_locale="en"))
    card, plain = sorted(parsed.articles, key=lambda a: a.id)

    assert card.id == "billing/update-card" and card.url == "https://help.example/card"
    assert card.updated_at == datetime(2026, 9, 14, tzinfo=UTC)
    assert card.expires_at == datetime(2027, 1, 31, 10, tzinfo=UTC)
    assert card.audience == ("admins", "enterprise") and card.locale == "de"
    assert card.tags == ("billing", "card") and card.owner == "billing-team" and card.superseded_by == "billing/new"
    assert plain.id == "plain.md" and plain.title == "Plain article"
    assert (plain.status, plain.audience, plain.locale, plain.url, plain.updated_at) == (
        "published",
        ("public",),
        "en",
        None,
        None,
    )


def test_html_article_keeps_content_and_meta_but_not_chrome() -> None:
    article = load_source(FIXTURES / "html", LoadOptions()).articles[0]

    assert article.id == "export-data.html" and article.title == "Export your data"
    assert article.category == "account" and article.tags == ("export", "csv")
    assert article.updated_at == datetime(2026, 10, 2, tzinfo=UTC)
    assert "## Export a single board" in article.body and "Download" in article.body
    assert "tracking" not in article.body and "Home" not in article.body and "Example Inc" not in article.body


def test_jsonl_in_the_shape_of_the_real_wixqa_kb() -> None:
    parsed = load_source(DATASETS / "wixqa" / "kb.jsonl", LoadOptions())

    assert len(parsed.articles) == 173 and parsed.problems == ()
    first = json.loads((DATASETS / "wixqa" / "kb.jsonl").read_text().splitlines()[0])
    article = next(a for a in parsed.articles if a.id == first["id"])
    assert article.title == first["title"] and article.url == first["url"]
    assert not article.body.startswith(first["title"])  # the repeated title line is dropped


def test_zendesk_help_center_export() -> None:
    parsed = load_source(FIXTURES / "zendesk_export.json", LoadOptions())
    by_id = {a.id: a for a in parsed.articles}

    reset = by_id["360001234567"]
    assert reset.url.endswith("Reset-your-password") and reset.locale == "en-us"
    assert reset.tags == ("account", "password") and reset.category == "115000123456"
    assert reset.updated_at == datetime(2026, 8, 30, 9, tzinfo=UTC)  # edited_at: when the content changed
    assert "1. Open the sign-in page" in reset.body and "## Still locked out?" in reset.body
    assert by_id["360001234568"].status == "draft"
    assert by_id["360001234569"].audience == ("segment-7001",)


def test_bad_files_are_reported_with_path_and_reason_and_the_rest_is_ingested(tmp_path: Path) -> None:
    _write(tmp_path, "good.md", "---\ntitle: Good\n---\nA perfectly fine article.\n")
    _write(tmp_path, "broken.md", "---\ntitle: [unclosed\n---\nBody\n")
    _write(tmp_path, "empty.md", "---\ntitle: Nothing here\n---\n\n")
    _write(tmp_path, "binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    _write(tmp_path, "latin1.md", "caf\xe9".encode("latin-1"))
    _write(tmp_path, "dup-a.md", "---\nid: same\ntitle: First\n---\nFirst body.\n")
    _write(tmp_path, "dup-b.md", "---\nid: same\ntitle: Second\n---\nSecond body.\n")
    _write(tmp_path, "bad-status.md", "---\nstatus: live\n---\nBody.\n")
    _write(tmp_path, "bad-date.md", "---\nreview_by: next tuesday\n---\nBody.\n")
    _write(tmp_path, "huge.md", "x" * 2_000)
    (tmp_path / "gone.md").symlink_to(tmp_path / "missing-target.md")
    _write(tmp_path, "export.jsonl", '{"id": "j1", "title": "J1", "text": "ok"}\nnot json\n{"title": "no id", "text": "x"}\n')

    parsed = load_source(tmp_path, LoadOptions(max_file_bytes=1_000))
    reasons = {p.path: p.reason for p in parsed.problems}

    assert sorted(a.id for a in parsed.articles) == ["good.md", "j1", "same"]
    assert "broken front matter" in reasons["broken.md"]
    assert "empty article" in reasons["empty.md"]
    assert "binary" in reasons["binary.md"]
    assert "not UTF-8" in reasons["latin1.md"]
    assert "duplicate id 'same'" in reasons["dup-b.md"]
    assert "status" in reasons["bad-status.md"] and "'live'" in reasons["bad-status.md"]
    assert "review_by" in reasons["bad-date.md"]
    assert "limit" in reasons["huge.md"]
    assert "cannot read" in reasons["gone.md"]
    jsonl_problems = [p.reason for p in parsed.problems if p.path == "export.jsonl"]
    assert any("line 2" in r and "JSON" in r for r in jsonl_problems)
    assert any("line 3" in r and "missing id" in r for r in jsonl_problems)


def test_readme_license_hidden_and_underscore_files_are_not_articles() -> None:
    ids = {a.id for a in load_source(KB_SAMPLES, LoadOptions()).articles}

    assert "README.md" not in ids and len(ids) == 63


def test_overrides_apply_to_every_article_of_a_source() -> None:
    parsed = load_source(PLAUSIBLE / "retired", LoadOptions(overrides={"status": "archived"}))

    assert parsed.articles and {a.status for a in parsed.articles} == {"archived"}
    assert [p.path for p in parsed.problems] == ["hosting.md"]  # the real retired/hosting.md has no body
