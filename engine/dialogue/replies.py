"""The wording of every reply that is not an article's answer, per reply type and language, from a TOML file
(the packaged replies.toml or a deployment's own).

    >>> book = load_replies(default_replies_path())
    >>> book.say("greeting", "de-AT").startswith("Hallo")
    True
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from engine.errors import ConfigError

ReplyKind = Literal[
    "greeting", "thanks", "goodbye", "handoff", "frustration", "frustration_answered", "clarify", "clarify_none",
    "language_fallback", "language_unserved", "conflict", "confirm", "confirm_none",
]
REPLY_KINDS: tuple[ReplyKind, ...] = (
    "greeting", "thanks", "goodbye", "handoff", "frustration", "frustration_answered", "clarify", "clarify_none",
    "language_fallback", "language_unserved", "conflict", "confirm", "confirm_none",
)
PENDING_KINDS: tuple[ReplyKind, ...] = ("handoff", "frustration", "language_unserved", "conflict")
"""Replies that say the conversation was passed on: each has an optional `<kind>_pending` wording for while the
escalation still waits for the customer's email (nothing is passed on yet)."""
FALLBACK_LANGUAGE = "en"


def language_of(locale: str | None, default: str = FALLBACK_LANGUAGE) -> str:
    """The language (first part, lower case) of a locale: 'de-AT' → 'de', 'pt_BR' → 'pt'; `default`'s without one."""
    return (locale or default).replace("_", "-").split("-")[0].lower()


def default_replies_path() -> Path:
    return Path(__file__).with_name("replies.toml")


@dataclass(frozen=True)
class ReplyBook:
    """Wording by language, then reply type; `en` must be complete, other languages fall back to it."""

    wording: dict[str, dict[str, str]]

    def say(self, kind: ReplyKind, locale: str | None) -> str:
        """The wording of `kind` in the locale's language, else in English."""
        language = language_of(locale)
        return self.wording.get(language, {}).get(kind) or self.wording[FALLBACK_LANGUAGE][kind]

    def pending(self, message: str | None, locale: str | None) -> str | None:
        """`message` as worded while its escalation waits for an email: a reply saying it was passed on becomes its
        `_pending` wording (when the book has one); any other message is kept."""
        for kind in PENDING_KINDS:
            if message is not None and message == self.say(kind, locale):
                language = language_of(locale)
                key = f"{kind}_pending"
                return self.wording.get(language, {}).get(key) or self.wording[FALLBACK_LANGUAGE].get(key) or message
        return message


def load_replies(path: Path) -> ReplyBook:
    """Read and check a replies file: ConfigError naming what to fix when English lacks a reply type."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"replies file {path}: {exc}") from exc
    wording = {lang: {k: str(v) for k, v in table.items()} for lang, table in data.items() if isinstance(table, dict)}
    missing = [k for k in REPLY_KINDS if not wording.get(FALLBACK_LANGUAGE, {}).get(k)]
    if missing:
        raise ConfigError(f"replies file {path}: [{FALLBACK_LANGUAGE}] needs {', '.join(missing)}")
    return ReplyBook(wording)
