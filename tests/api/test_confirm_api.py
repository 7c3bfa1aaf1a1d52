""""Is it one of these?" over HTTP (issue #23): POST /v1/ask answers `confirm` with the options, the same request with
`pick` answers from the article picked (JSON and server-sent events alike) or escalates on "none of these" with the
ticket pre-filled; a pick must name an option of a confirm of the same session; the console preview shows the
options; GET /v1/metrics counts confirms and picks."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.api.app import create_app
from engine.config import AnswerSettings
from engine.protocols import Embedder
from engine.wiring import build_engine
from tests.conftest import AGENT_KEY, KB_NOW, PUBLIC_KEY, auth, kb_settings
from tests.servers import serve

pytestmark = pytest.mark.integration
KEY = auth(PUBLIC_KEY)
READ_ONLY = "our workspace went READ ONLY?? nobody can edit anything. we did get some emails about the card i think"
DUNNING = "billing/failed-payments-and-dunning"


@pytest.fixture(scope="module")
def api(kb_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("confirm") / "data"
    shutil.copytree(kb_data_dir, data, ignore=shutil.ignore_patterns("engine.db*"))
    settings = kb_settings(data, answer=AnswerSettings(confirm=True, confirm_from=0.25, confirm_below=0.85))
    engine = build_engine(settings, embedder=embedder, clock=lambda: KB_NOW)
    with serve(create_app(settings, engine=engine)) as url:
        yield url
    engine.close()


def _ask(api: str, body: dict[str, Any], headers: dict[str, str] = KEY) -> httpx.Response:
    return httpx.post(f"{api}/v1/ask", json=body, headers=headers, timeout=60)


def _confirm(api: str) -> dict[str, Any]:
    body = _ask(api, {"question": READ_ONLY}).json()
    assert body["decision"] == "confirm", body
    return dict(body)


def test_a_question_in_the_band_gets_the_best_titles_to_pick_from_and_no_answer(api: str) -> None:
    body = _confirm(api)

    assert body["reason"] == "unsure" and body["answer"] is None and body["citations"] == [] and body["ticket"] is None
    assert body["message"] == "I want to be sure I answer the right question. Is it one of these?"
    offered = {s["article_id"]: s["title"] for s in body["suggestions"]}
    assert 2 <= len(offered) <= 3 and offered[DUNNING] == "Failed payments and past-due workspaces"


def test_a_pick_is_answered_from_the_article_picked(api: str) -> None:
    first = _confirm(api)
    pick = {"interaction_id": first["interaction_id"], "article_id": DUNNING}

    body = _ask(api, {"question": READ_ONLY, "session_id": first["session_id"], "pick": pick}).json()

    assert body["decision"] == "answer" and body["reason"] == "picked" and body["session_id"] == first["session_id"]
    assert body["citations"][0]["article_id"] == DUNNING and "Past due" in body["answer"]


def test_a_streamed_pick_sends_the_answer_in_pieces_then_the_same_decision(api: str) -> None:
    first = _confirm(api)
    pick = {"interaction_id": first["interaction_id"], "article_id": DUNNING}

    response = httpx.post(f"{api}/v1/ask", json={"question": READ_ONLY, "session_id": first["session_id"],
                                                  "pick": pick}, headers={**KEY, "Accept": "text/event-stream"},
                          timeout=60)

    events = [(b.split("\n")[0].removeprefix("event: "), json.loads(b.split("\n")[1].removeprefix("data: ")))
              for b in response.text.strip().split("\n\n")]
    deltas = "".join(str(data["text"]) for name, data in events if name == "delta")
    name, done = events[-1]
    assert name == "done" and done["reason"] == "picked" and done["citations"][0]["article_id"] == DUNNING
    assert deltas == done["answer"] and not done["replaced"]


def test_none_of_these_escalates_with_the_ticket_prefilled(api: str) -> None:
    first = _confirm(api)

    body = _ask(api, {"question": READ_ONLY, "session_id": first["session_id"],
                      "pick": {"interaction_id": first["interaction_id"], "article_id": None}}).json()

    assert body["decision"] == "escalate" and body["reason"] == "none_of_these"
    assert body["message"].startswith("Thanks — none of our articles fits")
    ticket = httpx.get(f"{api}/v1/tickets/{body['ticket']['reference']}", headers=auth(AGENT_KEY), timeout=30).json()
    assert ticket["reason"] == "none_of_these" and ticket["question"] == READ_ONLY
    assert DUNNING in [a["article_id"] for a in ticket["articles"]]  # the options the customer rejected
    assert sorted(t["decision"] for t in ticket["transcript"]) == ["confirm", "escalate"]  # one clock instant


def test_a_pick_must_name_an_option_of_a_confirm_of_the_same_session(api: str) -> None:
    first = _confirm(api)
    other = _ask(api, {"question": "how can i download my invoices as pdf"}).json()["session_id"]

    not_offered = _ask(api, {"question": READ_ONLY, "session_id": first["session_id"], "pick": {
        "interaction_id": first["interaction_id"], "article_id": _weighed_not_offered(api, first)}})
    foreign = _ask(api, {"question": READ_ONLY, "session_id": other, "pick": {
        "interaction_id": first["interaction_id"], "article_id": DUNNING}})

    assert not_offered.status_code == 422 and "was not offered" in not_offered.json()["detail"]
    assert foreign.status_code == 404 and "not found" in foreign.json()["detail"]


def _weighed_not_offered(api: str, confirm: dict[str, Any]) -> str:
    """An article the engine weighed (on the transcript) but did not offer."""
    turns = httpx.get(f"{api}/v1/sessions/{confirm['session_id']}", headers=auth(AGENT_KEY), timeout=30).json()
    offered = {s["article_id"] for s in confirm["suggestions"]}
    return next(a["article_id"] for a in turns["turns"][-1]["articles"] if a["article_id"] not in offered)


def test_a_pick_of_an_answer_is_refused(api: str) -> None:
    answered = _ask(api, {"question": "how can i download my invoices as pdf"}).json()
    assert answered["decision"] == "answer"

    response = _ask(api, {"question": "x", "session_id": answered["session_id"],
                          "pick": {"interaction_id": answered["interaction_id"], "article_id": DUNNING}})

    assert response.status_code == 422 and "offered nothing to pick from" in response.json()["detail"]


def test_the_preview_shows_the_band_and_the_options_and_metrics_count_confirms_and_picks(api: str) -> None:
    staff = auth(AGENT_KEY)
    preview = httpx.post(f"{api}/v1/preview", json={"question": READ_ONLY}, headers=staff, timeout=60).json()
    assert preview["decision"] == "confirm" and preview["confirm_band"] == [0.25, 0.85]
    assert DUNNING in [s["article_id"] for s in preview["suggestions"]]

    first = _confirm(api)
    _ask(api, {"question": READ_ONLY, "session_id": first["session_id"],
               "pick": {"interaction_id": first["interaction_id"], "article_id": DUNNING}})
    metrics = httpx.get(f"{api}/v1/metrics", params={"from": "2026-11-01", "to": "2026-12-01"}, headers=staff,
                        timeout=60).json()

    confirms, picks = metrics["confirm_rate"], metrics["pick_rate"]
    assert confirms["numerator"] >= 1 and confirms["numerator"] <= confirms["denominator"] <= metrics["questions"] + 20
    assert 1 <= picks["numerator"] <= picks["denominator"] == confirms["numerator"]
