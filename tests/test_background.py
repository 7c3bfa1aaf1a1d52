"""Which of the processes serving one data dir leads the background work, and the takeover when it goes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from engine.background import Leadership


def _until(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_one_leads_the_other_takes_over_when_it_stops(tmp_path: Path) -> None:
    first, second = Leadership(tmp_path, retry_s=0.05), Leadership(tmp_path, retry_s=0.05)
    elected: list[str] = []
    first.start(on_elected=lambda: elected.append("first"))
    _until(lambda: first.leading)
    second.start(on_elected=lambda: elected.append("second"))
    time.sleep(0.2)  # several of the second's retries: the lock is taken
    assert (first.leading, second.leading, elected) == (True, False, ["first"])
    assert (tmp_path / ".background.leader").read_text().isdigit()

    first.stop()  # as when the leading worker dies: its lock is freed
    _until(lambda: second.leading)
    second.stop()

    assert elected == ["first", "second"]


def test_a_process_that_coordinates_with_nobody_leads(tmp_path: Path) -> None:
    """The CLI, evals and tests build engines without starting a leadership: their side effects still happen."""
    assert Leadership(tmp_path).leading


def test_election_callback_runs_once(tmp_path: Path) -> None:
    calls = threading.Semaphore(0)
    leader = Leadership(tmp_path, retry_s=0.01)
    leader.start(on_elected=calls.release)
    _until(lambda: leader.leading)
    time.sleep(0.1)
    leader.stop()

    assert calls.acquire(timeout=0) and not calls.acquire(timeout=0)
