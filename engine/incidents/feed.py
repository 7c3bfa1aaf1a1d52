"""Where the status page comes from (a URL with ETags, or a file) and the last good state kept through failures."""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

import httpx

from engine.incidents.parse import FeedError, parse_summary
from engine.incidents.types import DEFAULT_LIMITS, FeedLimits, FeedState
from engine.types import Clock

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fetched:
    """One read of the feed: its body (None when the server says it has not changed) and its ETag."""

    body: bytes | None
    etag: str | None = None


class Fetcher(Protocol):
    """Reads the feed once; raises FeedError("unavailable", …) when it cannot."""

    @property
    def origin(self) -> str: ...

    def fetch(self, etag: str | None) -> Fetched: ...


class HttpFetcher:
    """GET a summary.json URL with If-None-Match; a 304 means the last good page still holds. `timeout_s` is the
    deadline of the whole read (connect, headers, body): a server that drips one byte at a time is abandoned then,
    and a body over `max_bytes` is refused without being read further."""

    def __init__(self, url: str, timeout_s: float, client: httpx.Client | None = None,
                 max_bytes: int = FeedLimits.max_bytes) -> None:
        self.origin = url
        self._deadline_s = timeout_s
        self._max_bytes = max_bytes
        self._client = client or httpx.Client(timeout=timeout_s, follow_redirects=True)

    def fetch(self, etag: str | None) -> Fetched:
        """One read, given up at the deadline. It runs on a helper thread, so a read blocked inside the socket does
        not hold the poller: that thread ends by itself within one more timeout (each read is bounded too)."""
        deadline = time.monotonic() + self._deadline_s
        outcome: list[Fetched | Exception] = []
        done = threading.Event()

        def read() -> None:
            try:
                outcome.append(self._read(etag, deadline))
            except Exception as exc:  # handed to the poller's thread below
                outcome.append(exc)
            finally:
                done.set()

        threading.Thread(target=read, name="status-feed-read", daemon=True).start()
        if not done.wait(self._deadline_s):
            raise FeedError("unavailable", f"no complete answer within the {self._deadline_s:g} s deadline")
        result = outcome[0]
        if isinstance(result, FeedError):
            raise result
        if isinstance(result, Exception):
            raise FeedError("unavailable", f"{type(result).__name__}: {result}") from result
        return result

    def _read(self, etag: str | None, deadline: float) -> Fetched:
        headers = {"Accept": "application/json", **({"If-None-Match": etag} if etag else {})}
        with self._client.stream("GET", self.origin, headers=headers) as response:
            if response.status_code == 304 and etag:
                return Fetched(None, etag)
            if response.status_code != 200:
                raise FeedError("unavailable", f"HTTP {response.status_code} from {self.origin}")
            declared = response.headers.get("content-length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > self._max_bytes:
                raise FeedError("too_large", f"the body is larger than {self._max_bytes} bytes ({declared} declared)")
            body = bytearray()
            for chunk in response.iter_bytes():  # decoded: a small gzip bomb is counted by what it unpacks to
                body += chunk
                if len(body) > self._max_bytes:
                    raise FeedError("too_large", f"the body is larger than {self._max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FeedError("unavailable", f"no complete answer within the {self._deadline_s:g} s deadline")
            return Fetched(bytes(body), response.headers.get("etag"))

    def close(self) -> None:
        self._client.close()


class FileFetcher:
    """Read a summary.json file: for tests and air-gapped setups (whoever updates it, the poller rereads it). Only a
    regular file is read (a FIFO would block the poller forever), and only up to `max_bytes`."""

    def __init__(self, path: Path, max_bytes: int = FeedLimits.max_bytes) -> None:
        self.origin = str(path)
        self._path = path
        self._max_bytes = max_bytes

    def fetch(self, etag: str | None) -> Fetched:
        try:
            fd = os.open(self._path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise FeedError("unavailable", f"cannot read {self._path}: {exc.strerror or exc}") from exc
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise FeedError("unavailable", f"{self._path} is not a regular file")
            if info.st_size > self._max_bytes:
                raise FeedError("too_large", f"{self._path} is larger than {self._max_bytes} bytes")
            try:
                body = handle.read(self._max_bytes + 1)
            except OSError as exc:
                raise FeedError("unavailable", f"cannot read {self._path}: {exc.strerror or exc}") from exc
        if len(body) > self._max_bytes:
            raise FeedError("too_large", f"{self._path} is larger than {self._max_bytes} bytes")
        return Fetched(body)


class StatusSource:
    """The feed's current state: refresh() reads it once; a failed read keeps the last good page and is logged once
    per failure streak.

    >>> source = StatusSource(FileFetcher(Path("status.json")), clock=utc_now)
    >>> state = source.refresh()  # FeedState: page, fetched_at, error …
    """

    def __init__(self, fetcher: Fetcher, clock: Clock, limits: FeedLimits = DEFAULT_LIMITS,
                 stale_after_s: float | None = None) -> None:
        self._fetcher = fetcher
        self._clock = clock
        self._limits = limits
        self._etag: str | None = None
        self._failures = 0
        self._lock = threading.Lock()
        self._state = FeedState(source=fetcher.origin, stale_after_s=stale_after_s)
        self._listeners: list[Callable[[FeedState], None]] = []

    @property
    def state(self) -> FeedState:
        return self._state

    def listen(self, listener: Callable[[FeedState], None]) -> None:
        """Call `listener` with the new state after every good read (a 304 included), e.g. to settle the tickets of
        resolved incidents; a listener that raises is logged and does not stop the others."""
        self._listeners.append(listener)

    def refresh(self) -> FeedState:
        """Read the feed once and return the new state (never raises for a down, hostile or malformed feed: any
        failure keeps the last good page, with the error)."""
        with self._lock:
            now = self._clock()
            try:
                fetched = self._fetcher.fetch(self._etag if self._state.page else None)
                page = parse_summary(fetched.body, self._limits) if fetched.body is not None else self._state.page
            except FeedError as exc:
                self._state = self._failed(exc, now)
                return self._state
            except Exception as exc:  # a bug or a feed nobody foresaw: still one line and the last good state
                self._state = self._failed(FeedError("malformed", f"{type(exc).__name__}: {str(exc)[:200]}"), now)
                return self._state
            if self._failures:
                logger.info("status feed recovered", extra={"source": self._fetcher.origin,
                                                            "failed_reads": self._failures})
            self._etag, self._failures = fetched.etag, 0
            self._state = state = FeedState(self._fetcher.origin, page, fetched_at=now, checked_at=now,
                                            stale_after_s=self._state.stale_after_s)
        for listener in self._listeners:
            try:
                listener(state)
            except Exception:  # one failing listener (a database down) must not break reading the feed
                logger.exception("status feed listener failed", extra={"source": self._fetcher.origin})
        return state

    def _failed(self, error: FeedError, now: datetime) -> FeedState:
        self._failures += 1
        if self._failures == 1:
            logger.warning(
                "status feed %s, keeping the last good state: %s",
                error.kind,
                error.reason,
                extra={"source": self._fetcher.origin, "kind": error.kind, "reason": error.reason,
                       "last_good_age_s": self._state.age_s(now)},
            )
        return replace(self._state, checked_at=now, error=str(error))

    def close(self) -> None:
        close = getattr(self._fetcher, "close", None)
        if close is not None:
            close()
