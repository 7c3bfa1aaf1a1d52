"""The staff pages fed hostile data, in real Chromium (issue #28): customer questions and 👎 comments written as
spreadsheet formulas never leave the dashboard as live formulas in any CSV export, and no `javascript:` URL — from an
article, the status feed or any API field — becomes a link on the agent console or the dashboard."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from engine.config import StatusSettings
from engine.protocols import Embedder
from tests.conftest import ADMIN_KEY, AGENT_KEY, KB_NOW, PUBLIC_KEY, auth
from tests.incidents.feeds import incident, summary
from tests.ui.conftest import Stack, running_stack

pytestmark = pytest.mark.integration
FORMULAS = ['=HYPERLINK("http://evil.example","click me")', "+1+cmd|' /C calc'!A0", "-1+1", "\t=1+1", "\r=1+1",
            "@SUM(A1) can I pay my invoice with paypal?", "=1+1 does fluxboard have a gantt chart view?"]
EVIL = "javascript:alert(document.domain)"
URL_FIELDS = {"url", "shortlink", "link", "page_url"}


@pytest.fixture(scope="module")
def hostile_stack(
    kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    feed = tmp_path_factory.mktemp("feed") / "summary.json"
    sync = {**incident("Sync delays", "sync"), "shortlink": EVIL}
    body = summary(sync)
    body["page"]["url"] = "JavaScript:alert(1)"
    feed.write_text(json.dumps(body))
    with running_stack(kb_data_dir, embedder, tmp_path_factory,
                       status=StatusSettings(file=feed, poll_interval_s=0.2)) as stack:
        yield stack


def _sign_in(page: Page, url: str, key: str = ADMIN_KEY) -> None:
    page.goto(url)
    page.get_by_label("Staff API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def _hostile(value: Any) -> Any:
    """Every URL-like field of an API answer replaced by a javascript: URL, and a ticket given a hostile incident."""
    if isinstance(value, list):
        return [_hostile(v) for v in value]
    if not isinstance(value, dict):
        return value
    found = {k: EVIL if k in URL_FIELDS else _hostile(v) for k, v in value.items()}
    if "reference" in found and found.get("incident", "absent") is None:
        found["incident"] = {"id": "inc-sync", "title": "Sync delays", "url": EVIL, "resolved_at": None}
    return found


def _feed_hostile(route: Route) -> None:
    response = route.fetch()
    try:
        data = response.json()
    except ValueError:
        route.fulfill(response=response)
        return
    route.fulfill(response=response, json=_hostile(data))


def _javascript_links(page: Page) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    return [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:", "vbscript:"))]


def test_hostile_urls_are_refused_where_they_enter(hostile_stack: Stack) -> None:
    article = {"id": "evil/link", "title": "Evil link", "url": "javascript:alert(1)", "text": "Some text.",
               "updated_at": "2026-11-01"}
    ingested = httpx.post(f"{hostile_stack.api}/v1/articles", json={"articles": [article], "source": "evil"},
                          headers=auth(ADMIN_KEY), timeout=120)
    incidents = httpx.get(f"{hostile_stack.api}/v1/incidents", headers=auth(AGENT_KEY), timeout=30).json()

    assert ingested.status_code == 422
    assert "article 1: url: 'javascript:alert(1)' is not an http:// or https:// URL" in ingested.json()["detail"]
    [found] = incidents["incidents"]
    assert found["shortlink"] is None and incidents["page_url"] is None


def test_no_staff_page_fed_hostile_data_shows_a_javascript_link(hostile_stack: Stack, page: Page) -> None:
    asked = httpx.post(f"{hostile_stack.api}/v1/ask", json={"question": "will you refund me for the sync outage?"},
                       headers=auth(PUBLIC_KEY), timeout=60).json()
    httpx.post(f"{hostile_stack.api}/v1/escalate", json={"session_id": asked["session_id"], "message": "help"},
               headers=auth(PUBLIC_KEY), timeout=60).raise_for_status()
    reference = httpx.get(f"{hostile_stack.api}/v1/tickets", headers=auth(AGENT_KEY), timeout=30).json()[0]["reference"]
    page.route("**/v1/**", _feed_hostile)
    _sign_in(page, f"{hostile_stack.api}/agent")

    seen: dict[str, list[str]] = {}
    page.get_by_label("Customer question").fill("how do I download my invoices?")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#pv-candidates tbody tr").first).to_be_visible()
    seen["preview"] = _javascript_links(page)
    for route, ready in ((f"#ticket/{reference}", "#ticket-articles"), ("#tickets", "main tbody tr"),
                         ("#incidents", "main a"), (f"#session/{asked['session_id']}", "main h1, main h2")):
        page.evaluate(f"location.hash = {json.dumps(route)}")
        expect(page.locator(ready).first).to_be_visible()
        seen[route] = _javascript_links(page)
    page.goto(f"{hostile_stack.api}/dashboard")
    expect(page.locator("#metrics .kpi").first).to_be_visible()
    seen["dashboard"] = _javascript_links(page)

    assert {where: links for where, links in seen.items() if links} == {}


def test_no_csv_export_holds_a_cell_a_spreadsheet_would_run(hostile_stack: Stack, page: Page) -> None:
    for formula in FORMULAS:
        httpx.post(f"{hostile_stack.api}/v1/ask", json={"question": formula}, headers=auth(PUBLIC_KEY),
                   timeout=60).raise_for_status()
    answered = httpx.post(f"{hostile_stack.api}/v1/ask", json={"question": "how do I download my invoices?"},
                          headers=auth(PUBLIC_KEY), timeout=60).json()
    vote = {"interaction_id": answered["interaction_id"], "helpful": False, "session_id": answered["session_id"],
            "reason": "other", "comment": FORMULAS[0]}
    httpx.post(f"{hostile_stack.api}/v1/feedback", json=vote, headers=auth(PUBLIC_KEY), timeout=30).raise_for_status()
    hostile_stack.clock.now = KB_NOW.replace(hour=13)
    try:
        _sign_in(page, f"{hostile_stack.api}/dashboard")
        expect(page.locator("#feedback [data-csv]")).to_be_visible()
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        names = page.eval_on_selector_all("[data-csv]", "buttons => buttons.map(b => b.dataset.csv)")
        exports = {name: _download(page, f"[data-csv='{name}']") for name in names}
        for chart in ("#chart-gaps", "#chart-escalations"):
            page.locator(chart).get_by_role("button").filter(has_text="Conversations").first.click()
            expect(page.locator("#drill table")).to_be_visible()
            exports[f"conversations {chart}"] = _download(page, "#drill [data-csv]")
    finally:
        hostile_stack.clock.now = KB_NOW

    cells = {name: [c for row in rows for c in row] for name, rows in exports.items()}
    assert {"feedback", "gaps", "conversations #chart-gaps", "conversations #chart-escalations"} <= set(cells)
    assert any("HYPERLINK" in c for c in cells["feedback"])
    assert any("SUM" in c for c in cells["gaps"]) and any("'" == c[:1] for c in cells["conversations #chart-gaps"])
    assert any("cmd|" in c for c in cells["conversations #chart-escalations"])
    live = {name: [c for c in found if c[:1] in ("=", "+", "-", "@", "\t", "\r")] for name, found in cells.items()}
    assert live == {name: [] for name in cells}
    assert "'=HYPERLINK(\"http://evil.example\",\"click me\")" in cells["feedback"]


def _download(page: Page, selector: str) -> list[list[str]]:
    with page.expect_download() as download:
        page.locator(selector).first.click()
    return list(csv.reader(io.StringIO(Path(download.value.path()).read_text(), newline="")))


def test_every_page_still_works_under_its_content_security_policy(hostile_stack: Stack, page: Page) -> None:
    """The policy allows what the pages use (all self-hosted) and nothing else: no violation is reported while the
    help center opens the widget and answers, the consoles sign in and draw, and Swagger UI lists the API."""
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto(f"{hostile_stack.api}/")
    page.get_by_role("button", name=re.compile("help", re.IGNORECASE)).first.click()
    expect(page.get_by_role("textbox").first).to_be_visible()
    _sign_in(page, f"{hostile_stack.api}/dashboard")
    expect(page.locator("#metrics .kpi").first).to_be_visible()
    page.goto(f"{hostile_stack.api}/agent")
    expect(page.get_by_label("Customer question")).to_be_visible()
    page.goto(f"{hostile_stack.api}/docs")
    expect(page.locator(".opblock").first).to_be_visible()

    assert violations == []
