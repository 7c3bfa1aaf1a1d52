"""Metrics per status-page incident, checked against values computed by hand (docs/incidents.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from engine.events.metrics import AskFact, TicketFact, compute_metrics

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OPENED = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _ask(n: int, session: str, minutes: int, decision: str = "answer", incident: str | None = None,
         title: str | None = None) -> AskFact:
    return AskFact(f"i{n}", session, AT + timedelta(minutes=minutes), f"question {n}", decision,
                   "known_incident" if decision == "escalate" and incident else "answered" if decision == "answer"
                   else "low_confidence", (), incident_id=incident, incident_opened_at=OPENED if incident else None,
                   incident_title=title)


def test_questions_tickets_containment_and_time_to_first_question_per_incident() -> None:
    """s1, s2 ask about inc-sync (s2 escalates, ticket linked); s3 about inc-login (contained); s4, s5 outside any
    incident (s5 gets a ticket). Inside: 2 contained of 3; outside: 1 of 2; inc-sync's first question came 40 min
    after it opened (s1 at +10 min), inc-login's 90 min after."""
    asks = [
        _ask(1, "s1", 10, incident="inc-sync", title="Sync delays"), _ask(2, "s1", 11, incident="inc-sync"),
        _ask(3, "s2", 20, "escalate", incident="inc-sync", title="Sync delays in the EU"),
        _ask(4, "s3", 60, incident="inc-login"),
        _ask(5, "s4", 5), _ask(6, "s5", 6, "escalate"),
    ]
    tickets = [TicketFact("s2", AT + timedelta(minutes=21), "inc-sync"), TicketFact("s5", AT + timedelta(minutes=7))]

    found = compute_metrics(asks, [], tickets, [], start=AT - timedelta(days=1), end=NOW, now=NOW,
                            containment_hours=24, embed=lambda texts: np.ones((len(texts), 4)), gap_similarity=0.8)

    by_id = {s.incident_id: s for s in found.incidents}
    sync, login = by_id["inc-sync"], by_id["inc-login"]
    assert [s.incident_id for s in found.incidents] == ["inc-sync", "inc-login"]  # most questions first
    assert (sync.questions, sync.sessions, sync.contained, sync.tickets) == (3, 2, 1, 1)
    assert sync.first_question_after_s == 40 * 60 and login.first_question_after_s == 90 * 60
    assert (login.questions, login.sessions, login.contained, login.tickets) == (1, 1, 1, 0)
    assert (sync.title, login.title) == ("Sync delays in the EU", None)  # the latest title seen; none logged
    assert (found.containment_in_incidents.numerator, found.containment_in_incidents.denominator) == (2, 3)
    assert (found.containment_outside_incidents.numerator, found.containment_outside_incidents.denominator) == (1, 2)
    assert found.containment.numerator == 3 and found.containment.denominator == 5
