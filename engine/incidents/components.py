"""The component → articles/tags/keywords mapping, read from a TOML file (`ENGINE_STATUS__COMPONENTS_FILE`)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import ConfigError
from engine.incidents.types import ComponentRule


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    component: str = Field(min_length=1, description="The component's name on the status page (any case) or id.")
    articles: list[str] = []
    tags: list[str] = []
    keywords: list[str] = []
    defaults: bool = Field(default=True, description="Also match the component's own name as a tag and keyword.")


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    components: list[_Rule] = []


def parse_rules(text: str, origin: str) -> tuple[ComponentRule, ...]:
    """The rules in a TOML text of `[[components]]` tables; ConfigError saying where and what is wrong otherwise.

    >>> parse_rules('[[components]]\\ncomponent = "Sync"\\nkeywords = ["offline"]', "inline")[0].keywords
    ('offline',)
    """
    try:
        parsed = _File.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"status components {origin}: not TOML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"status components {origin}: {problems}") from exc
    return tuple(
        ComponentRule(r.component, tuple(r.articles), tuple(r.tags), tuple(r.keywords), r.defaults)
        for r in parsed.components
    )


def load_rules(path: Path | None) -> tuple[ComponentRule, ...]:
    """The rules of the TOML file at `path`; none (defaults from component names only) when no file is set."""
    if path is None:
        return ()
    try:
        return parse_rules(path.read_text(), str(path))
    except OSError as exc:
        raise ConfigError(f"status components {path}: {exc.strerror or exc}") from exc
