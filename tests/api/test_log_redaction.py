"""Logs never carry personal data or secrets: every record written while customers ask questions full of PII,
escalate and vote — with API keys, a session secret, a webhook secret and an LLM key configured — is checked,
message, arguments and `extra` fields alike."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import httpx
import pytest

from engine.api.app import create_app
from engine.config import AuthSettings, LLMSettings, TicketSettings, WebhookTarget
from engine.protocols import Embedder
from engine.wiring import build_engine
from tests.conftest import ADMIN_KEY, AGENT_KEY, KB_NOW, PUBLIC_KEY, TEST_KEYS, auth, kb_settings
from tests.servers import HeldPort, serve

pytestmark = pytest.mark.integration
PII = ["jane.doe@example.com", "+49 170 1234567", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00"]
SECRETS = ["session-secret-log-0123456789", "webhook-secret-log-0123456789", "llm-key-log-0123456789",
           PUBLIC_KEY, AGENT_KEY, ADMIN_KEY]
STANDARD = set(vars(logging.makeLogRecord({})))


def _everything(record: logging.LogRecord) -> str:
    extra = {k: v for k, v in vars(record).items() if k not in STANDARD}
    return " ".join([record.getMessage(), repr(record.args), repr(extra), record.exc_text or ""])


def test_no_log_record_carries_pii_or_a_secret(
    kb_data_dir: Path, embedder: Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copytree(kb_data_dir, tmp_path / "data", ignore=shutil.ignore_patterns("engine.db*"))
    down = HeldPort()  # a help desk that is down
    hook = WebhookTarget(name="hook", url=f"{down.url}/h", secret=SECRETS[1])  # type: ignore[arg-type]
    settings = kb_settings(
        tmp_path / "data",
        auth=AuthSettings(keys=TEST_KEYS, session_secret=SECRETS[0]),  # type: ignore[arg-type]
        tickets=TicketSettings(targets=[hook], retry_base_s=0.05, poll_s=0.05),
        llm=LLMSettings(api_key=SECRETS[2]),  # type: ignore[arg-type]
    )
    engine = build_engine(settings, embedder=embedder, clock=lambda: KB_NOW)
    caplog.set_level(logging.DEBUG)
    with serve(create_app(engine.settings, engine=engine)) as url:
        widget = auth(PUBLIC_KEY)
        pii = " ".join(PII)
        asked = httpx.post(f"{url}/v1/ask", json={"question": f"how do I update my card? I'm {pii}"}, headers=widget,
                           timeout=60).json()
        httpx.post(f"{url}/v1/ask", json={"question": f"write me a poem, {pii}", "session_id": asked["session_id"],
                                          "customer": {"email": PII[0], "name": "Jane Doe"}}, headers=widget, timeout=60)
        httpx.post(f"{url}/v1/feedback", json={"interaction_id": asked["interaction_id"], "helpful": False,
                                               "session_id": asked["session_id"], "comment": f"call me {PII[1]}"},
                   headers=widget)
        httpx.post(f"{url}/v1/escalate", json={"session_id": asked["session_id"], "message": pii}, headers=widget)
        httpx.post(f"{url}/v1/ask", json={"question": "hi"}, headers={"Authorization": "Bearer wrong-key-0123456789"})
        httpx.get(f"{url}/v1/metrics", headers=auth(AGENT_KEY))
        engine.desk.deliver_once()  # the help desk is down: delivery failures are logged too
    engine.close()
    down.close()

    assert len(caplog.records) > 0
    for record in caplog.records:
        text = _everything(record)
        assert [value for value in PII + SECRETS if value in text] == [], (record.name, text[:300])
