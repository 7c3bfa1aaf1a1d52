"""Driving the staff pages (agent console, dashboard) like an agent, and filing tickets through the API."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page

from tests.conftest import AGENT_KEY, auth


def sign_in(page: Page, url: str, key: str = AGENT_KEY) -> None:
    page.goto(url)
    page.get_by_label("Staff API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def file_ticket(api: str, question: str, email: str | None = None, status: str | None = None) -> str:
    """A ticket for `question` (escalated by the engine or asked for), optionally moved on to `status`."""
    body = {"question": question, "customer": {"email": email} if email else None}
    reply = httpx.post(f"{api}/v1/ask", json=body, headers=auth(AGENT_KEY), timeout=60).json()
    if reply["ticket"] is None:
        escalate = {"session_id": reply["session_id"], "question": question}
        reply["ticket"] = httpx.post(f"{api}/v1/escalate", json=escalate, headers=auth(AGENT_KEY), timeout=60).json()
    reference = str(reply["ticket"]["reference"])
    if status:
        httpx.patch(f"{api}/v1/tickets/{reference}", json={"status": status},
                    headers={**auth(AGENT_KEY), "If-Match": "*"}, timeout=30).raise_for_status()
    return reference
