"""Conversations in the widget, in real Chromium: small talk opens no ticket, a follow-up keeps its topic, a vague
message is asked back with topics to click, a request for a person asks for an email before any ticket is filed
(declined: filed flagged "no contact" in the console), and a German browser gets the German article."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import AGENT_KEY
from tests.ui.conftest import Stack, shot
from tests.ui.widget import ask, open_widget

pytestmark = pytest.mark.integration


def _tickets(stack: Stack, session_id: str) -> list[str]:
    return [t.reference for t in stack.engine.desk.store.for_session(session_id)]


def _session(page: Page) -> str:
    return str(page.evaluate("() => JSON.parse(Object.entries(localStorage).find(([k]) => "
                             "k.startsWith('answer-widget:'))[1]).session_id"))


def test_a_greeting_and_thanks_get_a_reply_and_open_no_ticket(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)

    expect(ask(page, "hi")).to_contain_text("What can I help you with?")
    expect(ask(page, "thanks!")).to_contain_text("You're welcome")
    assert _tickets(stack, _session(page)) == []
    expect(page.locator(".msg.escalation")).to_have_count(0)


def test_a_follow_up_is_answered_from_the_article_of_the_question_before(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)

    first = ask(page, "where do I download invoices as PDF?")
    expect(first.get_by_role("link", name="Download invoices and receipts")).to_be_visible()
    follow = ask(page, "and can I get them by email?")
    expect(follow.get_by_role("link", name="Download invoices and receipts")).to_be_visible()
    expect(page.locator(".msg.answer")).to_have_count(2)
    shot(page, "20-follow-up")


def test_a_vague_message_is_asked_back_and_a_clicked_topic_is_answered(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)

    clarify = ask(page, "problem with billing")
    topics = clarify.get_by_role("group", name="Suggested topics").get_by_role("button")
    expect(clarify).to_contain_text("Could you tell me a bit more?")
    assert 2 <= topics.count() <= 4
    title = topics.first.inner_text()
    shot(page, "21-clarify")
    topics.first.click()

    answer = page.locator(".msg.answer").last
    expect(answer.get_by_role("link", name=title)).to_be_visible()
    assert _tickets(stack, _session(page)) == []


def test_asking_for_a_person_asks_for_an_email_first_and_files_the_ticket_with_it(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    expect(ask(page, "how do I turn on two-factor authentication?")).to_contain_text("authenticat")
    stack.clock.now += timedelta(minutes=1)  # the turns are ordered by time

    reply = ask(page, "can I talk to a human please")
    expect(reply).to_contain_text("a person from our support team can help. Leave your email below")
    expect(reply).not_to_contain_text("handing")  # nothing is passed on before the customer answers
    form = reply.get_by_role("form", name="Your email")
    expect(form.get_by_role("button", name="Continue without email")).to_be_visible()
    assert _tickets(stack, _session(page)) == []  # nothing is filed before the customer answers
    form.get_by_label(re.compile("Email")).fill("not-an-email")
    form.get_by_role("button", name="Send to support").click()
    expect(page.locator(".msg.ticket")).to_have_count(0)
    assert _tickets(stack, _session(page)) == []
    form.get_by_label(re.compile("Email")).fill("ann@acme.example")
    shot(page, "22-handoff-email")
    form.get_by_role("button", name="Send to support").click()

    expect(page.locator(".msg.ticket")).to_contain_text("ann@acme.example")
    expect(reply.get_by_role("form", name="Your email")).to_have_count(0)
    expect(reply).to_contain_text("Your question is with our support team. Your ticket reference is T-")  # now it is
    expect(reply.get_by_role("button", name="Add details to your ticket")).to_be_visible()  # filed: not "Contact support"
    expect(reply.get_by_role("button", name="Contact support")).to_have_count(0)
    [ticket] = stack.engine.desk.store.for_session(_session(page))
    assert ticket.reason == "customer_request" and ticket.has_contact and ticket.version == 1
    assert ticket.customer.email == "ann@acme.example"
    assert ticket.question == "how do I turn on two-factor authentication?"
    expect(page.locator(".msg.ticket")).to_contain_text(ticket.reference)


def test_one_email_settles_every_escalation_waiting_for_it(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)

    first = ask(page, "what's the weather like in lisbon tomorrow")
    expect(first.get_by_role("form", name="Your email")).to_be_visible()
    expect(first.get_by_role("button", name="Contact support")).to_be_hidden()  # the form is the way: no second one
    stack.clock.now += timedelta(minutes=1)
    second = ask(page, "can I talk to a human please")
    second.get_by_role("form", name="Your email").get_by_label(re.compile("Email")).fill("ann@acme.example")
    second.get_by_role("button", name="Send to support").click()

    expect(page.locator(".msg.ticket")).to_contain_text("ann@acme.example")
    expect(page.get_by_role("form", name="Your email")).to_have_count(0)  # the first form went with the second
    expect(first.get_by_role("button", name="Add details to your ticket")).to_be_visible()
    [ticket] = stack.engine.desk.store.for_session(_session(page))
    assert ticket.has_contact and ticket.question == "what's the weather like in lisbon tomorrow"
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_role("form", name="Your email")).to_have_count(0)


def test_a_customer_who_declines_the_email_gets_a_ticket_flagged_in_the_console(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)

    reply = ask(page, "can I talk to a human please")
    reply.get_by_role("form", name="Your email").get_by_role("button", name="Continue without email").click()

    note = page.locator(".msg.ticket")
    expect(note).to_contain_text("Without an email our team can't write back")
    [unreachable] = stack.engine.desk.store.for_session(_session(page))
    assert not unreachable.has_contact and unreachable.reason == "customer_request"
    expect(note).to_contain_text(unreachable.reference)
    page.reload()  # the panel reopens as it was left
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator(".msg.ticket")).to_have_count(1)
    expect(page.get_by_role("form", name="Your email")).to_have_count(0)  # answered: not asked again
    console = page.context.new_page()
    console.goto(f"{stack.api}/agent#ticket/{unreachable.reference}")
    console.get_by_label("Staff API key").fill(AGENT_KEY)
    console.get_by_role("button", name="Sign in").click()
    expect(console.locator("#ticket-customer")).to_contain_text("no contact")
    shot(console, "24-no-contact-ticket")


@pytest.fixture
def german_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


def test_a_german_browser_gets_the_german_article(stack: Stack, german_page: Page) -> None:
    german_page.goto(stack.shop)
    open_widget(german_page, "Brauchen Sie Hilfe?")  # the browser's language until a reply says otherwise

    answer = ask(german_page, "Wie setze ich mein Passwort zurück?")

    expect(answer.get_by_role("link", name=re.compile("Passwort"))).to_be_visible()
    shot(german_page, "23-german")
