"""A trained reader as int8 ONNX: onnxruntime + tokenizers only (no torch). Used by `engine reader measure`; the
engine does not serve it, because no recipe measured better than the bi-encoder's cosine (docs/reader.md).

    reader = OnnxReader(Path(".cache/reader/model"), threads=2)
    reader.score("how do I reset my password?", ["Account: To reset your password, open Settings …"])
    # → array([0.97], dtype=float32): the probability that the passage answers the question
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from engine.errors import ConfigError
from engine.reader.export import MANIFEST, MODEL_FILE

logger = logging.getLogger(__name__)


class OnnxReader:
    """Scores (question, passage) pairs: the probability that the passage answers the question."""

    def __init__(self, model_dir: Path, threads: int = 1, device: str = "cpu") -> None:
        if not (model_dir / MODEL_FILE).is_file() or not (model_dir / "tokenizer.json").is_file():
            raise ConfigError(
                f"No reader model in {model_dir} ({MODEL_FILE} + tokenizer.json): run `engine reader train` "
                "(docs/reader.md)"
            )
        import onnxruntime
        from tokenizers import Tokenizer

        manifest = json.loads((model_dir / MANIFEST).read_text()) if (model_dir / MANIFEST).is_file() else {}
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if device.startswith("cuda") else None
        self._session = onnxruntime.InferenceSession(
            str(model_dir / MODEL_FILE), options, providers=providers or ["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=int(manifest.get("max_length", 192)), strategy="longest_first")
        self.version = str(manifest.get("version", "unversioned"))
        logger.info("reader loaded", extra={"model_path": str(model_dir), "version": self.version})

    def score(self, question: str, passages: Sequence[str]) -> npt.NDArray[np.float32]:
        """One probability per passage, in order."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        encodings = self._tokenizer.encode_batch([(question, p) for p in passages])
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(passages), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = encoding.ids, 1, encoding.type_ids
        logits = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        probabilities: npt.NDArray[np.float32] = (1.0 / (1.0 + np.exp(-logits.reshape(-1)))).astype(np.float32)
        return probabilities
