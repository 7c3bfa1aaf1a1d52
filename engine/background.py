"""A step run on a daemon thread at once and then every interval, until stopped: the status-feed poller and the
ticket outbox worker are both one of these."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

logger = logging.getLogger(__name__)


class BackgroundLoop:
    """Runs `step` at once, then `interval_s` seconds after each run (sooner when nudged), until stop(). A step that
    raises is logged and the loop goes on: one bad pass must not end the work for the life of the process.

    >>> loop = BackgroundLoop(source.refresh, interval_s=60.0, name="status-feed", failed="status feed refresh crashed")
    >>> loop.start()  # …serve…
    >>> loop.stop()
    """

    def __init__(
        self,
        step: Callable[[], object],
        interval_s: float,
        name: str,
        failed: str,
        log_extra: Mapping[str, object] | None = None,
    ) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be greater than 0. Currently {interval_s}")
        self._step = step
        self._interval_s = interval_s
        self._name = name
        self._failed = failed
        self._log_extra = dict(log_extra or {})
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
            self._thread.start()

    def nudge(self) -> None:
        """Run the next step now instead of at the end of the interval."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception:
                logger.exception(self._failed, extra=self._log_extra)
            self._wake.wait(self._interval_s)
            self._wake.clear()
