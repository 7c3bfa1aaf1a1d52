"""A background thread that refreshes a StatusSource every interval; started and stopped by its owner."""

from __future__ import annotations

import logging
import threading

from engine.incidents.feed import StatusSource

logger = logging.getLogger(__name__)


class StatusPoller:
    """Refreshes `source` at once, then every `interval_s` seconds, until stop().

    >>> poller = StatusPoller(source, interval_s=60.0)
    >>> poller.start()  # …serve…
    >>> poller.stop()
    """

    def __init__(self, source: StatusSource, interval_s: float) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be greater than 0. Currently {interval_s}")
        self._source = source
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="status-feed", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._source.refresh()
            except Exception:  # a bug in one read must not end polling for the life of the process
                logger.exception("status feed refresh crashed", extra={"source": self._source.state.source})
            self._stop.wait(self._interval_s)
