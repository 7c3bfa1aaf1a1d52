"""Schemathesis against our own OpenAPI document: every operation, fuzzed with valid keys, over a real uvicorn
server. No response may be a 5xx, and every response must match the schema of its status code.

The default run keeps ~25 examples per operation (seeded, so it is repeatable); set ENGINE_FUZZ_EXAMPLES for a
longer hunt (docs/reliability.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from engine.api.app import create_app
from engine.config import ApiKey, AuthSettings
from engine.wiring import Engine, build_engine
from tests.conftest import KB_NOW, KB_SAMPLES, kb_settings
from tests.fakes import HashEmbedder
from tests.servers import serve

pytestmark = pytest.mark.integration
EXAMPLES = int(os.environ.get("ENGINE_FUZZ_EXAMPLES", "25"))
FUZZ_PUBLIC = "pk-fuzz-widget-0123456789"
FUZZ_ADMIN = "sk-fuzz-admin-0123456789"
KEYS = [
    ApiKey(name="fuzz-widget", key=FUZZ_PUBLIC, role="public", rate_per_minute=1_000_000),  # type: ignore[arg-type]
    ApiKey(name="fuzz-admin", key=FUZZ_ADMIN, role="admin", rate_per_minute=1_000_000),  # type: ignore[arg-type]
]
CUSTOMER_PATHS = {"/v1/ask", "/v1/feedback", "/v1/escalate", "/v1/sessions/{session_id}"}


def _engine(data_dir: Path) -> Engine:
    """kb_samples over the hash embedder: the contract under test is the API's, and fuzzed ingests stay cheap."""
    settings = kb_settings(data_dir, auth=AuthSettings(keys=KEYS))
    return build_engine(settings, embedder=HashEmbedder(), clock=lambda: KB_NOW)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    data_dir = tmp_path_factory.mktemp("fuzz")
    engine = _engine(data_dir)
    assert engine.indexer().ingest(KB_SAMPLES, source="kb_samples").ok
    app = create_app(engine.settings, engine=engine)
    document = app.openapi()
    with serve(app) as url:
        yield url, document
    engine.close()


def _schema() -> Any:
    """The OpenAPI document, built without a server (collection time needs it before any fixture runs)."""
    app = create_app(kb_settings(Path("/nonexistent-fuzz"), auth=AuthSettings(keys=KEYS)))
    return schemathesis.openapi.from_dict(app.openapi())


schema = _schema()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_off_schema(case: Any, fuzz_server: tuple[str, dict[str, Any]]) -> None:
    url, _ = fuzz_server
    for key in _keys_for(case.path):
        case.call_and_validate(
            base_url=url,
            headers={"Authorization": f"Bearer {key}"},
            checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
            timeout=30,
        )


def _keys_for(path: str) -> list[str]:
    """Customer operations run as the widget and as staff (their rules differ); the others as admin."""
    return [FUZZ_PUBLIC, FUZZ_ADMIN] if path in CUSTOMER_PATHS else [FUZZ_ADMIN]
