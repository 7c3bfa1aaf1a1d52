""""Is it one of these?" in real Chromium (issue #23): the widget shows the best articles' titles as buttons and "None
of these"; a click answers from the article clicked (streamed), "None of these" escalates with the email form; the
choice survives a reload; the agent console's preview shows the options and the dashboard counts confirms and picks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from engine.config import AnswerSettings
from engine.protocols import Embedder
from tests.conftest import AGENT_KEY
from tests.ui.conftest import Stack, running_stack, shot
from tests.ui.widget import open_widget

pytestmark = pytest.mark.integration
READ_ONLY = "our workspace went READ ONLY?? nobody can edit anything. we did get some emails about the card i think"
DUNNING = "Failed payments and past-due workspaces"


@pytest.fixture(scope="module")
def confirming(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    band = AnswerSettings(confirm=True, confirm_from=0.25, confirm_below=0.85)
    with running_stack(kb_data_dir, embedder, tmp_path_factory, answer=band) as running:
        yield running


def _confirm(page: Page, stack: Stack) -> Locator:
    page.goto(stack.shop)
    open_widget(page)
    page.get_by_label("Your question", exact=True).fill(READ_ONLY)
    page.get_by_role("button", name="Send", exact=True).click()
    asked = page.locator(".msg.confirm").last
    expect(asked).to_contain_text("Is it one of these?", timeout=60_000)  # the first question warms the stack up
    return asked


def test_the_titles_are_buttons_and_a_click_answers_from_that_article(confirming: Stack, page: Page) -> None:
    asked = _confirm(page, confirming)
    options = asked.get_by_role("group", name="Is it one of these?").get_by_role("button")
    expect(options.last).to_have_text("None of these")
    assert 3 <= options.count() <= 4  # two or three titles, then "None of these"
    shot(page, "30-confirm")

    asked.get_by_role("button", name=DUNNING).click()

    answer = page.locator(".msg.answer").last
    expect(answer.get_by_role("link", name=DUNNING)).to_be_visible()
    expect(answer).to_contain_text("Past due")
    expect(page.locator(".msg.user").last).to_have_text(DUNNING)
    expect(asked.get_by_role("button", name=DUNNING)).to_have_attribute("aria-pressed", "true")
    expect(asked.get_by_role("button", name="None of these")).to_be_disabled()
    shot(page, "31-confirm-picked")
    page.reload()
    expect(page.locator(".msg.answer").last.get_by_role("link", name=DUNNING)).to_be_visible()
    expect(page.locator(".msg.confirm").last.get_by_role("button", name=DUNNING)).to_be_disabled()


def test_none_of_these_escalates_and_asks_for_an_email_before_the_ticket(confirming: Stack, page: Page) -> None:
    asked = _confirm(page, confirming)

    asked.get_by_role("button", name="None of these").click()

    reply = page.locator(".msg.escalation").last
    expect(reply).to_contain_text("none of our articles fits")
    form = reply.get_by_role("form", name="Your email")
    form.get_by_label(re.compile("Email")).fill("ann@acme.example")
    form.get_by_role("button", name="Send to support").click()
    expect(page.locator(".msg.ticket")).to_contain_text("ann@acme.example")
    session = str(page.evaluate("() => JSON.parse(Object.entries(localStorage).find(([k]) => "
                                "k.startsWith('answer-widget:'))[1]).session_id"))
    [ticket] = confirming.engine.desk.store.for_session(session)
    assert ticket.reason == "none_of_these" and ticket.question == READ_ONLY and ticket.has_contact


def test_the_console_preview_shows_the_options_and_the_dashboard_counts_confirms(confirming: Stack, page: Page) -> None:
    confirming.clock.now += timedelta(days=2)  # the widget tests' sessions are judged; this one's confirm is fresh
    page.goto(f"{confirming.api}/agent")
    page.get_by_label("Staff API key").fill(AGENT_KEY)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Customer question").fill(READ_ONLY)
    page.get_by_role("button", name="Preview").click()

    expect(page.locator("#pv-decision")).to_have_text("a question back: is it one of these?")
    expect(page.locator("#pv-options")).to_contain_text(DUNNING)
    expect(page.locator("#pv-summary")).to_contain_text("asks which article from 0.25 to 0.85")
    shot(page, "32-confirm-preview")

    page.goto(f"{confirming.api}/dashboard")  # signed in already (the same staff session)
    kpi = page.locator("#kpi-confirm")
    expect(kpi).to_contain_text("is it one of these?")
    expect(kpi).to_contain_text(re.compile(r"picked \d+%"))
