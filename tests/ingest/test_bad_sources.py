"""One ingest over a folder full of bad files: each is reported with its path and reason, the rest is indexed and
answers. The real indexer and generation store run here; the hash embedder stands in for the model (logic only)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from engine.config import Settings
from engine.ingest.indexer import Indexer
from engine.wiring import open_store
from tests.conftest import KB_SAMPLES
from tests.fakes import HashEmbedder

GOOD = ["billing/update-payment-method.md", "account/two-factor-authentication.md", "team/invite-members.md"]


def _source(root: Path) -> Path:
    for name in GOOD:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(KB_SAMPLES / name, root / name)
    (root / "broken.md").write_text("---\ntitle: [unclosed\naudience: admins\n---\nBody\n")
    (root / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" + bytes(range(256)) * 64)
    with (root / "huge.md").open("wb") as handle:  # 20 MB, over the default 5 MB max_file_bytes
        handle.truncate(20 * 1024 * 1024)
    (root / "zz-duplicate.md").write_text("---\nid: team/invite-members\ntitle: Duplicate\n---\nAgain.\n")
    os.mkfifo(root / "pipe.md")  # a FIFO would block a naive read forever
    (root / "locked.md").write_text("---\ntitle: Locked\n---\nYou cannot read me.\n")
    (root / "locked.md").chmod(0o000)
    return root


def test_every_bad_file_is_reported_by_path_and_the_rest_is_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(tmp_path / "kb")
    if os.geteuid() == 0:
        # root reads mode-000 files anyway: make locked.md fail the way it does for any other user.
        real_read = Path.read_bytes

        def read_bytes(path: Path) -> bytes:
            if path.name == "locked.md":
                raise PermissionError(13, "Permission denied", str(path))
            return real_read(path)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    settings = Settings(data_dir=tmp_path / "data")
    store = open_store(settings)
    embedder = HashEmbedder()

    report = Indexer(settings, store, lambda: embedder).ingest(source, source="kb")

    reasons = {p.path: p.reason for p in report.problems}
    assert set(reasons) == {"broken.md", "binary.md", "huge.md", "zz-duplicate.md", "pipe.md", "locked.md"}
    assert "broken front matter" in reasons["broken.md"]
    assert "binary" in reasons["binary.md"]
    assert "20,971,520 bytes" in reasons["huge.md"] and "5,000,000-byte limit" in reasons["huge.md"]
    assert "duplicate id 'team/invite-members'" in reasons["zz-duplicate.md"]
    assert "not a regular file" in reasons["pipe.md"]
    assert "cannot read file: Permission denied" in reasons["locked.md"]
    assert not report.ok and report.articles_total == len(GOOD)
    snapshot = store.load(with_dense=False)
    assert sorted(snapshot.articles) == sorted(name.removesuffix(".md") for name in GOOD)
    assert snapshot.articles["team/invite-members"].title != "Duplicate"
