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
    subprocess.run([*as_user, initdb, "-D", str(root / "data"), "-A", "trust", "-U", "postgres"], check=True,
                   capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(root / "data"), "-l", str(root / "log"), "-w", "-o",
                    f"-k {root} -c listen_addresses=''", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={root}"  # a Unix socket: no TCP port to race for
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


OLD_TICKETS = """CREATE TABLE tickets (id {key}, created_at TIMESTAMP WITH TIME ZONE NOT NULL,
updated_at TIMESTAMP WITH TIME ZONE NOT NULL, version INTEGER NOT NULL, status VARCHAR(16) NOT NULL,
session_id VARCHAR(200), interaction_id VARCHAR(36), subject VARCHAR(200) NOT NULL, question TEXT NOT NULL,
message TEXT, transcript TEXT NOT NULL, articles TEXT NOT NULL, reason VARCHAR(40) NOT NULL,
confidence FLOAT NOT NULL, customer TEXT NOT NULL, locale VARCHAR(35), category VARCHAR(200),
priority VARCHAR(16) NOT NULL, tags TEXT NOT NULL)"""
OLD_INTERACTIONS = """CREATE TABLE interactions (id VARCHAR(36) PRIMARY KEY, created_at TIMESTAMP WITH TIME ZONE NOT NULL,
session_id VARCHAR(200), channel VARCHAR(64) NOT NULL, question TEXT NOT NULL, decision VARCHAR(16) NOT NULL,
reason VARCHAR(40) NOT NULL, confidence FLOAT NOT NULL, citations TEXT NOT NULL, articles TEXT NOT NULL, answer TEXT,
flags TEXT NOT NULL, priority VARCHAR(16) NOT NULL, locale VARCHAR(35), latency_ms FLOAT NOT NULL)"""
OLD_TICKET_ROW = """INSERT INTO tickets (created_at, updated_at, version, status, session_id, subject, question,
transcript, articles, reason, confidence, customer, priority, tags) VALUES ('2026-11-01 10:00:00+00:00',
'2026-11-01 10:00:00+00:00', 1, 'open', 'old-1', 'Old', 'an old question', '[]', '[]', 'no_match', 0.1, '{}',
'normal', '[]')"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_made_by_an_older_version_gains_the_new_columns_at_open(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    """Tables from before the triage fields, later_reasons and the askers' audiences (raw SQL, one old ticket):
    opening the database adds the columns (logged), the old ticket reads with the defaults and new ones file."""
    from sqlalchemy import create_engine, inspect, text

    from engine.events.store import EventLog
    from engine.store.db import Base

    url = None if backend == "sqlite" else request.getfixturevalue("postgres_url")
    settings = Settings(data_dir=tmp_path, database_url=url)
    raw = create_engine(url or f"sqlite:///{tmp_path / 'engine.db'}")
    Base.metadata.drop_all(raw)
    key = "INTEGER PRIMARY KEY AUTOINCREMENT" if backend == "sqlite" else "SERIAL PRIMARY KEY"
    with raw.begin() as connection:
        connection.execute(text(OLD_TICKETS.format(key=key)))
        connection.execute(text(OLD_INTERACTIONS))
        connection.execute(text(OLD_TICKET_ROW))
    raw.dispose()

    with caplog.at_level("WARNING", logger="engine.store.db"):
        db = open_database(settings)
    try:
        columns = {t: {c["name"] for c in inspect(db.engine).get_columns(t)} for t in ("tickets", "interactions")}
        assert {"assignee", "notes", "later_reasons"} <= columns["tickets"]
        assert "audiences" in columns["interactions"]
        assert {"tickets.assignee", "tickets.notes", "tickets.later_reasons", "interactions.audiences"} <= {
            r.getMessage().split("column ")[1].split(" ")[0] for r in caplog.records if "added column" in r.getMessage()}
        assert "ix_tickets_assignee" in {i["name"] for i in inspect(db.engine).get_indexes("tickets")}

        store = TicketStore(db, ["hook"], lambda: T0)
        [old] = store.for_session("old-1")
        assert (old.assignee, old.notes, old.later_reasons) == (None, (), ())
        draft = TicketDraft(question="help", reason="no_match", confidence=0.1, transcript=(), session_id="new-1")
        ticket = store.file(draft, T0)
        assert store.get(ticket.id).session_id == "new-1"  # type: ignore[union-attr]
        EventLog(db).record_ask(interaction_id="2" * 36, at=T0, session_id="new-1", question="q", decision=_answer(),
                                latency_ms=1, audiences=("admins",))
        again = open_database(settings)  # a second open adds nothing
        again.close()
    finally:
        Base.metadata.drop_all(db.engine)
        db.close()
