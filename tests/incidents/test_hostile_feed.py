"""A hostile or broken status feed (issue #28): a server that drips one byte at a time, a 50 MB body, JSON nested 100k
deep, naive and aware times mixed, a FIFO as the status file, tens of thousands of incidents. Each read ends by its
deadline, costs at most its byte cap, keeps the last good state with the error, and what is kept is cut to the caps."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import Response, StreamingResponse

from engine.api.app import create_app
from engine.config import StatusSettings
from engine.incidents.feed import FileFetcher, HttpFetcher, StatusSource
from engine.incidents.notice import NOTICE_UPDATE_CHARS, notice_for
from engine.incidents.parse import parse_summary
from engine.incidents.types import FeedLimits, FeedState, IncidentMatch
from engine.wiring import build_engine
from tests.conftest import AGENT_KEY, PUBLIC_KEY, auth, kb_settings
from tests.fakes import HashEmbedder
from tests.incidents.feeds import T0, Clock, incident, summary
from tests.servers import serve

pytestmark = pytest.mark.integration
FIFTY_MB = 50 * 1024 * 1024


@dataclass
class Hostile:
    """What the hostile feed serves next: a good body, a slow drip, or a huge body streamed in 1 MB pieces."""

    mode: str = "good"
    body: bytes = b""
    requests: int = 0


def hostile_app(feed: Hostile) -> FastAPI:
    app = FastAPI()

    @app.get("/summary.json")
    def summary_json() -> Response:
        feed.requests += 1
        if feed.mode == "drip":
            return StreamingResponse(_drip(), media_type="application/json")
        if feed.mode == "huge":
            return StreamingResponse(_huge(), media_type="application/json")
        return Response(feed.body, media_type="application/json")

    return app


async def _drip() -> AsyncIterator[bytes]:
    """One byte every 0.2 s, 300 bytes at most (a minute): far slower than any deadline, and it ends by itself."""
    for char in b'{"incidents": [' + b" " * 285:
        yield bytes([char])
        await asyncio.sleep(0.2)


async def _huge() -> AsyncIterator[bytes]:
    """A valid 50 MB summary: one incident whose update body is 50 MB of text."""
    head = json.dumps(summary(incident("Sync delays", "sync")))[:-1] + ', "padding": "'
    yield head.encode()
    piece = b"A" * (1024 * 1024)
    for _ in range(50):
        yield piece
    yield b'"}'


@pytest.fixture
def hostile() -> Iterator[tuple[Hostile, str]]:
    feed = Hostile(body=json.dumps(summary(incident("Sync delays", "sync"))).encode())
    with serve(hostile_app(feed)) as url:
        yield feed, f"{url}/summary.json"


def test_a_slow_drip_feed_is_abandoned_at_the_deadline_and_the_next_poll_asks_again(
    hostile: tuple[Hostile, str],
) -> None:
    feed, url = hostile
    clock = Clock()
    source = StatusSource(HttpFetcher(url, timeout_s=0.5), clock, stale_after_s=300)
    good = source.refresh()
    feed.mode = "drip"
    clock.advance(30)
    dripping = source.refresh()
    feed.mode = "good"
    clock.advance(30)
    back = source.refresh()

    assert good.error is None and [i.name for i in good.active_incidents] == ["Sync delays"]
    assert "no complete answer within the 0.5 s deadline" in (dripping.error or "")
    assert dripping.stale(clock.now) and dripping.page == good.page and dripping.age_s(clock.now) == 60.0
    assert feed.requests == 3 and back.error is None and not back.stale(clock.now)


def test_a_50_mb_feed_is_refused_at_the_byte_cap_and_the_last_good_state_kept(hostile: tuple[Hostile, str]) -> None:
    feed, url = hostile
    source = StatusSource(HttpFetcher(url, timeout_s=10.0, max_bytes=1_000_000), Clock())
    good = source.refresh()
    feed.mode = "huge"
    huge = source.refresh()

    assert "status feed too_large: the body is larger than 1000000 bytes" in (huge.error or "")
    assert huge.page == good.page


def test_a_50_mb_status_file_and_a_fifo_are_refused_without_reading_them(tmp_path: Path) -> None:
    big, fifo = tmp_path / "big.json", tmp_path / "fifo.json"
    with big.open("wb") as handle:
        handle.truncate(FIFTY_MB)
    os.mkfifo(fifo)

    huge = StatusSource(FileFetcher(big), Clock()).refresh()
    blocked = StatusSource(FileFetcher(fifo), Clock()).refresh()  # without the fix this read never returns

    assert "is larger than 2000000 bytes" in (huge.error or "")
    assert "is not a regular file" in (blocked.error or "") and blocked.page is None


def test_deep_nesting_and_other_surprises_are_one_malformed_error_with_the_last_good_state(tmp_path: Path) -> None:
    path, clock = tmp_path / "summary.json", Clock()
    path.write_text(json.dumps(summary(incident("Login failures", "login"))))
    source = StatusSource(FileFetcher(path), clock)
    good = source.refresh()
    states = []
    for body in ('{"incidents": ' + "[" * 100_000 + "]" * 100_000 + "}", '{"incidents": [], "n": ' + "9" * 5000 + "}"):
        path.write_text(body)
        states.append(source.refresh())

    assert [s.error for s in states] == ["status feed malformed: nested too deeply",
                                         "status feed malformed: ValueError: Exceeds the limit (4300 digits) for "
                                         "integer string conversion: value has 5000 digits; use "
                                         "sys.set_int_max_str_digits() to increase the limit"]
    assert all(s.page == good.page for s in states)


def test_naive_and_aware_times_mixed_in_one_incident_parse_as_utc() -> None:
    found = incident("Sync delays", "sync", updates=2)
    found["incident_updates"][0]["created_at"] = "2026-12-01T09:10:00"  # naive
    found["created_at"] = "2026-12-01T09:00:00"

    [parsed] = parse_summary(json.dumps(summary(found))).incidents

    assert parsed.created_at == T0 and [u.body for u in parsed.updates] == ["Update 2 on Sync delays.",
                                                                            "Update 1 on Sync delays."]


def test_counts_and_texts_are_cut_to_the_caps_and_links_are_http_only() -> None:
    many = [{**incident(f"Outage {n}", "sync"), "id": f"inc-{n}"} for n in range(20_000)]
    many[0]["incident_updates"][0]["body"] = "B" * 5_000_000
    many[0]["shortlink"] = "javascript:alert(document.domain)"
    many[0]["components"] = [{"id": f"c{n}", "name": f"C{n}", "status": "major_outage"} for n in range(1000)]
    body = summary(*many)
    body["page"]["url"] = "data:text/html,<script>alert(1)</script>"
    body["components"] = body["components"] * 500
    limits = FeedLimits(max_bytes=60_000_000, max_incidents=50, max_components=30, max_text_chars=1000)

    page = parse_summary(json.dumps(body), limits)

    first = page.incidents[0]
    assert len(page.incidents) == 50 and len(page.components) == 30 and len(first.components) == 30
    assert first.latest_update is not None and len(first.latest_update.body) == 1000
    assert first.shortlink is None and page.url is None and page.incidents[1].shortlink == "https://stspg.io/sync"


def test_the_notice_stays_short_whatever_the_feed_says_and_says_when_it_is_stale() -> None:
    found = incident("Sync delays " * 100, "sync")
    found["incident_updates"][0]["body"] = "word " * 10_000
    page = parse_summary(json.dumps(summary(found)))
    clock = Clock()
    state = FeedState(source="summary.json", page=page, fetched_at=clock.now, stale_after_s=125)
    [active] = page.active_incidents

    fresh = notice_for(IncidentMatch(active, active.components, ()), state, clock.now)
    clock.advance(126)  # no read failed, but none succeeded for longer than two polls and a deadline
    old = notice_for(IncidentMatch(active, active.components, ()), state, clock.now)

    assert fresh.latest_update is not None and len(fresh.latest_update) <= NOTICE_UPDATE_CHARS
    assert len(fresh.title) <= 200 and len(fresh.text) < 1200 and not fresh.stale
    assert old.stale and "(Our status information is 2 minutes old" in old.text


def _incidents(api: str, key: str) -> httpx.Response:
    return httpx.get(f"{api}/v1/incidents", headers=auth(key), timeout=30)


def test_over_http_a_dripping_then_50_mb_feed_leaves_the_api_small_and_stale_with_the_error(
    hostile: tuple[Hostile, str], tmp_path: Path
) -> None:
    feed, url = hostile
    feed.body = json.dumps(summary(incident("Sync delays", "sync"))).encode()
    status = StatusSettings(url=url, poll_interval_s=0.05, timeout_s=0.5, max_bytes=1_000_000)
    engine = build_engine(kb_settings(tmp_path / "data", status=status), embedder=HashEmbedder(), clock=Clock())
    seen: dict[str, Any] = {}
    with serve(create_app(engine.settings, engine=engine)) as api:
        _wait(lambda: bool(_incidents(api, PUBLIC_KEY).json()["incidents"]))
        for mode, says in (("drip", "deadline"), ("huge", "larger than 1000000 bytes")):
            feed.mode = mode
            _wait(lambda: says in (_incidents(api, AGENT_KEY).json()["error"] or ""))  # noqa: B023
            seen[mode] = _incidents(api, PUBLIC_KEY)
    engine.close()

    for response in seen.values():
        body = response.json()
        assert len(response.content) < 10_000 and body["stale"] and [i["name"] for i in body["incidents"]] == [
            "Sync delays"]


def _wait(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
