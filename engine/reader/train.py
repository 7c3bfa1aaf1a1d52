"""Fine-tune the reader: a MiniLM cross-encoder that scores whether a passage window answers a question.

Starts from the packaged all-MiniLM-L6-v2 weights (a new one-logit head on top), trains with binary cross-entropy
on the pairs engine/evaluate/reader_data.py writes, and measures each variant on the separation probes (best
window of a passage). Imports only torch, transformers and numpy, so it runs as `python -m engine.reader.train`
on a GPU machine that has no engine install. Seeded; the data files are pinned by their sha256 in the report.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MAX_LENGTH = 192
SEED = 20261129


@dataclass(frozen=True)
class Variant:
    """One training recipe; `sources` picks pair sources by prefix (empty = all)."""

    name: str
    epochs: int = 3
    lr: float = 3e-5
    batch: int = 32
    sources: tuple[str, ...] = ()
    layers: int = 6  # keep the first N transformer layers (fewer: cheaper to serve)
    squad_share: float = 1.0  # the share of SQuAD pairs kept (seeded sample)


@dataclass
class Measured:
    variant: str
    seconds: float
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)


def auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Area under the ROC curve (Mann–Whitney, ties counted half)."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    pos, neg = s[y], s[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def recall_at_kept(scores: Sequence[float], labels: Sequence[int], kept: float = 0.95) -> float:
    """Share of negatives below the cut that keeps `kept` of the positives."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    if not y.any() or y.all():
        return float("nan")
    cut = np.quantile(s[y], 1.0 - kept, method="lower")
    return float((s[~y] < cut).mean())


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _seed(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _batches(pairs: list[dict[str, Any]], size: int, rng: random.Random) -> list[list[dict[str, Any]]]:
    """Length-bucketed batches (little padding), in random order."""
    order = sorted(pairs, key=lambda p: len(p["question"]) + len(p["passage"]) + rng.random() * 40)
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def train_variant(variant: Variant, pairs: list[dict[str, Any]], base: Path, device: str) -> Any:
    """A fine-tuned model (in eval mode) for one recipe."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    _seed(SEED)
    sample = random.Random(SEED)
    chosen = [
        p for p in pairs
        if (not variant.sources or p["source"].startswith(variant.sources))
        and (not p["source"].startswith("squad") or sample.random() < variant.squad_share)
    ]
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForSequenceClassification.from_pretrained(str(base), num_labels=1, dtype=torch.float32)
    if variant.layers < model.config.num_hidden_layers:
        model.bert.encoder.layer = model.bert.encoder.layer[: variant.layers]
        model.config.num_hidden_layers = variant.layers
    model = model.to(device)
    rng = random.Random(SEED)
    steps = variant.epochs * math.ceil(len(chosen) / variant.batch)
    optimizer = torch.optim.AdamW(model.parameters(), lr=variant.lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.1 * steps), steps)  # type: ignore[no-untyped-call]
    positives = sum(p["label"] for p in chosen)
    loss_fn = torch.nn.BCEWithLogitsLoss(
        pos_weight=torch.tensor((len(chosen) - positives) / max(1, positives), device=device)
    )
    model.train()
    for epoch in range(variant.epochs):
        total = 0.0
        for batch in _batches(chosen, variant.batch, rng):
            encoded = tokenizer(
                [p["question"] for p in batch], [p["passage"] for p in batch],
                truncation="longest_first", max_length=MAX_LENGTH, padding=True, return_tensors="pt",
            ).to(device)
            labels = torch.tensor([float(p["label"]) for p in batch], device=device)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device.startswith("cuda")):
                logits = model(**encoded).logits.squeeze(-1)
            loss = loss_fn(logits.float(), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += float(loss.detach())
        print(f"{variant.name} epoch {epoch + 1}: mean loss {total / max(1, len(chosen) / variant.batch):.4f}",
              flush=True)
    model.eval()
    return model, tokenizer


def score_windows(model: Any, tokenizer: Any, question_windows: list[tuple[str, str]], device: str) -> list[float]:
    """Logit of each (question, window) pair, in batches."""
    import torch

    out: list[float] = []
    with torch.no_grad():
        for start in range(0, len(question_windows), 256):
            chunk = question_windows[start : start + 256]
            encoded = tokenizer(
                [q for q, _ in chunk], [w for _, w in chunk],
                truncation="longest_first", max_length=MAX_LENGTH, padding=True, return_tensors="pt",
            ).to(device)
            out.extend(model(**encoded).logits.squeeze(-1).float().cpu().tolist())
    return out


def measure(model: Any, tokenizer: Any, probes: list[dict[str, Any]], device: str) -> dict[str, dict[str, float]]:
    """Per probe set: AUC and recall at 95 % kept of the best-window score."""
    flat = [(p["question"], w) for p in probes for w in p["windows"]]
    logits = iter(score_windows(model, tokenizer, flat, device))
    best = [max((next(logits) for _ in p["windows"]), default=-1e9) for p in probes]
    by_set: dict[str, dict[str, float]] = {}
    for name in sorted({p["set"] for p in probes}):
        rows = [(b, p["label"]) for b, p in zip(best, probes, strict=True) if p["set"] == name]
        scores, labels = [r[0] for r in rows], [r[1] for r in rows]
        by_set[name] = {"auc": auc(scores, labels), "recall_at_95_kept": recall_at_kept(scores, labels),
                        "n": float(len(rows))}
    return by_set


def save(model: Any, tokenizer: Any, out: Path) -> None:
    """A transformers folder (config, tokenizer, weights) that engine/reader/export.py turns into ONNX. Saved in
    fp16 (half the bytes, to travel back from a GPU machine; the int8 export rounds far more). The tokenizer is
    the base model's, unchanged: copy it from there."""
    import copy

    out.mkdir(parents=True, exist_ok=True)
    copy.deepcopy(model).half().save_pretrained(str(out))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


VARIANTS = (
    Variant("kb-only", epochs=4, lr=3e-5, sources=("kb",)),
    Variant("kb+squad-quarter", epochs=3, lr=3e-5, squad_share=0.25),
    Variant("kb-only-long", epochs=8, lr=5e-5, sources=("kb",)),
    Variant("squad+kb", epochs=3, lr=3e-5),
    Variant("squad+kb-long", epochs=6, lr=5e-5),
    Variant("squad+kb-3layers", epochs=4, lr=5e-5, layers=3),
    Variant("squad-only", epochs=3, lr=3e-5, sources=("squad",)),
)


def scoring_speed(model: Any, tokenizer: Any, probes: list[dict[str, Any]], device: str) -> dict[str, float]:
    """Windows scored per second in batches of 8 (what one question asks of the reader), after a warm-up."""
    flat = [(p["question"], w) for p in probes for w in p["windows"]][:2000]
    score_windows(model, tokenizer, flat[:64], device)
    started = time.perf_counter()
    for start in range(0, len(flat), 8):
        score_windows(model, tokenizer, flat[start : start + 8], device)
    seconds = time.perf_counter() - started
    return {"windows": float(len(flat)), "seconds": seconds, "ms_per_batch_of_8": 1000 * seconds / (len(flat) / 8)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder with train/dev/heldout.jsonl")
    parser.add_argument("--base", type=Path, required=True, help="the all-MiniLM-L6-v2 folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--variants", default=",".join(v.name for v in VARIANTS))
    parser.add_argument("--limit", type=int, default=0, help="train on the first N pairs only (smoke test)")
    args = parser.parse_args(argv)
    pairs = _read(args.data / "train.jsonl")[: args.limit or None]
    dev, held_out = _read(args.data / "dev.jsonl"), _read(args.data / "heldout.jsonl")
    if args.limit:
        dev, held_out = dev[:: max(1, len(dev) // args.limit)], held_out[:: max(1, len(held_out) // args.limit)]
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "data_sha256": {n: sha256(args.data / f"{n}.jsonl") for n in ("train", "dev", "heldout")},
        "seed": SEED, "max_length": MAX_LENGTH, "pairs": len(pairs), "variants": [],
    }
    best: tuple[float, str] = (-1.0, "")
    for variant in (v for v in VARIANTS if v.name in args.variants.split(",")):
        started = time.perf_counter()
        model, tokenizer = train_variant(variant, pairs, args.base, args.device)
        measured = Measured(variant.name, time.perf_counter() - started)
        measured.metrics = measure(model, tokenizer, dev + held_out, args.device)
        report["variants"].append({**asdict(variant), **asdict(measured)})
        print(json.dumps(report["variants"][-1]), flush=True)
        # Chosen on the dev KBs' probes only; held-out numbers are reported, never used to choose.
        dev_auc = float(np.mean([measured.metrics[s]["auc"] for s in ("plausible", "kb_samples")]))
        if dev_auc > best[0]:
            best = (dev_auc, variant.name)
            save(model, tokenizer, args.out / "model")
            report["speed"] = {"device": args.device, **scoring_speed(model, tokenizer, dev, args.device)}
        report["chosen"] = best[1]
        (args.out / "report.json").write_text(json.dumps(report, indent=2))  # after each: a time-out keeps the best
    print("chosen:", best[1], flush=True)


if __name__ == "__main__":
    main()
