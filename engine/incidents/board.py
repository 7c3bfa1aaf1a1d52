"""IncidentBoard: the status feed, its poller and the component rules together; what the API (and later the ask
flow and tickets) read."""

from __future__ import annotations

from collections.abc import Sequence

from engine.incidents.feed import Clock, StatusSource
from engine.incidents.matching import match_incidents
from engine.incidents.poller import StatusPoller
from engine.incidents.types import CandidateArticle, ComponentRule, FeedState, IncidentMatch


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

    def matching(self, question: str, candidates: Sequence[CandidateArticle] = ()) -> list[IncidentMatch]:
        """The active incidents that concern `question` (see matching.match_incidents), highest impact first."""
        return match_incidents(self.state.active_incidents, self.rules, question, candidates)

    def start(self) -> None:
        self._poller.start()

    def stop(self) -> None:
        self._poller.stop()

    def close(self) -> None:
        self.stop()
        self.source.close()
