"""Request and response bodies of the HTTP API (they are also its OpenAPI schema). Responses are read from the
engine's own objects (`model_validate(obj)`, from attributes) wherever the shapes match."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from engine.answer.render import decision_to_dict
from engine.api.incident_schemas import IncidentLinkOut, IncidentNoticeOut
from engine.api.input_text import Email, Text
from engine.conversation import Reply
from engine.desk import AgentPreview
from engine.freshness.policy import Verdict
from engine.types import Candidate, Pick
from engine.types import Customer as CustomerFacts

MAX_QUESTION_CHARS = 4000
SNIPPET_CHARS = 300


def _isoformat(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _isodate(value: object) -> object:
    return value.date().isoformat() if isinstance(value, datetime) else value


IsoTime = Annotated[str, BeforeValidator(_isoformat)]
"""A time as ISO 8601 text (read from a datetime)."""
IsoDate = Annotated[str, BeforeValidator(_isodate)]
"""A day as YYYY-MM-DD (read from a datetime)."""


class FromEngine(BaseModel):
    """A response body that reads the engine's own object of the same shape: `Model.model_validate(obj)`."""

    model_config = ConfigDict(from_attributes=True)


def requested_audiences(audience: list[str] | str | None) -> tuple[str, ...] | None:
    """`audience` as given in a request (one name or a list), None when absent or empty."""
    if audience is None:
        return None
    return (audience,) if isinstance(audience, str) else tuple(audience) or None


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$",
                              description="Where an agent replies: checked to look like an address.")
    name: str | None = Field(default=None, max_length=200)
    plan: str | None = Field(default=None, max_length=100)

    def facts(self) -> CustomerFacts:
        """What the request says about the customer, as the engine's type."""
        return CustomerFacts(**self.model_dump())


class CustomerIn(Customer):
    """Who is asking, as a request says it: plain text only, and an email that email-validator accepts."""

    id: Text | None = Field(default=None, max_length=200)
    email: Email | None = Field(default=None, max_length=320, description="Where an agent replies: a valid address.")
    name: Text | None = Field(default=None, max_length=200)
    plan: Text | None = Field(default=None, max_length=100)


class PickRequest(BaseModel):
    """The customer's answer to "is it one of these?" (decision confirm)."""

    model_config = ConfigDict(extra="forbid")

    interaction_id: str = Field(min_length=36, max_length=36, pattern=r"^[0-9a-f\-]{36}$",
                                description="The confirm's interaction_id (of the same session).")
    article_id: str | None = Field(default=None, min_length=1, max_length=500,
                                   description="The option picked (one of the confirm's suggestions); null = "
                                   "\"none of these\": escalates, with the ticket pre-filled.")

    def facts(self) -> Pick:
        return Pick(self.interaction_id, self.article_id)


class AskRequest(BaseModel):
    """A customer's question and, optionally, who is asking."""

    model_config = ConfigDict(extra="forbid")

    question: Text = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="The customer's question.")
    session_id: str | None = Field(default=None, max_length=200, pattern=r"^[\w\-.:]+$")
    customer: CustomerIn | None = None
    audience: list[str] | str | None = Field(default=None, description="Audience(s) of the asker, e.g. 'admins'.")
    locale: str | None = Field(default=None, max_length=35, pattern=r"^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$")
    stream: bool = Field(default=False, description="Stream the answer as server-sent events (also: Accept: "
                         "text/event-stream).")
    contact_first: bool = Field(default=False, description="Ask for an email before filing a ticket: when the "
                                "customer has none and the key vouches for no one, an escalation of a session "
                                "without a ticket answers `ticket_pending` and files nothing until POST "
                                "/v1/escalate (with the email, or without it when the customer declines).")
    pick: PickRequest | None = Field(default=None, description="Answer a confirm: send the same `question` and "
                                     "`session_id` with the option picked (answered from that article, reason "
                                     "`picked`) or `article_id: null` for \"none of these\" (escalated, reason "
                                     "`none_of_these`).")

    @field_validator("question")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question is empty or only whitespace")
        return value

    def audiences(self) -> tuple[str, ...] | None:
        """The audiences asked for, or None when the request did not say."""
        return requested_audiences(self.audience)


class CitationOut(BaseModel):
    article_id: str
    title: str
    url: str | None
    score: float
    snippet: str
    updated_at: str | None = Field(description="Date the cited article was last updated (YYYY-MM-DD).")
    affected: bool = Field(default=False, description="An active incident affects this article: its steps may not "
                           "work until the incident is resolved (see `incident`).")


class TicketRef(FromEngine):
    id: int
    reference: str = Field(description="What the customer quotes, e.g. T-000042.")
    status: str
    version: int
    has_contact: bool = Field(description="Whether the ticket has an email an agent can reply to.")


class SuggestionOut(FromEngine):
    article_id: str
    title: str
    question: str = Field(description="Send this as the next question when the customer picks the topic.")


DECISION_DOC = ("answer: from articles (answer, citations); escalate: to a person (ticket); reply: small talk "
                "(greeting, thanks, goodbye), not a question, no ticket; clarify: a question back (message) with "
                "topics to pick from (suggestions), neither an answer nor an escalation; confirm: \"is it one of "
                "these?\" (message) with the best articles as suggestions, answered by the next request's `pick`.")
DecisionName = Literal["answer", "escalate", "reply", "clarify", "confirm"]


class AskResponse(BaseModel):
    interaction_id: str
    session_id: str = Field(description="Send it back with the next question to keep one conversation.")
    decision: DecisionName = Field(description=DECISION_DOC)
    answer: str | None
    citations: list[CitationOut]
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str
    ticket: TicketRef | None = Field(default=None, description="The ticket an escalation opened or updated.")
    message: str | None = Field(default=None, description="What to say to the customer, in their language: the "
                                "reply, the clarifying question, the acknowledgement of an escalation, or a note "
                                "shown above the answer. Null when there is nothing to add.")
    suggestions: list[SuggestionOut] = Field(default_factory=list, description="Topics for decision clarify; the "
                                             "articles offered for decision confirm (pick one with `pick`).")
    contact_needed: bool = Field(default=False, description="Nobody can reply to the customer yet: ask for an "
                                 "email and send it with POST /v1/escalate (`session_id`, `interaction_id`, "
                                 "`customer.email`).")
    ticket_pending: bool = Field(default=False, description="With `contact_first`: the escalation's ticket is filed "
                                 "only by POST /v1/escalate, with the customer's email or without it (declined).")
    incident: IncidentNoticeOut | None = Field(default=None, description="An active incident the question is about: "
                                               "show it first. Offer POST /v1/incidents/{id}/notify (\"tell me when "
                                               "it's fixed\") rather than a new ticket.")
    language: str = Field(default="en", description="The language the reply is worded in (ISO 639-1, e.g. `de`): "
                          "word the labels around it (buttons, dates, forms) in it too.")

    @classmethod
    def of(cls, reply: Reply) -> AskResponse:
        ticket = TicketRef.model_validate(reply.ticket) if reply.ticket else None
        decision = reply.decision
        return cls(
            interaction_id=reply.interaction_id,
            session_id=reply.session_id,
            ticket=ticket,
            message=decision.message,
            suggestions=[SuggestionOut.model_validate(s) for s in decision.suggestions],
            contact_needed=reply.contact_needed,
            ticket_pending=reply.ticket_pending,
            incident=IncidentNoticeOut.model_validate(reply.incident) if reply.incident else None,
            language=reply.language,
            **_marked(decision_to_dict(decision), reply),
        )


def _marked(decision: dict[str, Any], reply: Reply) -> dict[str, Any]:
    """The decision's JSON with the citations an active incident affects marked `affected`."""
    affected = set(reply.incident.affected_articles) if reply.incident else set()
    citations = [{**c, "affected": c["article_id"] in affected} for c in decision["citations"]]
    return {**decision, "citations": citations}


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class FreshnessRow(FromEngine):
    article_id: str
    title: str
    state: str = Field(description="fresh, due_soon, stale, expired, archived, draft, superseded or suspect")
    rule: str = Field(description="The rule that decided the state.")
    detail: str
    owner: str | None
    updated_at: IsoDate | None
    questions_30d: int = Field(
        validation_alias="hits_30d", description="Questions that matched it best while it could not answer (30 days)."
    )


SESSION_ID = Field(default=None, max_length=200, pattern=r"^[\w\-.:]+$")
INTERACTION_ID = Field(min_length=36, max_length=36, pattern=r"^[0-9a-f\-]{36}$")


class FeedbackRequest(BaseModel):
    """A helpful / not helpful vote on one answer."""

    model_config = ConfigDict(extra="forbid")

    interaction_id: str = INTERACTION_ID
    helpful: bool
    session_id: str | None = SESSION_ID
    reason: Literal["wrong", "outdated", "unclear", "incomplete", "not_my_question", "other"] | None = None
    comment: Text | None = Field(default=None, max_length=2000)


class FeedbackResponse(BaseModel):
    interaction_id: str
    helpful: bool
    stored: Literal[True] = True


class EscalateRequest(BaseModel):
    """"Still need help?": open (or update) the session's ticket. The widget pre-fills the question. For an
    escalation that waits for an email (`ticket_pending`), name its `interaction_id`: the session's waiting
    escalations are filed, with `customer.email` or, without it, flagged as having no contact."""

    model_config = ConfigDict(extra="forbid")

    session_id: str | None = SESSION_ID
    interaction_id: str | None = Field(default=None, min_length=36, max_length=36, pattern=r"^[0-9a-f\-]{36}$")
    question: Text | None = Field(default=None, min_length=1, max_length=MAX_QUESTION_CHARS)
    message: Text | None = Field(default=None, max_length=4000)
    customer: CustomerIn | None = None


class SeenArticleOut(FromEngine):
    article_id: str
    title: str
    url: str | None
    version: str = Field(description="Last-updated date and content hash of the text that was shown.")
    score: float
    cited: bool


class TurnOut(FromEngine):
    interaction_id: str
    session_id: str | None
    at: IsoTime
    question: str = Field(description="As stored: personal data redacted.")
    decision: str
    reason: str
    confidence: float
    answer: str | None
    articles: list[SeenArticleOut]
    priority: str
    locale: str | None


class DeliveryOut(FromEngine):
    target: str
    event: str
    version: int
    attempts: int
    delivered_at: IsoTime | None
    next_attempt_at: IsoTime | None
    last_error: str | None


class LaterReasonOut(FromEngine):
    at: IsoTime
    reason: str
    question: str


class TicketOut(FromEngine):
    id: int
    reference: str
    status: str
    version: int
    created_at: IsoTime
    updated_at: IsoTime
    subject: str
    question: str
    message: str | None
    transcript: list[TurnOut]
    articles: list[SeenArticleOut]
    reason: str
    confidence: float
    customer: Customer
    locale: str | None
    category: str | None
    priority: str
    tags: list[str]
    session_id: str | None
    interaction_id: str | None
    assignee: str | None
    notes: list[NoteOut] = Field(description="Internal notes, oldest first: agents only.")
    deliveries: list[DeliveryOut]
    has_contact: bool = Field(description="Whether the customer left an email an agent can reply to.")
    later_reasons: list[LaterReasonOut] = Field(description="Later escalations of the session, oldest first: the "
                                                "subject and reason stay those of the first.")
    incident: IncidentLinkOut | None = Field(default=None, description="The status-page incident the ticket is about "
                                             "(its parent): GET /v1/tickets?incident=ID lists its siblings.")


class NoteOut(FromEngine):
    author: str
    at: IsoTime
    text: str


class SessionOut(FromEngine):
    session_id: str
    turns: list[TurnOut]
    tickets: list[TicketRef]


class OwnTicketOut(FromEngine):
    """A ticket as its own customer sees it in the widget: where it stands, never the agents' internals."""

    reference: str = Field(description="What the customer quotes, e.g. T-000042.")
    status: str
    subject: str
    created_at: IsoTime
    updated_at: IsoTime = Field(description="When the ticket last changed.")
    message: str | None = Field(description="The latest note the customer added, if any.")


class PreviewRequest(BaseModel):
    """An agent's question, as a customer with this audience and locale would ask it."""

    model_config = ConfigDict(extra="forbid")

    question: Text = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    audience: list[str] | str | None = None
    locale: str | None = Field(default=None, max_length=35, pattern=r"^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$")

    def audiences(self) -> tuple[str, ...]:
        return requested_audiences(self.audience) or ("public",)


class CandidateOut(BaseModel):
    article_id: str
    title: str
    url: str | None
    heading: str = Field(description="Heading path of the best-matching passage.")
    snippet: str
    fused: float
    bm25: float
    dense: float
    bm25_rank: int | None
    dense_rank: int | None
    state: str = Field(description="Freshness state: fresh, due_soon, stale, expired, archived, draft, superseded…")
    eligible: bool = Field(description="Whether this article may answer customers now.")
    rule: str
    detail: str

    @classmethod
    def of(cls, candidate: Candidate, verdict: Verdict) -> CandidateOut:
        best = candidate.best
        return cls(
            article_id=candidate.article.id,
            title=candidate.article.title,
            url=candidate.article.url,
            heading=" › ".join(best.chunk.heading_path),
            snippet=best.chunk.text[:SNIPPET_CHARS],
            fused=round(best.fused, 4),
            bm25=round(best.bm25, 4),
            dense=round(best.dense, 4),
            bm25_rank=best.bm25_rank,
            dense_rank=best.dense_rank,
            state=str(verdict.state),
            eligible=verdict.eligible,
            rule=verdict.rule,
            detail=verdict.detail,
        )


class PreviewResponse(BaseModel):
    decision: DecisionName
    answer: str | None
    citations: list[CitationOut]
    confidence: float
    reason: str
    detail: str
    priority: str
    flags: list[str]
    threshold: float
    confirm_band: list[float] | None = Field(default=None, description="[from, below): the confidences at which "
                                             "the customer is asked \"is it one of these?\"; null = never.")
    suggestions: list[SuggestionOut] = Field(default_factory=list, description="The articles a confirm offers.")
    generation: str
    candidates: list[CandidateOut]

    @classmethod
    def of(cls, found: AgentPreview) -> PreviewResponse:
        result = found.preview
        decision = result.decision
        return cls(
            **decision_to_dict(decision),
            detail=decision.detail,
            priority=decision.priority,
            flags=list(decision.flags),
            threshold=found.threshold,
            confirm_band=[found.confirm_band.low, found.confirm_band.high] if found.confirm_band else None,
            suggestions=[SuggestionOut.model_validate(s) for s in decision.suggestions],
            generation=result.generation,
            candidates=[CandidateOut.of(c, result.verdicts[c.article.id]) for c in result.candidates],
        )


class ArticlesRequest(BaseModel):
    """Articles to add or replace, as JSON objects with the same fields as a JSONL export line."""

    model_config = ConfigDict(extra="forbid")

    articles: list[dict[str, object]] = Field(min_length=1, max_length=1000)
    source: str = Field(default="api", pattern=r"^[\w\-.:]{1,100}$")


class ProblemOut(FromEngine):
    path: str
    reason: str


class CleaningExampleOut(FromEngine):
    kind: str = Field(description="boilerplate, link_list, navigation, page_head or component")
    text: str = Field(description="the text removed (a list or menu: its first items)")
    count: int = Field(description="how many times it was removed")


class CleaningOut(FromEngine):
    """What ingest removed from the articles as page chrome, so an editor can check it."""

    articles_changed: int
    boilerplate_lines: int = Field(description="lines repeated across many of the source's articles")
    link_lists: int = Field(description="lists made only of links")
    navigation_runs: int = Field(description="menu runs, or menu items glued into one line, in plain-text bodies")
    components: int = Field(description="JSX/MDX components spanning several lines, removed whole")
    page_heads: int = Field(description="lines of a crawled page's header above its main heading (plain-text bodies)")
    examples: list[CleaningExampleOut]


class IngestOut(FromEngine):
    generation: str
    articles_total: int
    articles_added: int
    articles_updated: int
    articles_unchanged: int
    articles_removed: int
    chunks_embedded: int
    problems: list[ProblemOut]
    cleaning: CleaningOut
