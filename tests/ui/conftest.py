"""Real-browser fixtures: Debian's Chromium driven by Playwright, the API over a copy of the kb_samples index on one
port, and a shop page on another port that embeds the widget with the one tag (a real cross-origin embed)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, Page, sync_playwright

from engine.api.app import create_app
from engine.config import ApiKey, AuthSettings
from engine.protocols import Embedder
from engine.wiring import Engine, build_engine
from tests.conftest import KB_NOW, ROOT, TEST_KEYS, kb_settings
from tests.servers import HeldPort, serve

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "ui"
SHOP_KEY = "pk-test-shop-0123456789"
AGGRESSIVE_CSS = """
* { color: red !important; font-size: 40px !important; display: block; font-family: "Courier New", monospace !important;
    background: yellow; letter-spacing: 6px !important; line-height: 3 !important; text-transform: uppercase !important; }
button { display: none !important; }
div { border: 5px dashed green !important; padding: 30px !important; }
"""


@dataclass
class Clock:
    """The engine's clock, movable so a test can script activity over several days."""

    now: datetime = KB_NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Stack:
    api: str
    shop: str
    engine: Engine
    clock: Clock


def shop_app(api: str, key: str) -> FastAPI:
    """A customer's web shop on its own origin: /, /aggressive (hostile CSS) and /bare (no widget)."""
    app = FastAPI()
    tag = f'<script src="{api}/widget.js" data-key="{key}" async></script>'

    def page(css: str, widget: bool) -> str:
        return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
                f"content='width=device-width, initial-scale=1'><title>Acme shop</title><style>{css}</style></head>"
                "<body><h1 id='host-title'>Acme shop</h1><p id='host-text'>Welcome to our shop.</p>"
                "<a id='host-link' href='#top'>Deals</a> <button id='host-button' type='button'>Buy now</button>"
                f"{tag if widget else ''}</body></html>")

    plain = "body { font-family: Georgia, serif; margin: 2rem; } button { padding: 4px 8px; }"

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return page(plain, widget=True)

    @app.get("/bare", response_class=HTMLResponse)
    def bare() -> str:
        return page(plain, widget=False)

    @app.get("/aggressive", response_class=HTMLResponse)
    def aggressive() -> str:
        return page(plain + AGGRESSIVE_CSS, widget=True)

    return app


@pytest.fixture(scope="module")
def stack(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The API (port A) and the shop (port B); the shop's key allows both origins, so the demo page at / works too."""
    with running_stack(kb_data_dir, embedder, tmp_path_factory) as running:
        yield running


@contextmanager
def running_stack(
    kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory, **overrides: Any
) -> Iterator[Stack]:
    """The stack of the `stack` fixture, with settings `overrides` (as kb_settings takes them)."""
    data = tmp_path_factory.mktemp("ui") / "data"
    shutil.copytree(kb_data_dir, data, ignore=shutil.ignore_patterns("engine.db*"))
    api_held, shop_held = HeldPort(), HeldPort()
    api, shop = api_held.url, shop_held.url
    shop_key = ApiKey(name="shop", key=SHOP_KEY, role="public", origins=(shop, api))  # type: ignore[arg-type]
    clock = Clock()
    settings = kb_settings(data, auth=AuthSettings(keys=[shop_key, *TEST_KEYS]), **overrides)
    engine = build_engine(settings, embedder=embedder, clock=clock)
    with serve(create_app(settings, engine=engine), api_held), serve(shop_app(api, SHOP_KEY), shop_held):
        yield Stack(api, shop, engine, clock)
    engine.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per module; skipped (with the fix) only when the browser is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("UI tests need Chromium: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context (own localStorage) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str, full_page: bool = False) -> None:
    """Save a screenshot under test-output/ui/ for a human to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)
