"""`engine calibrate`: fit the confidence model on labelled dev sets and write the threshold that meets a target
wrong-answer rate. Third-party sets (WixQA, TechQA, HINT3, most of CLINC150) stay held out for evaluation."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from engine.answer.calibration import (
    ConfirmBand,
    OperatingPoint,
    choose_band,
    choose_threshold,
    fit_logistic,
    signal_matrix,
    sweep,
)
from engine.answer.confidence import ConfidenceModel, default_calibration_path, load_confidence
from engine.answer.confirm import options
from engine.config import Settings
from engine.evaluate import defaults
from engine.evaluate.adapters import resolve_golden
from engine.evaluate.judgments import attach_judgments, load_judgments
from engine.types import Query, Signals

# (KB, golden set, sample size): our own dev sets plus a slice of CLINC150 as off-topic negatives.
DEV_SETS = (
    ("plausible", "evals/golden/plausible.jsonl", None),
    ("kb_samples", "evals/golden/kb_samples.jsonl", None),
    ("plausible", "oos-clinc150", 150),
    ("kb_samples", "oos-clinc150", 150),
)
# Guardrails, not confidence, decide these kinds.
SKIPPED_KINDS = frozenset({"sensitive", "injection"})


@dataclass(frozen=True)
class Labelled:
    signals: Signals
    correct: bool  # the top candidate is an expected article
    answerable: bool
    judged_correct: bool = False  # … or one a reviewer judged to answer the question (evals/judgments)
    offered_correct: bool = False  # an expected article is among the options a confirm would offer


def collect(settings: Settings, cache: Path | None = None) -> list[Labelled]:
    """Run every dev question and label it both ways (strict and judged); `cache` is read if present, else written."""
    if cache is not None and cache.is_file():
        return [Labelled(Signals(**r.pop("signals")), **r) for r in json.loads(cache.read_text())]
    from engine.evaluate.kbs import open_kb, resolve_kb  # the engine itself: not imported by every `engine` command

    rows: list[Labelled] = []
    judgments = load_judgments(defaults.JUDGMENTS)
    for kb_name, golden_name, size in DEV_SETS:
        kb = open_kb(resolve_kb(kb_name), settings)
        try:
            golden = attach_judgments(resolve_golden(golden_name, sample_size=size), judgments)
            for record in golden.records:
                if record.kind in SKIPPED_KINDS:
                    continue
                query = Query(record.question, record.audience, record.locale)
                decision = kb.engine.answers.ask(query, confirm=False)
                top = decision.candidates[0].article.id if decision.candidates else None
                correct = top in record.expected_articles
                judged = correct or top in record.judged_answers
                offered = options(decision.candidates, settings.answer.confirm_options)
                hit = any(o.article_id in record.expected_articles for o in offered) and len(offered) >= 2
                rows.append(Labelled(decision.signals, correct, bool(record.expected_articles), judged, hit))
        finally:
            kb.close()
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps([asdict(r) for r in rows]))
    return rows


def write_calibration(
    path: Path, model: ConfidenceModel, point: OperatingPoint, target: float, n: int, band: ConfirmBand | None = None
) -> None:
    weights = "\n".join(f"{name} = {value}" for name, value in model.weights.items())
    confirm = (
        f"# Confirm band: answers at or above confirm_below are wrong {band.direct_wrong_rate:.3f} of the time on the\n"
        f"# dev set; from confirm_from up to the threshold {band.pick_share:.3f} of the questions have an expected\n"
        "# article among the options (docs/evals.md).\n"
        f"confirm_from = {round(band.low, 4)}\nconfirm_below = {round(band.high, 4)}\n"
        if band is not None
        else ""
    )
    path.write_text(
        "# Written by `engine calibrate` — do not edit by hand; re-run it after changing retrieval.\n"
        f"# Chosen on {n} labelled dev questions; at the threshold below the dev set's wrong-answer rate is\n"
        f"# {point.wrong_rate:.3f} (target {target}) with coverage {point.coverage:.3f}.\n"
        f"threshold = {round(point.threshold, 4)}\nbias = {model.bias}\n{confirm}\n[weights]\n{weights}\n"
    )


def calibrate_command(
    target_wrong: Annotated[
        float, typer.Option(help="Highest acceptable wrong-answer rate among answers.")
    ] = 0.25,
    out: Annotated[
        Path | None, typer.Option(help="Where to write it (default: the packaged calibration).")
    ] = None,
    labels: Annotated[
        str, typer.Option(help="strict: right = an expected article; judged: or one judged to answer it.")
    ] = "strict",
    reuse: Annotated[
        Path | None,
        typer.Option(help="Cache of collected signals: read if it exists, else written (for re-fits)."),
    ] = None,
    confirm_wrong: Annotated[
        float, typer.Option(help="Confirm band's upper edge: answers above it may be wrong at most this often.")
    ] = 0.15,
    confirm_pick: Annotated[
        float, typer.Option(help="Confirm band's lower edge: at least this share of the questions from it up to "
                            "the threshold have an expected article among the options.")
    ] = 0.5,
) -> None:
    """Fit confidence on the dev sets and write the threshold that keeps wrong answers under --target-wrong."""
    if labels not in ("strict", "judged"):
        raise typer.BadParameter(f"--labels must be strict or judged, not {labels!r}")
    rows = collect(Settings(), reuse)
    correct = [r.judged_correct if labels == "judged" else r.correct for r in rows]
    answerable = [r.answerable for r in rows]
    fitted = fit_logistic(signal_matrix([r.signals for r in rows]), correct)
    # Log-loss fitting is not the same as doing best at the operating point: keep whichever model answers more
    # questions correctly within the target, the newly fitted one or the one in use.
    options = []
    for name, candidate in (("fitted", fitted), ("current", load_confidence(out))):
        points = sweep([candidate.score(r.signals) for r in rows], correct, answerable)
        options.append((choose_threshold(points, target_wrong), name, candidate, points))
    point, name, model, points = max(options, key=lambda o: o[0].correct_rate)
    console = Console()
    console.print(f"kept the {name} model; coverage and wrong-answer rate on the dev set:")
    for target_rate in (0.05, 0.10, 0.15, 0.20, 0.25, 0.30):
        p = choose_threshold(points, target_rate)
        console.print(
            f"  wrong ≤ {target_rate:.2f}: threshold {p.threshold:.3f}, coverage {p.coverage:.3f}, "
            f"wrong {p.wrong_rate:.3f}, answered correctly {p.correct_rate:.3f} of answerable"
        )
    scores = [model.score(r.signals) for r in rows]
    band = choose_band(scores, correct, [r.offered_correct for r in rows], answerable, point.threshold,
                       confirm_wrong, confirm_pick)
    console.print(
        f"confirm band [{band.low:.3f}, {band.high:.3f}): answers above it wrong {band.direct_wrong_rate:.3f}; "
        f"below the threshold {band.pick_share:.3f} have an expected article among the options"
    )
    target = out or default_calibration_path()
    write_calibration(
        target, model.model_copy(update={"threshold": point.threshold}), point, target_wrong, len(rows), band
    )
    tomllib.loads(target.read_text())  # what we wrote must load
    Console().print(
        f"{len(rows)} dev questions → threshold {point.threshold:.3f}: coverage {point.coverage:.3f}, "
        f"wrong-answer rate {point.wrong_rate:.3f}, answered correctly {point.correct_rate:.3f} of answerable; "
        f"written to {target}"
    )
