"""The eval harness uses the engine's public API only: no reaching into another object's `_private` attributes
(it once copied AnswerService and overwrote its index, eligibility and retriever to scope a question)."""

from __future__ import annotations

import ast
from pathlib import Path

EVALUATE = Path(__file__).resolve().parents[2] / "engine" / "evaluate"


def _private_accesses(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and _reflective(node):
            found.append(f"line {node.lineno}: {node.func.id}()")
    return found


def _reflective(call: ast.Call) -> bool:
    """setattr on anything, or getattr/hasattr of a literal private name."""
    assert isinstance(call.func, ast.Name)
    if call.func.id == "setattr":
        return True
    name = call.args[1] if call.func.id in ("getattr", "hasattr") and len(call.args) > 1 else None
    return isinstance(name, ast.Constant) and str(name.value).startswith("_")


def test_the_check_sees_a_private_access() -> None:
    assert _private_accesses("scoped._index = other\n") == ["line 1: ._index"]
    assert _private_accesses("setattr(scoped, name, other)\n") == ["line 1: setattr()"]
    assert _private_accesses("hasattr(scoped, '_index')\n") == ["line 1: hasattr()"]
    assert _private_accesses("self._index = other\n") == []


def test_the_eval_harness_touches_no_private_attribute() -> None:
    bad = {
        path.name: hits for path in sorted(EVALUATE.glob("*.py")) if (hits := _private_accesses(path.read_text()))
    }
    assert bad == {}
