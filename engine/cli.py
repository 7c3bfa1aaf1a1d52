"""The `engine` command: ingest, ask and serve (eval, freshness, calibrate and metrics join as they land)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from engine.config import Settings, offline_environment
from engine.errors import EngineError
from engine.types import IngestReport, Query

app = typer.Typer(
    help="Self-service answer engine: ingest a help center, ask it questions, serve the API.", no_args_is_help=True
)
err = Console(stderr=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Index and database folder (default: $ENGINE_DATA_DIR or ./data).")
]


def _settings(data_dir: Path | None) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"data_dir": data_dir}) if data_dir else settings


def _parse_assignments(values: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for value in values:
        key, sep, raw = value.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"--set expects KEY=VALUE, got {value!r}")
        result[key.strip()] = raw.strip()
    return result


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="A folder of articles, or one .md/.html/.jsonl/.json file.")],
    data_dir: DataDir = None,
    source: Annotated[str | None, typer.Option(help="Name of this source (default: the resolved path).")] = None,
    set_: Annotated[
        list[str], typer.Option("--set", help="Metadata for every article of this source, e.g. status=archived.")
    ] = [],  # noqa: B006 - typer reads the default, never mutates it
    base_url: Annotated[
        str | None, typer.Option(help="Build article URLs as BASE_URL/<path> when none is given.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Ingest PATH into the index. Exit code 1 when some files were skipped (the rest is ingested)."""
    from engine.wiring import build_indexer

    settings = _settings(data_dir)
    report = build_indexer(settings).ingest(
        path, source=source, overrides=_parse_assignments(set_) or None, base_url=base_url, progress=sys.stderr.isatty()
    )
    _print_report(report, as_json)
    raise typer.Exit(code=0 if report.ok else 1)


def _print_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        payload = {k: v for k, v in report.__dict__.items() if k != "problems"}
        payload["problems"] = [{"path": p.path, "reason": p.reason} for p in report.problems]
        typer.echo(json.dumps(payload))
        return
    err.print(
        f"[bold]{report.articles_total}[/] articles ({report.articles_added} added, {report.articles_updated} updated, "
        f"{report.articles_unchanged} unchanged, {report.articles_removed} removed), {report.chunks_total} chunks, "
        f"{report.chunks_embedded} embedded, generation {report.generation}, {report.seconds:.1f}s"
    )
    for problem in report.problems:
        err.print(f"[red]skipped[/] {problem.path}: {problem.reason}")


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The customer's question.")] = None,
    batch: Annotated[Path | None, typer.Option(help="JSONL of {id, question, audience?, locale?}.")] = None,
    data_dir: DataDir = None,
    audience: Annotated[list[str], typer.Option(help="Asker's audience(s), e.g. admins.")] = [],  # noqa: B006
    locale: Annotated[str | None, typer.Option(help="Asker's locale, e.g. en or de.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (one object per line with --batch).")] = False,
) -> None:
    """Answer QUESTION (or every line of --batch) from the index, or say why it escalates."""
    from engine.answer.render import decision_to_dict
    from engine.wiring import build_engine

    if (question is None) == (batch is None):
        raise typer.BadParameter("give either a QUESTION or --batch FILE")
    engine = build_engine(_settings(data_dir))
    try:
        if batch is not None:
            for line_number, record in _batch_lines(batch):
                query = _batch_query(record, line_number)
                out = {"id": record.get("id"), **decision_to_dict(engine.answers.ask(query))}
                typer.echo(json.dumps(out, ensure_ascii=False))
            return
        assert question is not None
        decision = engine.answers.ask(Query(question, tuple(audience) or ("public",), locale))
        if as_json:
            typer.echo(json.dumps(decision_to_dict(decision), ensure_ascii=False))
        else:
            _print_decision(decision_to_dict(decision))
    finally:
        engine.close()


def _batch_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    lines: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise typer.BadParameter(f"{path}:{number}: expected a JSON object")
        lines.append((number, record))
    return lines


def _batch_query(record: dict[str, Any], number: int) -> Query:
    question = record.get("question")
    if not isinstance(question, str):
        raise typer.BadParameter(f"line {number}: 'question' must be a string")
    audience = record.get("audience") or ["public"]
    audiences = (audience,) if isinstance(audience, str) else tuple(str(a) for a in audience)
    return Query(question, audiences, record.get("locale"))


def _print_decision(out: dict[str, Any]) -> None:
    console = Console()
    if out["decision"] == "answer":
        console.print(out["answer"])
        table = Table("source", "url", "score", "updated")
        for c in out["citations"]:
            table.add_row(c["title"], c["url"] or c["article_id"], f"{c['score']:.3f}", c["updated_at"] or "-")
        console.print(table)
    else:
        console.print(f"[yellow]escalate[/]: {out['reason']}")
    console.print(f"confidence {out['confidence']:.2f}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Serve the HTTP API (and, as it lands, the widget and consoles) with uvicorn."""
    import uvicorn

    from engine.api.app import create_app

    uvicorn.run(create_app(_settings(data_dir)), host=host, port=port, log_level="info")


freshness_app = typer.Typer(help="Freshness: which articles may answer now, and why the others may not.")
app.add_typer(freshness_app, name="freshness")


@freshness_app.command("report")
def freshness_report(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="A Markdown table.")] = False,
) -> None:
    """Every article with its state, the rule that decided it, owner, last update and recent questions that hit it."""
    from engine.freshness.report import to_markdown
    from engine.wiring import build_engine

    engine = build_engine(_settings(data_dir))
    try:
        rows = engine.freshness_report()
    finally:
        engine.close()
    if markdown:
        typer.echo(to_markdown(rows))
        return
    if as_json:
        for r in rows:
            updated = r.updated_at.date().isoformat() if r.updated_at else None
            typer.echo(json.dumps({**r.__dict__, "state": str(r.state), "updated_at": updated}))
        return
    table = Table("article", "state", "why", "owner", "updated", "hits 30d")
    for r in rows:
        updated = r.updated_at.date().isoformat() if r.updated_at else "-"
        table.add_row(r.article_id, str(r.state), r.detail, r.owner or "-", updated, str(r.hits_30d))
    Console().print(table)


tickets_app = typer.Typer(help="Escalation tickets and their delivery to help desks.")
app.add_typer(tickets_app, name="tickets")


@tickets_app.command("deliver")
def tickets_deliver(
    data_dir: DataDir = None,
    forever: Annotated[bool, typer.Option("--forever", help="Keep delivering until interrupted.")] = False,
) -> None:
    """Deliver due tickets to the configured targets (the API server does this in the background)."""
    import time

    from engine.wiring import build_desk, open_database, utc_now

    settings = _settings(data_dir)
    if not settings.tickets.targets:
        raise typer.BadParameter("no ticket targets configured (ENGINE_TICKETS__TARGETS)")
    database = open_database(settings)
    desk = build_desk(settings, database, utc_now)
    try:
        while True:
            delivered = desk.deliver_once()
            typer.echo(json.dumps({"delivered": delivered, "pending": desk.store.pending()}))
            if not forever:
                return
            time.sleep(settings.tickets.poll_s)
    finally:
        database.close()


@app.command()
def metrics(
    data_dir: DataDir = None,
    start: Annotated[str | None, typer.Option("--from", help="ISO date/time (default: 30 days ago).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="ISO date/time, exclusive (default: now).")] = None,
) -> None:
    """Containment, self-service and helpful rates, escalations by reason, content gaps (JSON; docs/metrics.md)."""
    from dataclasses import asdict
    from datetime import datetime, timedelta

    from engine.store.db import as_utc
    from engine.wiring import build_engine

    engine = build_engine(_settings(data_dir))
    try:
        until = as_utc(datetime.fromisoformat(end)) if end else engine.clock()
        since = as_utc(datetime.fromisoformat(start)) if start else until - timedelta(days=30)
        found = engine.metrics(since, until)
    finally:
        engine.close()
    rates = {"containment", "self_service", "helpful"}
    out = {k: v for k, v in asdict(found).items() if k not in rates}
    for name in rates:
        rate = getattr(found, name)
        out[name] = {"numerator": rate.numerator, "denominator": rate.denominator, "value": rate.value}
    out["escalations"] = {r: {"count": v.numerator, "rate": v.value} for r, v in found.escalations.items()}
    typer.echo(json.dumps(out, default=str, indent=2))


from engine.evaluate.calibrate import calibrate_command  # noqa: E402
from engine.evaluate.cli import eval_command, gate_command  # noqa: E402 - registered after the core commands

app.command("eval")(eval_command)
app.command("calibrate")(calibrate_command)
app.command("gate")(gate_command)


def main() -> None:
    offline_environment()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except EngineError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(3)
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        err.print(f"[red]error:[/] invalid settings: {escape(_describe(exc))}")
        sys.exit(3)


def _describe(exc: ValidationError) -> str:
    """`retrieval: unknown setting 'dense_wieght'; did you mean 'dense_weight'?` — one clause per error."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())


if __name__ == "__main__":
    main()
