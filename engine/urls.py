"""The one rule for a URL the engine calls or shows to a person: http:// or https:// only (never javascript:,
data:, file: …), the scheme in any case.

    >>> is_web_url("HTTPS://help.example.com"), is_web_url("javascript:alert(1)")
    (True, False)
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

SCHEMES = ("http://", "https://")


def is_web_url(value: str) -> bool:
    """Whether `value` starts with http:// or https://."""
    return value.lower().startswith(SCHEMES)


def web_url(value: str, name: str = "url") -> str:
    """`value` when it is a web URL, else ValueError naming the field or setting `name` and what it must start with."""
    if not is_web_url(value):
        raise ValueError(f"{name} must start with http:// or https://, got {value!r}")
    return value


WebUrl = Annotated[str, AfterValidator(web_url)]
"""A pydantic field that holds a web URL (ticket targets)."""
