"""ask(question) → an answer with citations, or an escalation with a reason. The decision lives here."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from engine.answer.composer import DECLINED, STREAM_REPLACED, AnswerRequest, Composer, Composition
from engine.answer.confidence import ConfidenceModel, signals
from engine.answer.confirm import Band, band_of, options
from engine.answer.conflicts import find_conflict
from engine.answer.extractive import citation
from engine.answer.guardrails import Guardrails
from engine.answer.identifiers import Identifier, identifiers, mentions_any
from engine.config import AnswerSettings
from engine.freshness.policy import Verdict
from engine.protocols import Vectors
from engine.retrieve.eligibility import Eligibility, Masks
from engine.retrieve.hybrid import HybridRetriever, Scores
from engine.store.generations import IndexSnapshot
from engine.store.holder import IndexHolder
from engine.types import Candidate, Decision, Delta, Final, Query, Reason, Retrieval, Scope, Signals, StreamEvent

logger = logging.getLogger(__name__)
# How much better (in fused score) an ineligible article must match than the best eligible one before the
# question is treated as being about that outdated content.
STALE_MARGIN = 0.03
UNSCOPED = Scope()


@dataclass(frozen=True)
class Preview:
    """What an agent sees: the customer's decision plus every candidate, eligible or not, with its verdict."""

    decision: Decision
    candidates: tuple[Candidate, ...]
    verdicts: dict[str, Verdict]
    generation: str


@dataclass(frozen=True)
class _Outcome:
    """The decision before wording: an escalation, or an answer (no text yet) plus what to compose it from."""

    decision: Decision
    shadow: Retrieval
    snapshot: IndexSnapshot
    verdicts: dict[str, Verdict]
    request: AnswerRequest | None = None


class AnswerService:
    """The engine's front door for questions; used by the CLI, the HTTP API and the eval harness alike."""

    def __init__(
        self,
        index: IndexHolder,
        retriever: HybridRetriever,
        eligibility: Eligibility,
        settings: AnswerSettings,
        confidence: ConfidenceModel,
        composer: Composer,
        guardrails: Guardrails | None = None,
    ) -> None:
        self._index = index
        self._retriever = retriever
        self._eligibility = eligibility
        self._settings = settings
        self._confidence = confidence
        self._guardrails = guardrails
        self._composer = composer
        self._threshold = settings.min_confidence if settings.min_confidence is not None else confidence.threshold
        low = settings.confirm_from if settings.confirm_from is not None else confidence.confirm_from
        high = settings.confirm_below if settings.confirm_below is not None else confidence.confirm_below
        self._band = band_of(low, high) if settings.confirm else None

    @property
    def threshold(self) -> float:
        """The confidence at or above which a question is answered."""
        return self._threshold

    @property
    def confirm_band(self) -> Band | None:
        """The confidences at which the customer is asked "is it one of these?" (None: never)."""
        return self._band

    def ask(
        self,
        query: Query,
        scope: Scope = UNSCOPED,
        *,
        chosen: str | None = None,
        confirm: bool = True,
        sure_from: float | None = None,
    ) -> Decision:
        """Answer with citations, escalate with a reason, or (confidence in the confirm band) offer the best
        articles to pick from. `chosen`: answer from that article, the customer's pick; `confirm=False`: the
        decision without the confirm step (the eval's comparison); `sure_from`: answer without asking only from
        this confidence (the band's upper edge raised, for a question read through the conversation).

            decision = answers.ask(Query("how do I download my invoices?"))
            removed = answers.ask(query, Scope(exclude=frozenset({"billing/download-invoices"})))
            picked = answers.ask(query, chosen=decision.suggestions[0].article_id)
        """
        band = self._band if confirm else None
        if band is not None and sure_from is not None:
            band = Band(band.low, max(band.high, sure_from))
        outcome = self._decide(query, scope, chosen, band)
        decision = outcome.decision
        if outcome.request is not None:
            decision = self._worded(decision, self._composer.compose(outcome.request))
        return _logged(decision)

    def stream(self, query: Query, scope: Scope = UNSCOPED, *, chosen: str | None = None) -> Iterator[StreamEvent]:
        """The same decision as ask(), its answer in pieces: Delta events, then one Final with the decision."""
        outcome = self._decide(query, scope, chosen, self._band)
        if outcome.request is None:
            yield Final(_logged(outcome.decision))
            return
        composition: Composition | None = None
        sent = False
        for event in self._composer.stream(outcome.request):
            if isinstance(event, Delta):
                sent = True
                yield event
            else:
                composition = event
        if composition is None:
            raise RuntimeError("composer stream ended without a Composition")
        decision = _logged(self._worded(outcome.decision, composition))
        replaced = STREAM_REPLACED in composition.flags or (sent and not decision.answered)
        yield Final(decision, replaced=replaced)

    def preview(self, query: Query, scope: Scope = UNSCOPED) -> Preview:
        """The decision plus every candidate the asker may see (eligible or not), for the agent console."""
        outcome = self._decide(query, scope, band=self._band)
        decision = outcome.decision
        if outcome.request is not None:
            decision = self._worded(decision, self._composer.compose(outcome.request))
        return Preview(decision, outcome.shadow.candidates, outcome.verdicts, outcome.snapshot.generation)

    def search(self, query: Query, scope: Scope = UNSCOPED, results: int = 3) -> Decision:
        """Search results only, never an answer: the holdout arm's reply (docs/metrics.md). The best eligible
        articles come back as citations of an escalation with reason HOLDOUT; nothing is composed."""
        decision = self._decide(query, scope, band=self._band).decision
        found = tuple(citation(c, c.best.chunk) for c in decision.candidates[:results])
        return replace(decision, decision="escalate", answer=None, citations=found, reason=Reason.HOLDOUT,
                       detail="holdout arm: search results and the ticket form, no AI answer")

    def _worded(self, decision: Decision, composition: Composition) -> Decision:
        return _worded(decision, composition, self._settings.escalate_when_llm_declines)

    def _decide(self, query: Query, scope: Scope, chosen: str | None = None, band: Band | None = None) -> _Outcome:
        snapshot = self._index.get()
        verdicts = self._eligibility.verdicts(snapshot)
        if not query.text.strip():
            empty = _escalate(Reason.EMPTY_QUESTION, 0.0)
            return _Outcome(empty, Retrieval((), 0, ()), snapshot, verdicts)
        masks = self._eligibility.masks(snapshot, query).without(snapshot, scope.exclude)
        scores = self._retriever.score(snapshot, query)
        result = self._retriever.rank(scores, masks.eligible, depth=scope.depth)
        if chosen is not None:
            return self._chosen(query, scores, masks, result, chosen, verdicts)
        # The shadow ranking (everything the asker may see, fresh or not) tells whether outdated content leads.
        shadow = (
            result
            if np.array_equal(masks.visible, masks.eligible)
            else self._retriever.rank(scores, masks.visible, depth=scope.depth)
        )
        decision = self._judge(query, snapshot, result, shadow, verdicts, band)
        decision = self._unless_restricted_leads(scores, masks, decision)
        decision = self._screen(query, scores.vector, decision)
        if shadow.candidates and not verdicts[shadow.candidates[0].article.id].eligible:
            leader = verdicts[shadow.candidates[0].article.id]
            decision = replace(decision, ineligible_leaders=((leader.article_id, str(leader.state)),))
        request = None
        if decision.answered:
            sources = self._focused(scores, decision.candidates)
            request = AnswerRequest(query.text, result.query_terms, sources, snapshot.keyword.idf)
        return _Outcome(decision, shadow, snapshot, verdicts, request)

    def _chosen(
        self,
        query: Query,
        scores: Scores,
        masks: Masks,
        result: Retrieval,
        article_id: str,
        verdicts: dict[str, Verdict],
    ) -> _Outcome:
        """The answer from the article the customer picked among a confirm's options (reason PICKED): no threshold,
        conflict or identifier test (the customer chose it), but sensitive topics still escalate and the article
        must still be one the asker may see and that may answer now (else NO_MATCH)."""
        snapshot = scores.snapshot
        picked = next((c for c in result.candidates if c.article.id == article_id), None)
        if picked is None:
            only = masks.eligible & np.fromiter((a == article_id for a in snapshot.article_ids), dtype=np.bool_)
            found = self._retriever.rank(scores, only, depth=1).candidates
            picked = found[0] if found else None
        if picked is None:
            escalation = _escalate(Reason.NO_MATCH, 0.0, result.candidates)
            gone = replace(escalation, detail=f"the picked article {article_id} may not answer this asker now")
            return _Outcome(gone, result, snapshot, verdicts)
        candidates = (picked, *(c for c in result.candidates if c.article.id != article_id))
        bm25_max = max((c.best.bm25 for c in candidates), default=0.0)
        found_signals = signals(candidates, result.query_terms, snapshot.keyword.idf, bm25_max, snapshot.keyword.knows)
        decision = Decision(
            decision="answer",
            answer=None,
            citations=(),
            confidence=round(self._confidence.score(found_signals), 4),
            reason=Reason.PICKED,
            candidates=candidates,
            signals=found_signals,
        )
        decision = self._screen(query, scores.vector, decision)
        request = None
        if decision.answered:
            sources = self._focused(scores, candidates)
            request = AnswerRequest(query.text, result.query_terms, sources, snapshot.keyword.idf)
        return _Outcome(decision, result, snapshot, verdicts, request)

    def _unless_restricted_leads(self, scores: Scores, masks: Masks, decision: Decision) -> Decision:
        """An answer becomes an OTHER_AUDIENCE escalation when an article only another audience may see is the
        clearly better match ("set up SAML SSO for our workspace" from the public sign-in article while the admins'
        SSO setup guide leads): what the asker may see is then a neighbour, not the answer. The detail names the
        audience, never the article: this decision is what the asker's preview and tickets show (the audience canary);
        an agent previews the question as that audience to see it."""
        if not (decision.answered or decision.confirming) or masks.restricted is None or not masks.restricted.any():
            return decision
        leader = self._retriever.leader(scores, masks.restricted)
        if leader is None:
            return decision
        article_id, fused = leader
        lead = fused - decision.candidates[0].fused
        if lead < self._settings.other_audience_margin:
            return decision
        audience = ", ".join(scores.snapshot.articles[article_id].audience)
        escalation = _escalate(Reason.OTHER_AUDIENCE, decision.confidence, decision.candidates, decision.signals)
        return replace(escalation, detail=f"an article for {audience} only matches better, by {lead:.2f}: preview "
                       f"the question as {audience}")

    def _focused(self, scores: Scores, candidates: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
        """What the answer is quoted from: the chosen article's own sections ranked for the question."""
        return (self._retriever.sections(scores, candidates[0]), *candidates[1:]) if candidates else candidates

    def _screen(self, query: Query, vector: Vectors, decision: Decision) -> Decision:
        """A sensitive question that needs a person (asks us to act, reports an incident, threatens) goes to one
        (high priority), even when an article matches; one that only asks what something is or how it works is
        decided like any other question (answered from a fresh article, else escalated for its own reason) and
        flagged `sensitive_question:<topic>`. A suspected injection changes nothing about the decision (the question
        is only data) but is recorded."""
        if self._guardrails is None:
            return decision
        screening = self._guardrails.screen(query.text, vector)
        flags: tuple[str, ...] = ("injection_suspected",) if screening.injection else ()
        if screening.sensitive is not None and not screening.sensitive.needs_person:
            flags += (f"sensitive_question:{screening.sensitive.topic}",)
        elif screening.sensitive is not None:
            match = screening.sensitive
            return replace(
                _escalate(Reason.SENSITIVE_TOPIC, decision.confidence, decision.candidates, decision.signals),
                priority=match.priority,
                flags=flags,
                detail=f"sensitive topic {match.topic}: {match.evidence} ({match.score:.2f})",
            )
        return replace(decision, flags=flags) if flags else decision

    def _judge(
        self,
        query: Query,
        snapshot: IndexSnapshot,
        result: Retrieval,
        shadow: Retrieval,
        verdicts: dict[str, Verdict],
        band: Band | None,
    ) -> Decision:
        """Answer, escalate or (confidence in the band) confirm, before any wording: an answer decision here has no
        text yet."""
        candidates = _prefer_successor(result.candidates, shadow.candidates, verdicts)
        named = identifiers(query.text)
        candidates = _naming_first(candidates, named)
        bm25_max = max((c.best.bm25 for c in candidates), default=0.0)
        found = signals(candidates, result.query_terms, snapshot.keyword.idf, bm25_max, snapshot.keyword.knows)
        confidence = round(self._confidence.score(found), 4) if candidates else 0.0
        stale = _stale_leader(shadow.candidates, verdicts)
        if stale is not None and stale.best.dense < self._settings.out_of_scope_below:
            stale = None  # nothing in the KB is about this question, outdated or not
        if (
            stale is not None
            and not _successor_answers(stale, candidates, verdicts)
            and confidence < self._settings.stale_override_confidence
        ):
            return _escalate(Reason.STALE_SOURCE, confidence, candidates, found)
        if not candidates:
            return _escalate(Reason.NO_MATCH, 0.0, candidates, found)
        # Asking "is it one of these?" needs something in the KB to be about the question.
        unsure = band is not None and band.holds(confidence) and found.dense >= self._settings.out_of_scope_below
        if confidence < self._threshold and not unsure:
            scope = Reason.OUT_OF_SCOPE if found.dense < self._settings.out_of_scope_below else Reason.LOW_CONFIDENCE
            return _escalate(scope, confidence, candidates, found)
        if named and not _names(candidates[0], named):
            escalation = _escalate(Reason.IDENTIFIER_NOT_FOUND, confidence, candidates, found)
            return replace(escalation, detail="no article found mentions " + ", ".join(i.text for i in named))
        # Two fresh articles stating different values of what is asked: a person answers (and the KB gets fixed),
        # whether the engine was sure of the article or about to ask which one.
        conflict = find_conflict(query.text, result.query_terms, candidates, self._settings.conflict_articles)
        if conflict is not None:
            escalation = _escalate(Reason.CONFLICT, confidence, candidates, found)
            return replace(escalation, conflict=conflict.articles, detail=conflict.describe())
        if unsure:
            offered = options(candidates, self._settings.confirm_options)
            if len(offered) >= 2:
                return replace(_escalate(Reason.UNSURE, confidence, candidates, found), decision="confirm",
                               suggestions=offered)
            if confidence < self._threshold:
                return _escalate(Reason.LOW_CONFIDENCE, confidence, candidates, found)
        return Decision(
            decision="answer",
            answer=None,
            citations=(),
            confidence=confidence,
            reason=Reason.ANSWERED,
            candidates=candidates,
            signals=found,
        )


def _worded(decision: Decision, composition: Composition, escalate_declined: bool) -> Decision:
    """The answer decision with its text and citations; nothing quotable turns it into a NO_MATCH escalation, and
    an LLM that read the passages and found no answer in them (when trusted to) into a LOW_CONFIDENCE one."""
    flags = decision.flags + composition.flags
    if escalate_declined and DECLINED in composition.flags:
        escalation = _escalate(Reason.LOW_CONFIDENCE, decision.confidence, decision.candidates, decision.signals)
        return replace(escalation, flags=flags, detail=composition.detail)
    if not composition.answer.strip():
        escalation = _escalate(Reason.NO_MATCH, decision.confidence, decision.candidates, decision.signals)
        return replace(escalation, flags=flags, detail=composition.detail)
    return replace(
        decision, answer=composition.answer, citations=composition.citations, flags=flags, detail=composition.detail
    )


def _logged(decision: Decision) -> Decision:
    logger.info(
        "question decided",
        extra={
            "decision": decision.decision,
            "reason": str(decision.reason),
            "confidence": decision.confidence,
            "flags": list(decision.flags),
            "conflict": list(decision.conflict) if decision.conflict else None,
        },
    )
    return decision


def _escalate(
    reason: Reason, confidence: float, candidates: tuple[Candidate, ...] = (), found: Signals | None = None
) -> Decision:
    return Decision(
        decision="escalate",
        answer=None,
        citations=(),
        confidence=confidence,
        reason=reason,
        candidates=candidates,
        signals=found or Signals(),
    )


def _stale_leader(shadow: tuple[Candidate, ...], verdicts: dict[str, Verdict]) -> Candidate | None:
    """The best visible match when it is ineligible and clearly ahead of every eligible match."""
    if not shadow or verdicts[shadow[0].article.id].eligible:
        return None
    best_eligible = next((c.fused for c in shadow if verdicts[c.article.id].eligible), 0.0)
    return shadow[0] if shadow[0].fused >= best_eligible + STALE_MARGIN else None


def _successor_answers(stale: Candidate, candidates: tuple[Candidate, ...], verdicts: dict[str, Verdict]) -> bool:
    successor = verdicts[stale.article.id].successor
    return bool(candidates) and successor is not None and candidates[0].article.id == successor


def _prefer_successor(
    candidates: tuple[Candidate, ...], shadow: tuple[Candidate, ...], verdicts: dict[str, Verdict]
) -> tuple[Candidate, ...]:
    """When the best match is superseded, its eligible successor answers instead (if it was retrieved)."""
    if not shadow:
        return candidates
    successor = verdicts[shadow[0].article.id].successor
    if successor is None:
        return candidates
    promoted = [c for c in candidates if c.article.id == successor]
    if not promoted:
        return candidates
    rest = [c for c in candidates if c.article.id != successor]
    return (promoted[0], *rest)


def _names(candidate: Candidate, named: tuple[Identifier, ...]) -> bool:
    article = candidate.article
    return mentions_any(f"{article.title}\n{article.description or ''}\n{article.body}", named)


def _naming_first(candidates: tuple[Candidate, ...], named: tuple[Identifier, ...]) -> tuple[Candidate, ...]:
    """When the question names an identifier (an error code, a CVE), the best match that mentions it leads: the
    article about BIP3701E answers a question about BIP3701E, not its neighbour about BIP3702E."""
    if not named or not candidates or _names(candidates[0], named):
        return candidates
    naming = next((c for c in candidates if _names(c, named)), None)
    if naming is None:
        return candidates
    return (naming, *(c for c in candidates if c is not naming))
