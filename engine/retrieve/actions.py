"""Opposite actions: "turn off 2FA" is not answered by the section "Turn on 2FA". The bi-encoder places the two
almost on top of each other, so the words decide. Pure and English-only; used to order an article's sections for
quoting, never to choose the article or the confidence.

>>> opposed("how do I turn off two-factor authentication?", "Turn on 2FA with an authenticator app")
True
>>> opposed("how do I turn off two-factor authentication?", "Turn off 2FA")
False
"""

from __future__ import annotations

import re

_OBJECT = r"(?:\s+\S+){0,3}?"  # "turn 2FA off", "switch it off", "turn the weekly digest off"


def _verb(*stems: str) -> str:
    return r"\b(?:" + "|".join(stems) + r")(?:e|es|ed|s|d|ing)?\b"


def _particle(verbs: str, particle: str) -> str:
    return r"\b(?:" + verbs + r")" + _OBJECT + r"\s+" + particle + r"\b"


_TURN = r"turn(?:s|ed|ing)?|switch(?:es|ed|ing)?"
_ACTIONS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "on": _particle(_TURN, "on") + "|" + _verb("enabl", "activat"),
        "off": _particle(_TURN, "off") + "|" + _verb("disabl", "deactivat"),
        "connect": _verb("connect"),
        "disconnect": _verb("disconnect"),
        "install": _verb("install"),
        "uninstall": _verb("uninstall"),
        "subscribe": _verb("subscrib"),
        "unsubscribe": _verb("unsubscrib"),
        "upgrade": _verb("upgrad"),
        "downgrade": _verb("downgrad"),
        "mute": _verb("mut"),
        "unmute": _verb("unmut"),
    }.items()
}
"""Pairs only where the verb is rarely a noun or a figure of speech ("show me", "a content block", "the archive"
and "locked" as a state are left out)."""
_PAIRS = (("on", "off"), ("connect", "disconnect"), ("install", "uninstall"), ("subscribe", "unsubscribe"),
          ("upgrade", "downgrade"), ("mute", "unmute"))
OPPOSITE = {**dict(_PAIRS), **{b: a for a, b in _PAIRS}}


def actions(text: str) -> frozenset[str]:
    """The actions `text` names ("Turn off 2FA" → {"off"})."""
    return frozenset(name for name, pattern in _ACTIONS.items() if pattern.search(text))


def opposed(question: str, heading: str) -> bool:
    """The heading names the opposite of an action the question asks for, and not that action itself."""
    asked = actions(question)
    named = actions(heading)
    return any(OPPOSITE[a] in named and a not in named for a in asked)
