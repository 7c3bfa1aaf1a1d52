"""The conversation's use cases on the real engine: kb_samples with the real model, a fresh SQLite database per test.
What the API, the widget and `engine ask` share: ask → log → ticket, streaming, votes, "still need help", session
and ticket reads, and who may act on which conversation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from engine.config import Settings
from engine.conversation import Reply
from engine.errors import NotFoundError, UnprocessableError
from engine.protocols import Embedder
from engine.types import Customer, Delta, Feedback, HelpRequest, Query, Question, SessionAccess
from engine.wiring import Engine, build_engine
from tests.conftest import KB_NOW

pytestmark = pytest.mark.integration
STAFF = SessionAccess(every_session=True)
ANSWERED = "how do I turn on two-factor authentication?"
SENSITIVE = "I filed a chargeback with my bank, refund me now"


@pytest.fixture
def engine(ticking_kb_engine: Engine) -> Engine:
    return ticking_kb_engine


def _ask(engine: Engine, text: str, session_id: str | None = None, customer: Customer | None = None) -> Reply:
    question = Question(Query(text), session_id=session_id, channel="widget", customer=customer or Customer())
    return engine.conversation.ask(question)


def test_an_answer_is_logged_redacted_in_a_new_session_and_opens_no_ticket(engine: Engine) -> None:
    reply = _ask(engine, "how do I turn on two-factor authentication? I am ann@acme.example")

    assert reply.decision.answered and reply.ticket is None and reply.session_id
    [turn] = engine.events.session(reply.session_id)
    assert turn.interaction_id == reply.interaction_id and turn.decision == "answer"
    assert "ann@acme.example" not in turn.question and turn.articles[0].cited
    assert engine.desk.store.for_session(reply.session_id) == []


def test_an_escalation_files_the_sessions_ticket_and_a_second_one_updates_it(engine: Engine) -> None:
    customer = Customer(id="c-7", email="bo@acme.example", plan="Business")
    first = _ask(engine, SENSITIVE, customer=customer)
    second = _ask(engine, SENSITIVE + " today", session_id=first.session_id, customer=customer)

    assert not first.decision.answered and first.ticket is not None and second.ticket is not None
    assert first.ticket.reason == "sensitive_topic" and first.ticket.customer == customer
    assert first.ticket.priority in ("high", "urgent") and first.ticket.interaction_id == first.interaction_id
    assert (second.ticket.id, second.ticket.version) == (first.ticket.id, 2)
    assert [t.interaction_id for t in second.ticket.transcript] == [first.interaction_id, second.interaction_id]


def test_streaming_yields_the_pieces_then_the_logged_reply(engine: Engine) -> None:
    events = list(engine.conversation.ask_streaming(Question(Query(ANSWERED), channel="widget")))

    *pieces, reply = events
    assert all(isinstance(p, Delta) for p in pieces) and isinstance(reply, Reply)
    assert "".join(p.text for p in pieces if isinstance(p, Delta)) == reply.decision.answer
    assert engine.events.turn(reply.interaction_id) is not None


def test_a_vote_counts_only_from_the_session_that_got_the_answer(engine: Engine) -> None:
    reply = _ask(engine, ANSWERED)
    vote = Feedback(reply.interaction_id, helpful=False, reason="unclear", comment="call +44 20 7946 0958")

    with pytest.raises(NotFoundError, match="not found in this session"):
        engine.conversation.vote(vote, SessionAccess("someone-else"))
    with pytest.raises(NotFoundError, match="not found in this session"):
        engine.conversation.vote(vote, SessionAccess())
    with pytest.raises(NotFoundError, match=r"interaction 0+ not found$"):
        engine.conversation.vote(Feedback("0" * 36, True), STAFF)
    engine.conversation.vote(vote, SessionAccess(reply.session_id))
    engine.conversation.vote(Feedback(reply.interaction_id, helpful=True), STAFF)

    votes = sorted(engine.events.votes(KB_NOW - timedelta(days=1)), key=lambda v: v.at)
    assert [(v.interaction_id, v.helpful) for v in votes] == [(reply.interaction_id, False), (reply.interaction_id, True)]


def test_asking_for_a_human_hands_over_the_last_question_with_its_articles(engine: Engine) -> None:
    reply = _ask(engine, ANSWERED)
    request = HelpRequest(reply.session_id, message="codes never arrive", customer=Customer(email="ann@acme.example"))

    ticket = engine.conversation.request_human(request, SessionAccess(reply.session_id))

    assert ticket.reason == "customer_request" and ticket.question == ANSWERED and ticket.message == "codes never arrive"
    assert ticket.interaction_id == reply.interaction_id and ticket.confidence == reply.decision.confidence
    assert ticket.articles[0].article_id == "account/two-factor-authentication" and ticket.category
    assert ticket.customer.email == "ann@acme.example"


def test_asking_for_a_human_needs_a_question_and_an_own_interaction(engine: Engine) -> None:
    reply = _ask(engine, ANSWERED)

    with pytest.raises(UnprocessableError, match="question: required"):
        engine.conversation.request_human(HelpRequest("new-session"), SessionAccess("new-session"))
    with pytest.raises(NotFoundError):
        engine.conversation.request_human(HelpRequest("other", interaction_id=reply.interaction_id),
                                   SessionAccess("other"))
    ticket = engine.conversation.request_human(HelpRequest("new-session", question="my export hangs"), STAFF)
    assert ticket.question == "my export hangs" and ticket.transcript == () and ticket.category is None


def test_a_session_is_read_only_by_staff_or_its_own_customer(engine: Engine) -> None:
    reply = _ask(engine, SENSITIVE)

    found = engine.conversation.session(reply.session_id, SessionAccess(reply.session_id))
    assert [t.interaction_id for t in found.turns] == [reply.interaction_id]
    assert [t.reference for t in found.tickets] == [reply.ticket.reference if reply.ticket else None]
    assert engine.conversation.session(reply.session_id, STAFF) == found
    for access, session_id in ((SessionAccess("other"), reply.session_id), (STAFF, "never-used")):
        with pytest.raises(NotFoundError, match="session not found"):
            engine.conversation.session(session_id, access)


def test_tickets_are_found_by_number_or_reference_newest_first(engine: Engine) -> None:
    first = _ask(engine, SENSITIVE).ticket
    second = _ask(engine, SENSITIVE).ticket
    assert first is not None and second is not None

    assert engine.support.ticket(first.reference).id == first.id
    assert engine.support.ticket(str(first.id)).id == first.id != second.id
    assert engine.support.ticket(second.reference.lower()).reference == second.reference
    assert [t.id for t in engine.support.tickets(status="open")] == [second.id, first.id]
    for unknown in ("T-999999", "abc", "9" * 20):
        with pytest.raises(NotFoundError, match="not found"):
            engine.support.ticket(unknown)


def test_a_preview_is_neither_logged_nor_ticketed(engine: Engine) -> None:
    found = engine.support.preview(Query(SENSITIVE))

    assert not found.preview.decision.answered and found.threshold == engine.answers.threshold
    assert engine.events.counts() == {"interactions": 0, "votes": 0}
    assert engine.desk.store.recent() == []


def test_small_talk_is_replied_to_without_a_ticket_and_a_greeting_with_a_question_is_the_question(
    engine: Engine,
) -> None:
    hello = _ask(engine, "Hii")
    thanks = _ask(engine, "thanks!", session_id=hello.session_id)
    asked = _ask(engine, "Hi there, " + ANSWERED, session_id=hello.session_id)

    assert (hello.decision.decision, hello.decision.reason, hello.ticket) == ("reply", "greeting", None)
    assert thanks.decision.reason == "thanks" and thanks.decision.message and thanks.ticket is None
    assert asked.decision.answered and asked.decision.citations[0].article_id == "account/two-factor-authentication"
    assert engine.desk.store.for_session(hello.session_id) == []


def test_an_escalation_reads_the_session_only_when_a_handoff_needs_the_earlier_question(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    read = engine.events.session
    monkeypatch.setattr(engine.events, "session", lambda session_id: reads.append(session_id) or read(session_id))

    first = _ask(engine, SENSITIVE, session_id="s-1")
    handoff = _ask(engine, "can I talk to a human please", session_id="s-1")

    assert first.ticket is not None and handoff.ticket is not None and handoff.ticket.question == SENSITIVE
    # The question's own read (what the conversation was about so far, docs/api.md) and the handoff's; the
    # escalation of the first question reads nothing, the desk reads the transcript on its own.
    assert reads == ["s-1", "s-1"]


def test_a_request_for_a_person_escalates_as_such_with_the_earlier_question(engine: Engine) -> None:
    first = _ask(engine, ANSWERED)
    reply = _ask(engine, "can I talk to a human please", session_id=first.session_id)

    assert reply.decision.reason == "customer_request" and "support team" in (reply.decision.message or "")
    assert reply.ticket is not None and reply.ticket.question == ANSWERED
    assert reply.ticket.message is None and reply.contact_needed  # `message` is only a note the customer wrote
    assert reply.ticket.transcript[-1].question == "can I talk to a human please"
    german = _ask(engine, "Ich möchte mit einem Mitarbeiter sprechen")
    assert german.decision.reason == "customer_request" and (german.decision.message or "").startswith("Gern")


def test_a_later_request_for_a_person_keeps_the_note_the_customer_wrote(engine: Engine) -> None:
    first = _ask(engine, SENSITIVE)
    note = HelpRequest(first.session_id, message="order 1234 was charged twice")
    engine.conversation.request_human(note, SessionAccess(first.session_id))

    later = _ask(engine, "can I talk to a human please", session_id=first.session_id)

    assert later.ticket is not None and later.ticket.message == "order 1234 was charged twice"


def test_frustration_is_acknowledged_with_raised_priority_never_a_generic_escalation(engine: Engine) -> None:
    reply = _ask(engine, "You charged me TWICE, I want a refund now!!")

    assert reply.decision.escalated and "frustrated" in reply.decision.flags
    assert "sorry" in (reply.decision.message or "") and reply.ticket is not None
    assert reply.ticket.priority in ("high", "urgent")


def test_a_vague_message_gets_a_question_back_with_distinct_topics(engine: Engine) -> None:
    reply = _ask(engine, "problem with billing")

    assert reply.decision.decision == "clarify" and reply.ticket is None
    titles = [s.title for s in reply.decision.suggestions]
    assert 2 <= len(titles) <= 4 and len(set(titles)) == len(titles)
    picked = _ask(engine, reply.decision.suggestions[0].question, session_id=reply.session_id)
    assert picked.decision.answered
    assert picked.decision.citations[0].article_id == reply.decision.suggestions[0].article_id


def test_the_ticket_keeps_the_first_escalations_subject_and_reason_and_lists_later_ones(engine: Engine) -> None:
    first = _ask(engine, SENSITIVE)
    _ask(engine, "write me a poem about the sea", session_id=first.session_id)
    human = engine.conversation.request_human(
        HelpRequest(first.session_id, customer=Customer(email="bo@acme.example")), SessionAccess(first.session_id)
    )

    assert human.reason == "sensitive_topic" and human.subject == SENSITIVE
    assert [r.reason for r in human.later_reasons] == ["out_of_scope", "customer_request"]
    assert human.has_contact and human.customer.email == "bo@acme.example"
    assert first.contact_needed


def test_a_follow_up_is_retrieved_with_the_previous_turn(engine: Engine) -> None:
    first = _ask(engine, "where do I download invoices as PDF?")
    follow = _ask(engine, "and can I get them by email?", session_id=first.session_id)
    alone = _ask(engine, "and can I get them by email?")

    assert first.decision.citations[0].article_id == "billing/download-invoices"
    assert follow.decision.answered and follow.decision.citations[0].article_id == "billing/download-invoices"
    assert not alone.decision.citations or alone.decision.citations[0].article_id != "billing/download-invoices"


def test_a_follow_up_that_switches_topic_is_answered_from_its_own_article(engine: Engine) -> None:
    first = _ask(engine, "where do I download invoices as PDF?")
    switch = _ask(engine, "and what about connecting Slack?", session_id=first.session_id)

    assert switch.decision.answered and switch.decision.citations[0].article_id == "integrations/slack"
    pulled_back = engine.answers.ask(Query("Download invoices and receipts and what about connecting Slack?"))
    assert pulled_back.citations[0].article_id != "integrations/slack"  # what the title rewrite alone would cite


def test_a_german_question_without_a_locale_is_answered_from_the_german_article(engine: Engine) -> None:
    reply = _ask(engine, "Wie setze ich mein Passwort zurück?")

    assert reply.decision.answered, reply.decision.reason
    assert reply.decision.citations[0].article_id == "account/passwort-zuruecksetzen"
    french = _ask(engine, "Comment réinitialiser mon mot de passe ?")
    assert french.decision.reason in ("answered", "unserved_language") and french.decision.message


def test_the_language_a_question_is_written_in_beats_the_browser_locale_sent_with_it(engine: Engine) -> None:
    # The widget sends navigator.language ("en-US" on most machines) with every message.
    question = Question(Query("Wie setze ich mein Passwort zurück?", locale="en-US"), channel="widget")
    english = Question(Query("how do I reset my password?", locale="en-US"), channel="widget")

    german = engine.conversation.ask(question)

    assert german.decision.answered and german.decision.citations[0].article_id == "account/passwort-zuruecksetzen"
    assert engine.conversation.ask(english).decision.citations[0].article_id != "account/passwort-zuruecksetzen"


def test_a_follow_up_without_a_pronoun_takes_its_topic_from_the_conversation(engine: Engine) -> None:
    first = _ask(engine, "how do I set up the Slack integration?")
    follow = _ask(engine, "which notifications get posted to the channel?", session_id=first.session_id)
    alone = _ask(engine, "which notifications get posted to the channel?")

    assert first.decision.citations[0].article_id == "integrations/slack"
    assert follow.decision.answered and follow.decision.citations[0].article_id == "integrations/slack"
    assert not alone.decision.citations or alone.decision.citations[0].article_id != "integrations/slack"


LIBRARIES = {
    "sacramento": ("Sacramento Public Library", "The Sacramento Public Library lends books, e-books and museum passes, "
                   "offers free Wi-Fi, study rooms and homework help, and runs story times for children."),
    "fresno": ("Fresno County Public Library", "The Fresno County Public Library offers books, a seed library, "
               "free computer classes, passport services and a mobile library that visits rural towns."),
    "parking": ("Parking permits", "Residents apply for a street parking permit online; permits cost 40 dollars a "
                "year and are mailed within two weeks."),
}


@pytest.mark.parametrize("question", ["What services does this library offer?", "What services does the library offer?"])
def test_this_library_unnamed_by_the_conversation_is_asked_back_with_the_libraries_found(
    tmp_path: Path, embedder: Embedder, question: str
) -> None:
    articles = tmp_path / "kb"
    articles.mkdir()
    for slug, (title, body) in LIBRARIES.items():
        (articles / f"{slug}.md").write_text(f"---\nid: {slug}\ntitle: {title}\n---\n\n{body}\n")
    engine = build_engine(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    try:
        assert engine.indexer().ingest(articles, source="towns").ok
        vague = _ask(engine, question)
        fresno = next(s for s in vague.decision.suggestions if s.article_id == "fresno")
        picked = _ask(engine, fresno.question, session_id=vague.session_id)
        named = _ask(engine, "Does the Fresno County Public Library have a seed library?")
        resolved = _ask(engine, question, session_id=named.session_id)
    finally:
        engine.close()

    assert (vague.decision.decision, vague.decision.reason, vague.ticket) == ("clarify", "ambiguous", None)
    assert {s.article_id for s in vague.decision.suggestions} == {"sacramento", "fresno"}
    # A suggestion asks the question again with the library named, and is answered from that library's article.
    assert fresno.question == "What services does Fresno County Public Library offer?"
    assert picked.decision.answered and picked.decision.citations[0].article_id == "fresno"
    assert resolved.decision.decision != "clarify"
