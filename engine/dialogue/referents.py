"""Questions about "this library", "that mission" or "the park" when nothing said so far names which one: the kind
of thing is there, the thing is not. When several of the best articles are about different things of that kind, the
customer is asked which one they mean, with those articles to pick from. "the" points far less often than "this"
("the surface of Europa", "the size of the Sun"), so a kind after "the" must stand alone in the question, and the
articles' titles must name different things of it ("Sampson State Park", "Watkins Glen State Park").

    >>> sorted(unnamed_kinds("What are the services offered by this state library?", []))
    ['librari', 'state']
    >>> unnamed_kinds("What services does this library offer?", ["Tell me about the Sacramento library"])
    frozenset()
    >>> unnamed_kinds("What does this library provide?", ["Which services does the clinic provide?"])
    frozenset({'librari'})
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from engine.analysis import STOPWORDS, terms
from engine.types import Candidate

_DEMONSTRATIVE = re.compile(
    r"(?:^|\b([\w'’]+)\s+)(?:this|that|these|those)\s+((?:[^\W\d_][\w'’-]*\s*){1,3})", re.IGNORECASE
)
_AUXILIARIES = frozenset(
    "do does did can could will would should shall may might must is are was were has have had".split()
)
_VERB_AUXILIARIES = frozenset("do does did can could will would should".split())
"""Before "the clinic provide", the auxiliary of the verb that follows the thing ("is the state sales tax" is not)."""
_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+|:\s+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
PHRASE_WORDS = 3
"""Words read after "this"/"that": enough for "this state library", "that NASA mission"."""
LOOKED_AT = 5
"""Candidates read for things of the kind asked about: the first page of results."""
MIN_THINGS = 2
"""Different articles of that kind needed to ask back (one is simply the answer)."""


def unnamed_kinds(message: str, earlier: Sequence[str]) -> frozenset[str]:
    """Index terms of the noun phrases the message points at ("this state library" → state, librari), less those
    an earlier turn of the conversation (its questions, the titles that answered them) mentions."""
    return _demonstrative_kinds(message) - _said(earlier)


def _said(earlier: Sequence[str]) -> frozenset[str]:
    return frozenset(term for text in earlier for term in terms(text))


def _demonstrative_kinds(message: str) -> frozenset[str]:
    kinds: set[str] = set()
    for match in _DEMONSTRATIVE.finditer(message):
        before = match.group(1)
        if before is not None and before.lower() not in STOPWORDS:
            continue  # "the sources of light pollution that affect …": a relative clause, not a pointer
        phrase = []
        for word in _WORD.findall(match.group(2))[:PHRASE_WORDS]:
            if word.lower() in STOPWORDS:
                break
            phrase.append(word)
        if before is not None and before.lower() in _AUXILIARIES and len(phrase) > 1:
            phrase.pop()  # "does this library offer …": the verb follows the thing
        kinds.update(terms(" ".join(phrase)))
    return frozenset(kinds)


@dataclass(frozen=True)
class Pointed:
    """What a message points at without naming it."""

    kinds: frozenset[str]
    """After "this"/"that": several titles of the kind are enough to ask which one."""
    definite: frozenset[str]
    """After "the": asked only when titles name different things of the kind."""
    known: frozenset[str]
    """Terms of the message and the conversation: a title's name made of these tells nothing apart."""


def pointed_at(message: str, earlier: Sequence[str]) -> Pointed:
    """The unnamed kinds of `message` (unnamed_kinds) and its definite ones ("the park"), less what `earlier` names."""
    said = _said(earlier)
    known = said | frozenset(terms(message))
    return Pointed(_demonstrative_kinds(message) - said, definite_kinds(message) - said, known)


def definite_kinds(message: str) -> frozenset[str]:
    """Index terms of the nouns "the" points at in a message that names nothing (no capitalised word past its
    first), when the noun stands alone: "take the pets in the park?", "does the clinic provide …"; not "the surface
    of Europa", "the Europa Clipper mission" (a name says which) or "the state sales tax" (what follows says which).

        >>> sorted(definite_kinds("Can we take the pets in the park?"))
        ['park', 'pet']
        >>> definite_kinds("What is the state sales tax?") | definite_kinds("Who was the last Kolb in the house?")
        frozenset()
    """
    found = _WORD.findall(message)
    if any(_is_name(word) and word != "I" for word in found[1:]):
        return frozenset()
    kinds: set[str] = set()
    for at, word in enumerate(found[:-1]):
        noun = found[at + 1]
        if word.lower() != "the" or noun.lower() in STOPWORDS:
            continue
        after = found[at + 2].lower() if at + 2 < len(found) else None
        before = found[at - 1].lower() if at else None
        if after is None or (after in STOPWORDS and after != "of") or before in _VERB_AUXILIARIES:
            kinds.update(terms(noun))
    return frozenset(kinds)


def named_things(pointed: Pointed, candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """The best candidates whose titles name different things of a definite kind ("Sampson State Park", "Watkins
    Glen State Park"), one per name; empty unless at least MIN_THINGS."""
    return _one_each(candidates, lambda c: _name_of(c.article.title, pointed.definite) - pointed.known)


def _one_each(candidates: Sequence[Candidate], thing: Callable[[Candidate], Hashable]) -> tuple[Candidate, ...]:
    """The best of the first LOOKED_AT candidates, one per thing they are about (none when `thing` is empty); empty
    unless at least MIN_THINGS things differ."""
    picked: dict[Hashable, Candidate] = {}
    for candidate in candidates[:LOOKED_AT]:
        key = thing(candidate)
        if key and key not in picked:
            picked[key] = candidate
    return tuple(picked.values()) if len(picked) >= MIN_THINGS else ()


def _name_of(title: str, kinds: frozenset[str]) -> frozenset[str]:
    """The terms of the capitalised words that name a thing of one of `kinds` in a title: before it ("Watkins Glen
    State Park") or after "of" ("County of Alameda"). The kind must be the head of the name: "VA Homeless Programs"
    names programs, not a homeless."""
    name: list[str] = []
    for part in _TITLE_PARTS.split(title):
        found = _WORD.findall(part)
        for at, word in enumerate(found):
            following = found[at + 1] if at + 1 < len(found) else None
            if not kinds & set(terms(word)) or (following is not None and _is_name(following)):
                continue
            before = at
            while before > 0 and _is_name(found[before - 1]):
                before -= 1
            name += found[before:at]
            if following is not None and following.lower() == "of":
                after = at + 2
                while after < len(found) and _is_name(found[after]):
                    after += 1
                name += found[at + 2 : after]
    return frozenset(term for word in name for term in terms(word))


def _is_name(word: str) -> bool:
    return word[:1].isupper() and word.lower() not in STOPWORDS


def things_of_kind(kinds: frozenset[str], candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """The best candidates whose titles name the kind, one per title; empty unless at least MIN_THINGS differ."""
    if not kinds:
        return ()

    def title(candidate: Candidate) -> str:
        text = candidate.article.title.strip()
        return text.lower() if kinds & set(terms(text)) else ""

    return _one_each(candidates, title)


def named(message: str, pointed: Pointed, title: str) -> str:
    """The message with the thing it pointed at named by an offered article's title (before any site name), which
    is what the customer asks when they pick it: "Can we take the pets in the park?" + "Watkins Glen State Park -
    Finger Lakes" → "Can we take the pets in Watkins Glen State Park?"; the title is added in brackets when no
    pointer is found.

        >>> named("What services does this library offer?", pointed_at("What services does this library offer?", []),
        ...       "Fresno County Public Library | Fresno")
        'What services does Fresno County Public Library offer?'
    """
    name = _TITLE_PARTS.split(title.strip())[0]
    kinds = (pointed.kinds | pointed.definite) & set(terms(name))  # "the park", not "the pets"
    found = list(_WORD.finditer(message))
    for at, word in enumerate(found):
        if word.group(0).lower() not in ("this", "that", "these", "those", "the"):
            continue
        for end in found[at + 1 : at + 1 + PHRASE_WORDS]:
            if kinds & set(terms(end.group(0))):
                return message[: word.start()] + name + message[end.end() :]
    return f"{message} ({name})"
