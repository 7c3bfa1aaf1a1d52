"""Event tables: every question and decision, votes, and content-health hits. Questions are stored redacted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base


class Interaction(Base):
    """One question and what the engine did with it (question stored redacted)."""

    __tablename__ = "interactions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    session_id: Mapped[str | None] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(64), default="")
    question: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(40), index=True)
    confidence: Mapped[float] = mapped_column(Float)
    citations: Mapped[str] = mapped_column(Text)
    articles: Mapped[str] = mapped_column(Text, default="[]")
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    flags: Mapped[str] = mapped_column(Text, default="[]")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    locale: Mapped[str | None] = mapped_column(String(35), nullable=True)
    audiences: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    """The asker's audiences, a JSON list of lower-case names ("[]" for questions logged before it was kept)."""
    latency_ms: Mapped[float] = mapped_column(Float)
    incident_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    """The active status-page incident the question was about (docs/incidents.md), and when that incident opened."""
    incident_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    incident_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The incident's title when the question was asked (None for questions logged before it was kept)."""


class Vote(Base):
    """A helpful / not helpful vote on an answer; the latest vote on an interaction counts."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    interaction_id: Mapped[str] = mapped_column(String(36), index=True)
    session_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class ContentHealth(Base):
    """A question whose best match was an article that may not answer (stale, archived, …)."""

    __tablename__ = "content_health"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    interaction_id: Mapped[str] = mapped_column(String(36))
    article_id: Mapped[str] = mapped_column(String(500), index=True)
    state: Mapped[str] = mapped_column(String(20))
    question: Mapped[str] = mapped_column(Text)
