"""The server answers without importing what only ingest, evals or the torch backend need (cold start)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration

HEAVY = ("torch", "sentence_transformers", "transformers", "llama_index", "ragas", "langchain_core", "qdrant_client")
CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import engine.cli
    from engine.api.app import create_app
    from engine.config import Settings
    from engine.types import Query
    from engine.wiring import build_engine

    settings = Settings(data_dir=Path(sys.argv[1]))
    create_app(settings)
    engine = build_engine(settings)
    decision = engine.answers.ask(Query("how do I download an invoice"))
    print(json.dumps({"decision": str(decision.decision), "modules": sorted(sys.modules)}))
    """
)


def test_answering_over_http_needs_no_torch_llama_index_ragas_or_qdrant_client(kb_data_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(kb_data_dir, data_dir)

    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.splitlines()[-1])
    assert out["decision"] == "answer"
    loaded = {name.split(".")[0] for name in out["modules"]}
    assert not loaded.intersection(HEAVY), sorted(loaded.intersection(HEAVY))


SUPERVISOR = textwrap.dedent(
    """
    import json, sys
    import engine.cli, uvicorn
    from engine.api.security import UVICORN_OPTIONS
    from engine.store.serving import SERVE_PORT_ENV, SUPERVISOR_ENV, ServeLock
    print(json.dumps(sorted(sys.modules)))
    """
)


def test_the_engine_command_and_the_supervisor_of_several_workers_load_no_engine_app_model_or_database() -> None:
    # What `engine serve --workers N` imports before its workers start: every import here delays each worker's start
    # and stays resident in the supervisor.
    result = subprocess.run([sys.executable, "-c", SUPERVISOR], capture_output=True, text=True, timeout=120, cwd=ROOT)

    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    unwanted = {"engine.wiring", "engine.api.app", "sqlalchemy", "onnxruntime", "fastapi", "tokenizers", *HEAVY}
    assert not loaded & unwanted, sorted(loaded & unwanted)
