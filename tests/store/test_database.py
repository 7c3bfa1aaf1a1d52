"""The event log and the ticket outbox behave the same on SQLite and on a real PostgreSQL server (started by
the test from Debian's binaries; set ENGINE_TEST_POSTGRES_URL to use an existing one)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.config import Settings
from engine.store.db import Database
from engine.tickets.models import TicketDraft
from engine.tickets.store import TicketStore
from engine.types import Citation, Decision, Reason
from engine.wiring import open_database
from tests.servers import free_port

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    return None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if os.environ.get("ENGINE_TEST_POSTGRES_URL"):
        yield os.environ["ENGINE_TEST_POSTGRES_URL"]
        return
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL binaries not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="engine-pg-"))
    as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []  # initdb refuses to run as root
    if as_user:
        shutil.chown(root, "nobody")
    port = free_port()
    subprocess.run([*as_user, initdb, "-D", str(root / "data"), "-A", "trust", "-U", "postgres"], check=True,
                   capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(root / "data"), "-l", str(root / "log"), "-w", "-o",
                    f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(root / "data"), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = None if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    db = open_database(Settings(data_dir=tmp_path, database_url=url))
    yield db
    from engine.store.db import Base

    if url:
        Base.metadata.drop_all(db.engine)
    db.close()


def _answer() -> Decision:
    return Decision("answer", "Do this.", (Citation("a/1", "A", None, None, "", 0.8, None),), 0.8, Reason.ANSWERED)


def test_events_round_trip_redacted_with_utc_times(database: Database) -> None:
    from engine.events.store import EventLog

    log = EventLog(database)
    turn = log.record_ask(interaction_id="1" * 36, at=T0, session_id="s1", question="mail me: a@b.example",
                          decision=_answer(), latency_ms=3.5, channel="widget", locale="en")
    log.record_vote(interaction_id="1" * 36, at=T0 + timedelta(minutes=1), helpful=True, comment="ok a@b.example")

    assert log.session("s1") == [turn] and turn.question == "mail me: [email]"
    assert log.turn("1" * 36).at == T0  # type: ignore[union-attr]
    assert [v.helpful for v in log.votes(T0)] == [True]
    assert log.counts() == {"interactions": 1, "votes": 1}
    assert [a.cited for a in log.asks(T0, T0 + timedelta(hours=1))] == [("a/1",)]


def test_outbox_claims_are_exclusive_and_ordered(database: Database) -> None:
    store = TicketStore(database, ["hook"], lambda: T0)
    other = TicketStore(Database(database.engine), ["hook"], lambda: T0)
    draft = TicketDraft(question="help", reason="no_match", confidence=0.1, transcript=(), session_id="s1")
    ticket = store.file(draft, T0)
    store.file(draft, T0 + timedelta(minutes=1))

    [mine] = store.claim(T0, timedelta(seconds=30))
    assert other.claim(T0 + timedelta(seconds=10), timedelta(seconds=30)) == []
    store.delivered(mine, T0, "zd-1")
    [next_one] = other.claim(T0 + timedelta(seconds=10), timedelta(seconds=30))

    assert (mine.idempotency_key, next_one.idempotency_key) == (f"ticket-{ticket.id}-v1", f"ticket-{ticket.id}-v2")
    assert next_one.external_id == "zd-1"
    assert store.get(ticket.id).version == 2 and store.pending() == 1  # type: ignore[union-attr]


def test_simultaneous_first_escalations_of_one_session_make_one_ticket(database: Database) -> None:
    """Eight workers (own connections, as separate server processes would have) file the first escalation of the
    same session at once: one ticket, updated seven times, and one outbox row per version."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    workers = 8
    barrier = Barrier(workers)
    draft = TicketDraft(question="help", reason="no_match", confidence=0.1, transcript=(), session_id="race-1")

    def file(_: int) -> int:
        store = TicketStore(Database(database.engine), ["hook"], lambda: T0)
        barrier.wait()
        return store.file(draft, T0).id

    with ThreadPoolExecutor(workers) as pool:
        ids = set(pool.map(file, range(workers)))

    store = TicketStore(database, ["hook"], lambda: T0)
    [ticket] = store.for_session("race-1")
    assert ids == {ticket.id} and ticket.version == workers
    assert store.pending() == workers  # ticket-<id>-v1 … v8, delivered in order by the worker
