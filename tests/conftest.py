"""Shared fixtures: a network blocker, the real model and a small real index built once per test run."""

from __future__ import annotations

import ipaddress
import itertools
import os
import shutil
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
# The "is it one of these?" step (issue #23) is tested with it on where it is named (tests/answer/test_confirm.py,
# tests/api/test_confirm_api.py, tests/ui/test_widget_confirm.py, tests/evaluate/test_confirm_eval.py); every
# other test pins the answer-or-escalate path it was written for.
os.environ.setdefault("ENGINE_ANSWER__CONFIRM", "false")

from engine.config import ApiKey, AuthSettings, FreshnessSettings, Settings  # noqa: E402
from engine.protocols import Embedder  # noqa: E402
from engine.wiring import Engine, build_engine, make_embedder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KB_SAMPLES = ROOT / "kb_samples"
DATASETS = ROOT / "evals" / "datasets"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# kb_samples is written as of this day: a fixed clock keeps its fresh/stale cases stable over time.
KB_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like never leave the machine
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Anything that tries to leave 127.0.0.1 fails the test (Haystack's request_blocker)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guarded_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)


PUBLIC_KEY = "pk-test-widget-0123456789"
AGENT_KEY = "ak-test-agent-0123456789"
ADMIN_KEY = "sk-test-admin-0123456789"
WIDGET_ORIGIN = "http://shop.example"
TEST_KEYS = [
    ApiKey(name="widget", key=PUBLIC_KEY, role="public", origins=(WIDGET_ORIGIN,)),  # type: ignore[arg-type]
    ApiKey(name="agent", key=AGENT_KEY, role="agent"),  # type: ignore[arg-type]
    ApiKey(name="admin", key=ADMIN_KEY, role="admin"),  # type: ignore[arg-type]
]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def kb_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for kb_samples: its product changelog marks articles that mention removed/renamed terms;
    the test API keys (public widget, agent, admin)."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "freshness": FreshnessSettings(changelog_file=KB_SAMPLES / "changelog.yml"),
        "auth": AuthSettings(keys=TEST_KEYS),
    }
    return Settings(**{**values, **overrides})


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 (default backend), loaded once."""
    return make_embedder(Settings())


@pytest.fixture(scope="session")
def kb_data_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """kb_samples ingested once with the real model into real local Qdrant + BM25 files."""
    data_dir = tmp_path_factory.mktemp("kb-index")
    engine = build_engine(kb_settings(data_dir), embedder=embedder, clock=lambda: KB_NOW)
    report = engine.indexer().ingest(
        KB_SAMPLES, source="kb_samples", base_url="https://help.fluxboard.example"
    )
    assert report.ok, report.problems
    engine.close()
    return data_dir


@pytest.fixture(scope="session")
def kb_engine(kb_data_dir: Path, embedder: Embedder) -> Iterator[Engine]:
    engine = build_engine(kb_settings(kb_data_dir), embedder=embedder, clock=lambda: KB_NOW)
    yield engine
    engine.close()


@pytest.fixture
def ticking_kb_engine(kb_data_dir: Path, embedder: Embedder, tmp_path: Path) -> Iterator[Engine]:
    """The kb_samples index (copied) with an empty events and tickets database; time moves on a second per call."""
    shutil.copytree(kb_data_dir, tmp_path / "data", ignore=shutil.ignore_patterns("engine.db*"))
    ticks = itertools.count()
    built = build_engine(kb_settings(tmp_path / "data"), embedder=embedder,
                         clock=lambda: KB_NOW + timedelta(seconds=next(ticks)))
    yield built
    built.close()
