"""The agent console and the dashboard in real Chromium: sign-in with a staff key, preview with candidates and
freshness verdicts, and charts drawn from scripted customer activity over several days."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ADMIN_KEY, AGENT_KEY, KB_NOW, PUBLIC_KEY, auth
from tests.ui.conftest import SHOP_KEY, Stack, shot

pytestmark = pytest.mark.integration
SCIM = "Provision users automatically with SCIM"


def _sign_in(page: Page, url: str, key: str) -> None:
    page.goto(url)
    page.get_by_label("Staff API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def _preview(page: Page, question: str, audience: str) -> None:
    page.get_by_label("Customer question").fill(question)
    page.get_by_label("Audience").select_option(audience)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#pv-decision")).to_be_visible()


def test_pages_embed_no_staff_keys_and_a_public_key_cannot_sign_in(stack: Stack, page: Page) -> None:
    for path in ("/", "/agent", "/dashboard", "/widget.js", "/static/agent.js", "/static/staff.js"):
        body = httpx.get(f"{stack.api}{path}", timeout=30).text
        assert AGENT_KEY not in body and ADMIN_KEY not in body, path

    _sign_in(page, f"{stack.api}/agent", SHOP_KEY)

    expect(page.get_by_role("alert")).to_contain_text("Your key was not accepted")
    expect(page.get_by_label("Customer question")).to_have_count(0)


def test_preview_shows_every_candidate_with_scores_and_freshness_and_filters_by_audience(stack: Stack, page: Page) -> None:
    _sign_in(page, f"{stack.api}/agent", AGENT_KEY)
    question = "how do I set up SCIM provisioning with Okta?"

    _preview(page, question, "public")
    public_candidates = page.locator("#pv-candidates tbody tr")
    expect(public_candidates.first).to_be_visible()
    expect(page.locator("#pv-candidates")).not_to_contain_text(SCIM)
    shot(page, "14-agent-preview-public")

    _preview(page, question, "admins")
    expect(page.locator("#pv-decision")).to_have_text("an answer")
    row = page.locator("#pv-candidates tbody tr").filter(has_text=SCIM)
    cells = row.locator("td")
    expect(cells.nth(1)).to_contain_text(re.compile(r"\d\.\d{3}"))  # bm25
    expect(cells.nth(2)).to_contain_text(re.compile(r"\d\.\d{3}"))  # dense
    expect(cells.nth(3)).to_have_text(re.compile(r"^0\.\d{4}$"))  # fused
    expect(cells.nth(4)).to_contain_text("fresh")
    expect(page.locator("#pv-answer")).not_to_be_empty()
    expect(page.locator("#pv-summary")).to_contain_text("threshold")
    shot(page, "15-agent-preview-admins", full_page=True)


def _script_activity(stack: Stack) -> None:
    """Three days of customer traffic: answers with votes, an out-of-scope question, a stale promo question."""
    script = {
        3: [("how do I turn on two-factor authentication?", True), ("write me a poem about the sea", None)],
        2: [("how do I download my invoices?", False), ("trying to use promo code SUMMER26 but it says invalid??", None)],
        1: [("how do I reset my password?", True), ("write a haiku about pirates", None)],
    }
    try:
        for days_ago, asks in script.items():
            stack.clock.now = KB_NOW - timedelta(days=days_ago)
            for question, helpful in asks:
                reply = httpx.post(f"{stack.api}/v1/ask", json={"question": question}, headers=auth(PUBLIC_KEY),
                                   timeout=60).json()
                if helpful is not None:
                    vote = {"interaction_id": reply["interaction_id"], "helpful": helpful,
                            "session_id": reply["session_id"]}
                    httpx.post(f"{stack.api}/v1/feedback", json=vote, headers=auth(PUBLIC_KEY), timeout=30)
    finally:
        stack.clock.now = KB_NOW


def test_dashboard_draws_rates_over_time_escalations_gaps_and_stale_hits_as_charts(stack: Stack, page: Page) -> None:
    _script_activity(stack)

    _sign_in(page, f"{stack.api}/dashboard", ADMIN_KEY)

    trend = page.locator("#chart-trend svg.chart")
    expect(trend.locator("polyline.series")).to_have_count(3)
    expect(trend.locator("circle.point")).not_to_have_count(0)
    expect(page.locator("#chart-escalations svg rect.bar")).not_to_have_count(0)
    expect(page.locator("#chart-escalations svg")).to_contain_text("out of scope")
    expect(page.locator("#chart-gaps svg rect.bar")).not_to_have_count(0)
    expect(page.locator("#chart-stale svg")).to_contain_text("Summer 2026 offer")  # titles, not ids
    expect(page.locator(".kpi").first).to_contain_text("6")
    shot(page, "16-dashboard", full_page=True)

    page.get_by_label("Period").select_option("7")
    expect(page.locator("#chart-trend svg.chart polyline.series")).to_have_count(3)
