"""GET /v1/incidents over real HTTP: the API's lifespan polls a real changing feed on 127.0.0.1; any key reads the
incidents and the state's age, staff also the feed's source and last error."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.api.app import create_app
from engine.config import StatusSettings
from engine.wiring import build_engine
from tests.conftest import AGENT_KEY, PUBLIC_KEY, auth, kb_settings
from tests.fakes import HashEmbedder
from tests.incidents.feeds import Clock, Feed, feed_app, incident, summary
from tests.servers import HeldPort, serve

pytestmark = pytest.mark.integration


def _get(api: str, key: str) -> dict[str, Any]:
    response = httpx.get(f"{api}/v1/incidents", headers=auth(key), timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _until(api: str, key: str, ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while not ready(body := _get(api, key)):
        assert time.monotonic() < deadline, body
        time.sleep(0.05)
    return body


def test_incidents_follow_the_feed_and_survive_it_going_down(tmp_path: Path) -> None:
    feed, clock, held = Feed(), Clock(), HeldPort()  # refused once the feed stops serving
    feed.serve_json(summary())
    status = StatusSettings(url=f"{held.url}/api/v2/summary.json", poll_interval_s=0.05)
    engine = build_engine(kb_settings(tmp_path / "data", status=status), embedder=HashEmbedder(), clock=clock)
    with serve(create_app(engine.settings, engine=engine)) as api:
        with serve(feed_app(feed), held):
            calm = _until(api, PUBLIC_KEY, lambda b: b["age_s"] is not None)
            feed.serve_json(summary(incident("Sync delays", "sync", updates=2)))
            opened = _until(api, PUBLIC_KEY, lambda b: bool(b["incidents"]))
        clock.advance(300)
        stale = _until(api, AGENT_KEY, lambda b: b["stale"])
        public_stale = _get(api, PUBLIC_KEY)
    engine.close()
    held.close()

    assert calm["configured"] and calm["incidents"] == [] and calm["indicator"] == "none"
    [found] = opened["incidents"]
    assert (found["name"], found["status"], found["shortlink"]) == ("Sync delays", "investigating",
                                                                   "https://stspg.io/sync")
    assert found["latest_update"]["body"] == "Update 2 on Sync delays." and found["components"][0]["name"] == "Sync"
    assert opened["source"] is None and opened["error"] is None  # a public key sees no feed internals
    assert [{**i, "questions": None} for i in stale["incidents"]] == opened["incidents"] and stale["age_s"] >= 300.0
    assert stale["incidents"][0]["questions"] == 0 and found["questions"] is None  # asked about it: staff only
    assert "status feed unavailable" in stale["error"] and stale["source"].endswith("/api/v2/summary.json")
    assert public_stale["stale"] and public_stale["error"] is None and public_stale["source"] is None


def test_without_a_status_feed_the_endpoint_says_it_is_not_configured(tmp_path: Path) -> None:
    engine = build_engine(kb_settings(tmp_path / "data"), embedder=HashEmbedder(), clock=Clock())
    with serve(create_app(engine.settings, engine=engine)) as api:
        body = _get(api, PUBLIC_KEY)
    engine.close()

    assert body["configured"] is False and body["incidents"] == [] and body["age_s"] is None
