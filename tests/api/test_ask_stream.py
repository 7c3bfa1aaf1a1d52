"""POST /v1/ask as server-sent events over a real uvicorn server, for both composers: the deltas add up to the
answer of the final `done` event, escalations arrive as `done` alone, and every streamed ask is logged."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.answer.extractive import split_units
from engine.api.app import create_app
from engine.config import LLMSettings
from engine.protocols import Embedder
from engine.wiring import Engine, build_engine
from tests.conftest import KB_NOW, PUBLIC_KEY, auth, kb_settings
from tests.llm_server import Script, ScriptedLLM, scripted_llm, source_blocks
from tests.servers import serve

pytestmark = pytest.mark.integration
KEY = auth(PUBLIC_KEY)


def _events(response: httpx.Response) -> list[tuple[str, dict[str, object]]]:
    events = []
    for block in response.text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


@pytest.fixture(scope="module")
def extractive_api(kb_engine: Engine) -> Iterator[tuple[str, Engine]]:
    with serve(create_app(kb_engine.settings, engine=kb_engine)) as url:
        yield url, kb_engine


@pytest.fixture(scope="module")
def llm_api(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ScriptedLLM]]:
    data_dir = tmp_path_factory.mktemp("kb-sse-llm")
    shutil.copytree(kb_data_dir, data_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("engine.db*"))
    with scripted_llm() as llm:
        settings = kb_settings(data_dir, llm=LLMSettings(url=llm.url, model="scripted"))
        engine = build_engine(settings, embedder=embedder, clock=lambda: KB_NOW)
        with serve(create_app(settings, engine=engine)) as url:
            yield url, llm
        engine.close()


def test_extractive_answer_streams_in_pieces_then_done(extractive_api: tuple[str, Engine]) -> None:
    url, engine = extractive_api
    response = httpx.post(f"{url}/v1/ask", json={"question": "how do I turn on two-factor authentication?"},
                          headers={**KEY, "Accept": "text/event-stream"}, timeout=60)

    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response)
    deltas = [data["text"] for kind, data in events if kind == "delta"]
    kind, done = events[-1]
    assert kind == "done" and done["decision"] == "answer" and len(deltas) >= 2
    assert "".join(deltas) == done["answer"] and done["replaced"] is False  # type: ignore[arg-type]
    assert engine.events.turn(str(done["interaction_id"])) is not None


def test_an_escalation_streams_only_done_with_its_ticket(extractive_api: tuple[str, Engine]) -> None:
    url, _ = extractive_api
    response = httpx.post(f"{url}/v1/ask", json={"question": "write me a poem about the sea", "stream": True},
                          headers=KEY, timeout=60)

    events = _events(response)
    assert [kind for kind, _ in events] == ["done"]
    assert events[0][1]["decision"] == "escalate" and events[0][1]["ticket"]["reference"].startswith("T-")  # type: ignore[index]


def test_llm_answer_streams_only_grounded_sentences(llm_api: tuple[str, ScriptedLLM]) -> None:
    url, llm = llm_api

    def reply(prompt: str) -> str:
        units = [u.text for u in split_units(source_blocks(prompt)["S1"]) if not u.is_step][:2]
        faithful = " ".join(f"{u.rstrip('.')} [S1]." for u in units)
        return faithful + " Invoices are also mailed to you by carrier pigeon every Tuesday [S1]."

    llm.reset(Script(reply=reply))
    response = httpx.post(f"{url}/v1/ask", json={"question": "how can i download my invoices as pdf", "stream": True},
                          headers=KEY, timeout=60)

    events = _events(response)
    streamed = "".join(str(data["text"]) for kind, data in events if kind == "delta")
    done = events[-1][1]
    assert llm.requests and llm.requests[-1]["stream"] is True
    assert done["decision"] == "answer" and "pigeon" not in streamed and "pigeon" not in str(done["answer"])
    assert streamed.strip() == str(done["answer"]).strip() and done["citations"][0]["article_id"] == "billing/download-invoices"  # type: ignore[index]
