"""A message's way through the engine around retrieval: what it is, which query and locale retrieval gets (a
follow-up carries the previous turn, a question without a locale gets its detected language), and what is done to
the decision afterwards (frustration acknowledged, a language note, a contradiction of the earlier answer).

    >>> prepared = dialogue.prepare(Question(Query("hi")))
    >>> prepared.decision.decision
    'reply'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from engine.answer.service import AnswerService
from engine.dialogue import plan, referents
from engine.dialogue.consistency import contradicts
from engine.dialogue.followup import Context, Rewrite, choose, expand, is_follow_up, rewrite
from engine.dialogue.language import LanguageDetector
from engine.dialogue.messages import SMALL_TALK, Message, classify
from engine.dialogue.replies import ReplyBook
from engine.errors import IndexNotReadyError
from engine.retrieve.eligibility import primary_language
from engine.store.holder import IndexHolder
from engine.types import Candidate, Decision, Query, Question, Turn

SessionTurns = Callable[[str], list[Turn]]
"""A session's logged turns, oldest first (EventLog.session): all the dialogue reads of the event log."""


@dataclass(frozen=True)
class Prepared:
    """A message made ready: a decision already taken (small talk, a request for a person, a clarifying question),
    or the query to answer and what to check afterwards."""

    message: Message
    query: Query
    locale: str | None
    """The language replies are worded in (the question's, even when the answer comes from another locale)."""
    decision: Decision | None = None
    earlier: Turn | None = None
    """The previous answered turn, when this message follows up on it."""
    language_fallback: bool = False
    retrieved: Decision | None = None
    """The decision for `query` when preparing already retrieved it (a follow-up's choice): finish it as it is."""


class Dialogue:
    """Prepares each message for retrieval and finishes its decision: built once by engine.wiring.

        >>> dialogue = Dialogue(answers=answers, replies=book, languages=None, index=index, turns=events.session,
        ...                     follow_up_rewrite="conversation", follow_up_sure_from=0.95, default_locale="en")
    """

    def __init__(
        self,
        *,
        answers: AnswerService,
        replies: ReplyBook,
        languages: LanguageDetector | None,
        index: IndexHolder,
        turns: SessionTurns,
        follow_up_rewrite: Rewrite,
        follow_up_sure_from: float,
        default_locale: str,
    ) -> None:
        self._answers = answers
        self._replies = replies
        self._languages = languages
        self._index = index
        self._turns = turns
        self._rewrite = follow_up_rewrite
        self._sure_from = follow_up_sure_from
        self._default_locale = default_locale

    def prepare(self, question: Question) -> Prepared:
        """What the message is and how it will be answered; retrieval runs here only for a clarifying question."""
        message = classify(question.query.text)
        query, locale, fallback = self._localised(question.query)
        book = self._replies
        if message.kind in SMALL_TALK:
            return Prepared(message, query, locale, plan.reply(plan.small_talk_reason(message.kind), book, locale))
        if message.kind == "handoff":
            priority = plan.FRUSTRATION_PRIORITY if message.frustrated else "normal"
            return Prepared(message, query, locale, plan.handoff(book, locale, priority))
        if message.kind == "vague":
            candidates = self._answers.ask(query).candidates
            return Prepared(message, query, locale, plan.clarify(candidates, book, locale))
        alone = replace(query, text=message.rest)
        how = self._rewrite
        if how == "conversation":
            return self._in_conversation(question.session_id, message, alone, locale, fallback)
        # The session is read only for a message that looks like a follow-up.
        earlier = self._earlier(question.session_id) if is_follow_up(message.rest) else None
        if earlier is not None and how != "none":
            # Retrieved both ways: a topic switch ("what about with caddy?") is answered better alone.
            context = replace(query, text=rewrite(message.rest, Context(earlier.question, _cited_title(earlier)), how))
            by_itself, in_context = self._answers.ask(alone), self._answers.ask(context)
            chosen = choose(by_itself, in_context)
            picked = alone if chosen is by_itself else context
            return Prepared(message, picked, locale, None, earlier, fallback, retrieved=chosen)
        return Prepared(message, alone, locale, None, earlier, language_fallback=fallback)

    def _in_conversation(
        self, session_id: str | None, message: Message, alone: Query, locale: str | None, fallback: bool
    ) -> Prepared:
        """A question in a session with earlier questions is retrieved alone and with the most specific words of
        what those turns were about (their questions, the titles that answered them), and answered from whichever
        the engine is surer of: an elliptical turn ("what items should I keep?") takes its topic from the
        conversation, a turn that names something new keeps its own. A question about "this library" or "the park"
        that the conversation has not named, which several articles about different libraries or parks answer, is
        asked back with those to pick from (engine/dialogue/referents.py)."""
        history = self._history(session_id)
        said = [Context(t.question, _cited_title(t)) for t in history]
        pointed = referents.pointed_at(message.rest, [text for c in said for text in (c.question, c.title)])
        earlier = history[-1] if history and history[-1].decision == "answer" else None
        if not history and not (pointed.kinds or pointed.definite):
            return Prepared(message, alone, locale, language_fallback=fallback)
        by_itself = self._answers.ask(alone)
        things = referents.things_of_kind(pointed.kinds, by_itself.candidates)
        if not things and not history:
            things = referents.named_things(pointed, by_itself.candidates)
        if things:
            which = self._which_one(things, message, pointed, locale)
            return Prepared(message, alone, locale, which, earlier, fallback)
        if not history:
            return Prepared(message, alone, locale, None, None, fallback, retrieved=by_itself)
        context = replace(alone, text=expand(message.rest, said, self._index.get().keyword.idf))
        in_context = self._answers.ask(context, sure_from=self._sure_from)
        # "the park" read with the conversation: after questions about covid, "the treatments" are covid's.
        things = referents.named_things(pointed, in_context.candidates)
        if things:
            which = self._which_one(things, message, pointed, locale)
            return Prepared(message, alone, locale, which, earlier, fallback)
        chosen = choose(by_itself, in_context)
        picked = alone if chosen is by_itself else context
        return Prepared(message, picked, locale, None, earlier, fallback, retrieved=chosen)

    def _which_one(
        self, things: tuple[Candidate, ...], message: Message, pointed: referents.Pointed, locale: str | None
    ) -> Decision:
        return plan.which_one(things, partial(referents.named, message.rest, pointed), self._replies, locale)

    def prepare_pick(self, question: Question, confidence: float) -> Prepared:
        """The customer's answer to "is it one of these?" (question.pick, checked by the caller): the question as
        first asked, localised, never classified or read as a follow-up; "none of these" is decided here (an
        escalation with the articles the engine weighed), a pick is answered from its article
        (`AnswerService.ask(..., chosen=…)`)."""
        assert question.pick is not None
        message = classify(question.query.text)
        query, locale, fallback = self._localised(question.query)
        if question.pick.article_id is not None:
            return Prepared(message, query, locale, language_fallback=fallback)
        weighed = self._answers.ask(query, confirm=False).candidates
        return Prepared(message, query, locale, plan.none_of_these(weighed, confidence, self._replies, locale))

    def finish(self, prepared: Prepared, decision: Decision) -> Decision:
        """The decision as the customer gets it: a confirm is asked in the customer's language, contradictions of
        the earlier answer escalate, frustration is acknowledged, an answer from another language's articles says
        so."""
        book, locale = self._replies, prepared.locale
        if decision.confirming:
            return plan.confirm(decision, book, locale)
        earlier = prepared.earlier
        if decision.answered and earlier is not None and earlier.answer and decision.answer:
            cited = earlier.articles[0].article_id if earlier.articles else ""
            topic = f"{earlier.question} {prepared.message.rest}"
            moved = bool(decision.citations) and decision.citations[0].article_id != cited
            if moved and contradicts(earlier.answer, decision.answer, topic):
                decision = plan.contradicts_earlier(decision, cited, book, locale)
        if prepared.message.frustrated:
            return plan.acknowledge_frustration(decision, book, locale)
        if prepared.language_fallback:
            return plan.language_note(decision, book, locale or "")
        return decision

    def pending(self, message: str | None, locale: str | None) -> str | None:
        """An escalation's message while its ticket waits for the customer's email (nothing passed on yet)."""
        return self._replies.pending(message, locale)

    def _localised(self, query: Query) -> tuple[Query, str | None, bool]:
        """(the query with the locale to retrieve in, the language to word replies in, whether the answer will come
        from the default locale instead of the asker's language)."""
        detected = self._languages.detect(query.text) if self._languages else None
        served = self._served()
        # A message recognised as written in a served language is answered in it, whatever locale the client sent:
        # the widget sends the browser's language, which says little about the language a customer types in.
        asked = detected if detected is not None and primary_language(detected) in served else query.locale or detected
        if asked is None:
            return query, None, False
        default = self._default_locale
        if primary_language(asked) in served:
            return replace(query, locale=asked), asked, False
        fallback = primary_language(asked) != primary_language(default)
        return replace(query, locale=default), asked, fallback

    def _served(self) -> set[str]:
        try:
            locales = self._index.get().locales
        except IndexNotReadyError:
            return set()
        return {primary_language(locale) for locale in locales}

    def _earlier(self, session_id: str | None) -> Turn | None:
        """The session's last turn, when it was answered (a follow-up refers to an answer)."""
        turns = self._history(session_id)
        return turns[-1] if turns and turns[-1].decision == "answer" else None

    def _history(self, session_id: str | None) -> list[Turn]:
        """The session's earlier questions (small talk left out), oldest first."""
        if session_id is None:
            return []
        return [t for t in self._turns(session_id) if t.decision != "reply"]


def _cited_title(turn: Turn) -> str:
    cited = [a for a in turn.articles if a.cited]
    return cited[0].title if cited else ""
