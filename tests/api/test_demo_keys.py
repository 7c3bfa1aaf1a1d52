"""The demo keys follow the port the demo is served on (scripts/demo with PORT=8001 must not refuse its own page)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from engine.api.app import create_app
from engine.api.auth import load_keys, with_port
from engine.config import AuthSettings, Settings
from tests.conftest import ROOT

DEMO_KEYS = ROOT / "config" / "demo-keys.toml"


def _demo_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, auth=AuthSettings(keys_file=DEMO_KEYS))


def test_port_placeholders_are_filled_and_other_origins_kept() -> None:
    assert with_port(("http://127.0.0.1:{port}", "https://shop.example"), 8001) == (
        "http://127.0.0.1:8001", "https://shop.example")


def test_the_demo_widget_key_allows_the_demo_page_on_the_port_it_is_served_on(tmp_path: Path) -> None:
    widget = {k.name: k for k in load_keys(_demo_settings(tmp_path), port=8001)}["demo-widget"]
    default = {k.name: k for k in load_keys(_demo_settings(tmp_path))}["demo-widget"]

    assert widget.origins == ("http://127.0.0.1:8001", "http://localhost:8001")
    assert default.origins == ("http://127.0.0.1:8000", "http://localhost:8000")


def test_cors_on_port_8001_admits_the_demo_page_and_not_port_8000(tmp_path: Path) -> None:
    client = TestClient(create_app(_demo_settings(tmp_path), port=8001))  # no lifespan: CORS needs no engine
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key,content-type"}

    own = client.options("/v1/ask", headers={"Origin": "http://127.0.0.1:8001", **ask})
    other = client.options("/v1/ask", headers={"Origin": "http://127.0.0.1:8000", **ask})

    assert own.status_code == 200 and own.headers["access-control-allow-origin"] == "http://127.0.0.1:8001"
    assert other.status_code == 400
