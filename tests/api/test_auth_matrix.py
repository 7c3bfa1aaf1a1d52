"""Who may call what: every endpoint with no key, a wrong key, and each role; rate limits, body limits, origins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.api.app import create_app
from engine.config import ApiKey, AuthSettings
from engine.protocols import Embedder
from engine.wiring import build_engine
from tests.conftest import ADMIN_KEY, AGENT_KEY, KB_NOW, PUBLIC_KEY, TEST_KEYS, WIDGET_ORIGIN, auth, kb_settings
from tests.servers import serve

pytestmark = pytest.mark.integration
NEW_ARTICLE = {"id": "api/matrix-note", "title": "Matrix note", "text": "Body of a note about matrices.",
               "updated_at": "2026-11-01"}
CUSTOMER_ENDPOINTS = {"ask", "feedback", "escalate", "session", "own_tickets", "incidents"}
STAFF_ENDPOINTS = {"tickets", "ticket", "change_ticket", "feedback_list", "conversations", "preview", "metrics",
                   "freshness"}
HEADERS = {"change_ticket": {"If-Match": "*"}}
"""Extra headers an endpoint needs (`*`: change whatever version is current, so each role's call succeeds)."""
ADMIN_ENDPOINTS = {"add_article", "remove_article"}


@pytest.fixture(scope="module")
def api(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import shutil

    data = tmp_path_factory.mktemp("matrix") / "data"
    shutil.copytree(kb_data_dir, data, ignore=shutil.ignore_patterns("engine.db*"))
    keys = [*TEST_KEYS, ApiKey(name="slow", key="pk-slow-widget-0123456789", role="public", rate_per_minute=3)]  # type: ignore[arg-type]
    engine = build_engine(kb_settings(data, auth=AuthSettings(keys=keys, max_request_bytes=4096,
                                                                     anonymous_rate_per_minute=1000)),
                          embedder=embedder, clock=lambda: KB_NOW)
    with serve(create_app(engine.settings, engine=engine)) as url:
        yield url
    engine.close()


def _requests(url: str, session: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    return {
        "ask": ("POST", "/v1/ask", {"question": "how do I reset my password?"}),
        "feedback": ("POST", "/v1/feedback", {"interaction_id": session["interaction_id"], "helpful": True,
                                              "session_id": session["session_id"]}),
        "escalate": ("POST", "/v1/escalate", {"session_id": session["session_id"], "question": "still stuck"}),
        "session": ("GET", f"/v1/sessions/{session['session_id']}", None),
        "own_tickets": ("GET", f"/v1/sessions/{session['session_id']}/tickets", None),
        "incidents": ("GET", "/v1/incidents", None),
        "tickets": ("GET", "/v1/tickets", None),
        "ticket": ("GET", f"/v1/tickets/{session['ticket_id']}", None),
        "change_ticket": ("PATCH", f"/v1/tickets/{session['ticket_id']}", {"note": "checked"}),
        "feedback_list": ("GET", "/v1/feedback", None),
        "conversations": ("GET", "/v1/conversations?reason=out_of_scope", None),
        "preview": ("POST", "/v1/preview", {"question": "how do I reset my password?"}),
        "metrics": ("GET", "/v1/metrics", None),
        "freshness": ("GET", "/v1/freshness", None),
        "add_article": ("POST", "/v1/articles", {"articles": [NEW_ARTICLE]}),
        "remove_article": ("DELETE", "/v1/articles/api/matrix-note", None),
    }


@pytest.fixture(scope="module")
def session(api: str) -> dict[str, Any]:
    """A widget conversation that escalated: its session, interaction and ticket."""
    body = httpx.post(f"{api}/v1/ask", json={"question": "write me a poem about the sea"}, headers=auth(PUBLIC_KEY),
                      timeout=60).json()
    return {"session_id": body["session_id"], "interaction_id": body["interaction_id"], "ticket_id": body["ticket"]["id"]}


@pytest.mark.parametrize("endpoint", sorted(CUSTOMER_ENDPOINTS | STAFF_ENDPOINTS | ADMIN_ENDPOINTS))
def test_every_endpoint_answers_each_role_as_documented(api: str, session: dict[str, Any], endpoint: str) -> None:
    method, path, body = _requests(api, session)[endpoint]
    expected_public = 2 if endpoint in CUSTOMER_ENDPOINTS else 403
    expected_agent = 403 if endpoint in ADMIN_ENDPOINTS else 2

    def call(headers: dict[str, str]) -> httpx.Response:
        return httpx.request(method, f"{api}{path}", json=body, headers={**HEADERS.get(endpoint, {}), **headers},
                             timeout=120)

    missing, wrong = call({}), call(auth("not-a-real-key-0000000000"))
    assert missing.status_code == 401 and "missing API key" in missing.json()["detail"]
    assert missing.headers["www-authenticate"] == "Bearer"
    assert wrong.status_code == 401 and "unknown API key" in wrong.json()["detail"]
    public = call(auth(PUBLIC_KEY))
    assert public.status_code // (100 if expected_public == 2 else 1) == expected_public, public.text
    agent = call(auth(AGENT_KEY))
    assert agent.status_code // (100 if expected_agent == 2 else 1) == expected_agent, agent.text
    if endpoint == "add_article":  # admin adds it, then the delete row below can remove it
        assert call(auth(ADMIN_KEY)).json()["articles_added"] == 1
    elif endpoint == "remove_article":
        httpx.post(f"{api}/v1/articles", json={"articles": [NEW_ARTICLE]}, headers=auth(ADMIN_KEY), timeout=120)
        assert call(auth(ADMIN_KEY)).json()["articles_removed"] == 1
    else:
        assert call(auth(ADMIN_KEY)).status_code // 100 == 2
    if public.status_code == 403:
        assert "public key" in public.json()["detail"]


def test_x_api_key_header_works_like_bearer(api: str) -> None:
    response = httpx.get(f"{api}/v1/tickets", headers={"X-API-Key": AGENT_KEY}, timeout=30)

    assert response.status_code == 200 and isinstance(response.json(), list)


def test_probes_and_openapi_need_no_key(api: str) -> None:
    assert httpx.get(f"{api}/healthz").status_code == 200
    spec = httpx.get(f"{api}/openapi.json").json()
    assert {"/v1/ask", "/v1/feedback", "/v1/escalate", "/v1/tickets/{ticket_id}", "/v1/sessions/{session_id}",
            "/v1/sessions/{session_id}/tickets",
            "/v1/preview", "/v1/articles", "/v1/metrics", "/v1/freshness", "/v1/conversations", "/v1/incidents"} <= set(spec["paths"])
    assert "patch" in spec["paths"]["/v1/tickets/{ticket_id}"] and "get" in spec["paths"]["/v1/feedback"]


def test_a_public_key_is_confined_to_its_own_session(api: str, session: dict[str, Any]) -> None:
    key = auth(PUBLIC_KEY)
    other = httpx.post(f"{api}/v1/ask", json={"question": "how do I export my data?"}, headers=key, timeout=60).json()

    vote = httpx.post(f"{api}/v1/feedback", json={"interaction_id": session["interaction_id"], "helpful": False,
                                                  "session_id": other["session_id"]}, headers=key, timeout=30)
    forged = httpx.post(f"{api}/v1/ask", json={"question": "hi", "session_id": "guessed-session-1"}, headers=key,
                        timeout=30)
    peek = httpx.get(f"{api}/v1/sessions/{session['session_id'].split('.')[0]}.{'0' * 24}", headers=key, timeout=30)
    peek_tickets = httpx.get(f"{api}/v1/sessions/{session['session_id'].split('.')[0]}.{'0' * 24}/tickets",
                             headers=key, timeout=30)
    staff = httpx.post(f"{api}/v1/feedback", json={"interaction_id": session["interaction_id"], "helpful": False},
                       headers=auth(AGENT_KEY), timeout=30)

    assert vote.status_code == 404 and "not found in this session" in vote.json()["detail"]
    assert forged.status_code == 403 and "omit session_id" in forged.json()["detail"]
    assert peek.status_code == 404 and peek_tickets.status_code == 404
    assert staff.status_code == 201


@pytest.mark.parametrize("session_id", ["ñUv\U000d8c1c.Àõ", "abc.ÿ", "é", "abc.0123456789abcdef01234567"])
def test_a_forged_or_non_ascii_session_id_is_a_404_not_a_crash(api: str, session_id: str) -> None:
    response = httpx.get(f"{api}/v1/sessions/{session_id}", headers=auth(PUBLIC_KEY))
    feedback = httpx.post(f"{api}/v1/feedback", headers=auth(PUBLIC_KEY),
                          json={"interaction_id": "0" * 36, "helpful": True, "session_id": session_id})

    assert response.status_code == 404 and response.json()["detail"] == "session not found"
    assert feedback.status_code in (404, 422)


def test_a_public_key_cannot_ask_as_another_audience(api: str) -> None:
    response = httpx.post(f"{api}/v1/ask", json={"question": "how do I configure SAML SSO?", "audience": "admins"},
                          headers=auth(PUBLIC_KEY), timeout=30)

    assert response.status_code == 403 and "may only ask as public" in response.json()["detail"]


def test_rate_limit_answers_429_with_retry_after(api: str) -> None:
    key = auth("pk-slow-widget-0123456789")
    statuses = [httpx.get(f"{api}/v1/sessions/nothing.{'0' * 24}", headers=key, timeout=30) for _ in range(4)]

    assert [r.status_code for r in statuses[:3]] == [404, 404, 404]
    assert statuses[3].status_code == 429 and int(statuses[3].headers["retry-after"]) >= 1
    assert "rate limit of 3 requests per minute" in statuses[3].json()["detail"]


def test_callers_without_a_valid_key_are_rate_limited_per_address(kb_data_dir: Path, embedder: Embedder,
                                                                   tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(kb_data_dir, data, ignore=shutil.ignore_patterns("engine.db*"))
    engine = build_engine(kb_settings(data, auth=AuthSettings(keys=TEST_KEYS, anonymous_rate_per_minute=2)),
                          embedder=embedder, clock=lambda: KB_NOW)
    with serve(create_app(engine.settings, engine=engine)) as url:
        statuses = [httpx.get(f"{url}/v1/tickets", headers=auth("wrong-key"), timeout=30) for _ in range(3)]
    engine.close()

    assert [r.status_code for r in statuses] == [401, 401, 429]
    assert "rate limit of 2 requests per minute" in statuses[2].json()["detail"]


def test_an_oversized_body_is_refused_with_413(api: str) -> None:
    response = httpx.post(f"{api}/v1/ask", content=b'{"question": "' + b"a" * 5000 + b'"}',
                          headers={"content-type": "application/json", **auth(PUBLIC_KEY)}, timeout=30)

    assert response.status_code == 413 and "larger than 4096 bytes" in response.json()["detail"]


def test_widget_origins_get_cors_and_other_origins_are_refused(api: str) -> None:
    preflight = httpx.options(f"{api}/v1/ask", headers={"Origin": WIDGET_ORIGIN, "Access-Control-Request-Method": "POST",
                                                        "Access-Control-Request-Headers": "authorization,content-type"})
    evil = httpx.post(f"{api}/v1/ask", json={"question": "hi"}, headers={"Origin": "http://evil.example",
                                                                        **auth(PUBLIC_KEY)}, timeout=30)
    good = httpx.post(f"{api}/v1/ask", json={"question": "how do I reset my password?"},
                      headers={"Origin": WIDGET_ORIGIN, **auth(PUBLIC_KEY)}, timeout=60)

    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    assert evil.status_code == 403 and "origin http://evil.example is not allowed" in evil.json()["detail"]
    assert good.status_code == 200 and good.headers["access-control-allow-origin"] == WIDGET_ORIGIN


def test_posting_articles_reports_the_page_chrome_it_removed(api: str) -> None:
    chrome = "Skip to main content\nSign in\n{body}\nWas this article helpful?\nYes\nNo"
    articles = [{"id": f"api/chrome-{i}", "title": f"Chrome note {i}", "url": f"https://help.example/chrome-{i}",
                 "text": chrome.format(body=f"Chrome note {i} is about quartz clock number {i}.")} for i in range(4)]

    response = httpx.post(f"{api}/v1/articles", json={"articles": articles}, headers=auth(ADMIN_KEY), timeout=120)
    for article in articles:
        httpx.delete(f"{api}/v1/articles/{article['id']}", headers=auth(ADMIN_KEY), timeout=120)

    cleaning = response.json()["cleaning"]
    assert cleaning["articles_changed"] == 4 and cleaning["boilerplate_lines"] == 4 * 5
    assert {"kind": "boilerplate", "text": "Was this article helpful?", "count": 4} in cleaning["examples"]
