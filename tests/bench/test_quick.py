"""The benchmark's machinery, end to end on kb_samples at tiny sizes: it must write a well-formed table and JSON.
No timing is asserted (timings belong in bench/results/, not in tests)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bench.report import write
from bench.run import quick_config, run

pytestmark = pytest.mark.integration


def _table(markdown: str, heading: str) -> list[list[str]]:
    section = markdown.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_quick_mode_writes_a_well_formed_table_and_json(tmp_path: Path) -> None:
    config = replace(quick_config("t", tmp_path / "results"), sizes=(0,), requests_per_level=4, questions=6)

    markdown_path, json_path = write(run(config, tmp_path / "work"), config.results)

    markdown = markdown_path.read_text(encoding="utf-8")
    assert markdown.startswith("# Benchmark `t`") and "cores" in markdown
    http_rows_expected = len(config.concurrencies) * len(config.workers)
    for heading, rows in (("Ingest", 1), ("Retrieval", 1), ("POST /v1/ask", http_rows_expected)):
        table = _table(markdown, heading)
        assert len(table) == 2 + rows, heading  # header, alignment row, data rows
        assert {len(row) for row in table} == {len(table[0])}, heading
        for row in table[2:]:
            assert all(cell for cell in row), row
    http_rows = _table(markdown, "POST /v1/ask")[2:]
    assert [(row[1], row[6]) for row in http_rows] == [
        (str(w), str(c)) for w in config.workers for c in config.concurrencies
    ]
    assert all(row[8] == "0" for row in http_rows)  # no errors
    assert all(float(row[4]) >= float(row[3]) for row in http_rows)  # the total holds at least one worker
    assert all(0 < float(row[5]) <= float(row[4]) for row in http_rows)  # shared pages counted once: PSS ≤ RSS
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert {"cpu", "cores", "ram_gb", "python", "packages"} <= set(data["machine"])
    assert data["sizes"][0]["retrieval"]["chunks"] > 0
    assert [h["workers"] for h in data["sizes"][0]["http"]] == list(config.workers)
    assert data["sizes"][0]["http"][0]["levels"][0]["requests"] == 4
