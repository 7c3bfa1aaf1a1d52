"""IncidentBoard: the status feed, its poller and the component rules together; what the API (and later the ask
flow and tickets) read."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from engine.incidents.feed import StatusSource
from engine.incidents.matching import match_incidents
from engine.incidents.notice import IncidentNotice, notice_for, resolution_note
from engine.incidents.poller import StatusPoller
from engine.incidents.types import CandidateArticle, ComponentRule, FeedState, IncidentMatch
from engine.types import Clock

Settle = Callable[[frozenset[str], Mapping[str, str]], object]
"""Told after every good read: the active incident ids, and a closing note per incident the page lists resolved."""


class IncidentBoard:
    """Current incidents and which questions they concern; start() polls the feed in the background.

    >>> board = IncidentBoard(source, rules, interval_s=60.0, clock=utc_now)
    >>> board.start()
    >>> board.matching("is sync down?", [CandidateArticle("troubleshooting/sync", ("sync",))])
    """

    def __init__(
        self, source: StatusSource, rules: Sequence[ComponentRule], interval_s: float, clock: Clock
    ) -> None:
        self.source = source
        self.rules = tuple(rules)
        self._clock = clock
        self._poller = StatusPoller(source, interval_s)

    @property
    def state(self) -> FeedState:
        return self.source.state

    def age_s(self) -> float | None:
        """Seconds since the feed last gave a good page (None before the first)."""
        return self.state.age_s(self._clock())

    def stale(self) -> bool:
        """The page shown is not the feed's current word (the last read failed, or no good read for too long)."""
        return self.state.stale(self._clock())

    def matching(self, question: str, candidates: Sequence[CandidateArticle] = ()) -> list[IncidentMatch]:
        """The active incidents that concern `question` (see matching.match_incidents), highest impact first."""
        return match_incidents(self.state.active_incidents, self.rules, question, candidates)

    def notice(self, question: str, candidates: Sequence[CandidateArticle] = ()) -> IncidentNotice | None:
        """The notice of the highest-impact incident that concerns `question`, None when none does."""
        matches = self.matching(question, candidates)
        return notice_for(matches[0], self.state, self._clock()) if matches else None

    def notice_of(self, incident_id: str) -> IncidentNotice | None:
        """The notice of the active incident `incident_id` (all its components), None when it is not active."""
        incident = next((i for i in self.state.active_incidents if i.id == incident_id), None)
        if incident is None:
            return None
        return notice_for(IncidentMatch(incident, incident.components, ()), self.state, self._clock())

    def on_good_read(self, settle: Settle) -> None:
        """Call `settle(active ids, closing notes)` after every good read of the feed (never after a failed one: a
        down feed resolves nothing)."""

        def listener(state: FeedState) -> None:
            page = state.page
            incidents = page.incidents if page else ()
            notes = {i.id: resolution_note(i) for i in incidents if not i.active}
            settle(frozenset(i.id for i in state.active_incidents), notes)

        self.source.listen(listener)

    def start(self) -> None:
        self._poller.start()

    def stop(self) -> None:
        self._poller.stop()

    def close(self) -> None:
        self.stop()
        self.source.close()
