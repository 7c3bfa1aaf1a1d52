"""The report as rows: shared by the rich tables on the terminal and the HTML report."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from engine.evaluate.metrics import HIT_KS, NDCG_K, DecisionMetrics
from engine.evaluate.report import BASELINE, OURS, EvalReport

Rows = list[list[str]]


def fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def retrieval_rows(report: EvalReport) -> tuple[list[str], Rows]:
    header = ["retrieval", *(f"hit@{k}" for k in HIT_KS), "MRR", f"nDCG@{NDCG_K}", "questions"]
    rows = [
        [mode, *(fmt(r.hit[k]) for k in HIT_KS), fmt(r.mrr), fmt(r.ndcg), str(r.questions)]
        for mode, r in report.retrieval.items()
        if r.questions
    ]
    return header, rows


def decision_rows(report: EvalReport) -> tuple[list[str], Rows]:
    """Each system's decisions scored strictly (expected articles) and judged (+ judged alternatives)."""
    columns = [(s, m) for s in report.decision for m in (report.decision[s], report.judged.get(s)) if m]
    header = ["decision"]
    for system in report.decision:
        header += [system] + ([f"{system} judged"] if system in report.judged else [])

    def row(label: str, value: Callable[[DecisionMetrics], str]) -> list[str]:
        return [label, *(value(m) for _, m in columns)]

    strict = {id(d) for d in report.decision.values()}
    return header, [
        row("answered correctly (of answerable)", lambda d: fmt(d.answered_correctly_rate)),
        row("wrong-answer rate (of answered)", lambda d: fmt(d.wrong_answer_rate)),
        row("judged partial (of answered)", lambda d: "–" if id(d) in strict else fmt(d.partial_rate)),
        row("coverage (answered of all)", lambda d: fmt(d.coverage)),
        row("escalation recall", lambda d: fmt(d.overall.recall)),
        row("escalation precision", lambda d: fmt(d.overall.precision)),
        row("forbidden citations (must be 0)", lambda d: str(d.forbidden_citations)),
        [
            "operating point",
            *(fmt(report.operating_point.get(s), 2) for s, _ in columns),
        ],
        [
            "answer key facts (mean)",
            *(_key_facts(report) if s == OURS else "–" for s, _ in columns),
        ],
    ]


def _key_facts(report: EvalReport) -> str:
    found = report.key_facts
    return "–" if found.mean is None else f"{found.mean:.3f} (n={found.questions})"


def kind_rows(report: EvalReport) -> tuple[list[str], Rows]:
    systems = list(report.decision)
    header = ["kind", "questions", "should escalate"]
    for system in systems:
        header += [f"{system} esc. recall", f"{system} esc. precision"]
    rows = []
    for kind, k in report.decision[OURS].per_kind.items():
        row = [kind, str(k.questions), str(k.should_escalate)]
        for system in systems:
            per = report.decision[system].per_kind[kind]
            row += [fmt(per.recall), fmt(per.precision)]
        rows.append(row)
    return header, rows


def ragas_rows(report: EvalReport) -> tuple[list[str], Rows]:
    if report.ragas is None:
        return ["ragas", "mean", "questions"], []
    rows = [
        [name, fmt(mean), str(report.ragas.counts[name])] for name, mean in sorted(report.ragas.means.items())
    ]
    return ["ragas", "mean", "questions"], rows


def print_report(report: EvalReport, console: Console) -> None:
    title = f"{report.golden} on {report.kb}: {report.questions} questions ({report.selection})"
    title += f", {report.seconds:.0f}s"
    console.rule(title)
    for header, rows in (
        retrieval_rows(report),
        decision_rows(report),
        kind_rows(report),
        ragas_rows(report),
    ):
        if not rows:
            continue
        table = Table(*header)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    if report.confirm is not None and report.unconfirmed is not None and report.confirm.confirmed:
        values = report.flat()
        console.print(
            f"confirm step (simulated customer): confirmed {fmt(report.confirm.confirm_rate)}, picked "
            f"{fmt(report.confirm.pick_rate)}; without the step: answered correctly "
            f"{fmt(values.get('ours.no_confirm.answered_correctly'))}, wrong-answer rate "
            f"{fmt(values.get('ours.no_confirm.wrong_answer_rate'))}, escalation recall "
            f"{fmt(values.get('ours.no_confirm.escalation_recall'))}; turns per resolved "
            f"{fmt(values.get('ours.no_confirm.turns_per_resolved'))} → {fmt(report.confirm.turns_per_resolved)}"
        )
    if BASELINE not in report.decision:
        console.print("[dim]baseline not run[/]")
