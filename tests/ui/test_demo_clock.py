"""An evergreen demo: the sample help center is written as of 2026-11-23, and scripts/demo pins that calendar
(ENGINE_PINNED_DATE), so a year later the demo still answers from "Pay by invoice" (its review date, 2026-12-04, not
passed) and the demo page says the clock is pinned. Without the pin — any real help center — the same day a year
later finds that article past its review date: the freshness rules stay real."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from engine.api.app import create_app
from engine.config import ApiKey, AuthSettings
from engine.protocols import Embedder
from engine.wiring import build_engine
from tests.conftest import AGENT_KEY, auth, kb_settings
from tests.servers import HeldPort, serve
from tests.ui.conftest import shot
from tests.ui.widget import ask, open_widget

pytestmark = pytest.mark.integration
A_YEAR_LATER = datetime(2027, 12, 7, 15, 30, tzinfo=UTC)
DEMO_DAY = date(2026, 11, 23)
INVOICE = "can we pay by invoice and bank transfer instead of a card on the annual business plan?"
DEMO_KEY = "pk-test-demo-0123456789"


def test_the_demo_looks_the_same_a_year_later_and_real_help_centers_keep_real_freshness(
    kb_data_dir: Path, embedder: Embedder, tmp_path: Path, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("engine.wiring.utc_now", lambda: A_YEAR_LATER)  # the machine's real clock, a year on
    data = tmp_path / "data"
    shutil.copytree(kb_data_dir, data, ignore=shutil.ignore_patterns("engine.db*"))
    held = HeldPort()
    api = held.url
    demo_key = ApiKey(name="demo-widget", key=DEMO_KEY, role="public", origins=(api,))  # type: ignore[arg-type]
    pinned = kb_settings(data, pinned_date=DEMO_DAY, auth=AuthSettings(keys=[demo_key, *kb_settings(data).auth.keys]))
    demo = build_engine(pinned, embedder=embedder)  # its clock from the settings, as `engine serve` builds it
    assert demo.clock().date() == DEMO_DAY and demo.clock().time() == A_YEAR_LATER.time()

    with held, serve(create_app(pinned, engine=demo), held):
        page.goto(api)
        expect(page.locator("#clock-note")).to_contain_text("Demo clock: it is 23 November 2026 on this server")
        expect(page.locator("#clock-note")).to_contain_text("ENGINE_PINNED_DATE=2026-11-23")
        open_widget(page)
        reply = ask(page, INVOICE)
        expect(reply.get_by_role("link", name="Pay by invoice or bank transfer")).to_be_visible()
        expect(reply).to_contain_text("Last updated 18 Jun 2026")
        shot(page, "60-demo-a-year-later")
        report = httpx.get(f"{api}/v1/freshness", headers=auth(AGENT_KEY), timeout=30).json()
    demo.close()
    states = {row["article_id"]: row["state"] for row in report}
    assert states["billing/pay-by-invoice"] in ("fresh", "due_soon")

    real = build_engine(kb_settings(data), embedder=embedder)  # a real help center: no pin, the real date
    with serve(create_app(real.settings, engine=real)) as url:
        answer = httpx.post(f"{url}/v1/ask", json={"question": INVOICE}, headers=auth(AGENT_KEY), timeout=60).json()
        report = httpx.get(f"{url}/v1/freshness", headers=auth(AGENT_KEY), timeout=30).json()
        home = httpx.get(url, timeout=30).text
    real.close()
    assert real.clock() == A_YEAR_LATER
    assert {row["article_id"]: row["state"] for row in report}["billing/pay-by-invoice"] == "stale"
    assert "billing/pay-by-invoice" not in [c["article_id"] for c in answer["citations"]]
    assert not re.search('id="clock-note"|Demo clock', home)
