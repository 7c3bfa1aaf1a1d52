"""The seam between the decision and the wording of an answer: what a composer gets and what it returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from engine.types import Candidate, Citation, Delta


@dataclass(frozen=True)
class AnswerRequest:
    """A question the engine has decided to answer, with the eligible candidates it may answer from (best first)."""

    question: str
    query_terms: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    idf: Callable[[str], float]


@dataclass(frozen=True)
class Composition:
    """An answer's text and sources, plus observations for Decision.flags / detail (e.g. an LLM fallback)."""

    answer: str
    citations: tuple[Citation, ...]
    units: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    detail: str = ""


class Composer(Protocol):
    """Words an answer from sources; an empty answer means nothing quotable was found."""

    def compose(self, request: AnswerRequest) -> Composition:
        """The whole answer at once."""
        ...

    def stream(self, request: AnswerRequest) -> Iterator[Delta | Composition]:
        """The answer in pieces (Delta), then the Composition; pieces never contain text the Composition lacks,
        unless the Composition's flags say it replaced them (`stream_replaced`)."""
        ...


STREAM_REPLACED = "stream_replaced"
DECLINED = "llm_fallback:declined"
"""The LLM read the passages and said they do not answer the question."""
