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
    r"h+i+(?:ya+|e)?|h+e+l+o+w?|h+l+o+|welcome|he+y+|hallo+|hola|namaste|greetings|yo|howdy|moin|servus|hai|helo|hy|"
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
    r"\b(?:please|pls|plz)\s+call\s+me\b|\b(?:want|need)\s+(?:a|an|some)\s+(?:person|human|agent)\b|"
    r"\b(?:need|want|like)\s+(?:some\s+)?(?:help|an?\s+answer|a\s+reply)\s+from\s+(?:(?:a|an|some|your)\s+)?"
    r"(?:real\s+|actual\s+)?(?:human|person|agent)\b|"
    r"\bnot\s+(?:a\s+)?(?:virtual\s+assistant|bot|robot|machine)\b|\basli\s+aadmi\b|"
    r"\b(?:mit\s+(?:einem|einer)\s+(?:menschen|mitarbeiter(?:in)?|person|berater(?:in)?))\b|"
    r"\b(?:echten?|richtigen?)\s+(?:menschen|person|mitarbeiter)\b|\b(?:mitarbeiter|mensch)\s+bitte\b",
    re.IGNORECASE,
)
_ANGRY_WORDS = re.compile(
    r"\b(?:ridiculous|unacceptable|outrageous|terrible|horrible|awful|worst|disgusting|pathetic|useless|scam\w*|"
    r"furious|angry|fed\s+up|sick\s+of|wtf|fraud\w*|rip[-\s]?off|joke|incompetent|immediately|right\s+now|"
    r"cheat\w*|fake|liars?|loot\w*|thie(?:f|ves)|waste|nonsense|stupid|idiots?|hate|sucks?|crap|"
    r"shit\w*|damn|fuck\w*|bullshit|annoy\w*|irritat\w*|frustrat\w*|disappoint\w*|(?:dis|un)satisfied|"
    r"not\s+(?:satisfied|happy|helpful)|(?:very|so|too)\s+bad|bad\s+(?:service|app|experience)|"
    r"(?:3rd|third)\s+class|(?:match|game|result)\w*\s+(?:is|are|was|were)\s+fixed|"
    r"bakwa[a]?s|beka+r|ghatiya|chor|chutiya\w*|bhosd\w*|madarchod|gandu|lund|harami|kutt[ae]|"
    r"unversch[äa]mt|frechheit|inakzeptabel|katastrophe|sauer|w[üu]tend|betrug|sofort|entt[äa]uscht|"
    r"scheiß\w*|scheiss\w*|nervt|ärgerlich)\b|"
    r"\b(?:again\s+and\s+again|same\s+(?:reply|replies|answer|answers|message|messages|format|formats))\b|"
    r"\b(?:you|u|bot)\s+(?:don'?t|do\s+not|never)\s+understand\b",
    re.IGNORECASE,
)
_SHOUT = re.compile(r"\b[A-ZÄÖÜ]{4,}\b")
_VAGUE_WORDS = re.compile(
    r"\b(?:help|hilfe|problem|problems|issue|issues|trouble|error|errors|bug|broken|question|fehler|kaputt|"
    r"information|info|details|clarification|query|"
    r"not\s+(?:wor?kin?g|respond\w*|support\w*|open\w*|connect\w*|load\w*)|"
    r"(?:doesn'?t|does\s+not|isn'?t|won'?t|can'?t|cannot|don'?t)\s+(?:work\w*|open\w*|load\w*)|"
    r"stopped\s+working|(?:has\s+)?stopped|can'?t\s+able\s+to|"
    r"funktioniert\s+nicht|geht\s+nicht)\b",
    re.IGNORECASE,
)
_BARE_HOW = re.compile(
    r"^\W*(?:how\s+(?:to|do\s+i|can\s+i|should\s+i|i)|can\s+i|(?:i\s+)?(?:want|need)\s+to\s+know\s+about)\s+"
    r"(?:use|take|book|buy|order|consume|start|do)?\b",
    re.IGNORECASE,
)
"""A how-to or request with nothing after it but words like "this product": vague only with no topic at all."""
_GENERIC = frozenset(
    "app application website site product products item items thing things stuff service account unfortunately "
    "properly actually still now today yesterday yesterdy since anymore again sir madam mam ji bro "
    "use take book buy order consume start do want know about thsi may might will from by at no other another "
    "different".split()
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
    """The words of a message that name what it is about (no function words, no problem words, no words as
    generic as "app" or "this product")."""
    words = _WORD.findall(_VAGUE_WORDS.sub(" ", text.lower()))
    return [w for w in words if w not in _NOISE and w not in _GENERIC and len(w) > 1 and not w.isdigit()]


def vague(text: str) -> bool:
    """A problem with at most one word saying what it is about ("it's not working", "problem with billing"), a
    bare how-to ("how to use this product"), or no words at all ("???")."""
    if not any(ch.isalnum() for ch in text):
        return True
    if len(text) > 60:
        return False
    if _BARE_HOW.search(text) and not topic_words(_BARE_HOW.sub(" ", text)):
        return True
    return bool(_VAGUE_WORDS.search(text)) and len(topic_words(text)) <= 1
