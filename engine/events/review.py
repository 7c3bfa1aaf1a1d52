"""Staff reads of the event log: 👎 feedback per article and per question, and the conversations behind a number on
the dashboard (a gap, an escalation reason, an article). Everything returned is redacted."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select

from engine.events.redact import redact
from engine.events.store import as_turn, asked_as
from engine.events.tables import ContentHealth, Interaction, Vote
from engine.store.db import Database, as_utc
from engine.types import SeenArticle, Turn


@dataclass(frozen=True)
class FeedbackItem:
    """One answer whose latest vote is the one asked for, with the vote's reason and comment (redacted)."""

    interaction_id: str
    session_id: str | None
    at: datetime
    helpful: bool
    reason: str | None
    comment: str | None
    question: str
    answer: str | None
    articles: tuple[SeenArticle, ...]
    """The articles the answer cited: what the customer read."""


@dataclass(frozen=True)
class FeedbackCount:
    """Votes per article (key: article id) or per question (key: the question, normalised)."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class FeedbackReport:
    items: tuple[FeedbackItem, ...]
    by_article: tuple[FeedbackCount, ...]
    by_question: tuple[FeedbackCount, ...]


@dataclass(frozen=True)
class ConversationQuery:
    """Which questions to list: every filter is optional and they combine (AND)."""

    start: datetime
    end: datetime
    reason: str | None = None
    article: str | None = None
    """Questions that were shown the article, cited it, or hit it while it could not answer."""
    interaction_ids: tuple[str, ...] = ()
    voted_down: bool = False
    locale: str | None = None
    channel: str | None = None
    audience: str | None = None
    """Questions asked by someone with this audience (questions from before audiences were kept match none)."""
    limit: int = 100
    offset: int = 0


class Review:
    """Reads for the agent console and the dashboard over the event log's tables."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def feedback(self, start: datetime, end: datetime, *, helpful: bool = False, limit: int = 200) -> FeedbackReport:
        """Answers asked in [start, end) whose latest vote is `helpful` (👎 by default), newest vote first."""
        query = (
            select(Vote, Interaction)
            .join(Interaction, Interaction.id == Vote.interaction_id)
            .where(Interaction.created_at >= start, Interaction.created_at < end)
            .order_by(Vote.created_at, Vote.id)
        )
        with self._db.transaction() as session:
            latest = {interaction.id: (vote, interaction) for vote, interaction in session.execute(query)}
        items = [_item(vote, row) for vote, row in latest.values() if vote.helpful == helpful]
        items.sort(key=lambda item: item.at, reverse=True)
        return FeedbackReport(tuple(items[:limit]), _by_article(items), _by_question(items))

    def session_votes(self, session_id: str) -> list[FeedbackItem]:
        """The latest vote on each answer of a session, oldest answer first, with its reason and comment (redacted):
        what the customer told us about the answers before (or after) their ticket was filed."""
        query = (
            select(Vote, Interaction)
            .join(Interaction, Interaction.id == Vote.interaction_id)
            .where(Interaction.session_id == session_id)
            .order_by(Vote.created_at, Vote.id)
        )
        with self._db.transaction() as session:
            latest = {interaction.id: (vote, interaction) for vote, interaction in session.execute(query)}
        return sorted((_item(vote, row) for vote, row in latest.values()), key=lambda item: item.at)

    def conversations(self, query: ConversationQuery) -> list[Turn]:
        """The questions matching `query`, newest first, as turns (a turn's session links to its conversation)."""
        statement = select(Interaction).where(*_conditions(query))
        statement = statement.order_by(Interaction.created_at.desc(), Interaction.id)
        with self._db.transaction() as session:
            return [as_turn(row) for row in session.scalars(statement.limit(query.limit).offset(query.offset))]


def _conditions(query: ConversationQuery) -> list[ColumnElement[bool]]:
    conditions = [Interaction.created_at >= query.start, Interaction.created_at < query.end]
    if query.reason:
        conditions.append(Interaction.reason == query.reason)
    if query.locale:
        conditions.append(Interaction.locale == query.locale)
    if query.channel:
        conditions.append(Interaction.channel == query.channel)
    if query.audience:
        conditions.append(asked_as(query.audience))
    if query.interaction_ids:
        conditions.append(Interaction.id.in_(query.interaction_ids))
    if query.article:
        marker = json.dumps({"article_id": query.article})[1:-1]
        stale = select(ContentHealth.interaction_id).where(ContentHealth.article_id == query.article)
        cited = Interaction.citations.contains(json.dumps(query.article), autoescape=True)
        shown = Interaction.articles.contains(marker, autoescape=True)
        conditions.append(or_(cited, shown, Interaction.id.in_(stale)))
    if query.voted_down:
        conditions.append(Interaction.id.in_(select(Vote.interaction_id).where(Vote.helpful.is_(False))))
    return conditions


def _item(vote: Vote, row: Interaction) -> FeedbackItem:
    seen = {a["article_id"]: SeenArticle(**a) for a in json.loads(row.articles or "[]")}
    cited = [seen.get(a) or SeenArticle(a, a, None, "", 0.0, True) for a in json.loads(row.citations or "[]")]
    return FeedbackItem(
        interaction_id=row.id,
        session_id=row.session_id,
        at=as_utc(vote.created_at),
        helpful=vote.helpful,
        reason=vote.reason,
        comment=redact(vote.comment) if vote.comment else None,
        question=redact(row.question),
        answer=row.answer,
        articles=tuple(cited),
    )


def _by_article(items: Sequence[FeedbackItem]) -> tuple[FeedbackCount, ...]:
    titles = {a.article_id: a.title for item in items for a in item.articles}
    counts = Counter(a.article_id for item in items for a in item.articles)
    return tuple(FeedbackCount(key, titles[key], n) for key, n in counts.most_common())


def _by_question(items: Sequence[FeedbackItem]) -> tuple[FeedbackCount, ...]:
    labels: dict[str, str] = {}
    for item in items:
        labels.setdefault(_question_key(item.question), item.question)
    counts = Counter(_question_key(item.question) for item in items)
    return tuple(FeedbackCount(key, labels[key], n) for key, n in counts.most_common())


def _question_key(question: str) -> str:
    """One question however it was cased, spaced or punctuated at the end."""
    return " ".join(question.lower().split()).rstrip("?!. ")
