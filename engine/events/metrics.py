"""Support metrics with written definitions (docs/metrics.md). Pure: facts in, numbers out.

Every rate is numerator / denominator over the same population, so it never exceeds 1."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from engine.config import HoldoutSettings
from engine.events.holdout import HoldoutReport, holdout_report
from engine.protocols import Vectors
from engine.types import Reason

HOLDOUT = str(Reason.HOLDOUT)
PICKED, NONE_OF_THESE = str(Reason.PICKED), str(Reason.NONE_OF_THESE)

GAP_IDS = 100
"""Interactions kept per content gap for drilling down."""
_HOW_PREFIXES = ("how do i ", "how can i ", "how would i ", "how to ", "how do you ", "how do we ", "how can we ")
PERIOD = timedelta(days=30)
"""The window metrics cover when no start is given: the 30 days up to the end."""
GAP_REASONS = ("no_match", "low_confidence", "stale_source", "identifier_not_found", "none_of_these")
"""Escalations that point at missing or unusable content (out-of-scope and sensitive ones do not). A conflict is no
gap: the help center has articles that answer, they disagree (or only seem to) — reported apart, as a pair to
review, never as an article to write."""
CONFLICT_REASONS = ("conflict",)
QUESTION_DECISIONS = ("answer", "escalate")
"""A question is answered or escalated; small-talk replies are no question, and a clarifying question back is
neither an answer nor an escalation (counted apart)."""


@dataclass(frozen=True)
class Slice:
    """Which questions metrics cover besides the period: one locale, one channel (API key name), one audience of the
    asker (a question asked as several audiences counts for each); None = all."""

    locale: str | None = None
    channel: str | None = None
    audience: str | None = None


EVERYTHING = Slice()


@dataclass(frozen=True)
class AskFact:
    interaction_id: str
    session_key: str
    at: datetime
    question: str
    decision: str
    reason: str
    cited: tuple[str, ...]
    audiences: tuple[str, ...] = ()
    incident_id: str | None = None
    """The active status-page incident the question was about."""
    incident_opened_at: datetime | None = None
    incident_title: str | None = None
    channel: str = ""
    shown: tuple[tuple[str, str], ...] = ()
    """(article id, title) of the articles the question was shown or weighed, best first."""


@dataclass(frozen=True)
class VoteFact:
    interaction_id: str
    at: datetime
    helpful: bool


@dataclass(frozen=True)
class TicketFact:
    session_key: str
    at: datetime
    incident_id: str | None = None


@dataclass(frozen=True)
class StaleFact:
    article_id: str
    state: str


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Gap:
    """Unanswered questions that look alike: content the KB is missing."""

    count: int
    examples: tuple[str, ...]
    title: str = ""
    """A suggested title for the article that would have answered them (docs/metrics.md says how)."""
    interaction_ids: tuple[str, ...] = ()
    """The questions of the group (the first GAP_IDS), for drilling down to the conversations."""


@dataclass(frozen=True)
class Conflict:
    """Questions escalated because two articles seemed to disagree: the pair to review (the help center does have
    articles on it)."""

    articles: tuple[str, ...]
    titles: tuple[str, ...]
    count: int
    examples: tuple[str, ...]
    interaction_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArticleCount:
    """How often answers cited an article."""

    article_id: str
    count: int
    title: str = ""


@dataclass(frozen=True)
class StaleHit:
    """How often an article matched a question best while its freshness state kept it from answering."""

    article_id: str
    state: str
    count: int
    title: str = ""


@dataclass(frozen=True)
class Day:
    day: str
    questions: int
    answered: int
    sessions: int
    contained: int
    votes: int
    helpful: int


@dataclass(frozen=True)
class IncidentStats:
    """The questions asked about one status-page incident: how many, in how many sessions, how many of those were
    contained (no ticket within the horizon), the tickets linked to it, and how long after the incident opened the
    first such question came."""

    incident_id: str
    questions: int
    sessions: int
    contained: int
    tickets: int
    opened_at: datetime | None
    first_question_after_s: float | None
    title: str | None = None
    """The incident's title as the latest question about it saw it."""


@dataclass(frozen=True)
class Metrics:
    start: datetime
    end: datetime
    questions: int
    sessions: int
    containment: Rate
    sessions_pending: int
    self_service: Rate
    helpful: Rate
    escalations: dict[str, Rate]
    tickets: int
    content_gaps: tuple[Gap, ...]
    top_articles: tuple[ArticleCount, ...]
    stale_hits: tuple[StaleHit, ...]
    days: tuple[Day, ...] = field(default_factory=tuple)
    replies: int = 0
    """Small-talk messages (greetings, thanks, goodbyes): not questions."""
    clarifications: int = 0
    """Vague messages answered with a question back."""
    holdout: HoldoutReport | None = None
    audiences: tuple[str, ...] = ()
    """The askers' audiences seen among the messages counted (what the audience filter can choose from)."""
    incidents: tuple[IncidentStats, ...] = ()
    """Per status-page incident a question was about, most questions first."""
    containment_in_incidents: Rate = Rate(0, 0)
    """Containment of the sessions with a question about an active incident…"""
    containment_outside_incidents: Rate = Rate(0, 0)
    """…and of every other session: incidents move containment, so it is shown apart."""
    confirm_rate: Rate = Rate(0, 0)
    """Customer questions answered with "is it one of these?" first (docs/metrics.md)…"""
    pick_rate: Rate = Rate(0, 0)
    """…of those, how many the customer answered by picking an option…"""
    none_rate: Rate = Rate(0, 0)
    """…and how many with "none of these" (escalated)."""
    containment_provisional: Rate = Rate(0, 0)
    """Every session so far, judged or not: those without a ticket yet over all. Becomes `containment` once the
    youngest session is judged (at `containment_final_at`)."""
    containment_final_at: datetime | None = None
    """When the last session still open is judged (its first question + the containment window); None: none open."""
    conflicts: tuple[Conflict, ...] = ()
    """Escalations for conflicting articles, per pair of articles, most questions first."""
    channels: tuple[str, ...] = ()
    """The channels (API key names) seen among the messages counted: what the channel filter can choose from."""


def compute_metrics(
    asks: Sequence[AskFact],
    votes: Sequence[VoteFact],
    tickets: Sequence[TicketFact],
    stale: Sequence[StaleFact],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    containment_hours: float,
    embed: Callable[[list[str]], Vectors],
    gap_similarity: float,
    holdout: HoldoutSettings | None = None,
    title: Callable[[str], str] = str,
    sliced: bool = False,
) -> Metrics:
    """Metrics for questions asked in [start, end); tickets and votes count whenever they happened. `sliced`: `asks`
    are one locale's, channel's or audience's, and so are the tickets counted (those of their sessions)."""
    messages = [a for a in asks if start <= a.at < end]
    if sliced:
        asked_in = {a.session_key for a in asks}
        tickets = [t for t in tickets if t.session_key in asked_in]
    window = [a for a in messages if a.decision in QUESTION_DECISIONS]
    horizon = timedelta(hours=containment_hours)
    first_ask = _first_asks([a for a in messages if a.decision != "reply"])
    mature = {key: at for key, at in first_ask.items() if at + horizon <= now}
    escalated_sessions = {key for key, at in mature.items() if _ticket_within(tickets, key, at, horizon)}
    answered = sum(a.decision == "answer" for a in window)
    reasons = Counter(a.reason for a in window if a.decision == "escalate")
    latest = _latest_votes(votes, {a.interaction_id for a in window})
    cited = Counter(article for a in window if a.decision == "answer" for article in a.cited)
    stale_counts = Counter((s.article_id, s.state) for s in stale)
    unanswered = [a for a in window if a.reason in GAP_REASONS]
    gaps = content_gaps([a.question for a in unanswered], embed, gap_similarity, [a.interaction_id for a in unanswered])
    pending = {key: at for key, at in first_ask.items() if key not in mature}
    ticketed_so_far = {key for key, at in first_ask.items() if _ticket_within(tickets, key, at, horizon)}
    ticketed = {key: key in escalated_sessions for key in mature}
    held_out = {a.session_key for a in window if a.reason == HOLDOUT}
    during = {a.session_key for a in window if a.incident_id}
    inside = {key for key in mature if key in during}
    return Metrics(
        start=start,
        end=end,
        questions=len(window),
        sessions=len(first_ask),
        containment=Rate(len(mature) - len(escalated_sessions), len(mature)),
        sessions_pending=len(first_ask) - len(mature),
        self_service=Rate(answered, len(window)),
        helpful=Rate(sum(latest.values()), len(latest)),
        escalations={reason: Rate(count, len(window)) for reason, count in reasons.most_common()},
        tickets=sum(start <= t.at < end for t in tickets),
        content_gaps=gaps[:10],
        top_articles=tuple(ArticleCount(a, n, title(a)) for a, n in cited.most_common(10)),
        stale_hits=tuple(StaleHit(a, s, n, title(a)) for (a, s), n in stale_counts.most_common(10)),
        days=_days(window, latest, tickets, now, horizon),
        replies=sum(a.decision == "reply" for a in messages),
        clarifications=sum(a.decision == "clarify" for a in messages),
        holdout=holdout_report(ticketed, held_out, holdout or HoldoutSettings()),
        audiences=tuple(sorted({audience for a in messages for audience in a.audiences})),
        incidents=incident_stats(window, tickets, mature, escalated_sessions, start, end),
        containment_in_incidents=Rate(len(inside - escalated_sessions), len(inside)),
        containment_outside_incidents=Rate(len(set(mature) - inside - escalated_sessions), len(mature) - len(inside)),
        containment_provisional=Rate(len(first_ask) - len(ticketed_so_far), len(first_ask)),
        containment_final_at=max(pending.values()) + horizon if pending else None,
        conflicts=conflicts([a for a in window if a.reason in CONFLICT_REASONS], title),
        channels=tuple(sorted({a.channel for a in messages if a.channel})),
        **confirm_rates(messages),
    )


def confirm_rates(messages: Sequence[AskFact]) -> dict[str, Rate]:
    """confirm_rate = confirms / customer questions, where a confirm and the pick or "none of these" that answers it
    are one question; pick_rate and none_rate = picks or "none of these" (of sessions with a confirm in the window,
    at most one each per confirm) / confirms."""
    confirms = [a for a in messages if a.decision == "confirm"]
    asking = {a.session_key for a in confirms}
    picks = sum(a.reason == PICKED and a.session_key in asking for a in messages)
    nones = sum(a.reason == NONE_OF_THESE and a.session_key in asking for a in messages)
    answers = sum(a.reason in (PICKED, NONE_OF_THESE) for a in messages)
    questions = sum(a.decision in QUESTION_DECISIONS for a in messages) - answers + len(confirms)
    return {
        "confirm_rate": Rate(len(confirms), questions),
        "pick_rate": Rate(min(picks, len(confirms)), len(confirms)),
        "none_rate": Rate(min(nones, len(confirms)), len(confirms)),
    }


def conflicts(asks: Sequence[AskFact], title: Callable[[str], str] = str) -> tuple[Conflict, ...]:
    """Conflict escalations grouped by the pair of articles they weighed (the two best shown), most first."""
    groups: dict[tuple[str, ...], list[AskFact]] = defaultdict(list)
    names: dict[str, str] = {}
    for ask in asks:
        pair = tuple(sorted(article for article, _ in ask.shown[:2]))
        names.update(ask.shown[:2])
        groups[pair].append(ask)
    found = [
        Conflict(
            articles=pair,
            titles=tuple(names.get(a) or title(a) for a in pair),
            count=len(members),
            examples=tuple(dict.fromkeys(a.question for a in members))[:3],
            interaction_ids=tuple(a.interaction_id for a in members)[:GAP_IDS],
        )
        for pair, members in groups.items()
    ]
    return tuple(sorted(found, key=lambda c: (-c.count, c.articles)))


def incident_stats(
    window: Sequence[AskFact],
    tickets: Sequence[TicketFact],
    mature: dict[str, datetime],
    escalated: set[str],
    start: datetime,
    end: datetime,
) -> tuple[IncidentStats, ...]:
    """Per incident: its questions, its mature sessions and how many were contained, its linked tickets opened in
    [start, end), and seconds from the incident's opening to its first question."""
    by_incident: dict[str, list[AskFact]] = defaultdict(list)
    for ask in window:
        if ask.incident_id:
            by_incident[ask.incident_id].append(ask)
    stats = []
    for incident_id, asks in by_incident.items():
        sessions = {a.session_key for a in asks} & set(mature)
        opened = next((a.incident_opened_at for a in asks if a.incident_opened_at), None)
        first = min(a.at for a in asks)
        titled = [a for a in asks if a.incident_title]
        stats.append(IncidentStats(
            incident_id=incident_id,
            questions=len(asks),
            sessions=len(sessions),
            contained=len(sessions - escalated),
            tickets=sum(t.incident_id == incident_id and start <= t.at < end for t in tickets),
            opened_at=opened,
            first_question_after_s=max(0.0, (first - opened).total_seconds()) if opened else None,
            title=max(titled, key=lambda a: a.at).incident_title if titled else None,
        ))
    return tuple(sorted(stats, key=lambda s: (-s.questions, s.incident_id)))


def _first_asks(asks: Sequence[AskFact]) -> dict[str, datetime]:
    first: dict[str, datetime] = {}
    for ask in asks:
        if ask.session_key not in first or ask.at < first[ask.session_key]:
            first[ask.session_key] = ask.at
    return first


def _ticket_within(tickets: Sequence[TicketFact], key: str, since: datetime, horizon: timedelta) -> bool:
    return any(t.session_key == key and since <= t.at <= since + horizon for t in tickets)


def _latest_votes(votes: Sequence[VoteFact], interactions: set[str]) -> dict[str, bool]:
    latest: dict[str, VoteFact] = {}
    for vote in votes:
        if vote.interaction_id in interactions:
            kept = latest.get(vote.interaction_id)
            if kept is None or vote.at >= kept.at:
                latest[vote.interaction_id] = vote
    return {key: vote.helpful for key, vote in latest.items()}


def _days(
    window: Sequence[AskFact],
    latest: dict[str, bool],
    tickets: Sequence[TicketFact],
    now: datetime,
    horizon: timedelta,
) -> tuple[Day, ...]:
    by_day: dict[str, list[AskFact]] = defaultdict(list)
    for ask in window:
        by_day[ask.at.date().isoformat()].append(ask)
    days = []
    for day, asks in sorted(by_day.items()):
        first = _first_asks(asks)
        mature = {key: at for key, at in first.items() if at + horizon <= now}
        contained = sum(not _ticket_within(tickets, key, at, horizon) for key, at in mature.items())
        voted = [latest[a.interaction_id] for a in asks if a.interaction_id in latest]
        days.append(
            Day(
                day=day,
                questions=len(asks),
                answered=sum(a.decision == "answer" for a in asks),
                sessions=len(mature),
                contained=contained,
                votes=len(voted),
                helpful=sum(voted),
            )
        )
    return tuple(days)


def content_gaps(
    questions: Sequence[str],
    embed: Callable[[list[str]], Vectors],
    similarity: float,
    ids: Sequence[str] = (),
) -> tuple[Gap, ...]:
    """Greedy clustering: each question joins the first group whose first question is at least `similarity`
    cosine-close; groups are returned largest first, each with a suggested article title and its questions' `ids`."""
    if not questions:
        return ()
    vectors = np.asarray(embed(list(questions)), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    leaders: list[int] = []
    members: list[list[int]] = []
    for index, vector in enumerate(vectors):
        if leaders:
            scores = vectors[leaders] @ vector
            best = int(np.argmax(scores))
            if scores[best] >= similarity:
                members[best].append(index)
                continue
        leaders.append(index)
        members.append([index])
    groups = sorted(members, key=lambda m: (-len(m), m[0]))
    return tuple(_gap([questions[i] for i in m], [ids[i] for i in m] if ids else []) for m in groups)


def _gap(questions: list[str], ids: list[str]) -> Gap:
    examples = tuple(dict.fromkeys(questions))[:3]
    return Gap(len(questions), examples, suggest_title(questions), tuple(ids[:GAP_IDS]))


def suggest_title(questions: Sequence[str]) -> str:
    """A help-article title for a group of questions: its most typical (most frequent, then shortest) question,
    rephrased as a "How to …" title when it asks how, else as a statement, without the customer's "my" and "I"."""
    counts = Counter(" ".join(q.split()).rstrip("?!. ").lower() for q in questions if q.strip())
    if not counts:
        return ""
    text = min(counts, key=lambda q: (-counts[q], len(q)))
    for prefix in _HOW_PREFIXES:
        if text.startswith(prefix):
            text = "how to " + text.removeprefix(prefix)
            break
    text = re.sub(r"\bmy\b", "your", text)
    text = re.sub(r"\b(i|i'm|me)\b", "you", text)
    return text[:1].upper() + text[1:]
