"""Ticket delivery against real HTTP receivers on 127.0.0.1: signed webhooks, a Zendesk-compatible API, an
outage, a crash between sending and recording, and a restart in a separate process — each ticket arrives once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.config import Settings, TicketSettings, WebhookTarget, ZendeskTarget
from engine.tickets.desk import HelpDesk
from engine.tickets.models import TicketDraft
from engine.tickets.targets import WebhookSender
from engine.types import Customer, SeenArticle, Turn
from engine.wiring import build_desk, open_database
from tests.receivers import Inbox, webhook_receiver, zendesk_receiver
from tests.servers import HeldPort, serve

pytestmark = pytest.mark.integration
SECRET = "whsec-test-0123456789"
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
FAST = {"retry_base_s": 0.05, "retry_max_s": 0.2, "poll_s": 0.05, "lease_s": 2.0}


def _settings(data_dir: Path, *targets: WebhookTarget | ZendeskTarget) -> Settings:
    return Settings(data_dir=data_dir, tickets=TicketSettings(targets=list(targets), **FAST))


def _hook(url: str) -> WebhookTarget:
    return WebhookTarget(name="hook", url=f"{url}/hooks/tickets", secret=SECRET, timeout_s=2)  # type: ignore[arg-type]


def _escalate(desk: HelpDesk, question: str, session: str) -> int:
    turn = Turn("0" * 36, session, T0, question, "escalate", "low_confidence", 0.31, None,
                (SeenArticle("billing/refunds", "Refunds", "https://help.example/refunds", "2026-10-01#ab12cd34", 0.52, False),))
    return desk.escalate(TicketDraft(question=question, reason="low_confidence", confidence=0.31, transcript=(turn,),
                                     customer=Customer(email="ann@example.com", name="Ann"), session_id=session)).id


def _until(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_tickets_filed_while_the_receiver_is_down_arrive_exactly_once_when_it_is_back(tmp_path: Path) -> None:
    held = HeldPort()  # the receiver's address, refusing connections until it is served
    settings = _settings(tmp_path, _hook(held.url))
    database = open_database(settings)
    desk = build_desk(settings, database, lambda: T0)
    desk.start()
    ids = [_escalate(desk, f"question {n}", f"s{n}") for n in range(3)]
    _until(lambda: desk.store.get(ids[0]).deliveries[0].attempts >= 2)  # type: ignore[union-attr]  # refused twice
    assert desk.store.pending() == 3

    inbox = Inbox(fail_next=2)  # back, but busy at first
    with serve(webhook_receiver(SECRET, inbox), held):
        _until(lambda: desk.store.pending() == 0)
    desk.stop()
    held.close()

    assert sorted(inbox.keys()) == sorted(f"ticket-{i}-v1" for i in ids)
    assert all(a["signed"] for a in inbox.attempts)
    delivered = [inbox.accepted[f"ticket-{i}-v1"] for i in ids]
    assert {d["event"] for d in delivered} == {"ticket.created"}
    ticket = delivered[0]["ticket"]
    assert ticket["customer"]["email"] == "ann@example.com" and ticket["reason"] == "low_confidence"
    assert ticket["articles"][0]["article_id"] == "billing/refunds" and ticket["transcript"][0]["question"] == "question 0"
    database.close()


def test_a_crash_after_sending_resends_with_the_same_key_so_the_receiver_keeps_one(tmp_path: Path) -> None:
    inbox = Inbox()
    with serve(webhook_receiver(SECRET, inbox)) as url:
        settings = _settings(tmp_path, _hook(url))
        database = open_database(settings)
        desk = build_desk(settings, database, lambda: T0)
        ticket_id = _escalate(desk, "where is my refund", "s1")
        [delivery] = desk.store.claim(datetime.now(UTC), timedelta(seconds=0.2))
        WebhookSender(settings.tickets.targets[0]).send(delivery)  # type: ignore[arg-type]
        # ...and the process dies before recording it. After the lease, a fresh worker finds it due again.
        time.sleep(0.3)
        restarted = build_desk(settings, open_database(settings), lambda: T0)
        assert restarted.deliver_once() == 1

    assert len([a for a in inbox.attempts if a["key"] == f"ticket-{ticket_id}-v1"]) == 2
    assert inbox.keys() == [f"ticket-{ticket_id}-v1"]
    assert restarted.store.pending() == 0
    database.close()


def test_a_bad_signature_is_refused_and_retried_not_dropped(tmp_path: Path) -> None:
    inbox = Inbox()
    with serve(webhook_receiver("another-secret-entirely", inbox)) as url:
        settings = _settings(tmp_path, _hook(url))
        desk = build_desk(settings, open_database(settings), lambda: T0)
        _escalate(desk, "where is my refund", "s1")
        assert desk.deliver_once() == 0

    assert inbox.attempts and not inbox.attempts[0]["signed"] and inbox.accepted == {}
    assert desk.store.pending() == 1


def test_zendesk_target_creates_then_comments_on_the_same_ticket(tmp_path: Path) -> None:
    inbox = Inbox()
    app = zendesk_receiver("bot@acme.example", "zd-token-123", inbox)
    with serve(app) as url:
        target = ZendeskTarget(name="zendesk", url=url, email="bot@acme.example", api_token="zd-token-123")  # type: ignore[arg-type]
        settings = _settings(tmp_path, target)
        desk = build_desk(settings, open_database(settings), lambda: T0)
        first = _escalate(desk, "I was charged twice this month", "s1")
        _escalate(desk, "hello? still waiting", "s1")
        _until(lambda: desk.deliver_once() >= 0 and desk.store.pending() == 0)

    [zd_ticket] = app.state.tickets.values()
    assert zd_ticket["subject"] == "I was charged twice this month"
    assert zd_ticket["requester"] == {"email": "ann@example.com", "name": "Ann"}
    assert zd_ticket["external_id"] == f"T-{first:06d}" and "reason-low_confidence" in zd_ticket["tags"]
    assert len(zd_ticket["comments"]) == 2 and "hello? still waiting" in zd_ticket["comments"][1]["body"]
    assert "Articles seen:" in zd_ticket["comments"][0]["body"] and zd_ticket["comments"][0]["public"] is False
    assert [a["method"] for a in inbox.attempts] == ["POST", "PUT"]


def test_a_separate_deliver_process_sends_what_the_server_queued(tmp_path: Path) -> None:
    inbox = Inbox()
    with serve(webhook_receiver(SECRET, inbox)) as url:
        settings = _settings(tmp_path, _hook(url))
        desk = build_desk(settings, open_database(settings), lambda: T0)
        ids = [_escalate(desk, f"question {n}", f"s{n}") for n in range(2)]  # queued; this "server" never delivers
        env = {**os.environ, "ENGINE_DATA_DIR": str(tmp_path),
               "ENGINE_TICKETS__TARGETS": json.dumps([{"kind": "webhook", "name": "hook", "url": f"{url}/hooks/tickets",
                                                        "secret": SECRET}])}
        runs = [subprocess.run([sys.executable, "-m", "engine.cli", "tickets", "deliver"], env=env,
                               capture_output=True, text=True, timeout=120) for _ in range(2)]

    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert json.loads(runs[0].stdout.strip().splitlines()[-1]) == {"delivered": 2, "pending": 0}
    assert json.loads(runs[1].stdout.strip().splitlines()[-1]) == {"delivered": 0, "pending": 0}
    assert sorted(inbox.keys()) == sorted(f"ticket-{i}-v1" for i in ids) and len(inbox.attempts) == 2
