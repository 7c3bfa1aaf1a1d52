"""The confirm step in the eval (issue #23): the simulated customer, the confirm metrics by hand, and a report with
and without the step over the real kb_samples engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from engine.config import AnswerSettings
from engine.evaluate.golden import GoldenRecord, GoldenSet
from engine.evaluate.metrics import Outcome, confirm_metrics
from engine.evaluate.report import build_report
from engine.evaluate.runner import Runner, simulated_customer
from engine.protocols import Embedder
from engine.types import Query, Reason, Scope
from engine.wiring import Engine, build_engine
from tests.conftest import KB_NOW, kb_settings

READ_ONLY = "our workspace went READ ONLY?? nobody can edit anything. we did get some emails about the card i think"
DUNNING = "billing/failed-payments-and-dunning"


def record(rid: str, expected: tuple[str, ...] = (), kind: str = "answerable") -> GoldenRecord:
    return GoldenRecord(id=rid, question=f"q {rid}", expected_articles=expected, kind=kind)  # type: ignore[arg-type]


def outcome(answered: bool, cited: str | None = None, turns: int = 1, picked: bool = False) -> Outcome:
    return Outcome(answered, (cited,) if cited else (), 0.5, "x", cited, gated=True, turns=turns,
                   confirmed=turns == 2, picked=picked)


def test_confirm_metrics_by_hand() -> None:
    pairs = [
        (record("1", ("a",)), outcome(True, "a")),  # answered right at once: resolved, 1 turn
        (record("2", ("a",)), outcome(True, "a", turns=2, picked=True)),  # picked the gold: resolved, 2 turns
        (record("3", ("a",)), outcome(False, turns=2)),  # gold not offered, "none of these": not resolved, 2 turns
        (record("4", (), "unanswerable"), outcome(False, turns=2)),  # "none of these" escalates: resolved, 2 turns
        (record("5", ("a",)), outcome(True, "b")),  # wrong at once: 1 turn
    ]

    found = confirm_metrics(pairs)

    assert (found.questions, found.confirmed, found.picked, found.turns, found.resolved) == (5, 3, 1, 8, 3)
    assert found.confirm_rate == pytest.approx(3 / 5) and found.pick_rate == pytest.approx(1 / 3)
    assert found.turns_per_resolved == pytest.approx(8 / 3)


pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def confirming(kb_data_dir: Path, embedder: Embedder) -> Iterator[Engine]:
    band = AnswerSettings(confirm=True, confirm_from=0.25, confirm_below=0.85)
    engine = build_engine(kb_settings(kb_data_dir, answer=band), embedder=embedder, clock=lambda: KB_NOW)
    yield engine
    engine.close()


def test_the_simulated_customer_picks_an_expected_title_when_shown_and_none_of_these_otherwise(
    confirming: Engine,
) -> None:
    query = Query(READ_ONLY)
    asked = confirming.answers.ask(query)
    assert asked.decision == "confirm"
    gold = replace(record("g", (DUNNING,)), question=READ_ONLY)
    missing = replace(record("m", ("billing/plans-and-pricing",)), question=READ_ONLY)

    picked = simulated_customer(confirming, asked, gold, query, Scope())
    declined = simulated_customer(confirming, asked, missing, query, Scope())

    assert picked.reason == Reason.PICKED and picked.citations[0].article_id == DUNNING
    assert declined.decision == "escalate" and declined.reason == Reason.NONE_OF_THESE and not declined.citations


def test_a_report_measures_with_and_without_the_step(confirming: Engine) -> None:
    golden = GoldenSet("confirm", (
        replace(record("read-only", (DUNNING,)), question=READ_ONLY),
        replace(record("invoices", ("billing/download-invoices",)), question="how can i download my invoices as pdf"),
    ))

    results = Runner(confirming).run(golden)
    report = build_report("kb_samples", "confirm", results, {"ours": confirming.answers.threshold})
    metrics = report.flat()

    read_only, invoices = results
    assert read_only.ours.confirmed and read_only.ours.picked and read_only.ours.cited[0] == DUNNING
    assert read_only.without_confirm.cited[0] == "billing/cancel-subscription"  # answered wrongly without the step
    assert not invoices.ours.confirmed and invoices.unconfirmed is None
    assert metrics["ours.answered_correctly"] == 1.0 and metrics["ours.no_confirm.answered_correctly"] == 0.5
    assert metrics["ours.wrong_answer_rate"] == 0.0 and metrics["ours.no_confirm.wrong_answer_rate"] == 0.5
    assert metrics["ours.confirm_rate"] == 0.5 and metrics["ours.pick_rate"] == 1.0
    assert metrics["ours.turns_per_resolved"] == 1.5 and metrics["ours.no_confirm.turns_per_resolved"] == 2.0
