"""The notice's words, from a match and the feed's state (pure)."""

from __future__ import annotations

import json
from datetime import timedelta

from engine.incidents.matching import match_incidents
from engine.incidents.notice import as_age, notice_for, resolution_note
from engine.incidents.parse import parse_summary
from engine.incidents.types import CandidateArticle, FeedState
from tests.incidents.feeds import T0, incident, maintenance, summary

SYNC = CandidateArticle("troubleshooting/sync-errors", ("sync", "offline"))


def _state(error: str | None = None) -> FeedState:
    page = parse_summary(json.dumps(summary(incident("Sync delays", "sync", updates=2))))
    return FeedState("feed", page, fetched_at=T0, checked_at=T0, error=error)


def test_the_notice_says_what_where_it_stands_where_to_follow_and_marks_affected_articles() -> None:
    state = _state()
    [match] = match_incidents(state.active_incidents, (), "why does my board not save?", [SYNC])

    notice = notice_for(match, state, T0 + timedelta(seconds=30))

    assert (notice.incident_id, notice.title, notice.link) == ("inc-sync", "Sync delays", "https://stspg.io/sync")
    assert notice.affected_articles == ("troubleshooting/sync-errors",) and not notice.stale
    assert notice.text == (
        "Known issue affecting Sync: Sync delays (we are investigating). Latest update: Update 2 on Sync delays. "
        "Follow it on our status page: https://stspg.io/sync — we'll update here as soon as it is fixed. "
        "Some steps in the articles below may not work until then."
    )


def test_a_stale_state_says_how_old_it_is_and_a_fresh_one_does_not() -> None:
    state = _state(error="status feed unavailable: HTTP 503")
    [match] = match_incidents(state.active_incidents, (), "is sync down?")

    stale = notice_for(match, state, T0 + timedelta(minutes=12, seconds=5))

    assert stale.stale and stale.age_s == 725.0
    assert stale.text.endswith("(Our status information is 12 minutes old: the status page could not be reached "
                               "since.)")
    assert "old" not in notice_for(match, _state(), T0 + timedelta(minutes=12)).text


def test_ages_and_the_resolution_note() -> None:
    assert [as_age(s) for s in (1, 45, 60, 7200, 90000)] == ["1 second", "45 seconds", "1 minute", "2 hours", "1 day"]
    resolved = parse_summary(json.dumps(summary(incident("Sync delays", "sync", "resolved", updates=3))))
    assert resolution_note(resolved.incidents[0]) == (
        "Resolved on the status page: Sync delays (resolved). Latest update: Update 3 on Sync delays."
    )


def test_a_maintenance_is_told_as_one_with_its_window() -> None:
    page = parse_summary(json.dumps(summary(maintenances=(maintenance("Database upgrade", "sync"),))))
    state = FeedState("feed", page, fetched_at=T0, checked_at=T0)
    [match] = match_incidents(state.active_incidents, (), "is sync down?")

    notice = notice_for(match, state, T0 + timedelta(hours=1, minutes=5))

    assert (notice.impact, notice.opened_at, notice.until) == ("maintenance", T0 + timedelta(hours=1),
                                                              T0 + timedelta(hours=3))
    assert notice.text.startswith("Scheduled maintenance on Sync: Database upgrade (in progress, planned to end "
                                  "2026-12-01 12:00 UTC). Latest update: Update 1 on Database upgrade.")
