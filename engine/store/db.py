"""The relational database (events, tickets, outbox): SQLite in the data dir by default, any SQLAlchemy URL
(PostgreSQL for several workers) through ENGINE_DATABASE_URL."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any

from filelock import FileLock
from sqlalchemy import Column, DefaultClause, create_engine, event, inspect, literal, text
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from engine.config import Settings
from engine.errors import StoreUnavailableError

logger = logging.getLogger(__name__)


class Base(DeclarativeBase):
    """Every table of the engine's database."""


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.data_dir / 'engine.db'}"


def connect(settings: Settings) -> SqlEngine:
    """An engine with every table created; SQLite runs in WAL mode and waits (not fails) on a busy lock."""
    url = database_url(settings)
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    # Workers starting together on a new SQLite file would race to create the same tables: one at a time.
    schema_lock: AbstractContextManager[object] = (
        FileLock(str(settings.data_dir / ".schema.lock")) if url.startswith("sqlite") else nullcontext()
    )
    try:
        with schema_lock:
            Base.metadata.create_all(engine)
            _add_missing_columns(engine)
    except OperationalError as exc:
        raise StoreUnavailableError(f"database {engine.url.render_as_string(hide_password=True)}: {exc}") from exc
    return engine


def _add_missing_columns(engine: SqlEngine) -> list[str]:
    """Add the columns a table gained after its database was created (create_all makes missing tables only): each
    nullable column, or one with a server or scalar default (written as the column's DEFAULT), with ALTER TABLE ADD
    COLUMN, on SQLite and PostgreSQL alike. A missing column that has neither cannot be added safely to a table with
    rows: it is logged and left alone. Returns the columns added, as "table.column"."""
    existing = inspect(engine)
    added: list[str] = []
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if not existing.has_table(table.name):
                continue
            known = {column["name"] for column in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name in known:
                    continue
                clause = _column_clause(column, engine)
                if clause is None:
                    logger.warning("database: %s.%s is missing and has no default: add it by hand", table.name,
                                   column.name)
                    continue
                connection.execute(text(f"ALTER TABLE {_quote(engine, table.name)} ADD COLUMN {clause}"))
                added.append(f"{table.name}.{column.name}")
                logger.warning("database: added column %s.%s (%s)", table.name, column.name, clause)
            for index in table.indexes:
                if any(f"{table.name}.{c.name}" in added for c in index.columns):
                    index.create(connection, checkfirst=True)
    return added


def _column_clause(column: Column[Any], engine: SqlEngine) -> str | None:
    """`name TYPE [DEFAULT x] [NOT NULL]` for a column added to an existing table, None when it cannot be."""
    kind = column.type.compile(dialect=engine.dialect)
    default = _default(column)
    name = _quote(engine, column.name)
    if default is not None:
        value = literal(default).compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
        return f"{name} {kind} DEFAULT {value}" + ("" if column.nullable else " NOT NULL")
    return f"{name} {kind}" if column.nullable else None


def _default(column: Column[Any]) -> str | int | float | bool | None:
    server = column.server_default
    if isinstance(server, DefaultClause) and isinstance(server.arg, str):
        return server.arg
    client = column.default
    if isinstance(client, ScalarElementColumnDefault) and isinstance(client.arg, str | int | float | bool):
        return client.arg
    return None


def _quote(engine: SqlEngine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


class Database:
    """Short transactions over one SQLAlchemy engine, shared by the event log and the ticket store."""

    def __init__(self, engine: SqlEngine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        `write=True` for read-then-write blocks: on SQLite it takes the write lock up front (BEGIN IMMEDIATE,
        waiting up to busy_timeout), so two writers never both read the same row and then both update it."""
        with self._sessions.begin() as session:
            if write and self.engine.dialect.name == "sqlite":
                session.execute(text("BEGIN IMMEDIATE"))
            yield session

    def serialise(self, session: Session, key: str) -> None:
        """Hold off every other transaction that serialises on `key` until this one ends: for "read, then insert
        if absent" blocks, where a row lock cannot help because the row does not exist yet. SQLite needs nothing
        more than `transaction(write=True)` (one writer at a time); PostgreSQL takes a transaction-level advisory
        lock on a 64-bit hash of the key."""
        if self.engine.dialect.name == "postgresql":
            digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
            lock = int.from_bytes(digest, "big", signed=True)
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})

    def close(self) -> None:
        self.engine.dispose()


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time the engine stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
