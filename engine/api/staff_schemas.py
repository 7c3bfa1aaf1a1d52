"""Bodies of the staff side of the API: ticket triage, feedback, the conversations behind the dashboard's numbers,
and the metrics (docs/api.md, docs/metrics.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.api import schemas
from engine.api.input_text import Text
from engine.api.schemas import FromEngine, IsoTime, SeenArticleOut, TicketOut

STATUS_PATTERN = r"^(open|pending|solved)$"


class TicketChangeRequest(BaseModel):
    """An agent's change to a ticket; omitted fields stay as they are. Send the version you saw in If-Match."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "pending", "solved"] | None = None
    assignee: Text | None = Field(default=None, max_length=100, description='Agent name; "" unassigns.')
    note: Text | None = Field(default=None, min_length=1, max_length=5000, description="Internal note (agents only).")


class FeedbackItemOut(FromEngine):
    interaction_id: str
    session_id: str | None
    at: IsoTime = Field(description="When the (latest) vote was cast.")
    helpful: bool
    reason: str | None
    comment: str | None = Field(description="As stored: personal data redacted.")
    question: str = Field(description="As stored: personal data redacted.")
    answer: str | None
    articles: list[SeenArticleOut] = Field(description="The articles the answer cited.")


class FeedbackCountOut(FromEngine):
    key: str = Field(description="The article id, or the question lower-cased.")
    label: str = Field(description="The article title, or the question as first asked.")
    count: int


class FeedbackOut(FromEngine):
    """Votes on answers asked in the period whose latest vote is the one asked for (👎 by default)."""

    items: list[FeedbackItemOut]
    by_article: list[FeedbackCountOut]
    by_question: list[FeedbackCountOut]


class RateOut(FromEngine):
    numerator: int
    denominator: int
    value: float | None = Field(description="numerator / denominator; null when the denominator is 0.")


class GapOut(FromEngine):
    count: int
    examples: list[str]
    title: str = Field(description="Suggested title of the article that would have answered these questions.")
    interaction_ids: list[str] = Field(description="The questions of the group (up to 100), for drilling down.")


class ConflictOut(FromEngine):
    articles: list[str] = Field(description="The ids of the two articles the questions weighed.")
    titles: list[str]
    count: int
    examples: list[str]
    interaction_ids: list[str] = Field(description="The questions (up to 100), for drilling down.")


class DayOut(FromEngine):
    day: str
    questions: int
    answered: int
    sessions: int
    contained: int
    votes: int
    helpful: int


class ArticleCount(FromEngine):
    article_id: str
    title: str
    count: int


class StaleHitOut(FromEngine):
    article_id: str
    title: str
    state: str
    count: int


class ArmOut(FromEngine):
    sessions: int = Field(description="Judged sessions of the arm.")
    tickets: int = Field(description="Of those, sessions with a ticket within the containment window.")
    rate: float | None


class HoldoutOut(FromEngine):
    """The randomized holdout (docs/metrics.md): ticket rate per arm and tickets prevented per 100 sessions."""

    share: float = Field(description="Configured share of sessions held out (ENGINE_HOLDOUT__SHARE).")
    holdout: ArmOut
    answered: ArmOut
    deflection: float | None = Field(description="Tickets prevented per 100 sessions: holdout rate − answered rate.")
    low: float | None = Field(description="95 % confidence interval, lower end (per 100 sessions).")
    high: float | None = Field(description="95 % confidence interval, upper end (per 100 sessions).")
    precision: float = Field(description="Wanted 95 % half-width, per 100 sessions (ENGINE_HOLDOUT__PRECISION).")
    sessions_needed: int = Field(description="Judged sessions (both arms) needed for that precision.")


class IncidentStatsOut(FromEngine):
    """Questions about one status-page incident (docs/incidents.md)."""

    incident_id: str
    title: str | None = Field(description="The incident's title as its latest question saw it (None: logged before "
                              "titles were kept).")
    questions: int
    sessions: int = Field(description="Sessions with a question about it, old enough to judge containment.")
    contained: int = Field(description="Of those, sessions without a ticket within the containment window.")
    tickets: int = Field(description="Tickets linked to the incident, opened in the period.")
    opened_at: IsoTime | None
    first_question_after_s: float | None = Field(description="Seconds from the incident's opening to its first "
                                                 "question.")


class MetricsOut(FromEngine):
    """The metrics of docs/metrics.md as GET /v1/metrics and `engine metrics` print them."""

    start: IsoTime
    end: IsoTime
    questions: int
    sessions: int
    containment: RateOut
    sessions_pending: int = Field(description="Sessions younger than the containment window: not yet counted.")
    self_service: RateOut
    helpful: RateOut
    escalations: dict[str, RateOut]
    tickets: int
    content_gaps: list[GapOut]
    top_articles: list[ArticleCount]
    stale_hits: list[StaleHitOut]
    days: list[DayOut]
    holdout: HoldoutOut | None = Field(description="Null when the holdout is off and none of its sessions is seen.")
    replies: int = Field(description="Small-talk messages (greetings, thanks, goodbyes): not questions.")
    clarifications: int = Field(description="Vague messages answered with a question back: neither answered "
                                "nor escalated.")
    audiences: list[str] = Field(default=[], description="The askers' audiences seen among the messages counted.")
    incidents: list[IncidentStatsOut] = Field(default=[], description="Per status-page incident asked about.")
    containment_in_incidents: RateOut = Field(description="Containment of sessions with a question about an active "
                                              "incident.")
    containment_outside_incidents: RateOut = Field(description="Containment of every other session.")
    confirm_rate: RateOut = Field(description="Customer questions first answered with \"is it one of these?\" "
                                  "(decision confirm; a confirm and its pick are one question).")
    pick_rate: RateOut = Field(description="Confirms the customer answered by picking an option (reason picked).")
    none_rate: RateOut = Field(description="Confirms answered with \"none of these\" (escalated, reason "
                               "none_of_these).")
    containment_provisional: RateOut = Field(description="Every session so far, judged or not: those without a "
                                             "ticket yet over all. Provisional until `containment_final_at`.")
    containment_final_at: IsoTime | None = Field(description="When the last session still open is judged: from "
                                                 "then on the period's containment is final. Null: none is open.")
    conflicts: list[ConflictOut] = Field(default=[], description="Escalations for conflicting articles, per pair of "
                                         "articles: content to review, not content gaps.")
    channels: list[str] = Field(default=[], description="The channels (API key names) seen among the messages counted.")


class TicketDetailOut(TicketOut):
    """A ticket as GET /v1/tickets/{id} shows it: with the customer's votes on the conversation's answers."""

    feedback: list[FeedbackItemOut] = Field(default_factory=list, description="The latest 👍/👎 on each answer of the "
                                            "ticket's conversation, oldest first, with the reason and comment the "
                                            "customer gave (redacted).")


TicketDetailOut.model_rebuild(_types_namespace={**vars(schemas), **globals()})  # TicketOut's names live in schemas
