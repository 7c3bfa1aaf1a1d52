"""The CLI's stable interfaces: ingest exit codes, ask --json (logged like the API's, or not with --no-log),
ask --batch JSONL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from engine.cli import app
from engine.config import Settings
from engine.protocols import Embedder
from engine.wiring import build_engine

pytestmark = pytest.mark.integration
runner = CliRunner()


def test_ingest_exit_code_says_whether_any_file_failed(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "ok.md").write_text("---\ntitle: Fine\n---\nA fine article about exporting boards to CSV.\n")
    clean = runner.invoke(app, ["ingest", str(kb), "--data-dir", str(tmp_path / "d"), "--json"])
    (kb / "bad.md").write_text("---\ntitle: [broken\n---\nx\n")
    dirty = runner.invoke(app, ["ingest", str(kb), "--data-dir", str(tmp_path / "d"), "--json"])

    assert clean.exit_code == 0, clean.output
    assert dirty.exit_code == 1
    report = json.loads(dirty.stdout)
    assert report["articles_total"] == 1 and report["problems"][0]["path"] == "bad.md"


def test_ask_json_and_batch_shapes(kb_data_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        json.dumps({"id": "q1", "question": "how do i reset my password"})
        + "\n"
        + json.dumps({"id": "q2", "question": "SSO with Okta", "audience": "admins"})
        + "\n"
        + json.dumps({"id": "q3", "question": "Passwort vergessen", "locale": "de"})
        + "\n"
    )
    # Local Qdrant locks its folder per process, and this test session holds kb_data_dir open: use a copy.
    data_dir = tmp_path / "data"
    shutil.copytree(kb_data_dir, data_dir)
    env = {**os.environ, "ENGINE_DATA_DIR": str(data_dir)}

    result = subprocess.run(
        [sys.executable, "-m", "engine.cli", "ask", "--batch", str(batch), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2", "q3"]
    for line in lines:
        assert set(line) >= {"id", "decision", "answer", "citations", "confidence", "reason"}
        for citation in line["citations"]:
            assert set(citation) >= {"article_id", "title", "url", "score"}
    assert lines[0]["citations"][0]["article_id"] == "account/reset-password"
    assert lines[1]["citations"][0]["article_id"] == "admin/sso-saml-setup"
    assert lines[2]["citations"][0]["article_id"] == "account/passwort-zuruecksetzen"


def test_single_question_json(kb_data_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(kb_data_dir, tmp_path / "data")
    result = runner.invoke(
        app, ["ask", "where can I see my invoices", "--data-dir", str(tmp_path / "data"), "--json"]
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["citations"][0]["article_id"] == "billing/download-invoices"


def test_an_escalation_lists_the_articles_it_considered(kb_data_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(kb_data_dir, tmp_path / "data")
    # kb_samples golden kbs-018: escalates for low confidence, though the refund policy is the right article
    question = "bought the yearly plan 5 days ago by mistake (meant monthly), can i get my money back?"
    result = runner.invoke(app, ["ask", question, "--data-dir", str(tmp_path / "data"), "--json", "--no-log"])

    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["decision"] == "escalate" and out["citations"] == []
    considered = out["considered"]
    assert considered and all(set(c) == {"article_id", "title", "score"} for c in considered)
    scores = [c["score"] for c in considered]
    assert scores == sorted(scores, reverse=True)
    assert considered[0]["article_id"] == "billing/refund-policy"


def test_an_answer_has_no_considered_list(kb_data_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(kb_data_dir, tmp_path / "data")
    result = runner.invoke(app, ["ask", "where can I see my invoices", "--data-dir", str(tmp_path / "data"), "--json"])

    assert result.exit_code == 0 and "considered" not in json.loads(result.stdout)


def test_ask_needs_exactly_one_of_question_or_batch(kb_data_dir: Path) -> None:
    result = runner.invoke(app, ["ask", "--data-dir", str(kb_data_dir)])

    assert result.exit_code == 2 and "either a QUESTION or --batch" in result.output


def test_a_question_is_logged_and_ticketed_like_the_apis_unless_no_log(
    kb_data_dir: Path, embedder: Embedder, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(kb_data_dir, data_dir, ignore=shutil.ignore_patterns("engine.db*"))
    question = "I filed a chargeback with my bank, refund me now"
    logged = runner.invoke(app, ["ask", question, "--data-dir", str(data_dir), "--json"])
    quiet = runner.invoke(app, ["ask", question, "--data-dir", str(data_dir), "--json", "--no-log"])

    assert logged.exit_code == 0 and quiet.exit_code == 0, logged.output + quiet.output
    reply = json.loads(logged.stdout)
    assert reply["decision"] == "escalate" and reply["ticket"]["reference"] == "T-000001"
    assert set(json.loads(quiet.stdout)) == {"decision", "answer", "citations", "confidence", "reason", "considered"}
    engine = build_engine(Settings(data_dir=data_dir), embedder=embedder)
    try:
        [turn] = engine.events.session(reply["session_id"])
        with engine.database.engine.connect() as db:
            channels = db.execute(text("select channel from interactions")).scalars().all()
        tickets = engine.desk.store.recent()
    finally:
        engine.close()
    assert turn.interaction_id == reply["interaction_id"] and channels == ["cli"]
    assert [(t.reference, t.session_id, t.reason) for t in tickets] == [("T-000001", reply["session_id"], "sensitive_topic")]
