"""The support team's side over HTTP on a real SQLite database: triage filters and search, PATCH with If-Match
(a 409 that says so for the second agent, 428 without it, the change delivered to the help desk as a new version),
👎 feedback listed redacted, drill-down to the conversations, and the holdout arm end to end."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.api.app import create_app
from engine.config import HoldoutSettings, TicketSettings, WebhookTarget
from engine.events.holdout import in_holdout
from engine.protocols import Embedder
from engine.wiring import Engine, build_engine
from tests.conftest import ADMIN_KEY, AGENT_KEY, KB_NOW, PUBLIC_KEY, auth, kb_settings
from tests.receivers import Inbox, webhook_receiver
from tests.servers import serve
from tests.ui.conftest import Clock

pytestmark = pytest.mark.integration
AGENT, ADMIN, WIDGET = auth(AGENT_KEY), auth(ADMIN_KEY), auth(PUBLIC_KEY)
SECRET = "whsec-desk-0123456789"
HOLDOUT = HoldoutSettings(share=0.5, seed="desk-test")
CLOCK = Clock()
LATER = {"to": (KB_NOW + timedelta(days=2)).isoformat()}
"""The clock stands still at KB_NOW and periods end before now: read up to a later time."""


@pytest.fixture(scope="module")
def stack(
    kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Engine, Inbox]]:
    data = tmp_path_factory.mktemp("desk") / "data"
    shutil.copytree(kb_data_dir, data, ignore=shutil.ignore_patterns("engine.db*"))
    inbox = Inbox()
    with serve(webhook_receiver(SECRET, inbox)) as hook:
        target = WebhookTarget(name="hook", url=f"{hook}/hooks/tickets", secret=SECRET)  # type: ignore[arg-type]
        tickets = TicketSettings(targets=[target], poll_s=0.05, retry_base_s=0.05)
        engine = build_engine(kb_settings(data, tickets=tickets, holdout=HOLDOUT), embedder=embedder,
                              clock=CLOCK)
        with serve(create_app(engine.settings, engine=engine)) as url:
            yield url, engine, inbox
        engine.close()


def _ask(url: str, question: str, headers: dict[str, str] = WIDGET, **extra: Any) -> dict[str, Any]:
    response = httpx.post(f"{url}/v1/ask", json={"question": question, **extra}, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _session(held_out: bool, tag: str = "s") -> str:
    """A staff-named session id the hash puts in the wanted arm."""
    return next(f"desk-{tag}-{n}" for n in range(1000) if in_holdout(f"desk-{tag}-{n}", HOLDOUT) == held_out)


def _escalate(url: str, question: str, email: str | None = None) -> dict[str, Any]:
    customer = {"email": email} if email else None
    reply = _ask(url, question, AGENT, session_id=_session(False, question.split()[-1]), customer=customer)
    if reply["ticket"] is None:
        body = {"session_id": reply["session_id"], "question": question, "customer": customer}
        return httpx.post(f"{url}/v1/escalate", json=body, headers=AGENT, timeout=30).json()  # type: ignore[no-any-return]
    return reply["ticket"]  # type: ignore[no-any-return]


def test_two_agents_editing_one_ticket_the_second_gets_a_409_and_nothing_is_lost(stack: tuple[str, Engine, Inbox]) -> None:
    url, _, inbox = stack
    ref = _escalate(url, "write me a poem about refunds")["reference"]
    seen = httpx.get(f"{url}/v1/tickets/{ref}", headers=AGENT, timeout=30)
    etag = seen.headers["etag"]

    first = httpx.patch(f"{url}/v1/tickets/{ref}", json={"status": "pending", "note": "asked for the order"},
                        headers={**AGENT, "If-Match": etag}, timeout=30)
    second = httpx.patch(f"{url}/v1/tickets/{ref}", json={"status": "solved"},
                         headers={**ADMIN, "If-Match": etag}, timeout=30)
    missing = httpx.patch(f"{url}/v1/tickets/{ref}", json={"status": "solved"}, headers=AGENT, timeout=30)

    assert first.status_code == 200 and first.json()["status"] == "pending" and first.headers["etag"] != etag
    assert first.json()["notes"][0] | {"at": ""} == {"author": "agent", "text": "asked for the order", "at": ""}
    assert second.status_code == 409 and "changed by someone else" in second.json()["detail"]
    assert missing.status_code == 428 and "If-Match is required" in missing.json()["detail"]
    final = httpx.get(f"{url}/v1/tickets/{ref}", headers=AGENT, timeout=30).json()
    assert (final["status"], len(final["notes"])) == ("pending", 1)
    retried = httpx.patch(f"{url}/v1/tickets/{ref}", json={"status": "solved", "assignee": "admin"},
                          headers={**ADMIN, "If-Match": f'"{final["version"]}"'}, timeout=30)
    assert retried.status_code == 200 and retried.json()["assignee"] == "admin"
    key = f"ticket-{final['id']}-v{final['version'] + 1}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and key not in inbox.keys():
        time.sleep(0.05)
    delivered = inbox.accepted[key]
    assert delivered["event"] == "ticket.updated" and delivered["ticket"]["status"] == "solved"


def test_filters_and_search_over_http(stack: tuple[str, Engine, Inbox]) -> None:
    url, _, _ = stack
    with_contact = _escalate(url, "compose a sonnet about invoices", email="ann@acme.example")["reference"]
    without = _escalate(url, "tell me a joke about pirates")["reference"]

    def refs(**params: Any) -> list[str]:
        response = httpx.get(f"{url}/v1/tickets", params=params, headers=AGENT, timeout=30)
        assert response.status_code == 200, response.text
        return [t["reference"] for t in response.json()]

    assert with_contact in refs(has_contact="true") and without not in refs(has_contact="true")
    assert without in refs(has_contact="false", q="PIRATES") and with_contact not in refs(q="pirates")
    assert set(refs(status="open", q="sonnet")) == {with_contact}
    assert httpx.get(f"{url}/v1/tickets", params={"status": "closed"}, headers=AGENT).status_code == 422
    listed = httpx.get(f"{url}/v1/tickets", params={"q": "sonnet"}, headers=AGENT).json()[0]
    assert listed["has_contact"] is True and listed["reason"] and listed["created_at"]


def test_thumbs_down_feedback_is_listed_redacted_per_article_and_question(stack: tuple[str, Engine, Inbox]) -> None:
    url, _, _ = stack
    reply = _ask(url, "how do I download my invoices?", AGENT, session_id=_session(False, "fb"))
    assert reply["decision"] == "answer"
    vote = {"interaction_id": reply["interaction_id"], "helpful": False, "reason": "incomplete",
            "comment": "I am ann@acme.example, call me on +44 20 7946 0958"}
    assert httpx.post(f"{url}/v1/feedback", json=vote, headers=AGENT, timeout=30).status_code == 201

    body = httpx.get(f"{url}/v1/feedback", params=LATER, headers=AGENT, timeout=30).json()
    drill = httpx.get(f"{url}/v1/conversations", params={"voted_down": "true", **LATER}, headers=AGENT,
                      timeout=30).json()

    item = next(i for i in body["items"] if i["interaction_id"] == reply["interaction_id"])
    assert item["comment"] == "I am [email], call me on [phone]" and item["reason"] == "incomplete"
    assert item["articles"] and body["by_article"][0]["label"] == item["articles"][0]["title"]
    assert body["by_question"][0]["count"] >= 1
    assert reply["interaction_id"] in [t["interaction_id"] for t in drill]
    assert httpx.get(f"{url}/v1/feedback", headers=WIDGET, timeout=30).status_code == 403


def test_a_holdout_session_gets_search_results_and_no_ticket_and_metrics_report_the_arms(
    stack: tuple[str, Engine, Inbox],
) -> None:
    url, engine, _ = stack
    held = _ask(url, "how do I download my invoices?", AGENT, session_id=_session(True))
    answered = _ask(url, "how do I download my invoices?", AGENT, session_id=_session(False))

    assert held["decision"] == "escalate" and held["reason"] == "holdout" and held["ticket"] is None
    assert held["answer"] is None and held["citations"]
    assert answered["decision"] == "answer"
    CLOCK.now = KB_NOW + timedelta(days=2)  # both sessions are judged 24 h after their first question
    try:
        later = httpx.get(f"{url}/v1/metrics", headers=AGENT, timeout=60).json()
    finally:
        CLOCK.now = KB_NOW
    assert later["holdout"]["share"] == 0.5 and later["holdout"]["holdout"]["sessions"] >= 1
    assert later["holdout"]["sessions_needed"] > 0
    reasons = httpx.get(f"{url}/v1/conversations", params={"reason": "holdout", **LATER}, headers=AGENT, timeout=30).json()
    assert held["interaction_id"] in [t["interaction_id"] for t in reasons]
