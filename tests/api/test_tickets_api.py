"""The support flow over HTTP: an escalation opens a pre-filled ticket, "still need help" after an answer adds
to it, votes are stored, the agent reads the ticket, and personal data stays out of the event tables."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from engine.api.app import create_app
from engine.config import TicketSettings, WebhookTarget
from engine.protocols import Embedder
from engine.wiring import Engine, build_engine
from tests.conftest import AGENT_KEY, KB_NOW, PUBLIC_KEY, auth, kb_settings
from tests.receivers import Inbox, webhook_receiver
from tests.servers import serve

pytestmark = pytest.mark.integration
WIDGET = auth(PUBLIC_KEY)
AGENT = auth(AGENT_KEY)
SECRET = "whsec-flow-0123456789"


@pytest.fixture
def stack(kb_data_dir: Path, embedder: Embedder, tmp_path: Path) -> Iterator[tuple[str, Engine, Inbox]]:
    """The API with a webhook help desk, over a copy of the kb_samples index and a fresh database."""
    shutil.copytree(kb_data_dir, tmp_path / "data", ignore=shutil.ignore_patterns("engine.db*"))
    inbox = Inbox()
    with serve(webhook_receiver(SECRET, inbox)) as hook:
        target = WebhookTarget(name="hook", url=f"{hook}/hooks/tickets", secret=SECRET)  # type: ignore[arg-type]
        tickets = TicketSettings(targets=[target], poll_s=0.05, retry_base_s=0.05)
        ticks = itertools.count()
        clock = lambda: KB_NOW + timedelta(seconds=next(ticks))  # noqa: E731 - time moves on between requests
        engine = build_engine(kb_settings(tmp_path / "data", tickets=tickets), embedder=embedder, clock=clock)
        with serve(create_app(engine.settings, engine=engine)) as url:
            yield url, engine, inbox
        engine.close()


def _ask(url: str, question: str, session_id: str | None = None, **extra: object) -> dict[str, object]:
    response = httpx.post(f"{url}/v1/ask", json={"question": question, "session_id": session_id, **extra},
                          headers=WIDGET, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_answer_then_still_need_help_opens_one_prefilled_ticket_and_delivers_it(stack: tuple[str, Engine, Inbox]) -> None:
    url, engine, inbox = stack
    first = _ask(url, "how do I turn on two-factor authentication?",
                 customer={"id": "c-42", "email": "ann@acme.example", "name": "Ann", "plan": "Business"})
    assert first["decision"] == "answer" and first["ticket"] is None
    session_id = str(first["session_id"])
    vote = httpx.post(f"{url}/v1/feedback", json={"interaction_id": first["interaction_id"], "helpful": False,
                                                  "reason": "incomplete", "comment": "call me on +44 20 7946 0958",
                                                  "session_id": session_id}, headers=WIDGET, timeout=30)
    assert vote.status_code == 201

    ref = httpx.post(f"{url}/v1/escalate", json={"session_id": session_id, "interaction_id": first["interaction_id"],
                                                 "question": "2FA codes never arrive on my phone",
                                                 "message": "I tried twice", "customer": {"email": "ann@acme.example",
                                                                                          "name": "Ann"}},
                     headers=WIDGET, timeout=30)
    assert ref.status_code == 201, ref.text
    ticket = httpx.get(f"{url}/v1/tickets/{ref.json()['reference']}", headers=AGENT, timeout=30).json()

    assert ticket["subject"] == "2FA codes never arrive on my phone" and ticket["message"] == "I tried twice"
    assert ticket["reason"] == "customer_request" and ticket["customer"]["email"] == "ann@acme.example"
    assert ticket["transcript"][0]["question"] == "how do I turn on two-factor authentication?"
    assert ticket["transcript"][0]["answer"] and ticket["articles"][0]["article_id"] == "account/two-factor-authentication"
    assert ticket["articles"][0]["cited"] and ticket["articles"][0]["version"].startswith("20")
    assert ticket["category"] and ticket["locale"] in (None, "en")
    _wait(lambda: bool(inbox.accepted))
    assert list(inbox.accepted) == [f"ticket-{ticket['id']}-v1"]
    with engine.database.engine.connect() as db:
        votes = db.execute(text("select helpful, reason, comment from votes")).all()
    assert votes == [(False, "incomplete", "call me on [phone]")]


def test_escalations_in_one_session_update_one_ticket_with_rising_priority(stack: tuple[str, Engine, Inbox]) -> None:
    url, engine, inbox = stack
    first = _ask(url, "write me a poem about the sea")
    session_id = str(first["session_id"])
    second = _ask(url, "someone logged into my account and changed my password, I think I was hacked", session_id)

    assert first["decision"] == second["decision"] == "escalate" and second["reason"] == "sensitive_topic"
    assert first["ticket"]["id"] == second["ticket"]["id"] and second["ticket"]["version"] == 2  # type: ignore[index]
    ticket = httpx.get(f"{url}/v1/tickets/{second['ticket']['id']}", headers=AGENT, timeout=30).json()  # type: ignore[index]
    assert ticket["priority"] in ("high", "urgent") and ticket["reason"] == "out_of_scope"  # the first one stays
    assert [r["reason"] for r in ticket["later_reasons"]] == ["sensitive_topic"] and not ticket["has_contact"]
    assert [t["reason"] for t in ticket["transcript"]] == ["out_of_scope", "sensitive_topic"]
    session = httpx.get(f"{url}/v1/sessions/{session_id}", headers=WIDGET, timeout=30).json()
    assert [t["reason"] for t in session["turns"]] == ["out_of_scope", "sensitive_topic"]
    assert session["tickets"][0]["reference"] == ticket["reference"]
    _wait(lambda: len(inbox.accepted) == 2)
    assert sorted(inbox.accepted) == [f"ticket-{ticket['id']}-v1", f"ticket-{ticket['id']}-v2"]


def test_with_contact_first_the_ticket_waits_for_a_valid_email_and_is_delivered_once(
    stack: tuple[str, Engine, Inbox],
) -> None:
    url, engine, inbox = stack
    first = _ask(url, "write me a poem about the sea", contact_first=True)
    session_id = str(first["session_id"])
    second = _ask(url, "someone logged into my account and changed my password, I think I was hacked", session_id,
                  contact_first=True)
    assert first["ticket"] is second["ticket"] is None and first["ticket_pending"] and second["contact_needed"]
    assert engine.desk.store.for_session(session_id) == []
    body = {"session_id": session_id, "interaction_id": second["interaction_id"]}

    bad = httpx.post(f"{url}/v1/escalate", json={**body, "customer": {"email": "not-an-email"}}, headers=WIDGET,
                     timeout=30)
    assert bad.status_code == 422 and "email" in bad.text and engine.desk.store.for_session(session_id) == []
    ref = httpx.post(f"{url}/v1/escalate", json={**body, "customer": {"email": "ann@acme.example"}}, headers=WIDGET,
                     timeout=30)

    assert ref.status_code == 201, ref.text
    assert ref.json()["has_contact"] and ref.json()["version"] == 2
    ticket = httpx.get(f"{url}/v1/tickets/{ref.json()['reference']}", headers=AGENT, timeout=30).json()
    assert ticket["reason"] == "out_of_scope" and [r["reason"] for r in ticket["later_reasons"]] == ["sensitive_topic"]
    assert ticket["customer"]["email"] == "ann@acme.example" and ticket["priority"] in ("high", "urgent")
    _wait(lambda: len(inbox.accepted) == 2)
    assert sorted(inbox.accepted) == [f"ticket-{ticket['id']}-v1", f"ticket-{ticket['id']}-v2"]


def test_personal_data_never_reaches_the_event_tables(stack: tuple[str, Engine, Inbox]) -> None:
    url, engine, _ = stack
    pii = ("jane.doe@acme.com", "+1 415 555 0132", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00")
    for question in (f"my email {pii[0]} cannot log in", f"call me at {pii[1]} about billing",
                     f"my card {pii[2]} was declined", f"refund to IBAN {pii[3]} please"):
        _ask(url, question)

    with engine.database.engine.connect() as db:
        stored = " ".join(str(v) for row in db.execute(text("select * from interactions")).all() for v in row)
        stored += " ".join(str(v) for row in db.execute(text("select * from content_health")).all() for v in row)
    assert not any(value in stored for value in pii)
    assert all(marker in stored for marker in ("[email]", "[phone]", "[card]", "[iban]"))


def test_escalate_without_any_question_is_a_clear_4xx(stack: tuple[str, Engine, Inbox]) -> None:
    url, _, _ = stack
    response = httpx.post(f"{url}/v1/escalate", json={}, headers=WIDGET, timeout=30)

    assert response.status_code == 422 and "question: required" in response.json()["detail"]


def _wait(condition: object, seconds: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_a_huge_page_offset_is_a_422_not_a_database_overflow(stack: tuple[str, Engine, Inbox]) -> None:
    url, _, _ = stack
    response = httpx.get(f"{url}/v1/tickets", params={"offset": 6613431559587952066560}, headers=AGENT)

    assert response.status_code == 422 and "offset" in response.json()["detail"]


def test_a_customer_sees_and_asks_about_only_their_own_tickets(stack: tuple[str, Engine, Inbox]) -> None:
    url, _, _ = stack
    mine = _ask(url, "write me a poem about the sea")
    theirs = _ask(url, "write me a haiku about pirates")
    own, their_ref = mine["ticket"]["reference"], theirs["ticket"]["reference"]  # type: ignore[index]

    listed = httpx.get(f"{url}/v1/sessions/{mine['session_id']}/tickets", headers=WIDGET, timeout=30)
    status = _ask(url, f"where is my ticket {own}?", mine["session_id"])  # type: ignore[arg-type]
    snoop = _ask(url, f"what's the status of ticket {their_ref}?", mine["session_id"])  # type: ignore[arg-type]
    fresh = httpx.get(f"{url}/v1/sessions/{_ask(url, 'how do I reset my password?')['session_id']}/tickets", headers=WIDGET, timeout=30)

    assert listed.status_code == 200
    assert [(t["reference"], t["status"], t["subject"]) for t in listed.json()] == [
        (own, "open", "write me a poem about the sea")]
    assert set(listed.json()[0]) == {"reference", "status", "subject", "created_at", "updated_at", "message"}
    assert status["decision"] == "answer" and status["reason"] == "ticket_status" and status["ticket"] is None
    assert own in str(status["answer"]) and "is open" in str(status["answer"])
    assert snoop["reason"] == "ticket_status" and "can't find" in str(snoop["answer"])
    assert "haiku" not in str(snoop["answer"])
    assert fresh.status_code == 200 and fresh.json() == []
