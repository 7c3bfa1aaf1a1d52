"""The `engine` command: ingest, ask, serve, freshness, tickets, metrics; eval, gate, calibrate and reader."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from engine.config import Settings, offline_environment
from engine.errors import EngineError
from engine.types import Decision, IngestReport, Query, Question

if TYPE_CHECKING:
    from engine.wiring import Engine

app = typer.Typer(
    help="Self-service answer engine: ingest a help center, ask it questions, serve the API.", no_args_is_help=True
)
err = Console(stderr=True)
CLI_CHANNEL = "cli"
"""The channel `engine ask` logs its questions under (the API logs the key's name)."""

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
        payload = {k: v for k, v in report.__dict__.items() if k not in ("problems", "cleaning")}
        payload["problems"] = [{"path": p.path, "reason": p.reason} for p in report.problems]
        payload["cleaning"] = asdict(report.cleaning)
        typer.echo(json.dumps(payload))
        return
    err.print(
        f"[bold]{report.articles_total}[/] articles ({report.articles_added} added, {report.articles_updated} updated, "
        f"{report.articles_unchanged} unchanged, {report.articles_removed} removed), {report.chunks_total} chunks, "
        f"{report.chunks_embedded} embedded, generation {report.generation}, {report.seconds:.1f}s"
    )
    cleaning = report.cleaning
    if cleaning.articles_changed:
        err.print(
            f"cleaned {cleaning.articles_changed} articles: {cleaning.boilerplate_lines} repeated lines (page chrome), "
            f"{cleaning.link_lists} link-only sections, {cleaning.navigation_runs} menus, "
            f"{cleaning.page_heads} page-header lines, {cleaning.components} multi-line components removed"
        )
        for example in cleaning.examples:
            err.print(f"  removed {example.kind} ×{example.count}: {escape(example.text)}")
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
    no_log: Annotated[
        bool, typer.Option("--no-log", help="Do not log the question, nor open a ticket when it escalates.")
    ] = False,
) -> None:
    """Answer QUESTION (or every line of --batch) from the index, or say why it escalates. A QUESTION is logged
    like the API's (its own session; an escalation opens a ticket) unless --no-log; --batch is never logged."""
    from engine.wiring import build_engine

    if (question is None) == (batch is None):
        raise typer.BadParameter("give either a QUESTION or --batch FILE")
    engine = build_engine(_settings(data_dir))
    try:
        if batch is not None:
            for line_number, record in _batch_lines(batch):
                query = _batch_query(record, line_number)
                out = {"id": record.get("id"), **_asked(engine.answers.ask(query))}
                typer.echo(json.dumps(out, ensure_ascii=False))
            return
        assert question is not None
        query = Query(question, tuple(audience) or ("public",), locale)
        if engine.incidents is not None and not no_log:
            engine.incidents.source.refresh()  # one read of the status feed: the notice needs the current state
        out = _asked(engine.answers.ask(query)) if no_log else _ask_logged(engine, query)
        if as_json:
            typer.echo(json.dumps(out, ensure_ascii=False))
        else:
            _print_decision(out)
    finally:
        engine.close()


def _ask_logged(engine: Engine, query: Query) -> dict[str, Any]:
    """The question as one turn of a new conversation on the `cli` channel, shaped as POST /v1/ask answers it."""
    from engine.api.schemas import AskResponse

    reply = engine.conversation.ask(Question(query, channel=CLI_CHANNEL))
    return {**AskResponse.of(reply).model_dump(), **_considered(reply.decision)}


def _asked(decision: Decision) -> dict[str, Any]:
    """The decision's public JSON, plus the articles it considered when it escalated."""
    from engine.answer.render import decision_to_dict

    offered = [{"article_id": o.article_id, "title": o.title} for o in decision.suggestions]
    return {**decision_to_dict(decision), **_considered(decision), **({"suggestions": offered} if offered else {})}


def _considered(decision: Decision) -> dict[str, Any]:
    """`considered` (best first, with scores) on an escalation, so hit@k of escalations is measurable."""
    from engine.answer.render import considered_to_list

    return {} if decision.answered else {"considered": considered_to_list(decision)}


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
    if out.get("incident"):
        console.print(f"[bold red]{out['incident']['text']}[/]")
    if out["decision"] == "answer":
        console.print(out["answer"])
        table = Table("source", "url", "score", "updated")
        for c in out["citations"]:
            table.add_row(c["title"], c["url"] or c["article_id"], f"{c['score']:.3f}", c["updated_at"] or "-")
        console.print(table)
    elif out["decision"] == "confirm":
        console.print(out.get("message") or "Is it one of these?")
        for option in out.get("suggestions", []):
            console.print(f"  - {option['title']} ({option['article_id']})")
    else:
        ticket = out.get("ticket")
        console.print(f"[yellow]escalate[/]: {out['reason']}" + (f", ticket {ticket['reference']}" if ticket else ""))
    console.print(f"confidence {out['confidence']:.2f}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (0: any free one, logged once bound).")] = 8000,
    data_dir: DataDir = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes sharing the port and data dir (default: CPU cores).")
    ] = None,
) -> None:
    """Serve the HTTP API, the widget and the consoles with uvicorn, in one or several worker processes."""
    import os

    import uvicorn

    from engine.api.security import UVICORN_OPTIONS
    from engine.store.serving import SERVE_PORT_ENV, SUPERVISOR_ENV, ServeLock

    settings = _settings(data_dir)
    if settings.pinned_date:
        typer.echo(f"clock pinned: it is {settings.pinned_date.isoformat()} on this server (ENGINE_PINNED_DATE), "
                   "the time of day is real — for a sample help center only", err=True)
    count = workers or os.cpu_count() or 1
    if count == 1:
        from engine.api.app import create_app  # the supervisor of several workers never loads the app itself

        uvicorn.run(create_app(settings, port=port), host=host, port=port, log_level="info",
                    **UVICORN_OPTIONS)  # type: ignore[arg-type]
        return
    # The supervisor holds the data dir's serve lock for its workers, so a second `engine serve` still fails.
    lock = None if settings.qdrant_url else ServeLock(settings.index_dir)
    if lock is not None:
        lock.acquire()
    os.environ.update({SUPERVISOR_ENV: str(os.getpid()), SERVE_PORT_ENV: str(port),
                       "ENGINE_DATA_DIR": str(settings.data_dir.resolve())})
    # Each worker's query embedding gets its share of the cores: N workers × all cores only fight for them.
    if not settings.embedding.threads:
        os.environ["ENGINE_EMBEDDING__THREADS"] = str(max(1, (os.cpu_count() or 1) // count))
    try:
        # A worker loads the model and the index before it is ready: give it time on a busy machine.
        uvicorn.run("engine.api.app:app_from_environment", factory=True, workers=count, host=host, port=port,
                    log_level="info", timeout_worker_healthcheck=120, **UVICORN_OPTIONS)  # type: ignore[arg-type]
    finally:
        if lock is not None:
            lock.release()


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
        rows = engine.support.freshness_report()
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
    """Containment, self-service and helpful rates, escalations by reason, content gaps: the JSON of GET /v1/metrics
    (docs/metrics.md)."""
    from engine.api.staff_schemas import MetricsOut
    from engine.wiring import build_engine

    engine = build_engine(_settings(data_dir))
    try:
        found = engine.support.metrics(_moment(start, "--from"), _moment(end, "--to"))
    finally:
        engine.close()
    typer.echo(MetricsOut.model_validate(found).model_dump_json(indent=2))


def _moment(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{option} expects an ISO date or time, got {value!r}") from exc


from engine.evaluate.calibrate import calibrate_command  # noqa: E402
from engine.evaluate.cli import eval_command, gate_command, guards_command  # noqa: E402 - registered after the core commands
from engine.evaluate.reader_cli import reader_app  # noqa: E402

app.command("eval")(eval_command)
app.command("calibrate")(calibrate_command)
app.add_typer(reader_app, name="reader")
app.command("gate")(gate_command)
app.command("guards")(guards_command)


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
