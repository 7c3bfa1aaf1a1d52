"""Message types before retrieval: small talk (greeting, thanks, goodbye), a request for a person, frustration, a
vague problem, or a question. Pure rules in English and German; every verdict names the rule that matched.

    >>> classify("Hii").kind, classify("Hi, how do I export a board?").rest
    ('greeting', 'how do I export a board?')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MessageKind = Literal["greeting", "thanks", "goodbye", "handoff", "frustration", "vague", "question"]
SMALL_TALK: tuple[MessageKind, ...] = ("greeting", "thanks", "goodbye")

_GREETING = (
    r"h+i+(?:ya+)?|h+e+l+o+w?|he+y+|hallo+|hola|namaste|greetings|yo|howdy|moin|servus|hai|helo|hlo|hy|"
    r"s+u+p+|wa+s+u+p+|what'?s\s+up|"
    r"good\s+(?:morning|afternoon|evening|day)|guten\s+(?:tag|morgen|abend)|gr[üu](?:ß|ss|e)\s*gott"
)
_THANKS = (
    r"thanks?(?:\s+(?:you|u|a\s+lot|so\s+much|very\s+much))*|thank\s*(?:you|u)(?:\s+(?:so|very)\s+much)?|thx|"
    r"tysm|ty|cheers|much\s+appreciated|appreciate\s+it|danke(?:\s*sch[öo]n|\s+sehr)?|vielen\s+dank"
)
_GOODBYE = (
    r"bye+|good\s*bye|see\s+(?:you|ya)|that'?s\s+all|have\s+a\s+(?:nice|good|great)\s+day|"
    r"tsch[üu]ss?|auf\s+wiedersehen|ciao|bis\s+bald"
)
_FILLER = (
    r"ok(?:ay)?|great|perfect|cool|nice|awesome|super|sir|madam|mam|maam|there|team|all|everyone|guys|bot|"
    r"again|dear|and|so|much|very|really|got\s+it|that\s+helped|that\s+helps|it\s+worked|prima|toll|alles\s+klar"
)
_HANDOFF = re.compile(
    r"\b(?:talk|speak|chat|connect|transfer|put)\w*\s+(?:me\s+)?(?:to|with|through)\s+(?:a|an|some|your|the|"
    r"real|live|actual)?\s*(?:real\s+|live\s+|actual\s+)?(?:human|person|agent|someone|somebody|representative|"
    r"rep|operator|support\s+team|customer\s+service)\b|\bput\s+me\s+through\b|\b(?:human|agent|operator|person)\s+please\b|"
    r"\blive\s+(?:agent|chat|person)\b|\breal\s+(?:human|person)\b|\bcall\s+me\s+back\b|"
    r"\b(?:mit\s+(?:einem|einer)\s+(?:menschen|mitarbeiter(?:in)?|person|berater(?:in)?))\b|"
    r"\b(?:echten?|richtigen?)\s+(?:menschen|person|mitarbeiter)\b|\b(?:mitarbeiter|mensch)\s+bitte\b",
    re.IGNORECASE,
)
_ANGRY_WORDS = re.compile(
    r"\b(?:ridiculous|unacceptable|outrageous|terrible|horrible|awful|worst|disgusting|pathetic|useless|scam|"
    r"furious|angry|fed\s+up|sick\s+of|wtf|fraud|rip[-\s]?off|joke|incompetent|immediately|right\s+now|"
    r"unversch[äa]mt|frechheit|inakzeptabel|katastrophe|sauer|w[üu]tend|betrug|sofort)\b",
    re.IGNORECASE,
)
_SHOUT = re.compile(r"\b[A-ZÄÖÜ]{4,}\b")
_VAGUE_WORDS = re.compile(
    r"\b(?:help|hilfe|problem|problems|issue|issues|trouble|error|errors|bug|broken|question|fehler|kaputt|"
    r"not\s+working|doesn'?t\s+work|does\s+not\s+work|isn'?t\s+working|won'?t\s+work|stopped\s+working|"
    r"funktioniert\s+nicht|geht\s+nicht)\b",
    re.IGNORECASE,
)
_NOISE = frozenset(
    "a an the i im i'm me my mine it its it's this that is are was be am with about for of on in to and or "
    "please pls plz need have has got having some any there here can you could would your our we us just so "
    "ich mein meine mit dem der die das ein eine es ist habe hab bitte brauche ein einen wir unser "
    "what whats what's hey hi hello".split()
)
_WORD = re.compile(r"[\w'’]+", re.UNICODE)


@dataclass(frozen=True)
class Message:
    """What a message is (`kind`), the question left once small talk is stripped (`rest`), and the rule that
    decided (`rule`), for logs and the evaluation report."""

    kind: MessageKind
    rest: str
    rule: str
    frustrated: bool = False


def _phrases(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"^(?:\W*(?:" + "|".join(alternatives) + r")\b)+\W*", re.IGNORECASE)


_LEAD = {"greeting": _phrases(_GREETING), "thanks": _phrases(_THANKS), "goodbye": _phrases(_GOODBYE)}
_ONLY = _phrases(_GREETING, _THANKS, _GOODBYE, _FILLER)
_KINDS: tuple[tuple[MessageKind, re.Pattern[str]], ...] = (
    ("thanks", re.compile(rf"\b(?:{_THANKS})\b", re.IGNORECASE)),
    ("goodbye", re.compile(rf"\b(?:{_GOODBYE})\b", re.IGNORECASE)),
    ("greeting", re.compile(rf"\b(?:{_GREETING})\b", re.IGNORECASE)),
)


def classify(text: str) -> Message:
    """The message's type. A request for a person wins over everything; small talk alone is small talk, and a
    greeting followed by a question is that question."""
    if _HANDOFF.search(text):
        return Message("handoff", text.strip(), "handoff phrase", frustrated(text))
    small = _small_talk(text)
    if small is not None:
        return small
    rest = _strip_lead(text)
    angry = frustrated(rest)
    if angry:
        return Message("frustration", rest, "frustration marker", True)
    if vague(rest):
        return Message("vague", rest, "vague problem, no topic")
    return Message("question", rest, "question" if rest == text.strip() else "greeting stripped")


def _small_talk(text: str) -> Message | None:
    """Small talk when nothing but greetings, thanks, goodbyes and filler words is left."""
    if _ONLY.sub("", text).strip(" \t\n.!?,:;-–—)(*~'\"😊🙂👍🙏"):
        return None
    for kind, words in _KINDS:
        if words.search(text):
            return Message(kind, "", f"only {kind} words")
    return None


def _strip_lead(text: str) -> str:
    """The question without a leading greeting or thanks ("Hi team, how do I …" → "how do I …")."""
    rest = text.strip()
    for pattern in (_LEAD["greeting"], _LEAD["thanks"], _LEAD["greeting"]):
        rest = pattern.sub("", rest, count=1).strip()
    return rest or text.strip()


def frustrated(text: str) -> bool:
    """Anger or frustration: a strong word, or shouting (an all-caps word) with exclamation marks."""
    shouting = bool(_SHOUT.search(text)) and not text.isupper() or text.isupper() and len(text) > 12
    return bool(_ANGRY_WORDS.search(text)) or (shouting and "!" in text) or "!!!" in text


def topic_words(text: str) -> list[str]:
    """The words of a message that name what it is about (no function words, no problem words)."""
    words = _WORD.findall(_VAGUE_WORDS.sub(" ", text.lower()))
    return [w for w in words if w not in _NOISE and len(w) > 1 and not w.isdigit()]


def vague(text: str) -> bool:
    """A problem with at most one word saying what it is about ("it's not working", "problem with billing"), or
    no words at all ("???")."""
    if not any(ch.isalnum() for ch in text):
        return True
    return bool(_VAGUE_WORDS.search(text)) and len(topic_words(text)) <= 1 and len(text) <= 60
