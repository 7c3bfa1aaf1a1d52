"""GET /v1/freshness reports states and counts the questions that hit an article while it could not answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from engine.api.app import create_app
from engine.protocols import Embedder
from engine.wiring import build_engine
from tests.conftest import AGENT_KEY, KB_NOW, PUBLIC_KEY, auth, kb_settings
from tests.servers import serve

pytestmark = pytest.mark.integration


def test_stale_hits_show_up_in_the_report_and_questions_are_stored_redacted(
    kb_data_dir: Path, embedder: Embedder, tmp_path: Path
) -> None:
    shutil.copytree(kb_data_dir, tmp_path / "data", ignore=shutil.ignore_patterns("engine.db*"))
    engine = build_engine(kb_settings(tmp_path / "data"), embedder=embedder, clock=lambda: KB_NOW)
    with serve(create_app(engine.settings, engine=engine)) as url:
        responses = []
        for _ in range(2):
            response = httpx.post(f"{url}/v1/ask", json={"question": "how do I log into the legacy billing portal at "
                                                                     "billing.fluxboard.example? I'm jane.doe@acme.com"}, headers=auth(PUBLIC_KEY), timeout=60)
            assert response.status_code == 200, response.text
            responses.append(response)
        rows = httpx.get(f"{url}/v1/freshness", headers=auth(AGENT_KEY), timeout=60).json()
        stored = [engine.events.turn(r.json()["interaction_id"]) for r in responses]
    engine.close()

    by_id = {r["article_id"]: r for r in rows}
    assert by_id["billing/legacy-billing-portal"]["questions_30d"] == 2
    assert by_id["billing/legacy-billing-portal"]["state"] == "archived"
    assert rows[0]["article_id"] == "billing/legacy-billing-portal"  # most-needed fix first
    assert by_id["billing/pay-by-invoice"]["state"] == "due_soon"
    assert {r["state"] for r in rows} >= {"fresh", "stale", "expired", "archived", "draft", "superseded", "suspect"}
    assert len(stored) == 2 and all(t and "jane.doe" not in t.question and "[email]" in t.question for t in stored)
