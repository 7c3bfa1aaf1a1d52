"""Where the status page comes from (a URL with ETags, or a file) and the last good state kept through failures."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

import httpx

from engine.incidents.parse import FeedError, parse_summary
from engine.incidents.types import FeedState

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]


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
    """GET a summary.json URL with If-None-Match; a 304 means the last good page still holds."""

    def __init__(self, url: str, timeout_s: float, client: httpx.Client | None = None) -> None:
        self.origin = url
        self._client = client or httpx.Client(timeout=timeout_s, follow_redirects=True)

    def fetch(self, etag: str | None) -> Fetched:
        headers = {"Accept": "application/json", **({"If-None-Match": etag} if etag else {})}
        try:
            response = self._client.get(self.origin, headers=headers)
        except httpx.HTTPError as exc:
            raise FeedError("unavailable", f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 304 and etag:
            return Fetched(None, etag)
        if response.status_code != 200:
            raise FeedError("unavailable", f"HTTP {response.status_code} from {self.origin}")
        return Fetched(response.content, response.headers.get("etag"))

    def close(self) -> None:
        self._client.close()


class FileFetcher:
    """Read a summary.json file: for tests and air-gapped setups (whoever updates it, the poller rereads it)."""

    def __init__(self, path: Path) -> None:
        self.origin = str(path)
        self._path = path

    def fetch(self, etag: str | None) -> Fetched:
        try:
            return Fetched(self._path.read_bytes())
        except OSError as exc:
            raise FeedError("unavailable", f"cannot read {self._path}: {exc.strerror or exc}") from exc


class StatusSource:
    """The feed's current state: refresh() reads it once; a failed read keeps the last good page and is logged once
    per failure streak.

    >>> source = StatusSource(FileFetcher(Path("status.json")), clock=utc_now)
    >>> state = source.refresh()  # FeedState: page, fetched_at, error …
    """

    def __init__(self, fetcher: Fetcher, clock: Clock) -> None:
        self._fetcher = fetcher
        self._clock = clock
        self._etag: str | None = None
        self._failures = 0
        self._lock = threading.Lock()
        self._state = FeedState(source=fetcher.origin)
        self._listeners: list[Callable[[FeedState], None]] = []

    @property
    def state(self) -> FeedState:
        return self._state

    def listen(self, listener: Callable[[FeedState], None]) -> None:
        """Call `listener` with the new state after every good read (a 304 included), e.g. to settle the tickets of
        resolved incidents; a listener that raises is logged and does not stop the others."""
        self._listeners.append(listener)

    def refresh(self) -> FeedState:
        """Read the feed once and return the new state (never raises for a down or malformed feed)."""
        with self._lock:
            now = self._clock()
            try:
                fetched = self._fetcher.fetch(self._etag if self._state.page else None)
                page = parse_summary(fetched.body) if fetched.body is not None else self._state.page
            except FeedError as exc:
                self._state = self._failed(exc, now)
                return self._state
            if self._failures:
                logger.info("status feed recovered", extra={"source": self._fetcher.origin,
                                                            "failed_reads": self._failures})
            self._etag, self._failures = fetched.etag, 0
            self._state = state = FeedState(self._fetcher.origin, page, fetched_at=now, checked_at=now)
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
