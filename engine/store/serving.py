"""One serving process per data dir for the embedded default, and a clear error for a second one.

The embedded engines (numpy matrix, BM25 in memory, SQLite) keep per-process state such as the hot-reload
position and the event log writer, so `engine serve` runs as one worker process; a second process that tries to
serve the same data dir fails at once and says what to do. Ingest takes its own lock and may run beside the server
(the server hot-reloads the generation it commits). With ENGINE_QDRANT_URL set the dense index lives in a server and
this lock is not taken.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from engine.errors import StoreUnavailableError

LOCK_NAME = ".serve.lock"


class ServeLock:
    """A process-wide, re-entrant lock on `<index_dir>/.serve.lock`: any number of holders in this process."""

    def __init__(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        # One FileLock object per path in this process (is_singleton), counting acquisitions across threads.
        self._lock = FileLock(str(index_dir / LOCK_NAME), timeout=0, is_singleton=True, thread_local=False)

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except Timeout as exc:
            raise StoreUnavailableError(
                f"Another process is serving the index in {Path(self._lock.lock_file).parent} (lock "
                f"{self._lock.lock_file}). The embedded default runs as one process: stop the other one, or set "
                "ENGINE_QDRANT_URL and ENGINE_DATABASE_URL to run several stateless workers."
            ) from exc

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()
