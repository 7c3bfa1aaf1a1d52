"""Questions about "this library" or "that mission" when nothing said so far names which one: the kind of thing is
there, the thing is not. When several of the best articles are about different things of that kind, the customer is
asked which one they mean, with those articles to pick from.

    >>> sorted(unnamed_kinds("What are the services offered by this state library?", []))
    ['librari', 'state']
    >>> unnamed_kinds("What services does this library offer?", ["Tell me about the Sacramento library"])
    frozenset()
    >>> unnamed_kinds("What does this library provide?", ["Which services does the clinic provide?"])
    frozenset({'librari'})
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine.analysis import STOPWORDS, terms
from engine.types import Candidate

_DEMONSTRATIVE = re.compile(
    r"(?:^|\b([\w'’]+)\s+)(?:this|that|these|those)\s+((?:[^\W\d_][\w'’-]*\s*){1,3})", re.IGNORECASE
)
_AUXILIARIES = frozenset(
    "do does did can could will would should shall may might must is are was were has have had".split()
)
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
    said = {term for text in earlier for term in terms(text)}
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
    return frozenset(kinds - said)


def things_of_kind(kinds: frozenset[str], candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """The best candidates whose titles name the kind, one per title; empty unless at least MIN_THINGS differ."""
    if not kinds:
        return ()
    picked: dict[str, Candidate] = {}
    for candidate in candidates[:LOOKED_AT]:
        title = candidate.article.title.strip()
        if title and title.lower() not in picked and kinds & set(terms(title)):
            picked[title.lower()] = candidate
    return tuple(picked.values()) if len(picked) >= MIN_THINGS else ()
