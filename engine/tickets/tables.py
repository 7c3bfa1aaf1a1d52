"""Ticket tables. A ticket and its outbox rows are written in one transaction, so none is ever lost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base


class TicketRow(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    session_id: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)
    interaction_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    subject: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    transcript: Mapped[str] = mapped_column(Text, default="[]")
    articles: Mapped[str] = mapped_column(Text, default="[]")
    reason: Mapped[str] = mapped_column(String(40), index=True)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    customer: Mapped[str] = mapped_column(Text, default="{}")
    locale: Mapped[str | None] = mapped_column(String(35), nullable=True)
    category: Mapped[str | None] = mapped_column(String(200), nullable=True)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    tags: Mapped[str] = mapped_column(Text, default="[]")
    later_reasons: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    assignee: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    notes: Mapped[str] = mapped_column(Text, default="[]")
    incident_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    """The status-page incident the ticket is about (docs/incidents.md); title, link and resolution beside it."""
    incident_title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    incident_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    incident_resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OutboxRow(Base):
    """One delivery owed to one target. Rows are never deleted: delivered_at marks success."""

    __tablename__ = "ticket_outbox"
    __table_args__ = (UniqueConstraint("target", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    target: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class TicketLinkRow(Base):
    """The help desk's own id for one of our tickets (Zendesk ticket id), for later updates."""

    __tablename__ = "ticket_links"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    target: Mapped[str] = mapped_column(String(64), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100))
