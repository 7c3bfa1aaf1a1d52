"""Run real HTTP servers on 127.0.0.1 inside tests.

No test picks a port it does not hold. `serve(app)` binds a socket first and uvicorn serves that very socket; a test
that needs an address before its server exists, or a server that goes down and comes back on the same address, holds
a `HeldPort`: its anchor socket keeps the port (bound with SO_REUSEPORT, never listening, so connections are refused
while nothing serves it) and `serve(app, held)` serves it as often as needed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from engine.api.security import UVICORN_OPTIONS


def _socket(port: int = 0, *, share: bool = False) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if share:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    return sock


class HeldPort:
    """A port of 127.0.0.1 held for as long as the test needs it; refuses connections while nothing serves it.

    >>> with HeldPort() as held:
    ...     hook_url = held.url              # known before the receiver runs: a help desk that is down
    ...     with serve(receiver, held): ...  # up, on the same address
    """

    def __init__(self) -> None:
        self._anchor = _socket(share=True)
        self.port = int(self._anchor.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def socket(self) -> socket.socket:
        """A new socket bound to this port, for one server's lifetime."""
        return _socket(self.port, share=True)

    def close(self) -> None:
        self._anchor.close()

    def __enter__(self) -> HeldPort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def refusing_address() -> Iterator[str]:
    """A base URL that refuses connections for the whole block (a help desk or an LLM that is down)."""
    with HeldPort() as held:
        yield held.url


@contextmanager
def serve(app: FastAPI, held: HeldPort | None = None) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread on a socket it already holds; yields the base URL and stops it after."""
    sock = held.socket() if held else _socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **UVICORN_OPTIONS))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sock.close()
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
