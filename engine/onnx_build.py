"""The packaged MiniLM (a BERT encoder) written as an ONNX graph straight from its safetensors weights, with the
`onnx` package alone: serving and ingest need neither torch nor transformers, not even once to export.

The graph is BERT's forward pass as transformers computes it (absolute positions, post-layer-norm, exact GELU,
additive attention mask), inputs `input_ids`, `attention_mask`, `token_type_ids` (batch × tokens, int64), output
`last_hidden_state` (batch × tokens × hidden); pooling is done by the caller. `tests/test_onnx_build.py` checks it
against the reference transformers model where torch is installed.

    >>> build_onnx(packaged_model_path(), cache / "minilm-<digest>.onnx")
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def weights_digest(model_dir: Path) -> str:
    """The first 16 hex digits of the weights' SHA-256: a different model never reuses a cached graph."""
    digest = hashlib.sha256()
    with (model_dir / "model.safetensors").open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def read_safetensors(path: Path) -> dict[str, npt.NDArray[Any]]:
    """Every tensor of a .safetensors file (an 8-byte header length, a JSON header, then raw little-endian data)."""
    with path.open("rb") as handle:
        size = struct.unpack("<Q", handle.read(8))[0]
        header = json.loads(handle.read(size))
        data = handle.read()
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        dtype = np.dtype(_DTYPES[spec["dtype"]]).newbyteorder("<")
        stored = np.frombuffer(data[start:end], dtype=dtype).reshape(spec["shape"])
        tensors[name] = stored.astype(dtype.newbyteorder("="))
    return tensors


class _Graph:
    """Collects nodes and initializers with unique names."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, value: npt.NDArray[Any], hint: str = "c") -> str:
        name = self.name(hint)
        self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, inputs: list[str], hint: str | None = None, **attributes: Any) -> str:
        out = self.name(hint or kind.lower())
        self.nodes.append(self.helper.make_node(kind, inputs, [out], **attributes))
        return out

    def linear(self, x: str, weight: npt.NDArray[Any], bias: npt.NDArray[Any]) -> str:
        """x @ weightᵀ + bias (torch Linear's layout)."""
        return self.op("Add", [self.op("MatMul", [x, self.const(weight.T)]), self.const(bias)])

    def layer_norm(self, x: str, weight: npt.NDArray[Any], bias: npt.NDArray[Any], eps: float) -> str:
        return self.op("LayerNormalization", [x, self.const(weight), self.const(bias)], axis=-1, epsilon=eps)


def build_onnx(model_dir: Path, target: Path) -> Path:
    """Write `target` (atomically): the encoder of `model_dir` (config.json + model.safetensors) as ONNX."""
    from onnx import TensorProto, helper, save

    config = json.loads((model_dir / "config.json").read_text())
    weights = read_safetensors(model_dir / "model.safetensors")
    prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""

    def w(name: str) -> npt.NDArray[Any]:
        return weights[prefix + name]

    g = _Graph()
    eps = float(config.get("layer_norm_eps", 1e-12))
    heads, hidden = int(config["num_attention_heads"]), int(config["hidden_size"])
    head_size = hidden // heads

    ids, mask, types = "input_ids", "attention_mask", "token_type_ids"
    ones = g.op("ConstantOfShape", [g.op("Shape", [ids])], value=helper.make_tensor("one", TensorProto.INT64, [1], [1]))
    positions = g.op("Sub", [g.op("CumSum", [ones, g.const(np.array(1, dtype=np.int64))]),
                             g.const(np.array(1, dtype=np.int64))])  # 0, 1, 2, … along each row
    x = g.op("Add", [g.op("Gather", [g.const(w("embeddings.word_embeddings.weight")), ids]),
                     g.op("Gather", [g.const(w("embeddings.position_embeddings.weight")), positions])])
    x = g.op("Add", [x, g.op("Gather", [g.const(w("embeddings.token_type_embeddings.weight")), types])])
    x = g.layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"), eps)

    # (1 - mask) × the float32 minimum, broadcast over heads and query positions: batch × 1 × 1 × tokens.
    unsqueezed = g.op("Unsqueeze", [mask, g.const(np.array([1, 2], dtype=np.int64))])
    keep = g.op("Cast", [unsqueezed], to=TensorProto.FLOAT)
    additive = g.op("Mul", [g.op("Sub", [g.const(np.array(1.0, dtype=np.float32)), keep]),
                            g.const(np.array(np.finfo(np.float32).min, dtype=np.float32))])
    split = g.const(np.array([0, 0, heads, head_size], dtype=np.int64))
    merge = g.const(np.array([0, 0, hidden], dtype=np.int64))
    scale = g.const(np.array(1.0 / np.sqrt(head_size), dtype=np.float32))

    for layer in range(int(config["num_hidden_layers"])):
        at = f"encoder.layer.{layer}."

        def heads_of(kind: str, source: str = x, at: str = at) -> str:
            projected = g.linear(source, w(f"{at}attention.self.{kind}.weight"), w(f"{at}attention.self.{kind}.bias"))
            return g.op("Transpose", [g.op("Reshape", [projected, split])], perm=[0, 2, 1, 3])

        query, key, value = heads_of("query"), heads_of("key"), heads_of("value")
        scores = g.op("Mul", [g.op("MatMul", [query, g.op("Transpose", [key], perm=[0, 1, 3, 2])]), scale])
        probs = g.op("Softmax", [g.op("Add", [scores, additive])], axis=-1)
        context = g.op("Reshape", [g.op("Transpose", [g.op("MatMul", [probs, value])], perm=[0, 2, 1, 3]), merge])
        attended = g.linear(context, w(f"{at}attention.output.dense.weight"), w(f"{at}attention.output.dense.bias"))
        x = g.layer_norm(g.op("Add", [attended, x]), w(f"{at}attention.output.LayerNorm.weight"),
                         w(f"{at}attention.output.LayerNorm.bias"), eps)
        inner = g.linear(x, w(f"{at}intermediate.dense.weight"), w(f"{at}intermediate.dense.bias"))
        # exact GELU: 0.5 · x · (1 + erf(x / √2))
        erf = g.op("Erf", [g.op("Div", [inner, g.const(np.array(np.sqrt(2.0), dtype=np.float32))])])
        gelu = g.op("Mul", [g.op("Mul", [inner, g.op("Add", [erf, g.const(np.array(1.0, dtype=np.float32))])]),
                            g.const(np.array(0.5, dtype=np.float32))])
        out = g.linear(gelu, w(f"{at}output.dense.weight"), w(f"{at}output.dense.bias"))
        x = g.layer_norm(g.op("Add", [out, x]), w(f"{at}output.LayerNorm.weight"), w(f"{at}output.LayerNorm.bias"), eps)

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    shape = ["batch", "tokens"]
    graph = helper.make_graph(
        g.nodes,
        "minilm",
        [helper.make_tensor_value_info(name, TensorProto.INT64, shape) for name in (ids, mask, types)],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*shape, hidden])],
        g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="engine.onnx_build")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(fd)
    save(model, tmp_name)
    os.replace(tmp_name, target)
    return target
