"""POST /v1/ask and the probes over a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.api.app import create_app
from engine.wiring import Engine, build_engine
from tests.conftest import KB_NOW, PUBLIC_KEY, auth, kb_settings
from tests.servers import serve

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def base_url(kb_engine: Engine) -> Iterator[str]:
    with serve(create_app(kb_engine.settings, engine=kb_engine)) as url:
        yield url


KEY = auth(PUBLIC_KEY)


def test_ask_returns_the_stable_shape_plus_an_interaction_id_and_a_session(base_url: str) -> None:
    response = httpx.post(f"{base_url}/v1/ask", json={"question": "how do I turn on two-factor authentication?"},
                          headers=KEY, timeout=30)

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"interaction_id", "decision", "answer", "citations", "confidence", "reason"}
    assert body["decision"] == "answer" and len(body["interaction_id"]) == 36 and body["ticket"] is None
    session_id = body["session_id"]
    again = httpx.post(f"{base_url}/v1/ask", json={"question": "and how do I turn it off?", "session_id": session_id},
                       headers=KEY, timeout=30)
    assert again.status_code == 200 and again.json()["session_id"] == session_id
    citation = body["citations"][0]
    assert citation["article_id"] == "account/two-factor-authentication"
    assert set(citation) >= {"article_id", "title", "url", "score", "updated_at"}
    assert citation["updated_at"] == "2026-10-05" or len(citation["updated_at"]) == 10


def test_escalation_has_no_answer_and_no_citations(base_url: str) -> None:
    body = httpx.post(f"{base_url}/v1/ask", json={"question": "write me a poem about the sea"}, headers=KEY,
                      timeout=30).json()

    assert body["decision"] == "escalate" and body["answer"] is None and body["citations"] == []
    assert body["reason"] == "out_of_scope" and body["ticket"]["reference"].startswith("T-")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"question": ""}, "question"),
        ({"question": "   \n "}, "empty or only whitespace"),
        ({"question": 42}, "valid string"),
        ({"question": "hi", "unknown": 1}, "unknown"),
        ({"question": "x" * 5000}, "at most 4000"),
        ({"question": "bell\x07"}, "control characters"),
        ({}, "question: Field required"),
        ({"question": "a\x00b"}, "control characters"),
        ({"question": "esc \x1b[31m red"}, "control characters"),
        ({"question": ["how", "do", "I"]}, "valid string"),
        ({"question": None}, "valid string"),
        ({"question": "hi", "stream": "maybe"}, "stream"),
        ({"question": "hi", "session_id": 7}, "session_id"),
        ({"question": "hi", "locale": "english please"}, "locale"),
        ({"question": "hi", "customer": {"email": "a@b.c", "admin": True}}, "customer.admin"),
        (["how do I reset my password?"], "valid dictionary"),
        ("how do I reset my password?", "valid dictionary"),
    ],
)
def test_bad_requests_get_a_4xx_problem_with_a_clear_message(base_url: str, payload: object, message: str) -> None:
    response = httpx.post(f"{base_url}/v1/ask", json=payload, headers=KEY, timeout=30)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert message in response.json()["detail"]


def test_invalid_json_is_a_4xx_not_a_crash(base_url: str) -> None:
    response = httpx.post(f"{base_url}/v1/ask", content=b"{not json", headers={"content-type": "application/json", **KEY})

    assert response.status_code == 422 and "detail" in response.json()


def test_invalid_utf8_is_a_400_problem_that_says_so(base_url: str) -> None:
    body = b'{"question": "caf\xe9 \xff\xfe"}'
    response = httpx.post(f"{base_url}/v1/ask", content=body, headers={"content-type": "application/json", **KEY})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "not valid UTF-8" in response.json()["detail"]


def test_broken_json_and_a_staff_route_with_a_public_key_get_details_that_read_as_sentences(base_url: str) -> None:
    broken = httpx.post(f"{base_url}/v1/ask", content=b'{"question": ', headers={"content-type": "application/json", **KEY})
    staff_only = httpx.get(f"{base_url}/v1/tickets", headers=KEY)

    assert broken.status_code == 422
    assert broken.json()["detail"] == "request body is not valid JSON (Expecting value at character 13)"
    assert staff_only.status_code == 403
    assert staff_only.json()["detail"].startswith("this endpoint needs an agent or admin key;")


def test_a_100_kb_question_is_refused_before_it_is_read(base_url: str) -> None:
    response = httpx.post(f"{base_url}/v1/ask", json={"question": "why " * 25_000}, headers=KEY, timeout=30)

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "larger than" in response.json()["detail"]


def test_health_and_readiness(base_url: str) -> None:
    assert httpx.get(f"{base_url}/healthz").json()["status"] == "ok"
    assert httpx.get(f"{base_url}/readyz").status_code == 200
    assert "/v1/ask" in httpx.get(f"{base_url}/openapi.json").json()["paths"]


def test_not_ready_without_an_index(tmp_path: Path, embedder: object) -> None:
    engine = build_engine(kb_settings(tmp_path), embedder=embedder, clock=lambda: KB_NOW)  # type: ignore[arg-type]
    with serve(create_app(engine.settings, engine=engine)) as url:
        ready = httpx.get(f"{url}/readyz")
        ask = httpx.post(f"{url}/v1/ask", json={"question": "how do I export a board?"}, headers=KEY)
        hello = httpx.post(f"{url}/v1/ask", json={"question": "hello"}, headers=KEY)

    assert ready.status_code == 503 and "engine ingest" in ready.json()["detail"]
    assert ask.status_code == 503
    assert hello.status_code == 200 and hello.json()["decision"] == "reply"  # small talk needs no index
