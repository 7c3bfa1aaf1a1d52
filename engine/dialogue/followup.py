"""Elliptical and anaphoric follow-ups ("and by email?", "what about guests?", "how long does it take?") and the
query they are retrieved with: the message plus the previous turn's question and/or its cited article's title, or
(`conversation`) plus the most specific words of what the earlier turns were about.

    >>> is_follow_up("and can I get them by email?")
    True
    >>> rewrite("and can I get them by email?", Context("how do I download invoices?", "Download invoices"), "both")
    'how do I download invoices? Download invoices and can I get them by email?'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from engine.analysis import term_words
from engine.dialogue.messages import topic_words
from engine.types import Decision

Rewrite = Literal["none", "question", "title", "both", "conversation"]
REWRITES: tuple[Rewrite, ...] = ("none", "question", "title", "both")
"""The rewrites that need only the previous turn (`conversation` needs the session and the index's IDF)."""
CONTEXT_TERMS = 2
"""Words of the conversation added to an elliptical turn: enough to name its topic, few enough to leave the turn's
own words in charge."""
DECAY = 0.5
"""Weight of a turn relative to the one after it: the latest turn says most about what "it" is."""
TITLE_WEIGHT = 0.3
"""Weight of a word of an answer's title relative to one the customer asked: titles also name the site or
section ("FAQs • Dublin • CivicEngage"), which says nothing about the topic."""
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


def expand(message: str, earlier: Sequence[Context], idf: Callable[[str], float],
           kept: int = CONTEXT_TERMS, decay: float = DECAY, title_weight: float = TITLE_WEIGHT) -> str:
    """The message plus the `kept` words that best say what the earlier turns (oldest first) were about: each term
    of their questions and of the titles that answered them weighs its IDF (how specific it is in this knowledge
    base) times the recency of the turns it occurs in. Terms the message already has are not repeated.

        >>> expand("how long does it take?", [Context("how do I verify my domain?", "Domain verification")],
        ...        {"verifi": 3.0, "domain": 2.5}.get, kept=2)
        'how long does it take? verify domain'
    """
    own = {term for term, _ in term_words(message)}
    weight: dict[str, float] = {}
    surface: dict[str, str] = {}
    for age, context in enumerate(reversed(earlier)):
        recency = decay**age
        asked = dict(term_words(context.question))
        titled = dict(term_words(context.title))
        for term, word in {**titled, **asked}.items():
            specificity = idf(term) or 0.0
            if term in own or specificity <= 0.0:
                continue
            said = 1.0 if term in asked else title_weight
            weight[term] = weight.get(term, 0.0) + specificity * recency * said
            surface.setdefault(term, word)
    best = sorted(weight, key=lambda term: (-weight[term], term))[:kept]
    return " ".join((message, *(surface[term] for term in best)))


def choose(alone: Decision, with_context: Decision) -> Decision:
    """Between the message retrieved alone and with the earlier turn's context, the decision the engine is surer of
    (its calibrated confidence); a tie keeps the context. A topic switch ("what about with caddy?" after nginx) is
    answered better alone, an ellipsis ("and by email?") with the context."""
    return alone if alone.confidence > with_context.confidence else with_context
