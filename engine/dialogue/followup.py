"""Elliptical and anaphoric follow-ups ("and by email?", "what about guests?", "how long does it take?") and the
query they are retrieved with: the message plus the previous turn's question and/or its cited article's title.

    >>> is_follow_up("and can I get them by email?")
    True
    >>> rewrite("and can I get them by email?", Context("how do I download invoices?", "Download invoices"), "both")
    'how do I download invoices? Download invoices and can I get them by email?'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from engine.dialogue.messages import topic_words
from engine.types import Decision

Rewrite = Literal["none", "question", "title", "both"]
REWRITES: tuple[Rewrite, ...] = ("none", "question", "title", "both")
MAX_WORDS = 9
"""Longer messages say what they are about on their own."""

_CONNECTOR = re.compile(
    r"^\s*(?:and|also|but|or|so|plus|what\s+about|how\s+about|what\s+if|same\s+for|und|aber|oder|auch|"
    r"was\s+ist\s+mit|wie\s+ist\s+es\s+mit|und\s+wie)\b",
    re.IGNORECASE,
)
_ANAPHORA = re.compile(
    r"\b(?:it|its|they|them|their|this|that|these|those|there|one|ones|he|she|him|her|the\s+same|"
    r"es|sie|ihn|ihm|das|dies|diese|dieser|diesen|dort|dafür|davon|damit)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Context:
    """The previous answered turn: what was asked and which article answered."""

    question: str
    title: str


def is_follow_up(message: str) -> bool:
    """Short, and either opens with a connector ("and …", "what about …") or leans on a pronoun with little topic
    of its own."""
    words = message.split()
    if not words or len(words) > MAX_WORDS:
        return False
    if _CONNECTOR.search(message):
        return True
    return bool(_ANAPHORA.search(message)) and len(topic_words(message)) <= 3


def rewrite(message: str, context: Context, how: Rewrite) -> str:
    """The query a follow-up is retrieved with."""
    parts = {
        "none": (),
        "question": (context.question,),
        "title": (context.title,),
        "both": (context.question, context.title),
    }[how]
    return " ".join((*parts, message))


def choose(alone: Decision, with_context: Decision) -> Decision:
    """Between the message retrieved alone and with the earlier turn's context, the decision the engine is surer of
    (its calibrated confidence); a tie keeps the context. A topic switch ("what about with caddy?" after nginx) is
    answered better alone, an ellipsis ("and by email?") with the context."""
    return alone if alone.confidence > with_context.confidence else with_context
