"""Run the load and fault suites (docs/reliability.md) and record their results.

    python -m tests.load.run --clients 32 --seconds 60

Everything runs on 127.0.0.1 in a temporary directory and stops by itself. Results go to
bench/results/reliability.json and to the results section of docs/reliability.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.load.harness import ROOT, ingest
from tests.load.suites import copy_index, kill9_during_ingest_suite, load_suite, plausible_records

PLAUSIBLE = ROOT / "evals" / "datasets" / "plausible-docs" / "articles"
RESULTS = ROOT / "bench" / "results" / "reliability.json"
DOCS = ROOT / "docs" / "reliability.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-faults", action="store_true", help="Skip the kill -9 during ingest suite.")
    parser.add_argument("--no-record", action="store_true", help="Print only; leave results files alone.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="engine-reliability-") as tmp:
        work = Path(tmp)
        prepared = work / "prepared"
        ingest(prepared, ROOT / "kb_samples")
        started = time.monotonic()
        results: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {_cpus()} CPUs",
            "load": load_suite(copy_index(prepared, work / "load"), work / "load.log", args.clients, args.seconds),
        }
        if not args.no_faults:
            records = plausible_records(PLAUSIBLE, count=200)
            results["kill9_during_ingest"] = kill9_during_ingest_suite(
                copy_index(prepared, work / "fault"), work / "fault.log", records
            )
        results["suite_seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(results, indent=2))
    if not args.no_record:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        _record(results)
    return 0 if _passed(results) else 1


def _passed(results: dict[str, Any]) -> bool:
    load = results["load"]
    ok = load["errors"] == 0 and load["lost_events"] == 0 and load["undelivered"] == 0
    ok = ok and load["unexpected_deliveries"] == 0
    fault = results.get("kill9_during_ingest")
    if fault:
        ok = ok and fault["killed_mid_ingest"] and fault["previous_generation_serves"]
        ok = ok and fault["same_answers_after_restart"] and fault["rerun_status"] == 200 and fault["new_article_found"]
    return bool(ok)


def _record(results: dict[str, Any]) -> None:
    """Replace the results section of docs/reliability.md with this run's numbers."""
    load = results["load"]
    rows = [
        f"Last run: {results['at']} on {results['machine']} — **{'pass' if _passed(results) else 'FAIL'}**.",
        "",
        "| Load suite | Value |",
        "|---|---|",
        f"| clients × seconds | {load['clients']} × {load['seconds']:g} |",
        f"| requests (asks + votes) | {load['requests']} ({load['asks']} + {load['votes']}) |",
        f"| errors | {load['errors']} |",
        f"| stored interactions / votes | {load['stored_interactions']} / {load['stored_votes']} |",
        f"| lost events | {load['lost_events']} |",
        f"| latency p50 / p95 | {load['p50_ms']} ms / {load['p95_ms']} ms |",
        f"| throughput | {load['requests_per_s']} requests/s |",
        f"| ticket deliveries owed while the webhook was down | {load['tickets_owed_while_target_down']} |",
        f"| delivered exactly once / undelivered / unexpected | {load['delivered_once']} / {load['undelivered']} / "
        f"{load['unexpected_deliveries']} (receiver saw {load['receiver_attempts']} signed attempts) |",
    ]
    fault = results.get("kill9_during_ingest")
    if fault:
        rows += [
            "",
            "| kill -9 during an ingest | Value |",
            "|---|---|",
            f"| articles posted to POST /v1/articles | {fault['articles_posted']} |",
            f"| server killed while the ingest was running | {fault['killed_mid_ingest']} |",
            f"| previous generation serves after restart | {fault['previous_generation_serves']} |",
            f"| same answers as before the kill | {fault['same_answers_after_restart']} |",
            f"| re-run ingest: status, articles added | {fault['rerun_status']}, {fault['rerun_articles_added']} |",
            f"| a new article is retrieved afterwards | {fault['new_article_found']} |",
        ]
    text = DOCS.read_text()
    section = "\n".join([START, *rows, END])
    DOCS.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S))


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)


if __name__ == "__main__":
    sys.exit(main())
