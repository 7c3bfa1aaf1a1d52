"""The torch-free ONNX graph of the packaged MiniLM gives the vectors sentence-transformers gives (torch is a dev
dependency only for this check and the reader experiments)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.config import EmbeddingSettings
from engine.embedding import OnnxEmbedder, SentenceTransformerEmbedder, packaged_model_path
from engine.onnx_build import read_safetensors

pytestmark = pytest.mark.integration

TEXTS = [
    "how do i download my invoices as pdf?",
    "Wie setze ich mein Passwort zurück?",
    "ok",
    "Open Settings → Billing → Invoices and click Download PDF on the row of the invoice you need. " * 8,
]


def test_the_built_graph_embeds_like_the_reference_model(tmp_path: Path) -> None:
    settings = EmbeddingSettings()
    built = OnnxEmbedder(settings, tmp_path / "cache")

    ours = built.embed_passages(TEXTS)
    reference = SentenceTransformerEmbedder(settings).embed_passages(TEXTS)

    assert [p.name for p in (tmp_path / "cache").iterdir()] == [
        next((tmp_path / "cache").glob("minilm-*-built.onnx")).name
    ]
    assert np.abs(ours - reference).max() < 1e-5
    assert np.allclose((ours * reference).sum(axis=1), 1.0, atol=1e-6)
    assert np.allclose(built.embed_query(TEXTS[0]), ours[0], atol=1e-6)  # one question alone, no padding


def test_safetensors_are_read_as_written() -> None:
    weights = read_safetensors(packaged_model_path() / "model.safetensors")

    assert weights["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert weights["embeddings.word_embeddings.weight"].dtype == np.float32
    assert weights["embeddings.position_ids"].dtype == np.int64
    assert np.array_equal(weights["embeddings.position_ids"][0, :5], np.arange(5))
