"""Run the benchmark: `python -m bench.run` (full) or `python -m bench.run --quick`; see docs/scaling.md.

Writes bench/results/<name>.md and .json. Everything runs on this machine, offline, over the Plausible help center
(evals/datasets/plausible-docs) and its golden questions, scaled up synthetically (bench/kb.py).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.http import measure_http
from bench.kb import ingest_base, write_scaled
from bench.measure import measure_retrieval
from bench.report import BenchResult, SizeResult, machine_info, write
from engine.config import Settings, offline_environment
from engine.evaluate.golden import GoldenRecord, load_golden
from engine.types import Query
from engine.wiring import build_engine, open_store

ROOT = Path(__file__).resolve().parent.parent
PLAUSIBLE = ROOT / "evals" / "datasets" / "plausible-docs"
KB_SAMPLES = ROOT / "kb_samples"


@dataclass(frozen=True)
class BenchConfig:
    name: str
    sizes: tuple[int, ...]
    sources: tuple[tuple[str, Path, dict[str, str]], ...]
    golden: Path
    questions: int | None
    reference_questions: int | None
    concurrencies: tuple[int, ...]
    requests_per_level: int
    http: bool
    results: Path
    workers: tuple[int, ...] = (1, max(2, os.cpu_count() or 1))


def full_config(name: str, sizes: tuple[int, ...]) -> BenchConfig:
    return BenchConfig(
        name=name,
        sizes=sizes,
        sources=(
            ("plausible", PLAUSIBLE / "articles", {}),
            ("plausible-retired", PLAUSIBLE / "retired", {"status": "archived"}),
        ),
        golden=ROOT / "evals" / "golden" / "plausible.jsonl",
        questions=None,
        reference_questions=None,
        concurrencies=(1, 8, 32),
        requests_per_level=300,
        http=True,
        results=ROOT / "bench" / "results",
    )


def quick_config(name: str = "quick", results: Path | None = None) -> BenchConfig:
    """Small and fast: kb_samples, two sizes, a few questions and requests. For smoke runs and the test."""
    return BenchConfig(
        name=name,
        sizes=(0, 800),
        sources=(("kb_samples", KB_SAMPLES, {}),),
        golden=ROOT / "evals" / "golden" / "kb_samples.jsonl",
        questions=12,
        reference_questions=6,
        concurrencies=(1, 4),
        requests_per_level=8,
        http=True,
        results=results or ROOT / "bench" / "results",
    )


def run(config: BenchConfig, work: Path) -> BenchResult:
    offline_environment()
    base_dir = work / "base"
    ingest = ingest_base(list(config.sources), base_dir, work)
    records = _answerable(config.golden, config.questions)
    result = BenchResult(config.name, machine_info(), ingest, notes=_notes(config))
    base = open_store(Settings(data_dir=base_dir)).load(with_dense=False)
    for target in config.sizes:
        data_dir = work / f"kb-{target}"
        copies = max(0, round(target / max(1, len(base.chunks))) - 1)
        write_scaled(base, copies, data_dir)
        engine = build_engine(Settings(data_dir=data_dir))
        try:
            retrieval = measure_retrieval(engine, records, config.reference_questions)
        finally:
            engine.close()  # releases the serve lock for the HTTP server
        queries = [Query(r.question, r.audience, r.locale) for r in records]
        http = tuple(
            measure_http(data_dir, queries, config.concurrencies, config.requests_per_level, workers)
            for workers in (config.workers if config.http else ())
        )
        result.sizes.append(SizeResult(target, retrieval, http))
    return result


def _answerable(path: Path, limit: int | None) -> list[GoldenRecord]:
    records = [r for r in load_golden(path).records if r.expected_articles]
    return records[:limit] if limit else records


def _notes(config: BenchConfig) -> list[str]:
    return [
        "Sizes above the real KB are synthetic copies of its articles (bench/kb.py): near-duplicate vectors, a quarter "
        "visible to the public English asker, the rest for partners, in German, or expired.",
        "hit@3 counts a copy of an expected article as its original; ours and the reference are scored on the same "
        "questions (answerable golden questions).",
        "The llama-index reference is QueryFusionRetriever (reciprocal rank, BM25 + VectorStoreIndex) over the same "
        "chunks and vectors, built once per eligibility mask (build time apart).",
        "The HTTP client runs on the same cores as the server; other processes shared this machine during the run, "
        "so absolute numbers are noisy.",
        f"Requests per concurrency level: {config.requests_per_level}; questions: answerable golden questions of "
        f"{config.golden.name}.",
    ]


def default_name(kind: str) -> str:
    """Results are named by the day and the commit they measured: 2026-12-07-0956e2f-full."""
    import datetime
    import subprocess

    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                           cwd=Path(__file__).resolve().parent)
    commit = found.stdout.strip() or "nogit"
    return f"{datetime.datetime.now(datetime.UTC).date().isoformat()}-{commit}-{kind}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default=None,
                        help="Results file name (default: DATE-COMMIT-full, or DATE-COMMIT-quick with --quick).")
    parser.add_argument("--sizes", default="1000,10000,20000,50000", help="Target chunk counts, comma separated.")
    parser.add_argument("--quick", action="store_true", help="Small sizes on kb_samples (a minute).")
    parser.add_argument("--no-http", action="store_true", help="Skip the HTTP server measurements.")
    parser.add_argument("--workers", default=None, help="Worker counts, comma separated (default 1,CORES).")
    parser.add_argument("--requests", type=int, default=None, help="Requests per concurrency level.")
    parser.add_argument("--reference-questions", type=int, default=None, help="Questions asked of llama-index.")
    parser.add_argument("--work-dir", type=Path, default=None, help="Where the data dirs go (default: a temp dir).")
    args = parser.parse_args()
    if args.quick:
        config = quick_config(args.name or default_name("quick"))
    else:
        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
        config = full_config(args.name or default_name("full"), sizes)
    updates: dict[str, object] = {}
    if args.no_http:
        updates["http"] = False
    if args.workers:
        updates["workers"] = tuple(int(w) for w in args.workers.split(",") if w.strip())
    if args.requests:
        updates["requests_per_level"] = args.requests
    if args.reference_questions:
        updates["reference_questions"] = args.reference_questions
    if updates:
        from dataclasses import replace

        config = replace(config, **updates)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="engine-bench-", dir=args.work_dir) as work:
        result = run(config, Path(work))
    markdown, data = write(result, config.results)
    print(markdown.read_text(encoding="utf-8"))
    print(f"wrote {markdown} and {data}")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
