"""The holdout arm in the widget, in real Chromium (docs/metrics.md): a held-out conversation gets no answer and no
automatic ticket, but links to the best articles ("These articles may help:") and the way to a person, which files
a ticket when used. The engine runs with a holdout share of 0.5 (ENGINE_HOLDOUT__SHARE); the widget is handed a
signed session the hash puts in the holdout arm."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from engine.config import HoldoutSettings
from engine.events.holdout import in_holdout
from engine.protocols import Embedder
from tests.ui.conftest import SHOP_KEY, Stack, running_stack, shot
from tests.ui.widget import ask, open_widget

pytestmark = pytest.mark.integration
HOLDOUT = HoldoutSettings(share=0.5, seed="widget-holdout")


@pytest.fixture(scope="module")
def stack(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(kb_data_dir, embedder, tmp_path_factory, holdout=HOLDOUT) as running:
        yield running


def _held_out_session(stack: Stack) -> str:
    """A session signed for the shop's key that the hash holds out: start conversations until one lands in the arm
    (half of them do)."""
    headers = {"X-API-Key": SHOP_KEY, "Origin": stack.shop}
    for _ in range(40):
        reply = httpx.post(f"{stack.api}/v1/ask", json={"question": "hi"}, headers=headers, timeout=60)
        reply.raise_for_status()
        if in_holdout(reply.json()["session_id"], HOLDOUT):
            return str(reply.json()["session_id"])
    raise AssertionError("no held-out session in 40 tries at a share of 0.5")


def test_a_held_out_conversation_shows_article_links_and_contact_support(stack: Stack, page: Page) -> None:
    session_id = _held_out_session(stack)
    store, saved = json.dumps("answer-widget:" + SHOP_KEY), json.dumps(json.dumps({"session_id": session_id, "items": []}))
    page.add_init_script(f"if (!localStorage.getItem({store})) localStorage.setItem({store}, {saved})")
    page.goto(stack.shop)
    open_widget(page)

    reply = ask(page, "How do I download an invoice?")

    expect(reply).to_contain_text("These articles may help:")
    links = reply.get_by_role("list", name="Suggested articles").get_by_role("link")
    expect(links.first).to_be_visible()
    assert links.count() >= 1 and all(links.nth(i).get_attribute("href") for i in range(links.count()))
    expect(reply.get_by_role("button", name="Contact support")).to_be_visible()
    assert "feedback" not in (reply.inner_html()) and reply.get_by_role("button", name="Helpful").count() == 0
    assert stack.engine.desk.store.for_session(session_id) == []  # no automatic ticket
    [turn] = [t for t in stack.engine.events.session(session_id) if "invoice" in t.question]  # the clock stands still
    assert (turn.decision, turn.reason, turn.answer) == ("escalate", "holdout", None)
    shot(page, "30-widget-holdout")

    reply.get_by_role("button", name="Contact support").click()
    page.get_by_label("Email", exact=True).fill("holdout@acme.example")
    page.get_by_role("button", name="Send to support").click()
    expect(page.locator(".msg.ticket")).to_contain_text("Your ticket reference is T-")
    [ticket] = stack.engine.desk.store.for_session(session_id)
    assert ticket.has_contact

    page.reload()  # open before, open after; the transcript is kept: the results come back as links
    expect(page.get_by_role("list", name="Suggested articles")).to_have_count(1)
