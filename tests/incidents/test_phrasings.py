"""Incidents matched the way customers talk, measured: labelled phrasings (evals/incidents/ — a dev set the rules
were written against, and a test set written before its first measurement) of outage questions per component and
of questions that must get no notice, against four components down at once. Precision and recall of the default
matching are reported in docs/incidents.md, with the matching by whole component names alone (before #24) beside."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine.incidents.matching import as_tag, match_incidents, normalize
from engine.incidents.types import Component, ComponentRule, Incident
from tests.conftest import ROOT

PHRASINGS = ROOT / "evals" / "incidents" / "phrasings.dev.jsonl"
HELD_OUT = ROOT / "evals" / "incidents" / "phrasings.test.jsonl"
NAMES = ("Slack integration", "Sync", "Login & SSO", "Email notifications")
DOWN = tuple(Incident(f"inc-{n}", f"{name} outage", "investigating", "major", None, datetime(2026, 12, 1, tzinfo=UTC),
                      (), (Component(f"cmp-{n}", name, "major_outage"),)) for n, name in enumerate(NAMES))
WHOLE_NAMES = [ComponentRule(name, tags=(as_tag(name),), keywords=(normalize(name),), use_defaults=False)
               for name in NAMES]


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    false_notices: list[str]
    """Questions labelled unrelated that got a notice."""
    missed: list[str]


def measure(rules: list[ComponentRule], path: Path = PHRASINGS) -> Score:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    hits = wrong = missed = 0
    false_notices, misses = [], []
    for row in rows:
        found = {c.name for m in match_incidents(DOWN, rules, row["question"]) for c in m.components}
        gold = {row["component"]} if row["component"] else set()
        hits += len(found & gold)
        wrong += len(found - gold)
        missed += len(gold - found)
        if found and not gold:
            false_notices.append(row["question"])
        if gold - found:
            misses.append(row["question"])
    return Score(hits / max(1, hits + wrong), hits / max(1, hits + missed), false_notices, misses)


def test_the_phrasings_customers_use_get_the_notice_and_unrelated_questions_do_not() -> None:
    now, before = measure([]), measure(WHOLE_NAMES)
    print(f"\nincident phrasings (dev): default precision {now.precision:.3f} recall {now.recall:.3f}; "
          f"whole names only precision {before.precision:.3f} recall {before.recall:.3f}; missed {now.missed}")

    assert now.false_notices == []  # an unrelated question never gets a notice
    assert now.precision == 1.0 and now.recall == 1.0
    assert before.recall < 0.35  # "slack isn't working" got nothing when only "slack integration" matched


def test_the_held_out_phrasings_keep_their_measured_precision_and_recall() -> None:
    now, before = measure([], HELD_OUT), measure(WHOLE_NAMES, HELD_OUT)
    print(f"\nincident phrasings (test): default precision {now.precision:.3f} recall {now.recall:.3f}; "
          f"whole names only precision {before.precision:.3f} recall {before.recall:.3f}; missed {now.missed}")

    assert now.false_notices == [] and before.false_notices == ["how do I sync my calendar?"]
    assert now.precision >= 0.94 and now.recall >= 0.73  # as measured (docs/incidents.md): a floor, not a target
    assert now.recall > 2 * before.recall


def test_the_phrasing_sets_are_labelled_with_the_components_that_are_down() -> None:
    for path in (PHRASINGS, HELD_OUT):
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        assert {r["component"] for r in rows} == {*NAMES, None}
        assert len({r["id"] for r in rows}) == len(rows) and len({r["question"] for r in rows}) == len(rows)
