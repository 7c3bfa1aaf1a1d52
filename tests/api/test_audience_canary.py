"""Audience leak canary: kb_samples' admins-only and Enterprise-plan articles must never reach a public key —
not cited, not streamed, not in its session, not in the tickets (API or webhook payload) its conversations open,
not in metrics, and not among the candidates an agent previews as a public customer."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.api.app import create_app
from engine.config import TicketSettings, WebhookTarget
from engine.protocols import Embedder
from engine.wiring import Engine, build_engine
from tests.conftest import AGENT_KEY, KB_NOW, KB_SAMPLES, PUBLIC_KEY, auth, kb_settings
from tests.receivers import Inbox, webhook_receiver
from tests.servers import serve

pytestmark = pytest.mark.integration
SECRET = "canary-hook-secret-0123456789"
RESTRICTED = {
    "admin/audit-log-export": "View and export the audit log",
    "admin/data-retention-settings": "Configure data retention policies",
    "admin/domain-verification": "Verify your company's email domain",
    "admin/enterprise-support-and-sla": "Enterprise support and uptime SLA",
    "admin/scim-provisioning": "Provision users automatically with SCIM",
    "admin/sso-saml-setup": "Set up single sign-on (SAML SSO)",
}
# Questions aimed at the restricted articles, as written and paraphrased.
PROBES = [
    "how do I set up SAML single sign-on?",
    "configure SSO with Okta for our workspace",
    "how do I provision users automatically with SCIM?",
    "our identity provider should create and remove accounts by itself, how?",
    "how do I export the audit log?",
    "where can I see a log of who changed what in our workspace",
    "how do I verify our company email domain?",
    "add a DNS TXT record to prove we own the domain",
    "how long is deleted data kept, can I change the data retention policy?",
    "what uptime SLA and support response times do Enterprise customers get?",
]
# Asked as the exact titles: only where the reply never quotes the question back (preview).
TITLES = list(RESTRICTED.values())


def _leaks(text: str) -> list[str]:
    return [value for pair in RESTRICTED.items() for value in pair if value in text]


@pytest.fixture(scope="module")
def stack(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[str, Engine, Inbox]]:
    data = tmp_path_factory.mktemp("canary") / "data"
    shutil.copytree(kb_data_dir, data, ignore=shutil.ignore_patterns("engine.db*"))
    inbox = Inbox()
    with serve(webhook_receiver(SECRET, inbox)) as hook:
        target = WebhookTarget(name="hook", url=f"{hook}/hooks/tickets", secret=SECRET)  # type: ignore[arg-type]
        tickets = TicketSettings(targets=[target], poll_s=0.05, retry_base_s=0.05)
        engine = build_engine(kb_settings(data, tickets=tickets), embedder=embedder, clock=lambda: KB_NOW)
        with serve(create_app(engine.settings, engine=engine)) as url:
            yield url, engine, inbox
        engine.close()


def test_the_canary_articles_are_indexed_and_found_for_admins(stack: tuple[str, Engine, Inbox]) -> None:
    """Without this the canary could pass by never retrieving them at all."""
    url, engine, _ = stack
    assert set(RESTRICTED) <= set(engine.index.get().articles)
    found = set()
    for question in PROBES:
        body = httpx.post(f"{url}/v1/preview", json={"question": question, "audience": ["admins", "enterprise"]},
                          headers=auth(AGENT_KEY), timeout=60).json()
        found |= {c["article_id"] for c in body["candidates"][:3]} & set(RESTRICTED)
    assert found == set(RESTRICTED)


def test_a_public_key_never_sees_restricted_articles_anywhere(stack: tuple[str, Engine, Inbox]) -> None:
    url, engine, inbox = stack
    widget = auth(PUBLIC_KEY)
    seen: list[str] = []
    session_id = None
    for n, question in enumerate(PROBES):
        body = {"question": question, "session_id": session_id, "stream": n % 3 == 0}
        response = httpx.post(f"{url}/v1/ask", json=body, headers=widget, timeout=60)
        assert response.status_code == 200
        seen.append(response.text)
        if not body["stream"]:
            session_id = response.json()["session_id"]
    escalated = httpx.post(f"{url}/v1/escalate", json={"session_id": session_id, "message": "please help"},
                           headers=widget, timeout=60)
    assert escalated.status_code == 201
    seen.append(httpx.get(f"{url}/v1/sessions/{session_id}", headers=widget).text)
    ticket = httpx.get(f"{url}/v1/tickets/{escalated.json()['id']}", headers=auth(AGENT_KEY)).text
    deadline = time.monotonic() + 30
    while engine.desk.store.pending() and time.monotonic() < deadline:
        time.sleep(0.1)
    metrics = httpx.get(f"{url}/v1/metrics", headers=auth(AGENT_KEY)).text

    assert json.loads(ticket)["transcript"], "the ticket carries the conversation"
    assert inbox.accepted, "the ticket reached the help desk"
    for text in [*seen, ticket, metrics, *(json.dumps(p) for p in inbox.accepted.values())]:
        assert _leaks(text) == [], text[:500]


def test_preview_as_a_public_customer_has_no_restricted_candidates(stack: tuple[str, Engine, Inbox]) -> None:
    url, _, _ = stack
    for question in PROBES + TITLES:
        body = httpx.post(f"{url}/v1/preview", json={"question": question, "audience": "public"},
                          headers=auth(AGENT_KEY), timeout=60)
        assert body.status_code == 200
        assert _leaks(body.text) == [], question


def test_restricted_articles_exist_in_kb_samples() -> None:
    for article_id in RESTRICTED:
        text = (KB_SAMPLES / f"{article_id}.md").read_text()
        assert "audience: admins" in text or "audience: enterprise" in text
