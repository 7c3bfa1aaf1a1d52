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

    model = AutoModelForSequenceClassification.from_pretrained(str(trained), local_files_only=True, dtype=torch.float32)
    model.eval()

    class _Logits(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.logits  # type: ignore[no-any-return]

    target.mkdir(parents=True, exist_ok=True)
    dummy = torch.ones((2, 16), dtype=torch.long)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "reader.onnx"
        with torch.no_grad():
            torch.onnx.export(
                _Logits(model),
                (dummy, dummy, torch.zeros_like(dummy)),
                str(fp32),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["logits"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in ("input_ids", "attention_mask", "token_type_ids")}
                | {"logits": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        quantize_dynamic(str(fp32), str(target / MODEL_FILE), weight_type=QuantType.QInt8)
    shutil.copyfile(tokenizer / "tokenizer.json", target / "tokenizer.json")
    (target / MANIFEST).write_text(json.dumps({"max_length": max_length, **provenance}, indent=2) + "\n")
    logger.info("exported reader", extra={"path": str(target / MODEL_FILE)})
    return target / MODEL_FILE
