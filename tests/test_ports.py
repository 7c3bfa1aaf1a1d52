"""No test picks a port it does not hold: a port found free and bound later can be taken in between (CI failed so)."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
HOLDER = TESTS / "servers.py"
RACY = [
    (re.compile(r"\bfree_port\b"), "finds a port free and binds it later: serve(app) or HeldPort() hold it first"),
    (re.compile(r"\bserve\([^)]*\bport="), "serve() takes the socket it serves (a HeldPort), not a port number"),
    (re.compile(r"\.bind\(\s*\("), "binds a socket outside tests/servers.py: use serve(app), HeldPort() or refusing_address()"),
    (re.compile(r"getsockname\(\)\[1\]"), "reads a port number off a socket: only tests/servers.py hands out held ports"),
    (re.compile(r"listen_addresses=127"), "a test database on a TCP port it chose: use a Unix socket"),
]


def racy_lines(text: str) -> list[tuple[int, str]]:
    return [(number, why) for number, line in enumerate(text.splitlines(), 1) for pattern, why in RACY
            if pattern.search(line)]


def test_no_test_binds_a_port_it_found_free_earlier() -> None:
    sources = [p for p in TESTS.rglob("*.py") if p not in (HOLDER, Path(__file__).resolve())]

    found = [f"{path.relative_to(TESTS.parent)}:{number}: {why}" for path in sorted(sources)
             for number, why in racy_lines(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_check_catches_the_pattern_that_failed_ci() -> None:
    racy = "api_port = free_port()\nwith serve(app, port=api_port):\n    pass\nsock.bind((\"127.0.0.1\", 0))\n"
    innocent = "read = response[name].bind(response)\n"

    assert [number for number, _ in racy_lines(racy)] == [1, 2, 4] and racy_lines(innocent) == []
