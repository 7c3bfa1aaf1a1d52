"""Driving the widget like a customer: open it, ask, wait for the reply (Playwright locators pierce its shadow root)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

REPLY = ".msg.answer, .msg.escalation, .msg.error, .msg.reply, .msg.clarify"


def open_widget(page: Page, launcher: str = "Need help?") -> None:
    page.get_by_role("button", name=launcher, exact=True).click()
    expect(page.get_by_role("dialog")).to_be_visible()


def ask(page: Page, question: str) -> Locator:
    """Type and send a question; the new reply (answer, escalation or error message)."""
    before = page.locator(REPLY).count()
    page.locator("#aw-question").fill(question)  # labelled in the widget's current language
    page.locator("form.ask button[type=submit]").click()
    # the first question of a server also loads the language detector's models: seconds on a busy CI machine
    expect(page.locator(REPLY)).to_have_count(before + 1, timeout=60_000)
    return page.locator(REPLY).nth(before)  # this reply, even after later ones


def shadow_style(page: Page, selector: str, properties: tuple[str, ...]) -> dict[str, str]:
    """Computed style of an element inside the widget's shadow root."""
    return page.evaluate(  # type: ignore[no-any-return]
        """([selector, properties]) => {
             const node = document.getElementById('answer-widget').shadowRoot.querySelector(selector);
             const style = getComputedStyle(node);
             return Object.fromEntries(properties.map(p => [p, style.getPropertyValue(p)]));
           }""",
        [selector, list(properties)],
    )


def focused(page: Page) -> str:
    """The focused element inside the widget (its aria-label or text), or 'outside'."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
             const host = document.getElementById('answer-widget');
             if (document.activeElement !== host) return 'outside';
             const node = host.shadowRoot.activeElement;
             return node ? (node.getAttribute('aria-label') || node.textContent.trim() || node.id) : 'none';
           }"""
    )
