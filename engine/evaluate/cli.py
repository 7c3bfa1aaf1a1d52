"""`engine eval` and `engine gate`: the harness's command-line front end (registered in engine/cli.py)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from engine.errors import ConfigError
from engine.evaluate import defaults

if TYPE_CHECKING:
    from engine.evaluate.guards import TableCheck
    from engine.evaluate.report import EvalReport

err = Console(stderr=True)
KbsFile = Annotated[Path, typer.Option("--kbs", help="KB specs (TOML).")]
CacheDir = Annotated[Path, typer.Option("--cache-dir", help="Where each KB's index is cached between runs.")]
Datasets = Annotated[Path, typer.Option("--datasets", help="Folder of the third-party datasets.")]


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int], Callable[[], None]] | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:

        def start(description: str, total: int) -> Callable[[], None]:
            task = bar.add_task(description, total=total)
            return lambda: bar.advance(task)

        yield start


def eval_command(
    golden: Annotated[
        list[str],
        typer.Option(
            "--golden",
            help="Golden JSONL file or adapter (wixqa, wixqa-gold-removed, techqa, oos, "
            "oos-clinc150, oos-hint3); repeat for several.",
        ),
    ],
    kb: Annotated[
        str | None, typer.Option("--kb", help="KB name from --kbs, or a folder/file to ingest.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON on stdout.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write an HTML report (tables + sweep plot).")
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option("--changed-since", help="Only questions whose articles' files changed since GIT_REV."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N questions of each set.")
    ] = None,
    sample: Annotated[
        int | None,
        typer.Option("--sample", min=1, help="Fixed-seed sample of N questions (oos: 300 by default)."),
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="All questions of an adapter (no sampling).")] = False,
    baseline: Annotated[bool, typer.Option(help="Also run the llama-index baseline.")] = True,
    ragas: Annotated[bool, typer.Option(help="Also compute ragas scores.")] = True,
    kbs: KbsFile = defaults.KBS,
    cache_dir: CacheDir = defaults.CACHE,
    datasets: Datasets = defaults.DATASETS,
    baseline_config: Annotated[
        Path, typer.Option(help="Baseline settings (similarity cutoff).")
    ] = defaults.BASELINE,
    judgments: Annotated[
        Path, typer.Option(help="Folder of judged alternatives (*.jsonl) for the judged scores.")
    ] = defaults.JUDGMENTS,
) -> None:
    """Evaluate golden sets on a KB: retrieval per mode, decisions, threshold sweep, ragas, the baseline."""
    from engine.config import Settings
    from engine.evaluate.adapters import natural_kb, resolve_golden
    from engine.evaluate.harness import EvalOptions, evaluate_kb
    from engine.evaluate.kbs import resolve_kb

    kb_name = kb or natural_kb(golden[0])
    if kb_name is None:
        raise typer.BadParameter(f"--kb is needed for {golden[0]!r}")
    try:
        spec = resolve_kb(kb_name, kbs)
        goldens = [resolve_golden(g, datasets, sample_size=sample, full=full) for g in golden]
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc
    options = EvalOptions(baseline, ragas, limit, changed_since, cache_dir, baseline_config, judgments)
    with _progress(sys.stderr.isatty()) as progress:
        reports = evaluate_kb(spec, goldens, Settings(), options, progress)
    _emit(reports, as_json, html)


def gate_command(
    thresholds: Annotated[
        Path, typer.Option(help="The checks: KB, golden set, metric floors and ceilings.")
    ] = defaults.THRESHOLDS,
    full: Annotated[bool, typer.Option("--full", help="Also the checks marked ci = false (TechQA).")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the reports and violations as JSON.")
    ] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML report.")] = None,
    kbs: KbsFile = defaults.KBS,
    cache_dir: CacheDir = defaults.CACHE,
    datasets: Datasets = defaults.DATASETS,
) -> None:
    """Run the CI subset and exit 1 when a metric is below its floor (or above its ceiling), naming each."""
    from engine.config import Settings
    from engine.evaluate.gate import load_checks, load_table_check, run_gate, table_violations
    from engine.evaluate.harness import EvalOptions
    from engine.evaluate.html import write_html

    checks = [c for c in load_checks(thresholds) if full or c.ci]
    tables = {name: load_table_check(thresholds, name) for name in ("guards", "conversations")}
    chosen = {name: t for name, t in tables.items() if t is not None and (full or t.ci)}
    options = EvalOptions(cache_dir=cache_dir)
    with _progress(sys.stderr.isatty()) as progress:
        reports, found = run_gate(
            checks, Settings(), options, kbs_file=kbs, datasets=datasets, progress=progress
        )
    measured = {name: _measure_table(name, table, kbs, cache_dir) for name, table in chosen.items()}
    for name, table in chosen.items():
        found += table_violations(table, measured[name])
    if as_json:
        typer.echo(json.dumps({"reports": [r.to_dict() for r in reports], **measured,
                               "violations": [str(v) for v in found]}))
    else:
        _emit(reports, False, None)
        for name, values in measured.items():
            err.print(f"{name}: " + ", ".join(f"{k} {v:g}" for k, v in values.items()))
    if html is not None:
        write_html(reports, html)
    for violation in found:
        err.print(f"[red]FAIL[/] {violation}")
    if found:
        raise typer.Exit(code=1)
    err.print(
        f"[green]gate passed[/]: {sum(len(c.metrics) for c in checks) + sum(map(_bounds, chosen.values()))} "
        f"thresholds over {len(checks) + len(chosen)} checks"
    )


def _measure_table(name: str, table: TableCheck, kbs: Path, cache_dir: Path) -> dict[str, float]:
    """The metrics a [guards] or [conversations] table bounds, measured on its cases."""
    from engine.config import Settings

    if name == "guards":
        from engine.evaluate.guards import load_guard_cases, measure_guards

        return measure_guards(load_guard_cases(table.cases), Settings(), kbs_file=kbs, cache_dir=cache_dir).metrics()
    from engine.evaluate import replay

    return replay.metrics(replay.run(folder=table.cases, rewrites=("conversation",), kbs_file=kbs, cache_dir=cache_dir))


def guards_command(
    cases: Annotated[
        Path, typer.Option("--cases", help="Labelled guard cases (JSONL: id, kb, question, expect).")
    ] = defaults.GUARDS,
    kb: Annotated[
        list[str] | None, typer.Option("--kb", help="Only the cases of this KB; repeat for several.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print metrics, per-KB counts and mistakes as JSON.")] = False,
    kbs: KbsFile = defaults.KBS,
    cache_dir: CacheDir = defaults.CACHE,
) -> None:
    """Precision and recall of the sensitive-topic and conflict guards on the labelled cases (docs/guardrails.md)."""
    from engine.config import Settings
    from engine.evaluate.guards import load_guard_cases, measure_guards

    try:
        chosen = [c for c in load_guard_cases(cases) if not kb or c.kb in kb]
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc
    report = measure_guards(chosen, Settings(), kbs_file=kbs, cache_dir=cache_dir)
    mistakes = [
        {"id": r.case.id, "kb": r.case.kb, "expect": r.case.expect, "reason": r.reason, "question": r.case.question,
         "detail": r.detail}
        for r in report.mistakes()
    ]
    if as_json:
        per_kb = {k: {g: vars(c) for g, c in v.items()} for k, v in report.per_kb.items()}
        typer.echo(json.dumps({"metrics": report.metrics(), "per_kb": per_kb, "mistakes": mistakes},
                              ensure_ascii=False))
        return
    console = Console()
    for name, value in report.metrics().items():
        console.print(f"{name:24} {value:g}")
    for kb_name, by_guard in report.per_kb.items():
        shown = ", ".join(f"{g} {c.correct}/{c.fired} fired right, {c.correct}/{c.labelled} found"
                          for g, c in by_guard.items())
        console.print(f"{kb_name}: {shown}")
    for m in mistakes:
        console.print(f"[yellow]{m['id']}[/] ({m['kb']}) expect {m['expect']}, got {m['reason']}: {m['question']}")


def _bounds(table: TableCheck) -> int:
    return len(table.minimums) + len(table.maximums)


def _emit(reports: list[EvalReport], as_json: bool, html: Path | None) -> None:
    from engine.evaluate.html import write_html
    from engine.evaluate.tables import print_report

    if as_json:
        typer.echo(json.dumps({"reports": [r.to_dict() for r in reports]}, ensure_ascii=False))
    else:
        console = Console()
        for report in reports:
            print_report(report, console)
    if html is not None:
        write_html(reports, html)
        err.print(f"HTML report written to {html}")
