"""Incremental build-then-swap ingest: content hashes skip re-embedding, removals vanish from both indexes,
and an ingest that dies midway leaves the previous generation serving."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from engine.config import Settings
from engine.errors import IngestError
from engine.ingest.indexer import Indexer
from engine.store.generations import GenerationStore
from engine.types import Query
from engine.wiring import build_engine, open_store
from tests.conftest import DATASETS, KB_NOW, KB_SAMPLES
from tests.fakes import HashEmbedder


def _kb(tmp_path: Path, count: int = 6) -> Path:
    root = tmp_path / "kb"
    root.mkdir()
    for path in sorted(KB_SAMPLES.glob("billing/*.md"))[:count]:
        shutil.copy(path, root / path.name)
    return root


def _indexer(data_dir: Path, embedder: HashEmbedder) -> tuple[Indexer, GenerationStore]:
    settings = Settings(data_dir=data_dir)
    store = open_store(settings)
    return Indexer(settings, store, lambda: embedder), store


def test_reingesting_unchanged_articles_embeds_nothing_and_keeps_the_generation(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    embedder = HashEmbedder()
    indexer, store = _indexer(tmp_path / "data", embedder)

    first = indexer.ingest(kb)
    embedded_first = embedder.embedded
    second = indexer.ingest(kb)

    headings = len(store.load(with_dense=False).headings)  # each section heading is embedded once, at ingest
    assert first.articles_added == 6 and first.chunks_embedded + headings == embedded_first and headings > 0
    assert second.articles_unchanged == 6 and second.chunks_embedded == 0 and embedder.embedded == embedded_first
    assert second.generation == first.generation == store.current()


def test_a_changed_article_reembeds_only_its_new_chunks(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    embedder = HashEmbedder()
    indexer, store = _indexer(tmp_path / "data", embedder)
    indexer.ingest(kb)
    target = sorted(kb.glob("*.md"))[0]
    target.write_text(target.read_text() + "\n\n## New section\n\nA brand new paragraph about refunds for annual plans.\n")
    before = embedder.embedded

    report = indexer.ingest(kb)

    assert report.articles_updated == 1 and report.articles_unchanged == 5
    assert report.chunks_embedded == 1 and embedder.embedded - before == 2  # its chunk and its new heading only
    snapshot = store.load()
    assert any("brand new paragraph" in c.text for c in snapshot.chunks)
    snapshot.close()


def test_metadata_only_change_makes_a_new_generation_without_embedding(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    embedder = HashEmbedder()
    indexer, store = _indexer(tmp_path / "data", embedder)
    first = indexer.ingest(kb)
    target = sorted(kb.glob("*.md"))[0]
    target.write_text(target.read_text().replace("status: published", "status: archived", 1))

    report = indexer.ingest(kb)

    assert report.chunks_embedded == 0 and report.generation != first.generation
    snapshot = store.load()
    assert "archived" in {a.status for a in snapshot.articles.values()}
    snapshot.close()


def test_removed_files_disappear_from_bm25_and_the_dense_index(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    embedder = HashEmbedder()
    indexer, store = _indexer(tmp_path / "data", embedder)
    indexer.ingest(kb)
    victim = sorted(kb.glob("*.md"))[1]
    victim_id = next(a.id for a in store.load(with_dense=False).articles.values() if a.path == victim.name)
    victim.unlink()

    report = indexer.ingest(kb)

    assert report.articles_removed == 1
    snapshot = store.load()
    assert victim_id not in snapshot.articles
    assert all(c.article_id != victim_id for c in snapshot.chunks)
    assert len(snapshot.keyword) == len(snapshot.chunks)  # BM25 rows = surviving chunks
    assert snapshot.dense is not None
    everything = np.ones(len(snapshot.article_ids), dtype=bool)
    hits = snapshot.dense.search(embedder.embed_query("anything"), everything, 1000)
    assert len(hits) == len(snapshot.chunks)  # the dense index holds exactly the surviving chunks
    snapshot.close()


def test_sources_are_independent(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "extra.md").write_text("---\nid: extra\ntitle: Extra\n---\nSomething else entirely.\n")
    embedder = HashEmbedder()
    indexer, store = _indexer(tmp_path / "data", embedder)
    indexer.ingest(kb, source="main")
    indexer.ingest(other, source="other")
    (other / "extra.md").unlink()
    (other / "later.md").write_text("---\nid: later\ntitle: Later\n---\nA later article.\n")

    indexer.ingest(other, source="other")

    snapshot = store.load(with_dense=False)
    assert "extra" not in snapshot.articles and "later" in snapshot.articles
    assert len(snapshot.sources["main"]) == 6


def test_a_crash_midway_leaves_the_previous_generation_serving(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    data = tmp_path / "data"
    indexer, store = _indexer(data, HashEmbedder())
    first = indexer.ingest(kb)
    (kb / "new.md").write_text("---\nid: new\ntitle: New\n---\nA new article that never makes it.\n")
    crashing, _ = _indexer(data, HashEmbedder(fail_after=0))

    with pytest.raises(RuntimeError, match="simulated crash"):
        crashing.ingest(kb)

    assert store.current() == first.generation
    assert "new" not in store.load(with_dense=False).articles
    retry = _indexer(data, HashEmbedder())[0].ingest(kb)
    assert retry.articles_added == 1 and store.current() == retry.generation


def test_a_partial_generation_left_by_a_crash_is_never_served_and_is_cleaned_up(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    indexer, store = _indexer(tmp_path / "data", HashEmbedder())
    first = indexer.ingest(kb)
    partial = store.root / "gen-000099"
    partial.mkdir()
    (partial / "manifest.json").write_text("{truncated")

    assert store.current() == first.generation
    (kb / "x.md").write_text("---\nid: x\ntitle: X\n---\nAnother article.\n")
    report = indexer.ingest(kb)

    assert store.current() == report.generation and not partial.exists()


def test_a_second_concurrent_ingest_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    indexer, store = _indexer(tmp_path / "data", HashEmbedder())
    with store.ingest_lock():
        with pytest.raises(IngestError, match="Another ingest is running"):
            indexer.ingest(kb)


@pytest.mark.integration
def test_kill_9_during_a_real_ingest_keeps_the_previous_index_answering(tmp_path: Path, embedder: object) -> None:
    data = tmp_path / "data"
    kb = _kb(tmp_path, count=3)
    env = {**os.environ, "ENGINE_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
    engine_cmd = [sys.executable, "-m", "engine.cli"]
    subprocess.run([*engine_cmd, "ingest", str(kb)], env=env, check=True, capture_output=True)
    before = open_store(Settings(data_dir=data)).current()
    # Hundreds of chunks to embed: the kill lands midway through the second ingest.
    (kb / "plausible").mkdir()
    for path in sorted((DATASETS / "plausible-docs" / "articles").glob("*.md"))[:50]:
        shutil.copy(path, kb / "plausible" / path.name)

    process = subprocess.Popen([*engine_cmd, "ingest", str(kb)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(8)
    assert process.poll() is None, "ingest finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    settings = Settings(data_dir=data)
    assert open_store(settings).current() == before
    engine = build_engine(settings, embedder=embedder, clock=lambda: KB_NOW)  # type: ignore[arg-type]
    assert engine.answers.ask(Query("how do I update my credit card")).candidates
    engine.close()
    rerun = subprocess.run([*engine_cmd, "ingest", str(kb), "--json"], env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert open_store(settings).current() != before
    snapshot = open_store(settings).load(with_dense=False)
    assert len(snapshot.articles) == 3 + 50 and np.isfinite(snapshot.vectors).all()
