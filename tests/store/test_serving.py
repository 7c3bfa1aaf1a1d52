"""The embedded default serves from one process: a second one fails at once with a message saying what to do,
while ingest (which does not open the index for serving) still works beside the server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from engine.config import Settings
from engine.ingest.indexer import Indexer
from engine.store.holder import IndexHolder
from engine.store.serving import SUPERVISOR_ENV, ServeLock
from engine.wiring import open_store
from tests.conftest import KB_SAMPLES, ROOT
from tests.fakes import HashEmbedder

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from engine.config import Settings
    from engine.errors import StoreUnavailableError
    from engine.wiring import open_store

    store = open_store(Settings(data_dir=Path(sys.argv[1])))
    store.load(with_dense=False)  # what ingest does: allowed beside a server
    print("ingest-view ok")
    try:
        store.load()
    except StoreUnavailableError as exc:
        print("refused:", exc)
        sys.exit(7)
    print("served")
    """
)


def _data_dir(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    kb.mkdir()
    for path in sorted(KB_SAMPLES.glob("billing/*.md"))[:3]:
        shutil.copy(path, kb / path.name)
    settings = Settings(data_dir=tmp_path / "data")
    Indexer(settings, open_store(settings), HashEmbedder).ingest(kb)
    return settings.data_dir


def _child(data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir)],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "", **env},
    )


def test_a_second_serving_process_fails_with_a_clear_message(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    holder = IndexHolder(open_store(Settings(data_dir=data_dir)))
    holder.get()
    try:
        refused = _child(data_dir)
    finally:
        holder.close()

    assert refused.returncode == 7, refused.stderr
    assert "ingest-view ok" in refused.stdout
    assert "Another process is serving the index" in refused.stdout and "ENGINE_QDRANT_URL" in refused.stdout
    served = _child(data_dir)  # closing the holder released the lock
    assert served.returncode == 0 and "served" in served.stdout, served.stderr


def test_one_process_may_hold_several_snapshots_and_hot_reload(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path)
    store = open_store(Settings(data_dir=data_dir))
    first, second = store.load(), store.load()
    first.close()
    assert _child(data_dir).returncode == 7  # still held by the second snapshot
    second.close()
    assert _child(data_dir).returncode == 0


def test_the_workers_of_one_supervisor_share_its_lock_and_nobody_else_does(tmp_path: Path) -> None:
    """`engine serve --workers N`: the supervisor holds the lock and names itself; only its own children serve."""
    data_dir = _data_dir(tmp_path)
    lock = ServeLock(data_dir / "index")
    lock.acquire()  # this test plays the supervisor
    try:
        worker = _child(data_dir, **{SUPERVISOR_ENV: str(os.getpid())})
        impostor = _child(data_dir, **{SUPERVISOR_ENV: str(os.getpid() + 1)})  # names a process that is not its parent
    finally:
        lock.release()

    assert worker.returncode == 0 and "served" in worker.stdout, worker.stderr
    assert impostor.returncode == 7 and "--workers" in impostor.stdout
