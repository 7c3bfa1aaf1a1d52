"""The summary.json shape (Atlassian Statuspage API v2) parsed into typed objects; malformed bodies say why."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from engine.incidents.parse import FeedError, parse_summary
from tests.incidents.feeds import T0, incident, maintenance, summary


def test_a_full_summary_parses_into_page_components_and_incidents_with_newest_update_first() -> None:
    page = parse_summary(json.dumps(summary(incident("Sync delays", "sync", status="identified", updates=3))))

    assert (page.name, page.url, page.indicator) == ("Fluxboard", "https://status.fluxboard.example", "major")
    assert {c.name: c.status for c in page.components}["Sync"] == "major_outage"
    [found] = page.active_incidents
    assert [u.body for u in found.updates] == [f"Update {n} on Sync delays." for n in (3, 2, 1)]
    assert found.latest_update is not None and found.latest_update.status == "identified"
    assert found.created_at == T0 and found.components[0].id == "cmp-sync"


def test_resolved_and_postmortem_incidents_are_kept_but_not_active() -> None:
    page = parse_summary(json.dumps(summary(incident("A", "sync", status="resolved"),
                                            incident("B", "login", status="postmortem"),
                                            incident("C", "email", status="monitoring"))))

    assert [i.name for i in page.incidents] == ["A", "B", "C"]
    assert [i.name for i in page.active_incidents] == ["C"]


def test_a_maintenance_affects_answers_only_while_in_progress_or_verifying() -> None:
    page = parse_summary(json.dumps(summary(maintenances=(
        maintenance("Database upgrade", "sync", status="in_progress"),
        maintenance("SSO certificate rotation", "login", status="scheduled"),
        {**maintenance("Mail relay move", "email", status="verifying"), "impact": "none"},
        {**maintenance("Old move", "email", status="completed"), "id": "mnt-old"}))))

    assert [i.name for i in page.active_incidents] == ["Database upgrade", "Mail relay move"]
    upgrade = page.active_incidents[0]
    assert upgrade.maintenance and page.active_incidents[1].maintenance  # whatever impact the feed gave it
    assert (upgrade.scheduled_for, upgrade.scheduled_until) == (T0 + timedelta(hours=1), T0 + timedelta(hours=3))


def test_unknown_fields_are_ignored_and_optional_ones_defaulted() -> None:
    page = parse_summary(b'{"incidents": [{"id": "i1", "name": "Slow", "status": "investigating",'
                         b' "created_at": "2026-12-01T09:00:00Z", "new_field": 1}], "extra": true}')

    [found] = page.incidents
    assert (found.impact, found.shortlink, found.updates, found.components) == ("none", None, (), ())
    assert page.indicator == "none" and page.components == ()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "not JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
        (b"\xff\xfe", "not "),
        (b"[]", "body: Input should be a valid dictionary"),
        (b'{"incidents": [{"id": "i1", "name": "x", "status": "investigating", "created_at": "yesterday"}]}',
         "incidents.0.created_at: Input should be a valid datetime"),
        (b'{"incidents": "none"}', "incidents: Input should be a valid list"),
    ],
)
def test_a_malformed_body_is_one_feed_error_naming_the_problem(body: bytes, says: str) -> None:
    with pytest.raises(FeedError) as raised:
        parse_summary(body)

    assert raised.value.kind == "malformed" and says in raised.value.reason
