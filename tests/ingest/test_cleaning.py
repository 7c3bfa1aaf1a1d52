"""Ingest cleans a source as a whole: page chrome repeated across its articles, link-only sections, menu runs,
multi-line JSX and glued plain text; the report says what went."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from engine.cli import app
from engine.ingest.cleaning import SourceText, clean_source, removed_lines
from engine.ingest.formats import parse_html
from engine.ingest.loader import LoadOptions, load_source
from engine.ingest.markdown import clean_mdx

CHROME = "Home\nPricing\nContact Us\n\n{body}\n\nWas this page helpful?\nYes\nNo\n"


def _site(n: int = 6) -> list[SourceText]:
    bodies = [f"Article {i} explains topic number {i} in detail.\nIts second sentence is number {i} too." for i in range(n)]
    return [SourceText(CHROME.format(body=body), f"https://help.example/a{i}") for i, body in enumerate(bodies)]


def test_a_multi_line_jsx_element_is_removed_and_code_keeps_its_tags() -> None:
    text = ('Intro.\n\n<CtaBox\n  headline="30-day free trial, no card required"\n  link="https://x"\n  linkText="Start"\n/>'
            '\n\n```html\n<script\n  defer src="s.js">\n</script>\n```')

    cleaned = clean_mdx(text)

    assert cleaned.startswith("Intro.\n\n```html")
    assert "CtaBox" not in cleaned and "link" not in cleaned.split("```")[0]
    assert '<script\n  defer src="s.js">' in cleaned


def test_lines_repeated_across_a_sources_articles_are_removed_and_reported() -> None:
    bodies, report = clean_source(_site())

    assert bodies[0] == "Article 0 explains topic number 0 in detail.\nIts second sentence is number 0 too."
    assert report.articles_changed == 6 and report.boilerplate_lines == 6 * 6
    assert {e.text for e in report.examples} >= {"Was this page helpful?", "Contact Us"}
    assert "was this page helpful?" in removed_lines(_site())["help.example"]


def test_a_few_repeated_paragraphs_and_a_lone_common_word_are_content() -> None:
    shared = "To add a goal, open your site settings and click Goals."  # a partial reused by a few articles
    texts = [SourceText(f"Topic {i} is explained here.\n{shared if i < 5 else f'Other text {i}.'}"
                        f"\n{'None' if i < 5 else i}", None) for i in range(60)]

    bodies, report = clean_source(texts)

    assert shared in bodies[0] and bodies[0].endswith("None") and report.boilerplate_lines == 0


def test_chrome_is_counted_per_site_not_across_sites() -> None:
    texts = [SourceText(f"Menu A\nMenu B\nBody {i} of its own text.", f"https://{'a' if i < 4 else 'b'}.gov/{i}")
             for i in range(8)]

    bodies, _ = clean_source(texts)

    assert all(body.startswith(f"Body {i}") for i, body in enumerate(bodies))
    only_three = [SourceText(t.body, f"https://{'a' if i < 3 else 'b'}.gov/{i}") for i, t in enumerate(texts[:7])]
    assert clean_source(only_three)[0][0].startswith("Menu A")  # three articles of site a: not enough to tell


def test_a_section_of_nothing_but_links_goes_with_its_heading_but_an_introduced_list_stays() -> None:
    body = ("# Invoices\n\nDownload them from Settings.\n\n## Related articles\n\n- [Plans](https://x/plans)\n"
            "- [Seats](https://x/seats)\n\n## Providers\n\nThese providers are supported:\n\n- [Okta](okta)\n"
            "- [Google](google)")

    (cleaned,), report = clean_source([SourceText(body)])

    assert "Related articles" not in cleaned and "[Plans]" not in cleaned
    assert "- [Okta](okta)" in cleaned and report.link_lists == 1


def test_a_menu_run_in_plain_text_is_removed_but_bulleted_content_stays() -> None:
    menu = "\n".join(["Appealable Order", "Notice of Appeal", "Designating the Record", "Oral Argument",
                      "Court Opinion", "Petition for Review"])
    body = f"You must file within 60 days.\n{menu}\n* RedHat Enterprise Linux 7\n* SLES 12\n* Windows Server\n" \
           "* AIX 7.1\n* Solaris 11\n* HP-UX"

    (cleaned,), report = clean_source([SourceText(body, plain=True)])

    assert "Oral Argument" not in cleaned and "* SLES 12" in cleaned and report.navigation_runs == 1


def test_menu_items_glued_into_one_line_are_removed_but_names_addresses_and_code_stay() -> None:
    body = "\n".join([
        "HomeDepartmentsDepartments M-ZSolid WasteResourcesBackyard Composting",
        "Tips for MotorcyclistsTips for Other Motorists LEARN MORE",
        "Connect WordPress",
        "Using YouTube Videos",
        "Seven Lakes DriveHarriman State Park, NY 10901",
        "com.ibm.icm.ci.CDMTransactionException",
        "Step 1: Pick Out A BinMake sure your bin is at least 3x3x3 feet in size.",
    ])

    (cleaned,), report = clean_source([SourceText(body, plain=True)])

    assert cleaned.splitlines() == body.splitlines()[2:]
    assert report.navigation_runs == 2


def test_a_crawled_pages_header_above_its_main_heading_is_removed() -> None:
    notice = "Create a Website Account - Manage notification subscriptions, save form progress and more."
    header = f"Skip to Main Content\n{notice}\nWebsite Sign In\nGovernmentServicesResidentsVisitors\nSearch"
    page = "Earthquake Safety\nAre you prepared for a major earthquake? Secure heavy furniture."
    other = f"{header}\nAdults\nClasses for adults start in May."
    texts = [SourceText(f"{header}\n{page}", plain=True, title="Earthquake Safety | Monterey Park, CA"),
             SourceText(other, plain=True, title="Adults | Monterey Park, CA")]

    bodies, report = clean_source(texts)

    assert bodies == [page, "Adults\nClasses for adults start in May."]
    assert report.page_heads == 2 * 5


def test_a_header_with_a_sentence_of_the_pages_own_is_kept() -> None:
    body = ("Alert: from January 1 all boat operators need a safety certificate.\nBoating Safety\n"
            "Take a course online.")

    (cleaned,), report = clean_source([SourceText(body, plain=True, title="Boating Safety | NY Parks")])

    assert cleaned == body and report.page_heads == 0


def test_a_body_cleaning_would_empty_is_kept() -> None:
    texts = [SourceText("Home\nContact Us", None) for _ in range(5)]

    bodies, _ = clean_source(texts)

    assert bodies[0] == "Home\nContact Us"


def test_an_html_page_keeps_its_main_content_without_sidebar_or_feedback_widget() -> None:
    page = """<html><head><title>Reset your password</title></head><body>
    <div class="sidebar"><ul><li><a href="/a">Billing</a></li><li><a href="/b">Security</a></li>
    <li><a href="/c">Integrations</a></li></ul></div>
    <div class="content"><h1>Reset your password</h1>
    <p>If you forgot your password, you can reset it from the sign-in page in a minute or two.</p>
    <ol><li>Open the sign-in page and click Forgot password.</li><li>Enter your email and click Send.</li></ol>
    <p>The link in the email works for 24 hours.</p></div>
    <div class="footer"><p>Copyright 2026 Example Inc. All rights reserved.</p></div></body></html>"""

    (raw,) = list(parse_html(page))

    assert "1. Open the sign-in page and click Forgot password." in raw.body and "24 hours" in raw.body
    assert "Integrations" not in raw.body and "Copyright" not in raw.body


def test_the_ingest_report_says_what_was_removed(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"a{i}", "title": f"Article {i}", "url": f"https://help.example/a{i}",
                         "text": CHROME.format(body=f"Article {i} explains topic {i} in plenty of detail.")})
             for i in range(6)]
    (tmp_path / "kb.jsonl").write_text("\n".join(lines))

    parsed = load_source(tmp_path / "kb.jsonl", LoadOptions())
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "kb.jsonl"), "--data-dir", str(tmp_path / "d"),
                                      "--json"])

    assert parsed.articles[0].body == "Article 0 explains topic 0 in plenty of detail."
    cleaning = json.loads(result.stdout)["cleaning"]
    assert cleaning["boilerplate_lines"] == 36 and cleaning["articles_changed"] == 6
    assert {"kind": "boilerplate", "text": "Was this page helpful?", "count": 6} in cleaning["examples"]


def test_the_report_counts_the_multi_line_components_removed(tmp_path: Path) -> None:
    (tmp_path / "trial.md").write_text('# Trial\n\nThe trial lasts 30 days.\n\n<CtaBox\n  headline="Start now"\n/>\n')

    parsed = load_source(tmp_path, LoadOptions())

    assert parsed.articles[0].body == "# Trial\n\nThe trial lasts 30 days."
    assert parsed.cleaning.components == 1 and parsed.cleaning.examples[0].text == "<CtaBox>"
