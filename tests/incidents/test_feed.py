"""StatusSource against a real changing feed on 127.0.0.1: incidents open and resolve, ETags save re-reads, and a
down or malformed feed keeps the last good state, logged once per failure streak."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.incidents.feed import FileFetcher, HttpFetcher, StatusSource
from engine.incidents.poller import StatusPoller
from tests.incidents.feeds import Clock, Feed, feed_app, incident, summary
from tests.servers import HeldPort, serve

pytestmark = pytest.mark.integration
FEED_LOGGER = "engine.incidents.feed"


def _source(url: str, clock: Clock) -> StatusSource:
    return StatusSource(HttpFetcher(f"{url}/api/v2/summary.json", timeout_s=2.0), clock)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == FEED_LOGGER and r.levelno == logging.WARNING]


def test_an_incident_opens_updates_and_resolves_and_a_304_keeps_the_state() -> None:
    feed, clock = Feed(), Clock()
    feed.serve_json(summary())
    with serve(feed_app(feed)) as url:
        source = _source(url, clock)
        assert source.refresh().active_incidents == () and source.state.page is not None
        feed.serve_json(summary(incident("Sync delays", "sync", updates=2)))
        opened = source.refresh()
        clock.advance(60)
        unchanged = source.refresh()
        feed.serve_json(summary(incident("Sync delays", "sync", status="resolved", updates=3)))
        resolved = source.refresh()

    [active] = opened.active_incidents
    assert (active.name, active.status, active.impact) == ("Sync delays", "investigating", "major")
    assert active.latest_update is not None and active.latest_update.body == "Update 2 on Sync delays."
    assert [c.name for c in active.components] == ["Sync"] and active.shortlink == "https://stspg.io/sync"
    assert feed.not_modified == 1 and feed.requests[0] is None and feed.requests[2] is not None
    assert unchanged.active_incidents == opened.active_incidents and unchanged.fetched_at == clock.now
    assert unchanged.age_s(clock.now) == 0.0
    assert resolved.active_incidents == () and resolved.page is not None and len(resolved.page.incidents) == 1


def test_a_down_feed_keeps_the_last_good_state_its_age_grows_and_it_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    feed, clock, held = Feed(), Clock(), HeldPort()  # the address stays ours: refused while down
    feed.serve_json(summary(incident("Sync delays", "sync")))
    caplog.set_level(logging.INFO, logger=FEED_LOGGER)
    with serve(feed_app(feed), held) as url:
        source = _source(url, clock)
        good = source.refresh()
    down = []
    for _ in range(3):
        clock.advance(120)
        down.append(source.refresh())
    failures = _warnings(caplog)
    feed.serve_json(summary())
    with serve(feed_app(feed), held):
        clock.advance(30)
        back = source.refresh()
    held.close()

    assert all(s.active_incidents == good.active_incidents and s.error for s in down)
    assert [s.age_s(s.checked_at) for s in down if s.checked_at] == [120.0, 240.0, 360.0]
    assert "status feed unavailable" in (down[-1].error or "")
    assert len(failures) == 1 and failures[0].kind == "unavailable"  # type: ignore[attr-defined]
    assert failures[0].source.endswith("/api/v2/summary.json")  # type: ignore[attr-defined]
    assert back.error is None and back.active_incidents == () and back.age_s(clock.now) == 0.0
    assert [r.failed_reads for r in caplog.records if r.msg == "status feed recovered"] == [3]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"<html>502 Bad Gateway</html>", 200, "status feed malformed: not JSON"),
        (json.dumps({"page": {}, "components": []}).encode(), 200, "status feed malformed: incidents: Field required"),
        (json.dumps({"incidents": [{"id": "x", "name": "n"}]}).encode(), 200, "malformed: incidents.0.status"),
        (b"oops", 503, "status feed unavailable: HTTP 503"),
    ],
)
def test_a_malformed_or_failing_feed_is_logged_clearly_and_the_last_good_state_kept(
    caplog: pytest.LogCaptureFixture, body: bytes, status: int, says: str
) -> None:
    feed, clock = Feed(), Clock()
    feed.serve_json(summary(incident("Login failures", "login")))
    caplog.set_level(logging.WARNING, logger=FEED_LOGGER)
    with serve(feed_app(feed)) as url:
        source = _source(url, clock)
        good = source.refresh()
        feed.serve_raw(body, status)
        clock.advance(45)
        bad = [source.refresh(), source.refresh()]

    assert [i.name for i in bad[-1].active_incidents] == ["Login failures"] and bad[-1].page == good.page
    assert says in (bad[-1].error or "") and bad[-1].age_s(clock.now) == 45.0
    [record] = _warnings(caplog)
    assert says.split(": ", 1)[1] in record.getMessage() and record.last_good_age_s == 45.0  # type: ignore[attr-defined]


def test_a_file_source_reads_the_file_each_time_and_survives_it_going_missing(tmp_path: Path) -> None:
    path, clock = tmp_path / "summary.json", Clock()
    path.write_text(json.dumps(summary()))
    source = StatusSource(FileFetcher(path), clock)

    empty = source.refresh()
    path.write_text(json.dumps(summary(incident("Email delays", "email", impact="minor"))))
    opened = source.refresh()
    path.unlink()
    missing = source.refresh()

    assert empty.active_incidents == () and empty.source == str(path)
    assert [i.name for i in opened.active_incidents] == ["Email delays"]
    assert missing.active_incidents == opened.active_incidents and "cannot read" in (missing.error or "")


def test_the_poller_reads_the_feed_in_the_background_until_stopped() -> None:
    feed, clock = Feed(), Clock()
    feed.serve_json(summary())
    with serve(feed_app(feed)) as url:
        source = _source(url, clock)
        poller = StatusPoller(source, interval_s=0.05)
        poller.start()
        _wait_for(lambda: source.state.page is not None)
        feed.serve_json(summary(incident("Sync delays", "sync")))
        _wait_for(lambda: bool(source.state.active_incidents))
        poller.stop()
        seen = len(feed.requests)
        time.sleep(0.2)

    assert not poller.running and len(feed.requests) == seen


def test_the_poller_refuses_a_nonsense_interval(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="interval_s must be greater than 0"):
        StatusPoller(StatusSource(FileFetcher(tmp_path / "x.json"), Clock()), interval_s=0)


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)
