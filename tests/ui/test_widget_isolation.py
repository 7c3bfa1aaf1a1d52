"""The widget in hostile and small surroundings: aggressive host CSS, keyboard-only use, a 360 px wide phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.conftest import Stack, shot
from tests.ui.widget import ask, focused, open_widget, shadow_style

pytestmark = pytest.mark.integration
LOOK = ("color", "background-color", "font-size", "font-family", "display", "letter-spacing", "line-height",
        "text-transform", "border-top-width", "padding-top", "width", "height")
PARTS = (".launcher", ".panel", "header h2", ".ask input", ".ask button", ".msg.user", ".msg.answer", ".sources a")
HOST = ("#host-title", "#host-text", "#host-link", "#host-button")


def _looks(page: Page) -> dict[str, dict[str, str]]:
    page.mouse.move(0, 0)  # no hover styles in the comparison
    return {part: shadow_style(page, part, LOOK) for part in PARTS}


def _host_looks(page: Page) -> dict[str, dict[str, str]]:
    return {
        selector: page.eval_on_selector(
            selector, "(node, props) => Object.fromEntries(props.map(p => [p, getComputedStyle(node)"
            ".getPropertyValue(p)]))", list(LOOK))
        for selector in HOST
    }


def test_aggressive_host_css_does_not_change_the_widget_and_the_widget_css_does_not_leak_out(
    stack: Stack, page: Page
) -> None:
    page.goto(stack.shop)
    open_widget(page)
    ask(page, "how do I turn on two-factor authentication?")
    calm = _looks(page)
    page.goto(f"{stack.shop}/bare")
    host_without_widget = _host_looks(page)
    page.goto(stack.shop)
    expect(page.locator("#answer-widget")).to_be_attached()
    host_with_widget = _host_looks(page)

    page.goto(f"{stack.shop}/aggressive")
    expect(page.locator("#host-button")).to_be_hidden()
    expect(page.get_by_role("dialog")).to_be_visible()  # left open on the previous page: open on this one
    hostile = _looks(page)
    shot(page, "11-aggressive-host-css")

    assert hostile == calm
    assert calm[".launcher"]["display"] != "none" and calm[".launcher"]["color"] == "rgb(255, 255, 255)"
    assert calm[".msg.answer"]["font-size"] == "15px"
    assert host_with_widget == host_without_widget


CONTRAST = """() => {
  const lum = (rgb) => { const c = rgb.match(/[\\d.]+/g).slice(0, 3).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4); return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]; };
  const background = (node) => { for (; node && node.nodeType === 1; node = node.parentNode || node.host) {
      const bg = getComputedStyle(node).backgroundColor; if (!/rgba\\(.*, 0\\)$|transparent/.test(bg)) return bg; }
    return 'rgb(255, 255, 255)'; };
  const root = document.getElementById('answer-widget').shadowRoot, worst = [];
  for (const node of root.querySelectorAll('*')) {
    const own = [...node.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !node.offsetParent) continue;
    const a = lum(getComputedStyle(node).color), b = lum(background(node));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) worst.push(node.className + ' ' + node.textContent.trim().slice(0, 30) + ' ' + ratio.toFixed(2));
  }
  return worst;
}"""


def test_every_text_in_the_widget_has_a_contrast_of_at_least_4_5(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    open_widget(page)
    ask(page, "write me a poem about the sea")
    reply = ask(page, "how do I turn on two-factor authentication?")
    reply.get_by_role("button", name="Not helpful").click()
    page.mouse.move(0, 0)

    assert page.evaluate(CONTRAST) == []


def test_keyboard_only_open_ask_vote_and_close(stack: Stack, page: Page) -> None:
    page.goto(stack.shop)
    for _ in range(10):
        page.keyboard.press("Tab")
        if focused(page) == "Need help?":
            break
    assert focused(page) == "Need help?"
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_role("button", name="Need help?", exact=True)).to_have_attribute("aria-expanded", "true")
    assert focused(page) == "aw-question"

    page.keyboard.type("how do I turn on two-factor authentication?")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.answer")).to_have_count(1)
    assert focused(page) == "aw-question"
    for _ in range(12):
        page.keyboard.press("Tab")
        if focused(page) == "Helpful":
            break
    assert focused(page) == "Helpful"
    shot(page, "12-keyboard-focus-on-helpful")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.answer")).to_contain_text("Thanks for your feedback!")

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert focused(page) == "Need help?"
    expect(page.get_by_role("button", name="Need help?", exact=True)).to_have_attribute("aria-expanded", "false")


def test_on_a_360px_phone_the_panel_fills_the_screen_without_sideways_scrolling(stack: Stack, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(stack.shop)
    open_widget(phone)
    reply = ask(phone, "how do I turn on two-factor authentication?")
    expect(reply.get_by_role("link").first).to_be_visible()

    box = phone.get_by_role("dialog").bounding_box()
    overflow = phone.evaluate("() => document.getElementById('answer-widget').shadowRoot.querySelector('.log')"
                              ".scrollWidth - document.getElementById('answer-widget').shadowRoot"
                              ".querySelector('.log').clientWidth")
    shot(phone, "13-phone-360")
    context.close()
    assert box is not None and box["x"] == 0 and box["width"] == 360
    assert overflow == 0
