"""SQLite under concurrent writers: several connections (as several worker processes would hold) record asks,
votes and escalations on one database at once. None may fail with "database is locked", nothing may be lost, and
one session keeps one ticket."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from engine.config import Settings
from engine.events.store import EventLog
from engine.store.db import Database
from engine.tickets.models import TicketDraft
from engine.tickets.store import TicketStore
from engine.types import Customer, Decision, Reason
from engine.wiring import open_database

WRITERS = 6
ROUNDS = 25
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _escalation() -> Decision:
    return Decision("escalate", None, (), 0.1, Reason.NO_MATCH)


def _draft(session_id: str, interaction_id: str) -> TicketDraft:
    return TicketDraft(question="still stuck", reason="no_match", confidence=0.1, customer=Customer(),
                       session_id=session_id, interaction_id=interaction_id, priority="normal", transcript=())


def _writer(database: Database, shared_session: str, failures: list[BaseException]) -> None:
    events = EventLog(database)
    tickets = TicketStore(database, ["hook"], lambda: T0)
    try:
        for _ in range(ROUNDS):
            interaction_id = str(uuid.uuid4())
            events.record_ask(interaction_id=interaction_id, at=T0, session_id=shared_session, question="q",
                              decision=_escalation(), latency_ms=1.0)
            events.record_vote(interaction_id=interaction_id, at=T0, helpful=False)
            tickets.file(_draft(shared_session, interaction_id), T0)
    except BaseException as exc:  # noqa: BLE001 - any failure in a writer fails the test below
        failures.append(exc)


def test_concurrent_writers_on_sqlite_never_fail_and_lose_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    databases = [open_database(settings) for _ in range(WRITERS)]
    failures: list[BaseException] = []
    threads = [threading.Thread(target=_writer, args=(db, "s-shared", failures)) for db in databases]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not failures, failures[:3]
    counts = EventLog(databases[0]).counts()
    assert counts == {"interactions": WRITERS * ROUNDS, "votes": WRITERS * ROUNDS}
    store = TicketStore(databases[0], ["hook"], lambda: T0)
    one = store.for_session("s-shared")
    assert len(one) == 1 and one[0].version == WRITERS * ROUNDS
    for db in databases:
        db.close()
