"""One serving process group per data dir for the embedded default, and a clear error for a second one.

The embedded engines keep the index in memory-mapped files and events in SQLite (WAL), so several worker processes
of one `engine serve --workers N` share a data dir safely; a second, separate `engine serve` of the same data dir
fails at once and says what to do. The lock is held by the serving process itself or, with workers, by their
supervisor: a worker knows it is supervised from SUPERVISOR_ENV, checked against its parent's pid. Ingest takes its
own lock and may run beside the server (every worker hot-reloads the generation it commits). With ENGINE_QDRANT_URL
set the dense index lives in a server and this lock is not taken.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

from engine.errors import StoreUnavailableError

LOCK_NAME = ".serve.lock"
SUPERVISOR_ENV = "ANSWER_ENGINE_SUPERVISOR_PID"
SERVE_PORT_ENV = "ANSWER_ENGINE_SERVE_PORT"
"""The port `engine serve --workers` bound, for its workers' app (the supervisor never imports the app)."""


def supervised() -> bool:
    """True in a worker process whose `engine serve --workers` supervisor holds the serve lock for it."""
    return os.environ.get(SUPERVISOR_ENV) == str(os.getppid())


class ServeLock:
    """A process-wide, re-entrant lock on `<index_dir>/.serve.lock`: any number of holders in this process."""

    def __init__(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        # One FileLock object per path in this process (is_singleton), counting acquisitions across threads.
        self._lock = FileLock(str(index_dir / LOCK_NAME), timeout=0, is_singleton=True, thread_local=False)
        self._supervised = supervised()

    def acquire(self) -> None:
        if self._supervised:
            return
        try:
            self._lock.acquire()
        except Timeout as exc:
            raise StoreUnavailableError(
                f"Another process is serving the index in {Path(self._lock.lock_file).parent} (lock "
                f"{self._lock.lock_file}). Stop it, or serve with more workers (`engine serve --workers N`), or set "
                "ENGINE_QDRANT_URL and ENGINE_DATABASE_URL to run servers on several machines."
            ) from exc

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()
