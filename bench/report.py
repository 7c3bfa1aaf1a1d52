"""Machine info and the results file: a markdown table for people, JSON for tools, both under bench/results/."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.http import HttpResult
from bench.kb import IngestTiming
from bench.measure import RetrievalResult

PACKAGES = ("numpy", "onnxruntime", "rank-bm25-rs", "rank-bm25", "qdrant-client", "llama-index-core", "fastapi",
            "uvicorn", "httpx")


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = 0.0
    try:
        memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "gpu": "none available in this run",
        "packages": versions,
    }


@dataclass
class SizeResult:
    target_chunks: int
    retrieval: RetrievalResult
    http: tuple[HttpResult, ...]


@dataclass
class BenchResult:
    name: str
    machine: dict[str, Any]
    ingest: IngestTiming
    sizes: list[SizeResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _ms(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def to_markdown(result: BenchResult) -> str:
    m = result.machine
    i = result.ingest
    lines = [
        f"# Benchmark `{result.name}`",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, Python {m['python']}, GPU: {m['gpu']}.",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + ".",
        "",
        "## Ingest (real embedding, ONNX MiniLM, all cores)",
        "",
        "| articles | chunks | seconds | articles/s | chunks/s | re-ingest 1 changed (s) | re-embedded |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {i.articles} | {i.chunks} | {i.seconds:.1f} | {i.articles_per_s:.1f} | {i.chunks_per_s:.1f} "
        f"| {i.incremental_seconds:.2f} | {i.incremental_embedded} |",
        "",
        "## Retrieval, in process (query embedding excluded; filters on: audience, locale, freshness)",
        "",
        "| chunks | eligible | ours p50 / p95 / p99 ms | llama-index ref p50 / p95 ms | ref ÷ ours (p50) "
        "| hit@3 ours / ref | embed floor p50 ms | ours ÷ floor (p50) | ref build s |",
        "|---:|---:|---|---|---:|---|---:|---:|---:|",
    ]
    for size in result.sizes:
        r = size.retrieval
        lines.append(
            f"| {r.chunks} | {r.eligible_chunks} | {_ms(r.ours.p50)} / {_ms(r.ours.p95)} / {_ms(r.ours.p99)} "
            f"| {_ms(r.reference.p50)} / {_ms(r.reference.p95)} | {r.reference.p50 / max(r.ours.p50, 1e-9):.1f}× "
            f"| {r.ours_hit3:.3f} / {r.reference_hit3:.3f} | {_ms(r.embed_floor.p50)} "
            f"| {r.ours.p50 / max(r.embed_floor.p50, 1e-9):.2f} | {r.reference_build_s:.1f} |"
        )
    lines += [
        "",
        "## POST /v1/ask over HTTP (`engine serve --workers N`, extractive answers)",
        "",
        "| chunks | workers | cold start s | peak RSS MB per worker | total RSS MB | total PSS MB | concurrency "
        "| requests | errors | req/s | p50 / p95 / p99 ms | p50 ÷ embed floor |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for size in result.sizes:
        for h in size.http:
            for level in h.levels:
                lat = level.latency
                lines.append(
                    f"| {size.retrieval.chunks} | {h.workers} | {h.cold_start_s:.2f} | {h.peak_rss_mb:.0f} "
                    f"| {h.total_rss_mb:.0f} | {h.total_pss_mb:.0f} | {level.concurrency} | {level.requests} "
                    f"| {level.errors} "
                    f"| {level.rps:.1f} | {_ms(lat.p50)} / {_ms(lat.p95)} / {_ms(lat.p99)} "
                    f"| {lat.p50 / max(size.retrieval.embed_floor.p50, 1e-9):.1f} |"
                )
    if result.notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in result.notes)]
    return "\n".join(lines) + "\n"


def write(result: BenchResult, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    markdown = folder / f"{result.name}.md"
    data = folder / f"{result.name}.json"
    markdown.write_text(to_markdown(result), encoding="utf-8")
    data.write_text(json.dumps(asdict(result), indent=2, default=str), encoding="utf-8")
    return markdown, data
