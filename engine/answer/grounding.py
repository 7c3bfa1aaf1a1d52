"""The grounding check: every sentence of a generated answer must cite given sources and be supported by them.

A sentence is kept only when it cites at least one source id, cites no id that was not given, states no number its
sources lack, carries no injection marker, and its support (lexical share of its terms found in the cited sources,
combined with the cosine to the closest sentence of those sources) reaches the threshold. docs/guardrails.md has
the numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.analysis import LIST_ITEM, terms
from engine.analysis import sentences as sentences_of
from engine.answer.extractive import split_units
from engine.answer.guardrails import injection_markers
from engine.config import LLMSettings
from engine.protocols import Embedder, Vectors
from engine.types import Candidate, Chunk

_MARKER = re.compile(r"\[\s*(S\d+(?:\s*[,;]\s*S\d+)*)\s*\]")
_ANY_ID = re.compile(r"S\d+")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\s*S\d+(?:\s*[,;]\s*S\d+)*\s*\])+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_OPEN_BRACKET = re.compile(r"\[[^\]]*\]?")


@dataclass(frozen=True)
class Source:
    """A passage given to the model under an id (S1, S2 …), its text with injection-like sentences removed."""

    id: str
    candidate: Candidate
    chunk: Chunk
    text: str


@dataclass(frozen=True)
class Sentence:
    """One generated sentence (citation markers included) and whether it began a new line (a list item)."""

    text: str
    starts_line: bool = False


@dataclass(frozen=True)
class SentenceCheck:
    """The verdict on one sentence: kept or not, why, and the scores behind it."""

    sentence: Sentence
    clean: str
    cited: tuple[str, ...]
    unknown: tuple[str, ...]
    lexical: float
    semantic: float
    support: float
    kept: bool
    reason: str
    """supported | uncited | unknown_source | unsupported_number | injection | unsupported"""


def cited_ids(text: str) -> tuple[str, ...]:
    """Source ids cited in [S1] / [S1, S2] markers, in order of first citation."""
    found = [i for marker in _MARKER.findall(text) for i in _ANY_ID.findall(marker)]
    return tuple(dict.fromkeys(found))


def strip_citations(text: str) -> str:
    """The sentence as a customer reads it: markers removed, no space left before punctuation."""
    text = _MARKER.sub("", text)
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"[ \t]+", " ", text)).strip()


def split_sentences(text: str) -> list[Sentence]:
    """Lines, then sentences; citation markers that open a sentence belong to the one before it."""
    sentences: list[Sentence] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        marker = LIST_ITEM.match(line)
        prefix = marker.group(0).strip() + " " if marker else ""
        pieces = sentences_of(line[marker.end() :] if marker else line.strip())
        for number, piece in enumerate(pieces):
            leading = _LEADING_MARKERS.match(piece)
            if leading and sentences and number > 0:
                last = sentences[-1]
                sentences[-1] = Sentence(f"{last.text} {leading.group(0).strip()}", last.starts_line)
                piece = piece[leading.end() :]
            if piece.strip():
                text_ = (prefix if number == 0 else "") + piece.strip()
                sentences.append(Sentence(text_, number == 0))
    return sentences


def complete_sentences(text: str) -> list[Sentence]:
    """For streaming: the sentences of the reply so far that can no longer change (a prefix of
    split_sentences(text)). A sentence is complete once its line has ended or the next sentence has begun with
    real text: a citation marker after it may still belong to it."""
    sentences = split_sentences(text)
    if text.endswith("\n") or not sentences:
        return sentences
    last = sentences[-1]
    if last.starts_line or _OPEN_BRACKET.sub("", last.text).strip():
        return sentences[:-1]
    return sentences[:-2]


def lexical_support(sentence_terms: set[str], source_terms: set[str]) -> float:
    """Share of the sentence's distinct content terms that occur in the cited sources (0 without terms)."""
    return len(sentence_terms & source_terms) / len(sentence_terms) if sentence_terms else 0.0


def combined_support(lexical: float, semantic: float, lexical_weight: float) -> float:
    """Weighted mean of lexical and embedding support; negative cosines count as no support."""
    return lexical_weight * lexical + (1.0 - lexical_weight) * max(0.0, semantic)


def numbers_of(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def sufficient(kept: int, total: int, settings: LLMSettings) -> bool:
    """Enough of the answer survived the check to be worth showing instead of the extractive answer."""
    return total > 0 and kept >= settings.min_kept_sentences and kept / total >= settings.min_kept_share


class Grounder:
    """Checks generated sentences against the sources one answer was generated from (embedded once, here)."""

    def __init__(self, embedder: Embedder, sources: Sequence[Source], settings: LLMSettings) -> None:
        self._embedder = embedder
        self._settings = settings
        self._sources = {s.id: s for s in sources}
        self._terms = {s.id: set(terms(s.text)) for s in sources}
        self._numbers = {s.id: numbers_of(s.text) for s in sources}
        self._units = {s.id: [u.text for u in split_units(s.text)] for s in sources}
        texts = [u for s in sources for u in self._units[s.id]]
        vectors = embedder.embed_passages(texts) if texts else np.zeros((0, embedder.dimension), dtype=np.float32)
        self._vectors: dict[str, Vectors] = {}
        start = 0
        for source in sources:
            count = len(self._units[source.id])
            self._vectors[source.id] = vectors[start : start + count]
            start += count

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(self._sources)

    def source(self, source_id: str) -> Source:
        return self._sources[source_id]

    def check_all(self, sentences: Sequence[Sentence]) -> list[SentenceCheck]:
        """Checks several sentences, embedding them in one batch."""
        if not sentences:
            return []
        cleans = [strip_citations(s.text) for s in sentences]
        vectors = self._embedder.embed_passages(cleans)
        return [self._check(s, c, v) for s, c, v in zip(sentences, cleans, vectors, strict=True)]

    def check(self, sentence: Sentence) -> SentenceCheck:
        """One sentence (streaming); the same verdict check_all() gives it."""
        clean = strip_citations(sentence.text)
        return self._check(sentence, clean, self._embedder.embed_passages([clean])[0])

    def _check(self, sentence: Sentence, clean: str, vector: Vectors) -> SentenceCheck:
        cited = cited_ids(sentence.text)
        unknown = tuple(i for i in cited if i not in self._sources)
        known = [i for i in cited if i in self._sources]
        source_terms = set().union(*(self._terms[i] for i in known)) if known else set()
        lexical = lexical_support(set(terms(clean)), source_terms)
        semantic = max((float(np.max(self._vectors[i] @ vector)) for i in known if len(self._vectors[i])), default=0.0)
        support = combined_support(lexical, semantic, self._settings.lexical_weight)
        reason = self._reason(clean, cited, unknown, known, support)
        return SentenceCheck(
            sentence, clean, cited, unknown, round(lexical, 4), round(semantic, 4), round(support, 4),
            reason == "supported", reason,
        )

    def _reason(
        self, clean: str, cited: tuple[str, ...], unknown: tuple[str, ...], known: list[str], support: float
    ) -> str:
        if not cited:
            return "uncited"
        if unknown:
            return "unknown_source"
        if injection_markers(clean):
            return "injection"
        given_numbers = set().union(*(self._numbers[i] for i in known))
        if not numbers_of(LIST_ITEM.sub("", clean)) <= given_numbers:
            return "unsupported_number"
        return "supported" if support >= self._settings.min_support else "unsupported"


def join_kept(checks: Sequence[SentenceCheck]) -> str:
    """The kept sentences as the customer reads them; list items stay on their own lines."""
    return "".join(piece(check, first=index == 0) for index, check in enumerate(c for c in checks if c.kept))


def piece(check: SentenceCheck, *, first: bool) -> str:
    """One kept sentence with the separator before it, for streaming; pieces joined are join_kept()."""
    if first:
        return check.clean
    return ("\n" if check.sentence.starts_line else " ") + check.clean


def drop_flags(checks: Sequence[SentenceCheck]) -> tuple[str, ...]:
    """Decision flags that record what the check removed, e.g. llm_dropped_sentences:2, llm_unknown_source:1."""
    dropped = [c for c in checks if not c.kept]
    unknown = [c for c in dropped if c.reason == "unknown_source"]
    flags = [f"llm_dropped_sentences:{len(dropped)}"] if dropped else []
    return tuple(flags + ([f"llm_unknown_source:{len(unknown)}"] if unknown else []))


def describe(checks: Sequence[SentenceCheck]) -> str:
    """Why sentences were dropped, for Decision.detail (what an agent reviewing the answer reads)."""
    dropped = [c for c in checks if not c.kept]
    if not dropped:
        return ""
    parts = [f"{c.reason} ({c.support:.2f}): {c.clean[:80]!r}" for c in dropped]
    return f"grounding dropped {len(dropped)} of {len(checks)} sentences: " + "; ".join(parts)
