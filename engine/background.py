"""A step run on a daemon thread at once and then every interval, until stopped: the status-feed poller and the
ticket outbox worker are both one of these; and which of several processes serving one data dir leads that work."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from filelock import FileLock, Timeout

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


class Leadership:
    """Which of the processes serving one data dir runs the background work (ticket delivery, settling tickets when
    an incident resolves): the one holding `<data_dir>/.background.lock`. The others retry every `retry_s` seconds,
    so when the leader dies (the OS frees its lock) another takes over. A process that never calls start() — the
    CLI, a test, an eval — coordinates with nobody and counts as leading.

    >>> leadership = Leadership(settings.data_dir)
    >>> leadership.start(on_elected=desk.start)  # at once if free, else when the leader goes
    >>> leadership.leading  # gate side effects that must happen once, not once per worker
    """

    def __init__(self, data_dir: Path, retry_s: float = 2.0) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(data_dir / ".background.lock"), timeout=0, is_singleton=False, thread_local=False)
        self._marker = data_dir / ".background.leader"
        self._retry_s = retry_s
        self._started = False
        self._on_elected: Callable[[], object] = lambda: None
        self._loop: BackgroundLoop | None = None

    @property
    def leading(self) -> bool:
        return not self._started or self._lock.is_locked

    def start(self, on_elected: Callable[[], object]) -> None:
        self._started, self._on_elected = True, on_elected
        self._loop = BackgroundLoop(self._try, self._retry_s, name="leadership", failed="leader election failed")
        self._loop.start()

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.stop()
            self._loop = None
        if self._lock.is_locked:
            self._lock.release()
        self._started = False

    def _try(self) -> None:
        if self._lock.is_locked:
            return
        try:
            self._lock.acquire()
        except Timeout:
            return
        self._marker.write_text(str(os.getpid()))
        logger.info("background work led by this process", extra={"pid": os.getpid()})
        self._on_elected()
