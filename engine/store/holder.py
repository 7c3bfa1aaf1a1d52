"""Keeps the serving index generation loaded and swaps in a newer one when an ingest commits it."""

from __future__ import annotations

import logging
import threading
import time

from engine.store.generations import GenerationStore, IndexSnapshot

logger = logging.getLogger(__name__)


class IndexHolder:
    """Thread-safe access to the current snapshot; checks for a new generation at most every `check_seconds`."""

    def __init__(self, store: GenerationStore, check_seconds: float = 1.0) -> None:
        self._store = store
        self._check_seconds = check_seconds
        self._lock = threading.Lock()
        self._snapshot: IndexSnapshot | None = None
        self._retired: IndexSnapshot | None = None
        self._marker: tuple[str | None, int] = (None, 0)
        self._checked = 0.0

    def get(self) -> IndexSnapshot:
        """The serving snapshot; raises IndexNotReadyError when nothing was ever ingested."""
        now = time.monotonic()
        snapshot = self._snapshot
        if snapshot is not None and now - self._checked < self._check_seconds:
            return snapshot
        with self._lock:
            self._checked = now
            marker = self._store.current_marker()
            if self._snapshot is None or marker != self._marker:
                self._swap(marker)
            assert self._snapshot is not None
            return self._snapshot

    def _swap(self, marker: tuple[str | None, int]) -> None:
        fresh = self._store.load(marker[0])
        # The one before the previous is closed now: in-flight requests may still hold the previous one.
        if self._retired is not None:
            self._retired.close()
        self._retired, self._snapshot, self._marker = self._snapshot, fresh, marker
        logger.info("index generation loaded", extra={"generation": fresh.generation})

    def close(self) -> None:
        with self._lock:
            for snapshot in (self._snapshot, self._retired):
                if snapshot is not None:
                    snapshot.close()
            self._snapshot = self._retired = None
