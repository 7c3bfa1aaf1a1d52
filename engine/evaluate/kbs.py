"""KB specs (evals/kbs.toml): which sources make up a knowledge base, and the clock it is evaluated at.

Each KB is ingested into its own data dir under the cache folder, keyed by the spec, so a second run reuses
the index: the engine's ingest is incremental and re-embeds nothing that did not change.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.config import Settings
from engine.errors import ConfigError
from engine.evaluate import defaults
from engine.types import Clock, IngestReport
from engine.wiring import Engine, build_engine, utc_now

DEFAULT_KBS = defaults.KBS
DEFAULT_CACHE = defaults.CACHE


@dataclass(frozen=True)
class KbSource:
    """One ingest root of a KB: a folder or a single file, with metadata forced onto every article."""

    name: str
    path: Path
    overrides: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KbSpec:
    """A named knowledge base: its sources, ingested in order, and an optional fixed evaluation time."""

    name: str
    sources: tuple[KbSource, ...]
    now: datetime | None = None
    description: str = ""
    changelog: Path | None = None
    sensitive_policy: Path | None = None  # the KB owner's sensitive-topics policy; not part of the index's key

    @property
    def key(self) -> str:
        """Cache folder name: changes whenever the sources, their overrides or the clock change."""
        spec = {
            "sources": [[s.name, str(s.path.resolve()), dict(s.overrides)] for s in self.sources],
            "now": self.now.isoformat() if self.now else None,
            "changelog": str(self.changelog.resolve()) if self.changelog else None,
        }
        digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
        return f"{self.name}-{digest}"

    def clock(self) -> Clock:
        fixed = self.now
        return utc_now if fixed is None else lambda: fixed


def load_kb_specs(path: Path = DEFAULT_KBS) -> dict[str, KbSpec]:
    """Parse kbs.toml; source paths are relative to the repository root (the folder that holds evals/)."""
    if not path.is_file():
        raise ConfigError(f"KB spec file {path} does not exist (expected evals/kbs.toml)")
    root = path.resolve().parent.parent
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return {name: _spec(name, body, root, path) for name, body in data.items()}


def _spec(name: str, body: Any, root: Path, where: Path) -> KbSpec:
    if not isinstance(body, dict) or not isinstance(body.get("sources"), list) or not body["sources"]:
        raise ConfigError(f"{where}: [{name}] needs at least one [[{name}.sources]] with a path")
    sources = []
    for number, source in enumerate(body["sources"], start=1):
        if not isinstance(source, dict) or not isinstance(source.get("path"), str):
            raise ConfigError(f'{where}: source {number} of [{name}] needs path = "..."')
        overrides = source.get("overrides") or {}
        if not isinstance(overrides, dict):
            raise ConfigError(f"{where}: overrides of source {number} of [{name}] must be a table")
        sources.append(KbSource(str(source.get("name") or name), root / source["path"], overrides))
    changelog, policy = body.get("changelog"), body.get("sensitive_policy")
    for key, value in (("changelog", changelog), ("sensitive_policy", policy)):
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where}: {key} of [{name}] must be a path")
    return KbSpec(
        name,
        tuple(sources),
        _parse_now(body.get("now"), name, where),
        str(body.get("description", "")),
        root / changelog if changelog else None,
        root / policy if policy else None,
    )


def _parse_now(value: Any, name: str, where: Path) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(f"{where}: now of [{name}] must be an ISO date-time, got {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def resolve_kb(name_or_path: str, kbs_file: Path = DEFAULT_KBS) -> KbSpec:
    """A KB by name from kbs.toml, or an ad-hoc KB made of one folder/file (no overrides, real clock)."""
    specs = load_kb_specs(kbs_file) if kbs_file.is_file() else {}
    if name_or_path in specs:
        return specs[name_or_path]
    path = Path(name_or_path)
    if path.exists():
        return KbSpec(path.name or "kb", (KbSource(path.name or "kb", path.resolve()),))
    known = ", ".join(sorted(specs)) or "none"
    raise ConfigError(
        f"--kb {name_or_path!r} is neither a KB in {kbs_file} (known: {known}) nor an existing path"
    )


@dataclass
class OpenKb:
    """A KB's engine, built over its cached data dir, plus what ingesting it reported."""

    spec: KbSpec
    engine: Engine
    reports: tuple[IngestReport, ...]

    def close(self) -> None:
        self.engine.close()


def open_kb(spec: KbSpec, settings: Settings, cache_dir: Path = DEFAULT_CACHE) -> OpenKb:
    """Ingest every source (incremental: unchanged articles are not re-embedded), build the engine over it."""
    data_dir = cache_dir / spec.key
    update: dict[str, object] = {"data_dir": data_dir}
    if spec.changelog is not None:
        update["freshness"] = settings.freshness.model_copy(update={"changelog_file": spec.changelog})
    if spec.sensitive_policy is not None:
        update["answer"] = settings.answer.model_copy(update={"sensitive_policy_file": spec.sensitive_policy})
    kb_settings = settings.model_copy(update=update)
    engine = build_engine(kb_settings, clock=spec.clock())
    indexer = engine.indexer()
    reports = tuple(
        indexer.ingest(source.path, source=source.name, overrides=dict(source.overrides) or None)
        for source in spec.sources
    )
    return OpenKb(spec, engine, reports)
