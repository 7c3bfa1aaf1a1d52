"""A background thread that refreshes a StatusSource every interval; started and stopped by its owner."""

from __future__ import annotations

from engine.background import BackgroundLoop
from engine.incidents.feed import StatusSource


class StatusPoller(BackgroundLoop):
    """Refreshes `source` at once, then every `interval_s` seconds, until stop().

    >>> poller = StatusPoller(source, interval_s=60.0)
    >>> poller.start()  # …serve…
    >>> poller.stop()
    """

    def __init__(self, source: StatusSource, interval_s: float) -> None:
        super().__init__(source.refresh, interval_s, name="status-feed", failed="status feed refresh crashed",
                         log_extra={"source": source.state.source})
