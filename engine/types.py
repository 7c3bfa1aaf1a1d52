"""Typed objects passed between the pipeline's stages: articles, chunks, candidates, answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

ArticleStatus = Literal["published", "draft", "archived"]
PUBLIC_AUDIENCE = "public"
Clock = Callable[[], datetime]
"""The engine's idea of now (UTC): wiring.settings_clock in production, a fixed time in tests and evals."""


@dataclass(frozen=True)
class Article:
    """One help-center article after parsing: metadata plus a cleaned Markdown body."""

    id: str
    title: str
    body: str
    url: str | None = None
    status: ArticleStatus = "published"
    updated_at: datetime | None = None
    review_by: datetime | None = None
    expires_at: datetime | None = None
    audience: tuple[str, ...] = (PUBLIC_AUDIENCE,)
    locale: str = "en"
    tags: tuple[str, ...] = ()
    category: str | None = None
    owner: str | None = None
    superseded_by: str | None = None
    description: str | None = None
    source: str = ""
    path: str = ""
    content_hash: str = ""


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: what is embedded, scored and quoted."""

    id: str
    article_id: str
    ordinal: int
    heading_path: tuple[str, ...]
    anchor: str | None
    text: str
    index_text: str
    text_hash: str


@dataclass(frozen=True)
class FileProblem:
    """A source file (or one record in it) that could not be ingested, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class CleaningExample:
    """One kind of text cleaning removed, as an editor can check it: the text (or the start of a list) and how often."""

    kind: str  # boilerplate | link_list | navigation | component
    text: str
    count: int


@dataclass(frozen=True)
class CleaningReport:
    """What ingest removed from a source's articles as page chrome."""

    articles_changed: int = 0
    boilerplate_lines: int = 0  # lines repeated across many of the source's articles (navigation, feedback, footer)
    link_lists: int = 0  # lists made only of links ("Related articles", sitemaps)
    navigation_runs: int = 0  # runs of menu-like lines, or menu items glued into one line, in plain-text bodies
    components: int = 0  # JSX/MDX components spanning several lines (`<CtaBox …/>`), removed whole
    page_heads: int = 0  # lines of a crawled page's header (above its main heading) in plain-text bodies
    examples: tuple[CleaningExample, ...] = ()


@dataclass(frozen=True)
class ParsedSource:
    """What the loader made of an ingest root: the good articles, the problems and what cleaning removed."""

    articles: tuple[Article, ...]
    problems: tuple[FileProblem, ...]
    cleaning: CleaningReport = CleaningReport()


@dataclass(frozen=True)
class IngestReport:
    """The outcome of one ingest run."""

    source: str
    generation: str
    articles_total: int
    articles_added: int
    articles_updated: int
    articles_unchanged: int
    articles_removed: int
    chunks_total: int
    chunks_embedded: int
    problems: tuple[FileProblem, ...]
    seconds: float
    cleaning: CleaningReport = CleaningReport()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Query:
    """A customer question plus who is asking (audience) and in which language (locale)."""

    text: str
    audience: tuple[str, ...] = (PUBLIC_AUDIENCE,)
    locale: str | None = None


@dataclass(frozen=True)
class Scope:
    """What one question may see beyond the asker's own filters, and how deep to rank: passed per call, never
    stored on the service. `exclude`: articles treated as absent (the eval's "gold removed"); `depth`: articles
    to rank (default: the retrieval settings' max_articles)."""

    exclude: frozenset[str] = frozenset()
    depth: int | None = None


@dataclass(frozen=True)
class ScoredChunk:
    """A chunk with its scores from each index and after fusion; ranks are 1-based, None = not retrieved."""

    chunk: Chunk
    bm25: float
    dense: float
    fused: float
    bm25_rank: int | None = None
    dense_rank: int | None = None


@dataclass(frozen=True)
class Candidate:
    """An article as a retrieval result: its best chunks first, scored by the best one."""

    article: Article
    chunks: tuple[ScoredChunk, ...]

    @property
    def best(self) -> ScoredChunk:
        return self.chunks[0]

    @property
    def fused(self) -> float:
        return self.chunks[0].fused


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found for a query, plus facts the decision needs."""

    candidates: tuple[Candidate, ...]
    eligible_articles: int
    query_terms: tuple[str, ...]


class Reason(StrEnum):
    """Why the engine answered or escalated."""

    ANSWERED = "answered"
    NO_MATCH = "no_match"
    LOW_CONFIDENCE = "low_confidence"
    OUT_OF_SCOPE = "out_of_scope"
    SENSITIVE_TOPIC = "sensitive_topic"
    STALE_SOURCE = "stale_source"
    CONFLICT = "conflict"
    EMPTY_QUESTION = "empty_question"
    TICKET_STATUS = "ticket_status"
    """A question about the asker's own ticket, answered from it rather than from the articles."""
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    CUSTOMER_REQUEST = "customer_request"
    VAGUE = "vague"
    AMBIGUOUS = "ambiguous"
    """Asked back: the message points at "this library" and several articles are about different ones."""
    UNSERVED_LANGUAGE = "unserved_language"
    """Asked in a language the help center has no articles in, and the default locale's did not answer."""
    IDENTIFIER_NOT_FOUND = "identifier_not_found"
    """The question names an error code, message id or CVE that no article found mentions (a content gap)."""
    CONFLICT_EARLIER = "conflict_earlier"
    """The answer contradicts an earlier answer of the same session."""
    KNOWN_INCIDENT = "known_incident"
    """About a component the status page reports an active incident for: the notice answers; tickets are linked
    to the incident and updated when it is resolved (docs/incidents.md)."""
    OTHER_AUDIENCE = "other_audience"
    """The best match is an article only another audience may see (admins, agents), clearly ahead of every article
    the asker may see: those are its neighbours, so a person answers. The detail names the audience, not the
    article (previewing as that audience shows it)."""
    HOLDOUT = "holdout"
    """The session is in the holdout arm (docs/metrics.md): search results only, no answer, no automatic ticket."""
    UNSURE = "unsure"
    """Confidence in the confirm band (decision "confirm"): the customer is asked which of the best articles their
    question is about instead of being answered from the first one (docs/guardrails.md)."""
    PICKED = "picked"
    """Answered from the article the customer picked among a confirm's options."""
    NONE_OF_THESE = "none_of_these"
    """The customer said none of a confirm's options is what they asked about: a person answers (a content gap)."""


@dataclass(frozen=True)
class Citation:
    """A source the answer was built from."""

    article_id: str
    title: str
    url: str | None
    anchor: str | None
    snippet: str
    score: float
    updated_at: datetime | None


@dataclass(frozen=True)
class Signals:
    """The inputs of the confidence estimate, kept so they can be shown and calibrated."""

    fused: float = 0.0
    dense: float = 0.0
    bm25_norm: float = 0.0
    margin: float = 0.0
    agreement: float = 0.0
    coverage: float = 0.0
    oov: float = 0.0
    """Share of the question's terms that appear nowhere in the KB: high for off-topic questions."""


@dataclass(frozen=True)
class Suggestion:
    """A topic offered back to a vague message: asking `question` retrieves the article."""

    article_id: str
    title: str
    question: str


DecisionKind = Literal["answer", "escalate", "reply", "clarify", "confirm"]
"""answer: from articles; escalate: to a person; reply: small talk, no question; clarify: a question back; confirm:
"is it one of these?" with the best articles as options (a pick answers from it, "none of these" escalates)."""


@dataclass(frozen=True)
class Decision:
    """The engine's reply to one message: an answer with citations, an escalation with a reason, a small-talk reply,
    or a clarifying question with suggestions."""

    decision: DecisionKind
    answer: str | None
    citations: tuple[Citation, ...]
    confidence: float
    reason: Reason
    candidates: tuple[Candidate, ...] = ()
    signals: Signals = field(default_factory=Signals)
    priority: str = "normal"
    """Ticket priority when escalated: sensitive topics are high or urgent."""
    flags: tuple[str, ...] = ()
    """Observations that did not change the decision, e.g. injection_suspected."""
    detail: str = ""
    """Why, in words (e.g. which sensitive topic and what matched)."""
    ineligible_leaders: tuple[tuple[str, str], ...] = ()
    """(article id, freshness state) of articles that matched best but may not answer: content-health signals."""
    conflict: tuple[str, str] | None = None
    """(answering article, disagreeing article) when sources disagree (Reason.CONFLICT): a pair for review."""
    message: str | None = None
    """What to say to the customer besides (or instead of) an answer: a reply, a clarifying question, an
    acknowledgement of a request for a person or of frustration, a note that the answer is in another language."""
    suggestions: tuple[Suggestion, ...] = ()
    """Topics to pick from (decision "clarify"), or the articles offered (decision "confirm")."""

    @property
    def answered(self) -> bool:
        return self.decision == "answer"

    @property
    def escalated(self) -> bool:
        return self.decision == "escalate"

    @property
    def confirming(self) -> bool:
        return self.decision == "confirm"


@dataclass(frozen=True)
class Delta:
    """A piece of a streamed answer; the pieces concatenated are the answer."""

    text: str


@dataclass(frozen=True)
class Final:
    """The last event of a stream: the whole decision (an escalation arrives as a Final with no Delta before it)."""

    decision: Decision
    replaced: bool = False
    """True when the streamed pieces were superseded (the LLM reply fell back after some pieces were sent): show
    decision.answer instead of them."""


StreamEvent = Delta | Final


@dataclass(frozen=True)
class SeenArticle:
    """An article shown (cited or ranked) for a question, with the version the customer saw."""

    article_id: str
    title: str
    url: str | None
    version: str
    """Last-updated date plus a short content hash: which text the customer saw."""
    score: float
    cited: bool


@dataclass(frozen=True)
class Turn:
    """One question of a session and what the engine replied: the transcript a ticket carries."""

    interaction_id: str
    session_id: str | None
    at: datetime
    question: str
    decision: str
    reason: str
    confidence: float
    answer: str | None
    articles: tuple[SeenArticle, ...]
    priority: str = "normal"
    locale: str | None = None
    incident_id: str | None = None
    """The active status-page incident the question was about, if any."""


@dataclass(frozen=True)
class Customer:
    """Who is asking, as far as the request or its API key says."""

    id: str | None = None
    email: str | None = None
    name: str | None = None
    plan: str | None = None


@dataclass(frozen=True)
class Question:
    """A customer's question as a turn of a conversation: what is asked (and as whom), in which session, from which
    channel (an API key's name, `cli`), and who to hand over to if it escalates."""

    query: Query
    session_id: str | None = None
    """None starts a new session."""
    channel: str = ""
    customer: Customer = field(default_factory=Customer)
    contact_first: bool = False
    """Ask an unidentified customer for an email before their first ticket is filed (the widget): an escalation of
    a session without a ticket then files nothing yet; `conversation.request_human` files it, with or without one."""
    pick: Pick | None = None
    """The customer's answer to an earlier "is it one of these?" (decision confirm) of the same session."""


@dataclass(frozen=True)
class Pick:
    """A choice among a confirm's options: `article_id` answers from that article; None is "none of these"."""

    interaction_id: str
    article_id: str | None = None


@dataclass(frozen=True)
class Feedback:
    """A helpful / not helpful vote on one answered question."""

    interaction_id: str
    helpful: bool
    reason: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class HelpRequest:
    """"Still need help?": a customer asks for a person. Without a question or interaction, the session's last
    question is the one handed over."""

    session_id: str
    interaction_id: str | None = None
    question: str | None = None
    message: str | None = None
    customer: Customer = field(default_factory=Customer)


@dataclass(frozen=True)
class SessionAccess:
    """Which conversations a caller may act on: staff every one, a customer only the session it was handed."""

    session_id: str | None = None
    every_session: bool = False
    may_change_contact: bool = True
    """False for a session handed to another site's widget than the one asking now: it may act in the session but
    not change the email an agent replies to (a leaked session id must not redirect the replies)."""

    def allows(self, session_id: str | None) -> bool:
        return self.every_session or (self.session_id is not None and session_id == self.session_id)
