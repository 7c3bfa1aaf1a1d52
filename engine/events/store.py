"""The EventLog: writes every ask and vote in short transactions and reads back sessions and interactions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select

from engine.events.metrics import EVERYTHING, QUESTION_DECISIONS, AskFact, Slice, StaleFact, VoteFact
from engine.events.redact import redact
from engine.events.tables import ContentHealth, Interaction, Vote
from engine.store.db import Database, as_utc
from engine.types import Candidate, Decision, SeenArticle, Turn

SEEN_PER_QUESTION = 5


@dataclass(frozen=True)
class IncidentSeen:
    """The active status-page incident a question was about, as the question saw it (docs/incidents.md)."""

    id: str
    title: str
    opened_at: datetime


def seen_articles(decision: Decision) -> tuple[SeenArticle, ...]:
    """The articles shown first (`cited`: quoted by an answer, or offered as a confirm's or a clarify's options:
    what a pick is checked against), then the best other candidates: what a support agent should look at."""
    shown = {c.article_id for c in decision.citations} | {s.article_id for s in decision.suggestions}
    seen = [_seen(c, True) for c in decision.candidates if c.article.id in shown]
    seen += [_seen(c, False) for c in decision.candidates if c.article.id not in shown]
    return tuple(seen[:SEEN_PER_QUESTION])


def _seen(candidate: Candidate, cited: bool) -> SeenArticle:
    article = candidate.article
    updated = article.updated_at.date().isoformat() if article.updated_at else "undated"
    return SeenArticle(
        article_id=article.id,
        title=article.title,
        url=article.url,
        version=f"{updated}#{article.content_hash[:8]}",
        score=round(candidate.fused, 4),
        cited=cited,
    )


class EventLog:
    """Every question (redacted), decision and vote; the source of metrics and ticket transcripts."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def record_ask(
        self,
        *,
        interaction_id: str,
        at: datetime,
        session_id: str | None,
        question: str,
        decision: Decision,
        latency_ms: float,
        channel: str = "",
        locale: str | None = None,
        audiences: tuple[str, ...] = (),
        incident: IncidentSeen | None = None,
    ) -> Turn:
        """Store one question (redacted) and its decision, and the active incident it was about."""
        safe_question = redact(question)
        articles = seen_articles(decision)
        row = Interaction(
            id=interaction_id,
            created_at=at,
            session_id=session_id,
            channel=channel,
            question=safe_question,
            decision=decision.decision,
            reason=str(decision.reason),
            confidence=decision.confidence,
            citations=json.dumps([c.article_id for c in decision.citations]),
            articles=json.dumps([a.__dict__ for a in articles]),
            answer=decision.answer,
            flags=json.dumps(list(decision.flags)),
            priority=decision.priority,
            locale=locale,
            audiences=json.dumps(sorted({a.lower() for a in audiences})),
            latency_ms=latency_ms,
            incident_id=incident.id if incident else None,
            incident_opened_at=incident.opened_at if incident else None,
            incident_title=incident.title if incident else None,
        )
        with self._db.transaction() as session:
            session.add(row)
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
        return as_turn(row)

    def record_vote(
        self,
        *,
        interaction_id: str,
        at: datetime,
        helpful: bool,
        reason: str | None = None,
        comment: str | None = None,
    ) -> None:
        """Store a vote; the interaction must exist (callers check ownership first)."""
        with self._db.transaction() as session:
            owner = session.get(Interaction, interaction_id)
            session.add(
                Vote(
                    created_at=at,
                    interaction_id=interaction_id,
                    session_id=owner.session_id if owner else None,
                    helpful=helpful,
                    reason=reason,
                    comment=redact(comment) if comment else None,
                )
            )

    def turn(self, interaction_id: str) -> Turn | None:
        with self._db.transaction() as session:
            row = session.get(Interaction, interaction_id)
            return as_turn(row) if row is not None else None

    def session(self, session_id: str) -> list[Turn]:
        """A session's questions and replies, oldest first."""
        query = (
            select(Interaction)
            .where(Interaction.session_id == session_id)
            .order_by(Interaction.created_at, Interaction.id)
        )
        with self._db.transaction() as session:
            return [as_turn(row) for row in session.scalars(query)]

    def incident_questions(self, incident_ids: Iterable[str]) -> dict[str, int]:
        """Questions (answered or escalated) asked about each incident, whenever they were asked."""
        wanted = list(incident_ids)
        if not wanted:
            return {}
        query = (
            select(Interaction.incident_id, func.count())
            .where(Interaction.incident_id.in_(wanted), Interaction.decision.in_(QUESTION_DECISIONS))
            .group_by(Interaction.incident_id)
        )
        with self._db.transaction() as session:
            return {str(incident): int(count) for incident, count in session.execute(query)}

    def stale_hits(self, now: datetime, days: int = 30) -> dict[str, int]:
        """Questions per article that hit it while it could not answer, in the last `days` days."""
        since = now - timedelta(days=days)
        query = (
            select(ContentHealth.article_id, func.count())
            .where(ContentHealth.created_at >= since)
            .group_by(ContentHealth.article_id)
        )
        with self._db.transaction() as session:
            return {article_id: int(count) for article_id, count in session.execute(query)}

    def asks(self, start: datetime, end: datetime, where: Slice = EVERYTHING) -> list[AskFact]:
        """Questions asked in [start, end), of one locale, channel and audience when `where` names them."""
        query = select(Interaction).where(Interaction.created_at >= start, Interaction.created_at < end)
        if where.locale:
            query = query.where(Interaction.locale == where.locale)
        if where.channel:
            query = query.where(Interaction.channel == where.channel)
        if where.audience:
            query = query.where(asked_as(where.audience))
        with self._db.transaction() as session:
            return [
                AskFact(
                    interaction_id=row.id,
                    session_key=row.session_id or row.id,
                    at=as_utc(row.created_at),
                    question=row.question,
                    decision=row.decision,
                    reason=row.reason,
                    cited=tuple(json.loads(row.citations)),
                    audiences=tuple(json.loads(row.audiences or "[]")),
                    incident_id=row.incident_id,
                    incident_opened_at=as_utc(row.incident_opened_at) if row.incident_opened_at else None,
                    incident_title=row.incident_title,
                    channel=row.channel or "",
                    shown=tuple((a["article_id"], a.get("title") or "") for a in json.loads(row.articles or "[]")),
                )
                for row in session.scalars(query)
            ]

    def votes(self, start: datetime) -> list[VoteFact]:
        """Votes on or after `start` (a vote always follows its question)."""
        query = select(Vote).where(Vote.created_at >= start)
        with self._db.transaction() as session:
            return [VoteFact(v.interaction_id, as_utc(v.created_at), v.helpful) for v in session.scalars(query)]

    def stale(self, start: datetime, end: datetime) -> list[StaleFact]:
        query = select(ContentHealth).where(ContentHealth.created_at >= start, ContentHealth.created_at < end)
        with self._db.transaction() as session:
            return [StaleFact(row.article_id, row.state) for row in session.scalars(query)]

    def counts(self) -> dict[str, int]:
        """Rows per event table (load tests compare what was sent with what was stored)."""
        with self._db.transaction() as session:
            return {
                "interactions": int(session.scalar(select(func.count()).select_from(Interaction)) or 0),
                "votes": int(session.scalar(select(func.count()).select_from(Vote)) or 0),
            }


def asked_as(audience: str) -> ColumnElement[bool]:
    """Questions whose asker had this audience (one of theirs)."""
    return Interaction.audiences.contains(json.dumps(audience.lower()), autoescape=True)


def as_turn(row: Interaction) -> Turn:
    articles: list[dict[str, Any]] = json.loads(row.articles or "[]")
    return Turn(
        interaction_id=row.id,
        session_id=row.session_id,
        at=as_utc(row.created_at),
        question=row.question,
        decision=row.decision,
        reason=row.reason,
        confidence=row.confidence,
        answer=row.answer,
        articles=tuple(SeenArticle(**a) for a in articles),
        priority=row.priority,
        locale=row.locale,
        incident_id=row.incident_id,
    )
