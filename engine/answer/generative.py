"""The LLM composer: generated answers that keep only grounded sentences, with the extractive answer as fallback.

It runs only for questions the engine has already decided to answer; it words the answer, never the decision.
Every failure and every too-thin answer falls back to the extractive composer, and the reason is recorded in the
composition's flags (llm_fallback:<reason>) and detail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace

from engine.answer.composer import STREAM_REPLACED, AnswerRequest, Composer, Composition
from engine.answer.extractive import citation
from engine.answer.grounding import (
    Grounder,
    SentenceCheck,
    Source,
    complete_sentences,
    describe,
    drop_flags,
    join_kept,
    piece,
    split_sentences,
    sufficient,
)
from engine.answer.llm import NO_ANSWER, LLMClient, build_messages, select_sources
from engine.config import LLMSettings
from engine.errors import GenerationError
from engine.protocols import Embedder
from engine.types import Citation, Delta

logger = logging.getLogger(__name__)
LLM_ANSWER = "llm_answer"


class LLMComposer:
    """Composer that asks an LLM for a cited answer and checks every sentence against the cited sources."""

    def __init__(
        self,
        client: LLMClient,
        embedder: Embedder,
        settings: LLMSettings,
        fallback: Composer,
        max_citations: int,
    ) -> None:
        self._client = client
        self._embedder = embedder
        self._settings = settings
        self._fallback = fallback
        self._max_citations = max_citations

    def compose(self, request: AnswerRequest) -> Composition:
        sources = select_sources(request.candidates, self._settings.max_sources)
        if not sources:
            return self._fall_back(request, "no_sources", "no passage could be given to the model")
        try:
            reply = self._client.complete(build_messages(request.question, sources))
        except GenerationError as exc:
            return self._fall_back(request, exc.reason, str(exc))
        if reply.strip() == NO_ANSWER:
            return self._fall_back(request, "declined", "the model said the sources do not answer")
        grounder = Grounder(self._embedder, sources, self._settings)
        return self._grounded(request, sources, grounder.check_all(split_sentences(reply)))

    def stream(self, request: AnswerRequest) -> Iterator[Delta | Composition]:
        """Grounded sentences as they complete; a fallback before any was sent streams the extractive answer, a
        fallback after some were sent ends with the extractive Composition flagged stream_replaced."""
        sources = select_sources(request.candidates, self._settings.max_sources)
        if not sources:
            yield from self._fall_back_streaming(request, "no_sources", "no passage could be given", sent=0)
            return
        grounder = Grounder(self._embedder, sources, self._settings)
        checks: list[SentenceCheck] = []
        reply = ""
        try:
            for text in self._client.stream(build_messages(request.question, sources)):
                reply += text
                for sentence in complete_sentences(reply)[len(checks) :]:
                    checks.append(grounder.check(sentence))
                    if checks[-1].kept:
                        yield Delta(piece(checks[-1], first=_sent(checks) == 1))
        except GenerationError as exc:
            yield from self._fall_back_streaming(request, exc.reason, str(exc), sent=_sent(checks))
            return
        if reply.strip() == NO_ANSWER:
            yield from self._fall_back_streaming(request, "declined", "the model said the sources do not answer", 0)
            return
        for sentence in split_sentences(reply)[len(checks) :]:
            checks.append(grounder.check(sentence))
            if checks[-1].kept:
                yield Delta(piece(checks[-1], first=_sent(checks) == 1))
        composition = self._grounded(request, sources, checks)
        if LLM_ANSWER in composition.flags:
            yield composition
        elif _sent(checks):
            yield _replaced(composition)
        else:
            yield from self._replay(composition, request)

    def _grounded(self, request: AnswerRequest, sources: Sequence[Source], checks: list[SentenceCheck]) -> Composition:
        kept = [c for c in checks if c.kept]
        flags = drop_flags(checks)
        if not sufficient(len(kept), len(checks), self._settings):
            detail = describe(checks) or "the reply had no sentences"
            fallback = self._fall_back(request, "ungrounded", detail)
            return _with(fallback, flags=(*flags, *fallback.flags))
        logger.info("llm answer grounded", extra={"kept": len(kept), "sentences": len(checks), "flags": list(flags)})
        return Composition(
            answer=join_kept(checks),
            citations=self._citations(kept, sources),
            units=tuple(c.clean for c in kept),
            flags=(LLM_ANSWER, *flags),
            detail=describe(checks),
        )

    def _citations(self, kept: Sequence[SentenceCheck], sources: Sequence[Source]) -> tuple[Citation, ...]:
        """One citation per article, in order of first citation: the chunk the kept sentences cited first."""
        by_id = {s.id: s for s in sources}
        seen: dict[str, Citation] = {}
        for check in kept:
            for source_id in check.cited:
                source = by_id[source_id]
                if source.candidate.article.id not in seen:
                    seen[source.candidate.article.id] = citation(source.candidate, source.chunk)
        return tuple(seen.values())[: self._max_citations]

    def _fall_back(self, request: AnswerRequest, reason: str, detail: str) -> Composition:
        logger.warning("llm fallback", extra={"reason": reason, "model": self._client.model})
        composition = self._fallback.compose(request)
        return _with(composition, flags=(*composition.flags, f"llm_fallback:{reason}"), detail=f"LLM: {detail}")

    def _fall_back_streaming(
        self, request: AnswerRequest, reason: str, detail: str, sent: int
    ) -> Iterator[Delta | Composition]:
        composition = self._fall_back(request, reason, detail)
        if sent:
            yield _replaced(composition)
        else:
            yield from self._replay(composition, request)

    def _replay(self, composition: Composition, request: AnswerRequest) -> Iterator[Delta | Composition]:
        """Stream the fallback's own pieces, ending with `composition` (the fallback's, with our flags)."""
        for event in self._fallback.stream(request):
            if isinstance(event, Delta):
                yield event
        yield composition


def _sent(checks: Sequence[SentenceCheck]) -> int:
    return sum(1 for c in checks if c.kept)


def _replaced(composition: Composition) -> Composition:
    return _with(composition, flags=(*composition.flags, STREAM_REPLACED))


def _with(composition: Composition, *, flags: tuple[str, ...], detail: str | None = None) -> Composition:
    return replace(composition, flags=flags, detail=composition.detail if detail is None else detail)
