"""Settings that refuse typos: an unknown key or ENGINE_* variable is an error naming the closest valid one, and
renamed variables keep working for a while with a warning that names their new spelling."""

from __future__ import annotations

import difflib
import logging
import warnings
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from engine.errors import ConfigError

logger = logging.getLogger(__name__)

PREFIX = "ENGINE_"
DELIMITER = "__"
# Old spelling → new one. Read (with a warning) until they are removed.
RENAMED_VARIABLES: Mapping[str, str] = {
    "ENGINE_LLM_URL": "ENGINE_LLM__URL",
    "ENGINE_LLM_MODEL": "ENGINE_LLM__MODEL",
    "ENGINE_LLM_API_KEY": "ENGINE_LLM__API_KEY",
}
# ENGINE_* variables the test suite reads itself; they are not settings.
TEST_VARIABLES = frozenset({"ENGINE_TEST_POSTGRES_URL", "ENGINE_FUZZ_EXAMPLES"})


def unknown_key_message(key: str, valid: Collection[str]) -> str:
    """`unknown setting 'x'; did you mean 'y'?`, or the valid names when none is close."""
    close = difflib.get_close_matches(key, list(valid), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"valid: {', '.join(sorted(valid))}"
    return f"unknown setting {key!r}; {hint}"


def reject_unknown_keys(data: Any, valid: Collection[str]) -> None:
    """Raise ValueError (pydantic turns it into a ValidationError) when a dict of values has an unknown key."""
    if not isinstance(data, dict):
        return
    unknown = [key for key in data if key not in valid]
    if unknown:
        raise ValueError("; ".join(unknown_key_message(str(key), valid) for key in unknown))


class Group(BaseModel):
    """Base of every nested settings group: a key it does not define is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)  # inputs may hold secrets

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        reject_unknown_keys(data, cls.model_fields)
        return data


def variable_names(model: type[BaseModel], prefix: str = PREFIX) -> Iterator[str]:
    """Every environment variable that sets a field of `model`: ENGINE_NAME, and ENGINE_GROUP__NAME for groups."""
    for name, field in model.model_fields.items():
        variable = f"{prefix}{name}".upper()
        yield variable
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            yield from variable_names(field.annotation, variable + DELIMITER)


def check_environment(environ: Mapping[str, str], model: type[BaseModel]) -> dict[str, Any]:
    """Refuse unknown ENGINE_* variables (ConfigError naming the closest valid one); return the values of renamed
    ones as nested settings (`{"llm": {"url": …}}`), each with a warning that names the new spelling."""
    known = set(variable_names(model))
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in environ.items():
        upper = name.upper()
        if not upper.startswith(PREFIX) or upper in known or upper in TEST_VARIABLES:
            continue
        if upper in RENAMED_VARIABLES:
            _set_path(values, RENAMED_VARIABLES[upper], value)
            _warn_renamed(upper, RENAMED_VARIABLES[upper])
            continue
        problems.append(unknown_key_message(upper, known))
    if problems:
        raise ConfigError("environment: " + "; ".join(problems))
    return values


def _set_path(values: dict[str, Any], variable: str, value: str) -> None:
    *groups, leaf = variable.removeprefix(PREFIX).lower().split(DELIMITER)
    for group in groups:
        values = values.setdefault(group, {})
    values[leaf] = value


def _warn_renamed(old: str, new: str) -> None:
    warnings.warn(f"{old} is deprecated: rename it to {new}", DeprecationWarning, stacklevel=3)
    logger.warning("%s is deprecated: rename it to %s", old, new, extra={"variable": old, "use": new})
