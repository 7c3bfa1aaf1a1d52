"""Hardening from an attacker's probe (issue #28), over real HTTP: rotating X-Forwarded-For is throttled unless it
comes from a configured proxy, `If-Match: "²"` is a 400 problem, control characters and fake emails are refused in
every text field, the pages send their security headers, and session ids stay out of URLs and access logs — a
leaked one cannot redirect a ticket's replies from another site."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.api.app import create_app
from engine.config import ApiKey, AuthSettings, ServerSettings, StatusSettings
from engine.protocols import Embedder
from engine.wiring import build_engine
from tests.conftest import AGENT_KEY, KB_NOW, PUBLIC_KEY, TEST_KEYS, auth, kb_settings
from tests.fakes import HashEmbedder
from tests.incidents.feeds import Clock, incident, summary
from tests.servers import serve

pytestmark = pytest.mark.integration
TWO_SITES_KEY = "pk-test-two-sites-0123456789"
SLOW_KEY = "pk-test-slow-0123456789"
SITE_A, SITE_B = "http://a.example", "http://b.example"
CONTROLS = ["\x00", "\x1b[31m", "\u202e", "\u2066", "\x7f", "\x85"]
FAKE_EMAIL = "<svg/onload=alert(1)>@x.io"


@pytest.fixture(scope="module")
def light(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API over an empty data dir (validation, headers and limits need no index)."""
    data = tmp_path_factory.mktemp("light") / "data"
    slow = ApiKey(name="slow", key=SLOW_KEY, role="public", rate_per_minute=10)  # type: ignore[arg-type]
    auth_settings = AuthSettings(keys=[*TEST_KEYS, slow], anonymous_rate_per_minute=10)
    engine = build_engine(kb_settings(data, auth=auth_settings), embedder=HashEmbedder(), clock=Clock())
    with serve(create_app(engine.settings, engine=engine)) as api:
        yield api
    engine.close()


@pytest.fixture(scope="module")
def full(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API over kb_samples with a status file holding an active Sync incident, and a key for two sites."""
    root = tmp_path_factory.mktemp("full")
    shutil.copytree(kb_data_dir, root / "data", ignore=shutil.ignore_patterns("engine.db*"))
    feed = root / "summary.json"
    feed.write_text(json.dumps(summary(incident("Sync delays", "sync"))))
    two_sites = ApiKey(name="two-sites", key=TWO_SITES_KEY, role="public", origins=(SITE_A, SITE_B))  # type: ignore[arg-type]
    settings = kb_settings(root / "data", auth=AuthSettings(keys=[*TEST_KEYS, two_sites]),
                           status=StatusSettings(file=feed, poll_interval_s=0.2))
    engine = build_engine(settings, embedder=embedder, clock=lambda: KB_NOW)
    with serve(create_app(settings, engine=engine)) as api:
        _wait(lambda: bool(httpx.get(f"{api}/v1/incidents", headers=auth(PUBLIC_KEY)).json()["incidents"]))
        yield api
    engine.close()


def _wait(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def _statuses(url: str, headers: Callable[[int], dict[str, str]], count: int) -> list[int]:
    return [httpx.get(url, headers=headers(n), timeout=30).status_code for n in range(count)]


def test_rotating_x_forwarded_for_is_throttled_for_keys_and_for_failed_authentication(light: str) -> None:
    widget = _statuses(f"{light}/v1/incidents", lambda n: {**auth(SLOW_KEY), "X-Forwarded-For": f"203.0.113.{n}"},
                       40)
    guesses = _statuses(f"{light}/v1/tickets",
                        lambda n: {**auth(f"guess-{n:04d}-0123456789"), "X-Forwarded-For": f"198.51.100.{n}"}, 40)

    # 10 a minute (plus one a minute's refill for however long the loop takes), not one bucket per forged address
    assert widget[:10] == [200] * 10 and widget.count(429) >= 20
    assert guesses[:10] == [401] * 10 and guesses.count(429) >= 20  # failed authentication: 10 a minute per address


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(tmp_path: Path) -> None:
    slow = ApiKey(name="slow", key=SLOW_KEY, role="public", rate_per_minute=10)  # type: ignore[arg-type]
    settings = kb_settings(tmp_path / "data", server=ServerSettings(trusted_proxies=["127.0.0.0/8"]),
                           auth=AuthSettings(keys=[slow]))
    engine = build_engine(settings, embedder=HashEmbedder(), clock=Clock())
    with serve(create_app(settings, engine=engine)) as api:
        rotating = _statuses(f"{api}/v1/incidents",
                             lambda n: {**auth(SLOW_KEY), "X-Forwarded-For": f"203.0.113.{n}, 127.0.0.1"}, 30)
        one = _statuses(f"{api}/v1/incidents", lambda n: {**auth(SLOW_KEY), "X-Forwarded-For": "203.0.113.250"}, 30)
    engine.close()

    assert rotating == [200] * 30
    assert one[:10] == [200] * 10 and one.count(429) >= 10


def test_a_non_ascii_digit_in_if_match_is_a_400_problem(light: str) -> None:
    headers = {**auth(AGENT_KEY), "If-Match": '"²"'.encode("latin-1")}  # byte 0xB2, as a raw client sends it
    response = httpx.patch(f"{light}/v1/tickets/1", json={"status": "pending"}, headers=headers, timeout=30)

    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert "If-Match must be a ticket version" in response.json()["detail"]


def _text_fields(value: str) -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
    """Every text field a client can send: (method, path, body, extra headers)."""
    interaction = "0" * 8 + "-0000-0000-0000-" + "0" * 12
    return [
        ("POST", "/v1/ask", {"question": f"hello {value} there"}, {}),
        ("POST", "/v1/ask", {"question": "hello", "customer": {"name": f"Ann{value}"}}, {}),
        ("POST", "/v1/escalate", {"message": f"help {value}"}, {}),
        ("POST", "/v1/escalate", {"question": f"why {value}?"}, {}),
        ("POST", "/v1/escalate", {"message": "help", "customer": {"name": f"Ann{value}", "plan": "pro"}}, {}),
        ("POST", "/v1/feedback", {"interaction_id": interaction, "helpful": False, "comment": f"bad{value}"}, {}),
        ("POST", "/v1/incidents/inc-sync/notify", {"email": "ann@acme.example", "name": f"Ann{value}"}, {}),
        ("PATCH", "/v1/tickets/1", {"note": f"note {value}"}, {"If-Match": "*"}),
        ("PATCH", "/v1/tickets/1", {"assignee": f"bob{value}"}, {"If-Match": "*"}),
        ("POST", "/v1/preview", {"question": f"hello {value}"}, {}),
    ]


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c[0]):04X}" for c in CONTROLS])
def test_control_characters_are_refused_in_every_text_field(light: str, control: str) -> None:
    refused = []
    for method, path, body, headers in _text_fields(control):
        key = AGENT_KEY if path.startswith(("/v1/tickets", "/v1/preview")) else PUBLIC_KEY
        response = httpx.request(method, f"{light}{path}", json=body, headers={**auth(key), **headers}, timeout=30)
        refused.append((path, response.status_code, "control character" in response.text))

    assert refused == [(path, 422, True) for _, path, _, _ in _text_fields(control)]


def test_plain_text_with_tabs_line_breaks_and_emoji_is_not_refused(light: str) -> None:
    response = httpx.patch(f"{light}/v1/tickets/999", json={"note": "line one\n\tline two 👨‍👩‍👧 שלום"},
                           headers={**auth(AGENT_KEY), "If-Match": "*"}, timeout=30)

    assert response.status_code == 404  # validated, then not found: the text itself was fine


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/ask", {"question": "hello", "customer": {"email": FAKE_EMAIL}}),
    ("/v1/escalate", {"message": "help", "customer": {"email": FAKE_EMAIL}}),
    ("/v1/incidents/inc-sync/notify", {"email": FAKE_EMAIL}),
    ("/v1/incidents/inc-sync/notify", {"email": "ann@localhost"}),
])
def test_a_fake_email_is_refused_by_the_email_validator(light: str, path: str, body: dict[str, Any]) -> None:
    response = httpx.post(f"{light}{path}", json=body, headers=auth(PUBLIC_KEY), timeout=30)

    assert response.status_code == 422 and "email" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/", "/agent", "/dashboard", "/docs"])
def test_pages_send_security_headers(light: str, path: str) -> None:
    response = httpx.get(f"{light}{path}", timeout=30)
    policy = response.headers.get("content-security-policy", "")

    assert response.status_code == 200
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
    assert response.headers["x-frame-options"] == "DENY" and response.headers["x-content-type-options"] == "nosniff"


def test_session_ids_travel_in_a_header_and_are_masked_in_access_logs(full: str) -> None:
    asked = httpx.post(f"{full}/v1/ask", json={"question": "how do I reset my password?"}, headers=auth(PUBLIC_KEY),
                       timeout=60).json()
    sid = asked["session_id"]
    by_header = httpx.get(f"{full}/v1/session", headers={**auth(PUBLIC_KEY), "X-Session-Id": sid}, timeout=30)
    tickets = httpx.get(f"{full}/v1/session/tickets", headers={**auth(PUBLIC_KEY), "X-Session-Id": sid}, timeout=30)
    forged = httpx.get(f"{full}/v1/session", headers={**auth(PUBLIC_KEY), "X-Session-Id": sid[:-1] + "0"}, timeout=30)
    record = logging.makeLogRecord({"name": "uvicorn.access", "msg": '%s - "%s %s HTTP/%s" %d',
                                    "args": ("127.0.0.1:5000", "GET", f"/v1/sessions/{sid}/tickets", "1.1", 200)})

    assert by_header.status_code == 200 and by_header.json()["session_id"] == sid
    assert by_header.json()["turns"][0]["question"] == "how do I reset my password?"
    assert tickets.status_code == 200 and tickets.json() == [] and forged.status_code in (403, 404)
    assert logging.getLogger("uvicorn.access").filter(record) and sid not in record.getMessage()
    assert '"GET /v1/sessions/…/tickets HTTP/1.1" 200' in record.getMessage()


def _notify(api: str, sid: str, origin: str, email: str) -> httpx.Response:
    return httpx.post(f"{api}/v1/incidents/inc-sync/notify", json={"session_id": sid, "email": email},
                      headers={**auth(TWO_SITES_KEY), "Origin": origin}, timeout=30)


def test_a_notify_that_changes_the_email_needs_the_site_the_session_started_on(full: str) -> None:
    asked = httpx.post(f"{full}/v1/ask", json={"question": "why is sync not working today?"},
                       headers={**auth(TWO_SITES_KEY), "Origin": SITE_A}, timeout=60).json()
    sid = asked["session_id"]

    first = _notify(full, sid, SITE_A, "ann@acme.example")
    hijack = _notify(full, sid, SITE_B, "eve@evil.example")
    same_email_elsewhere = _notify(full, sid, SITE_B, "Ann@ACME.example")
    owner_changes = _notify(full, sid, SITE_A, "ann.new@acme.example")
    ticket = httpx.get(f"{full}/v1/tickets/{first.json()['reference']}", headers=auth(AGENT_KEY), timeout=30).json()

    assert first.status_code == 201 and hijack.status_code == 403
    assert "can only be changed from the site where this conversation started" in hijack.json()["detail"]
    assert same_email_elsewhere.status_code == 201 and owner_changes.status_code == 201
    assert ticket["customer"]["email"] == "ann.new@acme.example"


def test_the_widget_origin_is_bound_only_to_sessions_it_started(full: str) -> None:
    """A session started without an Origin (a server, curl) cannot have its email changed from a browser site."""
    asked = httpx.post(f"{full}/v1/ask", json={"question": "why is sync not working today?"},
                       headers=auth(TWO_SITES_KEY), timeout=60).json()
    first = httpx.post(f"{full}/v1/incidents/inc-sync/notify",
                       json={"session_id": asked["session_id"], "email": "ann@acme.example"},
                       headers=auth(TWO_SITES_KEY), timeout=30)

    assert first.status_code == 201
    assert _notify(full, asked["session_id"], SITE_A, "eve@evil.example").status_code == 403
