"""Trained reader (a transformers folder) → the int8 ONNX file + tokenizer the engine ships and serves from.

Needs torch, transformers and onnxruntime's quantizer (installed with the dev tools); serving needs onnxruntime and
tokenizers only.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)
MODEL_FILE = "reader-int8.onnx"
MANIFEST = "manifest.json"


def export_reader(
    trained: Path, tokenizer: Path, target: Path, *, max_length: int, provenance: dict[str, object]
) -> Path:
    """Write `target`/reader-int8.onnx, tokenizer.json (from the `tokenizer` folder) and manifest.json."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForSequenceClassification

    from engine.onnx_export import export_module

    model = AutoModelForSequenceClassification.from_pretrained(str(trained), local_files_only=True, dtype=torch.float32)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "reader.onnx"
        export_module(model, "logits", {0: "batch"}, fp32)
        quantize_dynamic(str(fp32), str(target / MODEL_FILE), weight_type=QuantType.QInt8)
    shutil.copyfile(tokenizer / "tokenizer.json", target / "tokenizer.json")
    (target / MANIFEST).write_text(json.dumps({"max_length": max_length, **provenance}, indent=2) + "\n")
    logger.info("exported reader", extra={"path": str(target / MODEL_FILE)})
    return target / MODEL_FILE
