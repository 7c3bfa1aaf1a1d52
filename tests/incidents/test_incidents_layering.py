"""The incidents package sits beside freshness: it imports only the foundation (errors, types, config, the URL
rule, the background loop) and itself, never the answer, retrieval, ticket or API layers; the route reads it only
through the API's dependencies."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
ALLOWED = ("engine.incidents", "engine.errors", "engine.types", "engine.config", "engine.urls", "engine.background")


def _engine_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" if node.module == "engine" else node.module
                         for alias in node.names)
    return {name for name in names if name.startswith("engine")}


def test_incidents_import_only_the_foundation() -> None:
    bad = [f"{path.name} imports {name}" for path in (ENGINE / "incidents").glob("*.py")
           for name in _engine_imports(path) if not name.startswith(ALLOWED)]

    assert bad == []


def test_the_incidents_route_does_not_import_the_incidents_package() -> None:
    route = _engine_imports(ENGINE / "api" / "routes" / "incidents.py")

    assert route and not any(name.startswith("engine.incidents") for name in route)
