"""A scripted OpenAI-compatible chat-completions server for tests: real HTTP on 127.0.0.1, canned replies.

Tests set `server.script` before asking; the server records every request body it received, so tests can check
what the engine sent (the prompt, the model, `stream`).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from tests.servers import serve


@dataclass
class Script:
    """What the next requests get: a reply (split into `chunk_chars` pieces when streamed), or a failure."""

    reply: str | Callable[[str], str] = ""
    """The reply, or a function of the request's user message (the prompt) that returns it."""
    status: int = 200
    raw_body: str | None = None
    """Sent as is instead of a chat completion (malformed JSON, or a malformed SSE event when streaming)."""
    delay_s: float = 0.0
    """Sleep before answering (non-streaming) or before the first event (streaming)."""
    chunk_chars: int = 7
    stall_after: int | None = None
    """Streaming: stall (sleep delay_s) after this many events instead of before the first."""


@dataclass
class ScriptedLLM:
    """The server's state: the script and the requests received (JSON bodies plus headers)."""

    url: str = ""
    script: Script = field(default_factory=Script)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def reset(self, script: Script) -> None:
        self.script = script
        self.requests.clear()
        self.headers.clear()

    def prompt(self, index: int = -1) -> str:
        """The user message of a received request (sources and question)."""
        return str(self.requests[index]["messages"][-1]["content"])


def _completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
    }


def _chunk(text: str) -> str:
    payload = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": text}}]}
    return f"data: {json.dumps(payload)}\n\n"


def create_app(state: ScriptedLLM) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        state.headers.append(dict(request.headers))
        script = state.script
        if callable(script.reply):
            script = replace(script, reply=script.reply(str(body["messages"][-1]["content"])))
        if script.status != 200:
            return PlainTextResponse("scripted failure", status_code=script.status)
        if body.get("stream"):
            return StreamingResponse(_events(script), media_type="text/event-stream")
        await asyncio.sleep(script.delay_s)
        if script.raw_body is not None:
            return PlainTextResponse(script.raw_body, media_type="application/json")
        return JSONResponse(_completion(str(script.reply)))

    return app


async def _events(script: Script) -> AsyncIterator[str]:
    if script.stall_after is None:
        await asyncio.sleep(script.delay_s)
    if script.raw_body is not None:
        yield f"data: {script.raw_body}\n\n"
        return
    yield 'data: {"choices": [{"index": 0, "delta": {"role": "assistant"}}]}\n\n'
    reply = str(script.reply)
    pieces = [reply[i : i + script.chunk_chars] for i in range(0, len(reply), script.chunk_chars)]
    for number, piece in enumerate(pieces):
        if script.stall_after is not None and number == script.stall_after:
            await asyncio.sleep(script.delay_s)
        yield _chunk(piece)
    yield "data: [DONE]\n\n"


@contextmanager
def scripted_llm() -> Iterator[ScriptedLLM]:
    """Run the scripted server; its `url` is the API base the engine is configured with (…/v1)."""
    state = ScriptedLLM()
    with serve(create_app(state)) as base:
        state.url = f"{base}/v1"
        yield state


def source_blocks(prompt: str) -> dict[str, str]:
    """{source id: text} of the <source> blocks of a prompt."""
    return {m.group(1): m.group(2) for m in re.finditer(r'<source id="(S\d+)"[^>]*>\n(.*?)\n</source>', prompt, re.S)}
