"""Evaluate golden sets on one KB: open (ingest if needed) the KB once, run each set, build the reports."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from engine.config import Settings
from engine.evaluate import defaults
from engine.evaluate.baseline import DEFAULT_BASELINE, load_baseline_config
from engine.evaluate.changes import affected_questions, article_files, changed_files
from engine.evaluate.golden import GoldenSet
from engine.evaluate.judgments import attach_judgments, load_judgments
from engine.evaluate.kbs import DEFAULT_CACHE, KbSpec, OpenKb, open_kb
from engine.evaluate.metrics import best_cutoff, threshold_grid
from engine.evaluate.report import BASELINE, OURS, EvalReport, build_report
from engine.evaluate.runner import Runner

logger = logging.getLogger(__name__)
Progress = Callable[[str, int], Callable[[], None]]


@dataclass(frozen=True)
class EvalOptions:
    """What to run besides our engine, and on which questions."""

    baseline: bool = True
    ragas: bool = True
    limit: int | None = None
    changed_since: str | None = None
    cache_dir: Path = DEFAULT_CACHE
    baseline_config: Path = DEFAULT_BASELINE
    judgments: Path = defaults.JUDGMENTS


def evaluate_kb(
    spec: KbSpec,
    goldens: Sequence[GoldenSet],
    settings: Settings,
    options: EvalOptions,
    progress: Progress | None = None,
) -> list[EvalReport]:
    """One report per golden set, all against the same opened KB; judged alternatives attached to each set."""
    judgments = load_judgments(options.judgments)
    goldens = [attach_judgments(golden, judgments) for golden in goldens]
    kb = open_kb(spec, settings, options.cache_dir)
    try:
        cutoff = load_baseline_config(options.baseline_config).similarity_cutoff if options.baseline else None
        runner = Runner(kb.engine, cutoff)
        return [_evaluate(kb, runner, golden, options, cutoff, progress) for golden in goldens]
    finally:
        kb.close()


def _evaluate(
    kb: OpenKb,
    runner: Runner,
    golden: GoldenSet,
    options: EvalOptions,
    cutoff: float | None,
    progress: Progress | None,
) -> EvalReport:
    started = time.perf_counter()
    selected, selection = _select(kb, golden, options)
    tick = progress(f"{golden.name} on {kb.spec.name}", len(selected.records)) if progress else None
    results = runner.run(selected, tick)
    ragas = None
    if options.ragas and results:
        from engine.evaluate.ragas_scores import ragas_scores  # ragas takes seconds to import: only when used

        ragas = ragas_scores(results)
    operating = {OURS: kb.engine.answers.threshold}
    if cutoff is not None:
        operating[BASELINE] = cutoff
    report = build_report(kb.spec.name, golden.name, results, operating, ragas)
    tuned = {}
    if cutoff is not None and results:
        pairs = [(r.record, r.baseline) for r in results if r.baseline is not None]
        tuned = {"baseline_best_cutoff": best_cutoff(pairs, threshold_grid(0.01))}
    return replace(report, seconds=time.perf_counter() - started, selection=selection, tuned=tuned)


def _select(kb: OpenKb, golden: GoldenSet, options: EvalOptions) -> tuple[GoldenSet, str]:
    selection = "all"
    if options.changed_since:
        snapshot = kb.engine.index.get()
        files = article_files(snapshot.articles.values(), kb.spec)
        ids = affected_questions(golden, files, changed_files(options.changed_since))
        golden = golden.only(ids)
        selection = f"changed since {options.changed_since}"
    if options.limit is not None:
        golden = golden.limited(options.limit)
        selection += f", first {options.limit}"
    return golden, selection
