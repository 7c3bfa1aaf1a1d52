"""A self-contained HTML report: metric tables and the coverage / wrong-answer curve as an embedded PNG."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path

from engine.evaluate.report import EvalReport
from engine.evaluate.tables import decision_rows, fmt, kind_rows, ragas_rows, retrieval_rows

_STYLE = (
    "body{font:14px system-ui,sans-serif;margin:2rem;max-width:72rem}"
    "table{border-collapse:collapse;margin:1rem 0}"
    "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}"
    "td:first-child,th:first-child{text-align:left}"
    "th{background:#f4f4f4}"
)


def sweep_png(report: EvalReport) -> bytes:
    """Wrong-answer rate against coverage as the minimum confidence varies; the operating point is marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=100)
    for system, points in report.sweep.items():
        xs = [p.coverage or 0.0 for p in points]
        ys = [p.wrong_answer_rate or 0.0 for p in points]
        axes.plot(xs, ys, marker=".", label=system)
        at = report.operating_point.get(system)
        chosen = [p for p in points if p.threshold == at]
        if chosen:
            point = chosen[0]
            axes.scatter(
                [point.coverage or 0.0], [point.wrong_answer_rate or 0.0], s=120, marker="*", zorder=3
            )
            axes.annotate(f"{system} @ {at:.2f}", (point.coverage or 0.0, point.wrong_answer_rate or 0.0))
    axes.set_xlabel("coverage (share of questions answered)")
    axes.set_ylabel("wrong-answer rate (of answered)")
    axes.set_title(f"{report.golden} on {report.kb}: threshold sweep")
    axes.grid(alpha=0.3)
    axes.legend()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(reports: Sequence[EvalReport]) -> str:
    sections = []
    for report in reports:
        png = base64.b64encode(sweep_png(report)).decode()
        misses = [
            [
                m.id,
                m.kind,
                m.question[:160],
                ", ".join(m.expected) or "(escalate)",
                ", ".join(m.cited) or "–",
                m.verdict or "–",
                m.reason,
                fmt(m.confidence, 2),
            ]
            for m in report.misses
        ]
        parts = [
            f"<h2>{html.escape(report.golden)} on {html.escape(report.kb)}</h2>",
            f"<p>{report.questions} questions ({html.escape(report.selection)}), {report.seconds:.0f} s</p>",
            *(
                _table(*rows)
                for rows in (
                    retrieval_rows(report),
                    decision_rows(report),
                    kind_rows(report),
                    ragas_rows(report),
                )
                if rows[1]
            ),
            f'<img alt="threshold sweep" src="data:image/png;base64,{png}">',
            f"<h3>Misses ({len(misses)})</h3>",
            _table(["id", "kind", "question", "expected", "cited", "judged", "reason", "confidence"], misses),
        ]
        sections.append("\n".join(parts))
    body = "\n<hr>\n".join(sections)
    return f"<!doctype html><meta charset=utf-8><title>engine eval</title><style>{_STYLE}</style>\n{body}\n"


def write_html(reports: Sequence[EvalReport], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(reports), encoding="utf-8")
