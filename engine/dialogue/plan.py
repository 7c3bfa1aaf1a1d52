"""The decisions made without (or around) an article's answer: small-talk replies, a request for a person, a
clarifying question with suggestions, frustration acknowledged, a language note, a contradiction of an earlier
answer. Pure: the wording comes from a ReplyBook, the candidates from retrieval.

    >>> reply(Reason.GREETING, book, "de").message
    'Hallo! Wobei kann ich helfen? …'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from engine.dialogue.replies import ReplyBook, ReplyKind
from engine.tickets.models import higher_priority
from engine.types import Candidate, Decision, Reason, Suggestion

MAX_SUGGESTIONS = 4
MIN_SUGGESTIONS = 2
FRUSTRATION_PRIORITY = "high"
_SMALL_TALK: dict[str, Reason] = {"greeting": Reason.GREETING, "thanks": Reason.THANKS, "goodbye": Reason.GOODBYE}


def small_talk_reason(kind: str) -> Reason:
    return _SMALL_TALK[kind]


def reply(reason: Reason, book: ReplyBook, locale: str | None) -> Decision:
    """A small-talk reply: not a question, no ticket."""
    kind: ReplyKind = "greeting" if reason == Reason.GREETING else "thanks" if reason == Reason.THANKS else "goodbye"
    return Decision("reply", None, (), 0.0, reason, message=book.say(kind, locale))


def handoff(book: ReplyBook, locale: str | None, priority: str = "normal") -> Decision:
    """The customer asked for a person: escalate as such, and say so."""
    return Decision("escalate", None, (), 0.0, Reason.CUSTOMER_REQUEST, priority=priority,
                    message=book.say("handoff", locale))


def suggestions(candidates: tuple[Candidate, ...]) -> tuple[Suggestion, ...]:
    """The best distinct articles (one per title), at most MAX_SUGGESTIONS."""
    picked: dict[str, Suggestion] = {}
    for candidate in candidates:
        title = candidate.article.title.strip()
        if title and title.lower() not in picked and len(picked) < MAX_SUGGESTIONS:
            picked[title.lower()] = Suggestion(candidate.article.id, title, title)
    return tuple(picked.values())


def clarify(candidates: tuple[Candidate, ...], book: ReplyBook, locale: str | None) -> Decision:
    """One question back, with the topics the vague message is most likely about."""
    offered = suggestions(candidates)
    if len(offered) < MIN_SUGGESTIONS:
        return Decision("clarify", None, (), 0.0, Reason.VAGUE, message=book.say("clarify_none", locale))
    return Decision("clarify", None, (), 0.0, Reason.VAGUE, candidates=candidates,
                    message=book.say("clarify", locale), suggestions=offered)


def which_one(
    things: tuple[Candidate, ...], asked: Callable[[str], str], book: ReplyBook, locale: str | None
) -> Decision:
    """One question back when the message points at a thing ("this library") the conversation has not named and
    several articles are about different things of that kind: those articles to pick from, each asking the question
    again with the thing named (`asked(title)`: "What services does Fresno County Public Library offer?")."""
    offered = tuple(replace(s, question=asked(s.title)) for s in suggestions(things))
    return Decision("clarify", None, (), 0.0, Reason.AMBIGUOUS, candidates=things,
                    message=book.say("clarify", locale), suggestions=offered)


def acknowledge_frustration(decision: Decision, book: ReplyBook, locale: str | None) -> Decision:
    """Frustration is acknowledged; an escalation of it goes to the desk with raised priority."""
    flags = (*decision.flags, "frustrated")
    if decision.answered:
        return replace(decision, flags=flags, message=book.say("frustration_answered", locale))
    priority = higher_priority(decision.priority, FRUSTRATION_PRIORITY)
    return replace(decision, flags=flags, priority=priority, message=book.say("frustration", locale))


def language_note(decision: Decision, book: ReplyBook, asked: str) -> Decision:
    """An answer from the default locale's articles to a question in another language says so; when they do not
    answer it, the escalation says the language is not served (never "out of scope")."""
    if decision.escalated and decision.reason in (Reason.OUT_OF_SCOPE, Reason.NO_MATCH, Reason.LOW_CONFIDENCE):
        return replace(decision, reason=Reason.UNSERVED_LANGUAGE, message=book.say("language_unserved", asked))
    if not decision.answered:
        return decision
    return replace(decision, flags=(*decision.flags, "language_fallback"),
                   message=book.say("language_fallback", asked))


def confirm(decision: Decision, book: ReplyBook, locale: str | None) -> Decision:
    """"Is it one of these?": the engine's confirm decision worded for the customer."""
    return replace(decision, message=book.say("confirm", locale))


def none_of_these(
    candidates: tuple[Candidate, ...], confidence: float, book: ReplyBook, locale: str | None
) -> Decision:
    """The customer said none of the options offered is their question: a person answers (a content gap), with the
    articles the engine weighed on the ticket."""
    return Decision("escalate", None, (), confidence, Reason.NONE_OF_THESE, candidates=candidates,
                    message=book.say("confirm_none", locale))


def contradicts_earlier(decision: Decision, earlier: str, book: ReplyBook, locale: str | None) -> Decision:
    """An answer that contradicts an earlier one of the session becomes an escalation (a conflict for review)."""
    return replace(decision, decision="escalate", answer=None, citations=(), reason=Reason.CONFLICT_EARLIER,
                   conflict=(decision.citations[0].article_id, earlier) if decision.citations else None,
                   message=book.say("conflict", locale))
