"""The CI subset of the load suite (docs/reliability.md): 8 widget clients for 5 s against a real `engine serve`
process whose webhook target is down, then back. Nothing may fail, be lost, or be delivered twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.load.suites import copy_index, load_suite

pytestmark = pytest.mark.integration


def test_concurrent_clients_lose_nothing_and_every_ticket_arrives_once(kb_data_dir: Path, tmp_path: Path) -> None:
    data_dir = copy_index(kb_data_dir, tmp_path / "data")

    found = load_suite(data_dir, tmp_path / "server.log", clients=8, seconds=5)

    assert found["errors"] == 0, found["error_samples"]
    assert found["asks"] > 0 and found["votes"] > 0 and found["escalations"] > 0
    assert found["stored_interactions"] == found["asks"] and found["stored_votes"] == found["votes"]
    assert found["lost_events"] == 0
    assert found["tickets_owed_while_target_down"] > 0
    assert found["deliveries"] == found["delivered_once"] and found["undelivered"] == 0
    assert found["unexpected_deliveries"] == 0


def test_a_worker_killed_mid_load_loses_nothing_and_another_delivers_every_ticket_once(
    kb_data_dir: Path, tmp_path: Path
) -> None:
    """Two workers; the one leading ticket delivery is killed with -9 two seconds in. Only its in-flight requests
    fail (the connection drops), nothing answered is missing from the log, and the other worker takes the lead and
    delivers every ticket exactly once."""
    data_dir = copy_index(kb_data_dir, tmp_path / "data")

    found = load_suite(data_dir, tmp_path / "server.log", clients=8, seconds=6, kill_leader_after_s=2)

    assert found["killed_pid"] is not None and found["leader_pid"] != found["killed_pid"]
    assert found["errors"] <= 8 and all(" 5" not in s.split(":")[1][:3] for s in found["error_samples"])
    assert found["asks"] > 0 and found["escalations"] > 0
    assert found["stored_interactions"] >= found["asks"] and found["stored_votes"] >= found["votes"]
    assert found["tickets_owed_while_target_down"] > 0
    assert found["deliveries"] == found["delivered_once"] and found["undelivered"] == 0
    assert found["unexpected_deliveries"] == 0
