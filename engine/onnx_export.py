"""Export of a transformers model to ONNX with torch: used by the reader experiments (engine/reader) and as the
reference the torch-free graph of engine/onnx_build.py is checked against. Serving never calls it."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def export_onnx(model_dir: Path, target: Path) -> Path:
    """Write `target` (atomically) with the transformer's token embeddings as output; pooling is done outside."""
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True)
    export_module(model, "last_hidden_state", {0: "batch", 1: "tokens"}, target)
    return target


def export_module(model: Any, output: str, output_axes: dict[int, str], target: Path) -> None:
    """Export a BERT-style transformers model (input_ids, attention_mask, token_type_ids → `output`) to ONNX,
    atomically; shared by the embedder (token vectors) and the reader experiments (logits)."""
    import torch

    model.eval()

    class _Output(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return getattr(out, output)  # type: ignore[no-any-return]

    dummy = torch.ones((2, 8), dtype=torch.long)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(fd)
    with torch.no_grad():
        torch.onnx.export(
            _Output(model),
            (dummy, dummy, torch.zeros_like(dummy)),
            tmp_name,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=[output],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "token_type_ids")}
            | {output: output_axes},
            opset_version=17,
            dynamo=False,
        )
    os.replace(tmp_name, target)
    logger.info("exported ONNX model", extra={"path": str(target)})
