"""The composition root: the only place that picks concrete classes from Settings."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, partial

from pydantic import ValidationError

from engine.answer.composer import Composer
from engine.answer.confidence import load_confidence
from engine.answer.extractive import ExtractiveComposer
from engine.answer.generative import LLMComposer
from engine.answer.guardrails import Guardrails, default_policy_path, injection_markers, load_sensitive_policy
from engine.answer.llm import LLMClient
from engine.answer.service import AnswerService
from engine.background import Leadership
from engine.config import Settings
from engine.content import Content
from engine.conversation import Conversation
from engine.desk import SupportDesk
from engine.dialogue.incidents import IncidentNotices
from engine.dialogue.language import LanguageDetector
from engine.dialogue.replies import ReplyBook, default_replies_path, load_replies
from engine.dialogue.steps import Dialogue
from engine.embedding import OnnxEmbedder, SentenceTransformerEmbedder
from engine.errors import ConfigError
from engine.events import tables as _event_tables  # noqa: F401  (registers the tables before create_all)
from engine.events.review import Review
from engine.events.store import EventLog
from engine.freshness.changelog import ChangelogEntry, parse_changelog
from engine.freshness.policy import FreshnessPolicy
from engine.incidents.board import IncidentBoard
from engine.incidents.components import load_rules
from engine.incidents.feed import Fetcher, FileFetcher, HttpFetcher, StatusSource
from engine.incidents.types import FeedLimits
from engine.ingest.indexer import Indexer
from engine.ingest.loader import LoadOptions
from engine.protocols import DenseBackend, Embedder
from engine.retrieve.eligibility import Eligibility
from engine.retrieve.hybrid import HybridRetriever
from engine.store.db import Database, connect
from engine.store.exact import ExactBackend
from engine.store.generations import GenerationStore
from engine.store.holder import IndexHolder
from engine.tickets import tables as _ticket_tables  # noqa: F401
from engine.tickets.desk import HelpDesk
from engine.tickets.store import TicketStore
from engine.tickets.targets import make_sender
from engine.tickets.worker import OutboxWorker
from engine.types import Clock


def utc_now() -> datetime:
    return datetime.now(UTC)


def pinned_clock(day: date, real: Clock | None = None) -> Clock:
    """A clock that reads `day` today (and the next day tomorrow): the real time moved back by the whole days between
    the real date at start and `day`, so time still passes (sessions mature, tickets are ordered) but the calendar
    is the one a sample help center was written for (Settings.pinned_date)."""
    read = real or utc_now
    shift = timedelta(days=(read().date() - day).days)
    return lambda: read() - shift


def settings_clock(settings: Settings) -> Clock:
    """The engine's clock: the real UTC time, or the pinned calendar of a demo (Settings.pinned_date)."""
    return pinned_clock(settings.pinned_date) if settings.pinned_date else utc_now


@dataclass
class Engine:
    """The resources a front end (API, CLI, evals, bench) holds, built once per process, and the use cases over
    them: `conversation` (customers), `support` (agents and admins), `content` (ingest over HTTP). Each use case is
    built on first use with its collaborators, so `engine ask --no-log` never opens the database."""

    settings: Settings
    store: GenerationStore
    index: IndexHolder
    embedder: Embedder
    eligibility: Eligibility
    retriever: HybridRetriever
    answers: AnswerService
    clock: Clock
    replies: ReplyBook
    languages: LanguageDetector | None

    _database: Database | None = None
    _events: EventLog | None = None
    _desk: HelpDesk | None = None
    incidents: IncidentBoard | None = None
    leadership: Leadership | None = None

    def indexer(self) -> Indexer:
        return Indexer(self.settings, self.store, lambda: self.embedder)

    @property
    def database(self) -> Database:
        """Connected on first use (`engine ask --no-log` and `--batch` never open it)."""
        if self._database is None:
            self._database = open_database(self.settings)
        return self._database

    @property
    def events(self) -> EventLog:
        if self._events is None:
            self._events = EventLog(self.database)
        return self._events

    @property
    def desk(self) -> HelpDesk:
        """Tickets and their delivery worker (started by the API's lifespan or `engine tickets deliver`)."""
        if self._desk is None:
            self._desk = build_desk(self.settings, self.database, self.clock)
        return self._desk

    @cached_property
    def dialogue(self) -> Dialogue:
        return Dialogue(answers=self.answers, replies=self.replies, languages=self.languages, index=self.index,
                        turns=self.events.session, follow_up_rewrite=self.settings.dialogue.follow_up_rewrite,
                        follow_up_sure_from=self.settings.dialogue.follow_up_sure_from,
                        default_locale=self.settings.default_locale)

    @cached_property
    def conversation(self) -> Conversation:
        return Conversation(answers=self.answers, dialogue=self.dialogue, events=self.events, desk=self.desk,
                            incidents=IncidentNotices(self.incidents), index=self.index,
                            holdout=self.settings.holdout, default_locale=self.settings.default_locale,
                            clock=self.clock)

    @cached_property
    def support(self) -> SupportDesk:
        return SupportDesk(tickets=self.desk, review=Review(self.database), events=self.events, answers=self.answers,
                           index=self.index, eligibility=self.eligibility, embedder=self.embedder,
                           metrics=self.settings.metrics, holdout=self.settings.holdout, leadership=self.leadership,
                           clock=self.clock)

    @cached_property
    def content(self) -> Content:
        options = LoadOptions(default_locale=self.settings.default_locale,
                              max_file_bytes=self.settings.ingest.max_file_bytes)
        return Content(indexer=self.indexer, index=self.index, options=options)

    def close(self) -> None:
        if self.leadership is not None:
            self.leadership.stop()
        self.index.close()
        if self.incidents is not None:
            self.incidents.close()
        if self._desk is not None:
            self._desk.stop()
        if self._database is not None:
            self._database.close()


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedding.backend == "onnx":
        return OnnxEmbedder(settings.embedding, settings.model_cache_dir)
    return SentenceTransformerEmbedder(settings.embedding)


def load_policy(settings: Settings) -> FreshnessPolicy:
    """The freshness policy from its TOML file (defaults when none is configured)."""
    path = settings.freshness.policy_file
    if path is None:
        return FreshnessPolicy()
    try:
        return FreshnessPolicy.model_validate(tomllib.loads(path.read_text()))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ConfigError(f"freshness policy {path}: {exc}") from exc


def load_changelog(settings: Settings) -> list[ChangelogEntry]:
    path = settings.freshness.changelog_file
    if path is None:
        return []
    try:
        return parse_changelog(path.read_text(), str(path))
    except OSError as exc:
        raise ConfigError(f"changelog {path}: {exc}") from exc


def make_composer(settings: Settings, embedder: Embedder) -> Composer:
    """Extractive answers by default; generated and grounded ones when ENGINE_LLM__URL names an endpoint."""
    # Article text is data, never instructions: a sentence that reads like an injection is never quoted.
    extractive = ExtractiveComposer(settings.answer.max_answer_chars, skip=lambda text: bool(injection_markers(text)))
    if settings.llm.url is None or settings.llm.model is None:
        return extractive
    client = LLMClient(settings.llm.url, settings.llm.model, settings.llm.api_key, settings.llm)
    return LLMComposer(client, embedder, settings.llm, extractive, settings.answer.max_citations)


def build_desk(settings: Settings, database: Database, clock: Clock) -> HelpDesk:
    """Tickets over `database`, delivered to the configured targets by a worker on wall-clock time."""
    senders = {target.name: make_sender(target) for target in settings.tickets.targets}
    store = TicketStore(database, list(senders), utc_now)
    worker = OutboxWorker(store, senders, settings.tickets, utc_now) if senders else None
    return HelpDesk(store, EventLog(database).session, clock, worker)


def build_incidents(settings: Settings, clock: Clock) -> IncidentBoard | None:
    """The status feed of ENGINE_STATUS__URL or __FILE with its component rules; None when neither is set."""
    status = settings.status
    fetcher: Fetcher
    if status.url:
        fetcher = HttpFetcher(status.url, status.timeout_s, max_bytes=status.max_bytes)
    elif status.file:
        fetcher = FileFetcher(status.file, max_bytes=status.max_bytes)
    else:
        return None
    rules = load_rules(status.components_file)
    limits = FeedLimits(max_bytes=status.max_bytes, max_incidents=status.max_incidents,
                        max_components=status.max_components, max_text_chars=status.max_text_chars)
    # Two missed polls and a deadline: older than that, the page is stale even if no read has failed yet.
    stale_after_s = 2 * status.poll_interval_s + status.timeout_s
    source = StatusSource(fetcher, clock, limits, stale_after_s)
    return IncidentBoard(source, rules, status.poll_interval_s, clock)


def open_database(settings: Settings) -> Database:
    """The events + tickets database with every table created (their modules are imported above)."""
    return Database(connect(settings))


def make_dense_backend(settings: Settings) -> DenseBackend:
    """A Qdrant server when ENGINE_QDRANT_URL is set, else exact search in process (the embedded default)."""
    if settings.qdrant_url:
        from engine.store.qdrant import QdrantBackend  # qdrant-client is slow to import: only when configured

        return QdrantBackend(settings.qdrant_url, settings.qdrant_api_key, settings.qdrant_collection)
    return ExactBackend(settings.index_dir)


def open_store(settings: Settings) -> GenerationStore:
    """The index generations of `settings.data_dir`, with the configured dense backend."""
    return GenerationStore(
        settings.index_dir, make_dense_backend(settings), keep_generations=settings.ingest.keep_generations
    )


def build_indexer(settings: Settings) -> Indexer:
    """An indexer that loads the embedding model only if some chunk needs embedding."""
    return Indexer(settings, open_store(settings), partial(make_embedder, settings))


def single_threaded_blas() -> None:
    """Query-time matrix products are small: numpy's OpenBLAS worker threads only spin after each one and take the
    cores from onnxruntime's query embedding (measured on Plausible: ask 19.3 → 8.0 ms in process)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def build_engine(
    settings: Settings,
    *,
    clock: Clock | None = None,
    embedder: Embedder | None = None,
    policy: FreshnessPolicy | None = None,
) -> Engine:
    """The engine over `settings`; `clock` (default: settings_clock) is its idea of now."""
    clock = clock or settings_clock(settings)
    single_threaded_blas()
    store = open_store(settings)
    embedder = embedder or make_embedder(settings)
    eligibility = Eligibility(policy or load_policy(settings), clock, settings.default_locale, load_changelog(settings))
    index = IndexHolder(store)
    retriever = HybridRetriever(embedder, settings.retrieval)
    answers = AnswerService(
        index,
        retriever,
        eligibility,
        settings.answer,
        load_confidence(settings.answer.calibration_file),
        make_composer(settings, embedder),
        Guardrails(load_sensitive_policy(settings.answer.sensitive_policy_file or default_policy_path()), embedder),
    )
    replies = load_replies(settings.dialogue.replies_file or default_replies_path())
    languages = LanguageDetector(settings.dialogue.detect_languages) if settings.dialogue.detect_languages else None
    engine = Engine(settings, store, index, embedder, eligibility, retriever, answers, clock, replies, languages,
                    incidents=build_incidents(settings, clock), leadership=Leadership(settings.data_dir))
    if engine.incidents is not None:
        engine.incidents.on_good_read(lambda active, notes: engine.support.settle_incidents(active, notes))
    return engine
