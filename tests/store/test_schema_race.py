"""Several processes opening one new SQLite database at once (the workers of `engine serve --workers N` on a fresh
data dir) all get a working database: creating the schema is done one process at a time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from engine.config import Settings
    from engine.wiring import open_database

    start = float(sys.argv[2])
    time.sleep(max(0.0, start - time.time()))  # every process creates the schema at the same moment
    open_database(Settings(data_dir=Path(sys.argv[1]))).close()
    print("ok")
    """
)


def test_processes_creating_the_schema_together_all_succeed(tmp_path: Path) -> None:
    import time

    failures = []
    for attempt in range(3):
        data_dir = tmp_path / f"data-{attempt}"
        start = str(time.time() + 3.0)  # after every child has imported the engine
        children = [
            subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), start], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(4)
        ]
        for child in children:
            out, err = child.communicate(timeout=120)
            if child.returncode != 0 or out.strip() != "ok":
                failures.append(err.strip().splitlines()[-1] if err.strip() else f"exit {child.returncode}")

    assert failures == []
