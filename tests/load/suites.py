"""The load and fault suites, each bounded in time and stopping by itself. Both return plain dicts of results;
tests/load/run.py prints and records them, tests/load/test_load_quick.py asserts on a short run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.load.harness import ADMIN_KEY, LOAD_KEY, engine_server, outbox, run_load, stored_counts
from tests.receivers import Inbox, webhook_receiver
from tests.servers import HeldPort, serve

HOOK_SECRET = "load-hook-secret-0123456789"
FAST_DELIVERY = {"ENGINE_TICKETS__RETRY_BASE_S": "0.2", "ENGINE_TICKETS__RETRY_MAX_S": "1.0",
                 "ENGINE_TICKETS__POLL_S": "0.2", "ENGINE_TICKETS__LEASE_S": "5"}
REFERENCE_QUESTIONS = (
    "how do I update my credit card?",
    "how do I turn on two-factor authentication?",
    "how can I invite people to my workspace?",
    "write me a poem about the sea",
)


def load_suite(
    data_dir: Path, log: Path, clients: int, seconds: float, delivery_timeout_s: float = 120,
    kill_leader_after_s: float | None = None,
) -> dict[str, Any]:
    """Load a real server (one worker per core) while its webhook target is down; then bring the target up and wait
    for the outbox. With `kill_leader_after_s`, the worker leading ticket delivery is killed (-9) that far into the
    load: its in-flight requests fail, the supervisor starts a new worker and another worker takes the lead.

    Lost events = sent (2xx) − stored rows; every ticket version must reach the receiver exactly once."""
    hook = HeldPort()  # refuses connections (the help desk is down) until the receiver serves it
    target = {"kind": "webhook", "name": "hook", "url": f"{hook.url}/hooks/tickets",
              "secret": HOOK_SECRET, "timeout_s": 2}
    inbox = Inbox()
    with engine_server(data_dir, log, ENGINE_TICKETS__TARGETS=json.dumps([target]), **FAST_DELIVERY) as server:
        killer = None
        if kill_leader_after_s is not None:
            killer = threading.Timer(kill_leader_after_s, _kill_leader, args=(data_dir.parent / "killed.txt", data_dir))
            killer.start()
        result = run_load(server.url, clients, seconds)
        if killer is not None:
            killer.join()
        owed_while_down = sum(not delivered for _, delivered in outbox(data_dir))
        with serve(webhook_receiver(HOOK_SECRET, inbox), hook):
            deadline = time.monotonic() + delivery_timeout_s
            while time.monotonic() < deadline and not all(done for _, done in outbox(data_dir)):
                time.sleep(0.5)
            time.sleep(1.0)  # a late duplicate attempt would land now
    hook.close()
    counts = stored_counts(data_dir)
    keys = [key for key, _ in outbox(data_dir)]
    accepted_attempts = [a["key"] for a in inbox.attempts if a["signed"]]
    return {
        **result.summary(),
        "stored_interactions": counts["interactions"],
        "stored_votes": counts["votes"],
        "lost_events": (result.asks - counts["interactions"]) + (result.votes - counts["votes"]),
        "tickets_owed_while_target_down": owed_while_down,
        "deliveries": len(keys),
        "delivered_once": len(set(inbox.accepted) & set(keys)),
        "undelivered": len(set(keys) - set(inbox.accepted)),
        "unexpected_deliveries": len(set(inbox.accepted) - set(keys)),
        "receiver_attempts": len(accepted_attempts),
        **_leaders(data_dir),
    }


def _kill_leader(record: Path, data_dir: Path) -> None:
    leader = int((data_dir / ".background.leader").read_text())
    record.write_text(str(leader))
    os.kill(leader, signal.SIGKILL)


def _leaders(data_dir: Path) -> dict[str, int | None]:
    """The worker that led delivery last, and the one killed (if any)."""
    killed = data_dir.parent / "killed.txt"
    return {"leader_pid": int((data_dir / ".background.leader").read_text()),
            "killed_pid": int(killed.read_text()) if killed.exists() else None}


def kill9_during_ingest_suite(data_dir: Path, log: Path, articles: list[dict[str, Any]]) -> dict[str, Any]:
    """`kill -9` the server while it ingests `articles` through POST /v1/articles; restart it: the previous
    generation must answer as before. Then re-run the ingest: it must complete and the new articles answer."""
    with engine_server(data_dir, log) as server:
        before = _answers(server.url)
        generation = _preview(server.url, REFERENCE_QUESTIONS[0])["generation"]
        posted = threading.Thread(target=_post_articles, args=(server.url, articles), daemon=True)
        posted.start()
        time.sleep(3.0)
        killed_mid_ingest = posted.is_alive()
        server.kill9()
        posted.join(timeout=10)
    with engine_server(data_dir, log) as server:
        after = _answers(server.url)
        generation_after_restart = _preview(server.url, REFERENCE_QUESTIONS[0])["generation"]
        status, report = _post_articles(server.url, articles)
        probe = _preview(server.url, str(articles[0]["title"]))
    return {
        "articles_posted": len(articles),
        "killed_mid_ingest": killed_mid_ingest,
        "previous_generation_serves": generation_after_restart == generation,
        "same_answers_after_restart": before == after,
        "rerun_status": status,
        "rerun_articles_added": report.get("articles_added"),
        "new_article_found": articles[0]["id"] in [c["article_id"] for c in probe["candidates"]],
    }


def _answers(url: str) -> list[tuple[str, list[str]]]:
    replies = []
    for question in REFERENCE_QUESTIONS:
        body = httpx.post(f"{url}/v1/ask", json={"question": question}, timeout=60,
                          headers={"Authorization": f"Bearer {LOAD_KEY}"}).json()
        replies.append((body["decision"], [c["article_id"] for c in body["citations"]]))
    return replies


def _preview(url: str, question: str) -> dict[str, Any]:
    response = httpx.post(f"{url}/v1/preview", json={"question": question}, timeout=60,
                          headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _post_articles(url: str, articles: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    try:
        response = httpx.post(f"{url}/v1/articles", json={"articles": articles, "source": "plausible"}, timeout=600,
                              headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    except httpx.HTTPError:
        return 0, {}
    return response.status_code, response.json()


def plausible_records(docs: Path, count: int) -> list[dict[str, Any]]:
    """Plausible help-center Markdown files as admin-API article records."""
    records = []
    for path in sorted(docs.glob("*.md"))[:count]:
        text = path.read_text()
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
        records.append({"id": f"plausible/{path.stem}", "title": title, "text": text, "updated_at": "2026-11-01"})
    return records


def copy_index(source: Path, target: Path) -> Path:
    """A prepared data dir without its database (each suite starts with empty event tables)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("engine.db*"))
    return target
