"""`engine serve` as a real uvicorn process (one or several workers) on 127.0.0.1: cold start to the first answer,
POST /v1/ask latency and throughput at several concurrencies (errors counted), and peak RSS per worker and in all."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.measure import Latency
from engine.types import Query


@dataclass(frozen=True)
class Level:
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latency: Latency

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class HttpResult:
    workers: int
    cold_start_s: float
    levels: tuple[Level, ...]
    peak_rss_mb: float
    """The largest serving process's high-water mark (the one worker, or the largest of several)."""
    total_rss_mb: float
    """Every process of the server added up: supervisor and workers, each at its high-water mark (pages the workers
    share, such as the memory-mapped index and the libraries, are counted once per process)."""
    total_pss_mb: float = 0.0
    """Every process's proportional set size at the end of the run, added up: shared pages counted once in all (what
    the machine holds for the server)."""


BOUND = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


def _peak_rss_mb(pid: int) -> float:
    """VmHWM: the high-water mark of the process's resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pss_mb(pid: int) -> float:
    """Pss from smaps_rollup: the process's resident memory with each shared page divided among its sharers."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _rss(pid: int) -> tuple[float, float, float]:
    """(largest serving process, all processes) peak RSS, and all processes' PSS, of the server `pid` and its
    children."""
    import psutil

    children = [c.pid for c in psutil.Process(pid).children(recursive=True)]
    peaks = {p: _peak_rss_mb(p) for p in [pid, *children]}
    serving = [peaks[p] for p in children] if children else [peaks[pid]]
    return max(serving), sum(peaks.values()), sum(_pss_mb(p) for p in [pid, *children])


def _bound_url(log: Path, server: subprocess.Popen[bytes], started: float) -> str:
    while time.perf_counter() - started < 120:
        found = BOUND.search(log.read_text(errors="replace")) if log.exists() else None
        if found:
            return found.group(1)
        if server.poll() is not None:
            raise RuntimeError(f"engine serve exited with {server.returncode}; see {log}")
        time.sleep(0.02)
    raise RuntimeError(f"engine serve did not bind a port within 120 s; see {log}")


def _body(query: Query) -> dict[str, object]:
    return {"question": query.text, "audience": list(query.audience), "locale": query.locale}


BENCH_KEY = "pk-bench-client-0123456789"
# A public (widget) key without a practical rate limit: the bench measures the engine, not the limiter.
BENCH_KEYS = json.dumps([{"name": "bench", "key": BENCH_KEY, "role": "public", "rate_per_minute": 10_000_000}])
HEADERS = {"X-API-Key": BENCH_KEY}


def measure_http(
    data_dir: Path, queries: Sequence[Query], concurrencies: Sequence[int], per_level: int, workers: int = 1
) -> HttpResult:
    """`engine serve --workers N --port 0` (the port read back from its log), then each concurrency level."""
    env = {**os.environ, "ENGINE_DATA_DIR": str(data_dir), "ENGINE_AUTH__KEYS": BENCH_KEYS}
    log = data_dir / f"serve-{workers}.log"
    started = time.perf_counter()
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "engine.cli", "serve", "--port", "0", "--workers", str(workers)],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )
    try:
        url = f"{_bound_url(log, server, started)}/v1/ask"
        cold = _first_answer(url, queries[0], started, server)
        if workers > 1:  # every worker answers once before the clock runs: cold start is the first answer only
            asyncio.run(_level(url, queries, workers * 2, workers * 2))
        levels = tuple(asyncio.run(_level(url, queries, c, per_level)) for c in concurrencies)
        peak, total, pss = _rss(server.pid)
        return HttpResult(workers, cold, levels, peak, total, pss)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _first_answer(url: str, query: Query, started: float, server: subprocess.Popen[bytes]) -> float:
    with httpx.Client(timeout=30, headers=HEADERS) as client:
        while time.perf_counter() - started < 120:
            if server.poll() is not None:
                raise RuntimeError(f"engine serve exited with {server.returncode} before answering")
            try:
                if client.post(url, json=_body(query)).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.02)
    raise RuntimeError("engine serve did not answer within 120 s")


async def _level(url: str, queries: Sequence[Query], concurrency: int, total: int) -> Level:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    times: list[float] = []
    errors = 0
    next_index = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors, next_index
        while next_index < total:
            query = queries[next_index % len(queries)]
            next_index += 1
            started = time.perf_counter()
            try:
                response = await client.post(url, json=_body(query))
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            times.append(time.perf_counter() - started)
            errors += not ok

    async with httpx.AsyncClient(timeout=60, limits=limits, headers=HEADERS) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return Level(concurrency, len(times), errors, seconds, Latency.of(times))
