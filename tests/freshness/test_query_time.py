"""Verdicts are computed at query time: an article stops answering when its review date passes, no re-ingest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.protocols import Embedder
from engine.types import Query
from engine.wiring import build_engine
from tests.conftest import kb_settings

pytestmark = pytest.mark.integration


def test_time_travel_across_review_by(kb_data_dir: Path, embedder: Embedder, tmp_path: Path) -> None:
    # kb_samples' billing/pay-by-invoice has review_by 2026-12-04.
    clock = {"now": datetime(2026, 12, 3, 23, 0, tzinfo=UTC)}
    import shutil

    shutil.copytree(kb_data_dir, tmp_path / "data")
    engine = build_engine(kb_settings(tmp_path / "data"), embedder=embedder, clock=lambda: clock["now"])
    question = Query("can we pay by invoice and bank transfer instead of a card on the annual business plan?")

    before = engine.answers.ask(question)
    clock["now"] = datetime(2026, 12, 4, 0, 1, tzinfo=UTC)
    after = engine.answers.ask(question)
    report = {r.article_id: r for r in engine.support.freshness_report()}
    engine.close()

    assert before.decision == "answer" and before.citations[0].article_id == "billing/pay-by-invoice"
    assert all(c.article_id != "billing/pay-by-invoice" for c in after.citations)
    assert ("billing/pay-by-invoice", "stale") in after.ineligible_leaders
    assert report["billing/pay-by-invoice"].state == "stale"


def test_changelog_suspect_article_no_longer_answers(kb_engine: object) -> None:
    decision = kb_engine.answers.ask(Query("where do I find Timesheets to log my hours?"))  # type: ignore[attr-defined]

    assert all(c.article_id != "getting-started/time-tracking" for c in decision.citations)


def test_a_superseded_article_is_replaced_by_its_successor(kb_engine: object) -> None:
    preview = kb_engine.answers.preview(  # type: ignore[attr-defined]
        Query("the android app keeps asking for my workspace subdomain when I try to sign in")
    )

    cited = [c.article_id for c in preview.decision.citations]
    assert "troubleshooting/mobile-app-sign-in-problems" not in cited
    assert preview.verdicts["troubleshooting/mobile-app-sign-in-problems"].successor == "troubleshooting/mobile-app-login"
    ids = [c.article.id for c in preview.decision.candidates]
    assert ids and ids[0] == "troubleshooting/mobile-app-login"
