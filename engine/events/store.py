"""Event tables and the EventLog that writes and reads them. SQLite in the data dir by default."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Float, Integer, String, Text, create_engine, event, func, select
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from engine.config import Settings
from engine.events.redact import redact
from engine.types import Decision


class Base(DeclarativeBase):
    pass


class Interaction(Base):
    """One question and what the engine did with it (question stored redacted)."""

    __tablename__ = "interactions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    session_id: Mapped[str | None] = mapped_column(String(200), index=True)
    question: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(40), index=True)
    confidence: Mapped[float] = mapped_column(Float)
    citations: Mapped[str] = mapped_column(Text)
    latency_ms: Mapped[float] = mapped_column(Float)


class ContentHealth(Base):
    """A question whose best match was an article that may not answer (stale, archived, …)."""

    __tablename__ = "content_health"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    interaction_id: Mapped[str] = mapped_column(String(36))
    article_id: Mapped[str] = mapped_column(String(500), index=True)
    state: Mapped[str] = mapped_column(String(20))
    question: Mapped[str] = mapped_column(Text)


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.data_dir / 'engine.db'}"


def connect(settings: Settings) -> SqlEngine:
    url = database_url(settings)
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    Base.metadata.create_all(engine)
    return engine


class EventLog:
    """Writes events in short transactions; reads the aggregates reports need."""

    def __init__(self, engine: SqlEngine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def record_ask(
        self,
        *,
        interaction_id: str,
        at: datetime,
        session_id: str | None,
        question: str,
        decision: Decision,
        latency_ms: float,
    ) -> None:
        safe_question = redact(question)
        with self._session() as session:
            session.add(
                Interaction(
                    id=interaction_id,
                    created_at=at,
                    session_id=session_id,
                    question=safe_question,
                    decision=decision.decision,
                    reason=str(decision.reason),
                    confidence=decision.confidence,
                    citations=json.dumps([c.article_id for c in decision.citations]),
                    latency_ms=latency_ms,
                )
            )
            for article_id, state in decision.ineligible_leaders:
                session.add(
                    ContentHealth(
                        created_at=at,
                        interaction_id=interaction_id,
                        article_id=article_id,
                        state=state,
                        question=safe_question,
                    )
                )

    def stale_hits(self, now: datetime, days: int = 30) -> dict[str, int]:
        """Questions per article that hit it while it could not answer, in the last `days` days."""
        since = now - timedelta(days=days)
        query = (
            select(ContentHealth.article_id, func.count())
            .where(ContentHealth.created_at >= since)
            .group_by(ContentHealth.article_id)
        )
        with self._session() as session:
            return {article_id: int(count) for article_id, count in session.execute(query)}

    def interactions(self, limit: int = 100) -> list[Interaction]:
        with self._session() as session:
            query = select(Interaction).order_by(Interaction.created_at.desc()).limit(limit)
            return list(session.scalars(query))

    def close(self) -> None:
        self._engine.dispose()
