"""Imports flow one way (shared/STYLE.md): nothing imports api; ingest never imports retrieve/answer;
freshness is pure policy; only the front ends (api, cli, evaluate, bench) import the composition root, wiring.py;
routes only translate HTTP to the use cases; no import cycle, between modules or between packages."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "engine":  # `from engine import conversation`
            names.update(f"engine.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return {n for n in names if n.startswith("engine")}


def _package(path: Path) -> str:
    return ".".join(path.relative_to(ENGINE.parent).with_suffix("").parts)


def _modules() -> dict[str, set[str]]:
    return {_package(p): _imports(p) for p in ENGINE.rglob("*.py")}


def _violations(owner_prefix: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{module} imports {name}"
        for module, names in _modules().items()
        if module.startswith(owner_prefix)
        for name in names
        if name.startswith(forbidden)
    ]


def test_nothing_outside_the_api_and_cli_imports_the_api() -> None:
    bad = [
        f"{m} imports {n}"
        for m, names in _modules().items()
        if not m.startswith(("engine.api", "engine.cli"))
        for n in names
        if n.startswith("engine.api")
    ]
    assert bad == []


def test_ingest_never_imports_retrieve_answer_or_api() -> None:
    assert (
        _violations("engine.ingest", ("engine.retrieve", "engine.answer", "engine.api", "engine.wiring"))
        == []
    )


def test_freshness_is_pure_policy() -> None:
    allowed = ("engine.types", "engine.config", "engine.freshness", "engine.errors")
    bad = [
        f"{m} imports {n}"
        for m, names in _modules().items()
        if m.startswith("engine.freshness")
        for n in names
        if not n.startswith(allowed)
    ]
    assert bad == []


def test_retrieve_and_store_do_not_reach_up_the_pipeline() -> None:
    assert (
        _violations("engine.retrieve", ("engine.answer", "engine.api", "engine.wiring", "engine.ingest"))
        == []
    )
    assert (
        _violations(
            "engine.store",
            ("engine.answer", "engine.api", "engine.wiring", "engine.retrieve", "engine.ingest"),
        )
        == []
    )


def test_the_answer_layer_does_not_build_its_own_adapters() -> None:
    assert (
        _violations("engine.answer", ("engine.api", "engine.wiring", "engine.embedding", "engine.ingest"))
        == []
    )


def test_only_the_front_ends_import_the_composition_root() -> None:
    front_ends = ("engine.api", "engine.cli", "engine.evaluate")
    bad = [
        f"{m} imports {n}"
        for m, names in _modules().items()
        if not m.startswith(front_ends)
        for n in names
        if n == "engine.wiring"
    ]
    assert bad == []


def test_the_dialogue_sits_below_the_use_cases_that_run_it() -> None:
    assert _violations("engine.dialogue", ("engine.conversation", "engine.desk", "engine.wiring", "engine.api")) == []


ROUTE_IMPORTS = (
    "engine.__version__",
    "engine.conversation",
    "engine.desk",
    "engine.types",
    "engine.errors",
    "engine.api.schemas",
    "engine.api.staff_schemas",
    "engine.api.incident_schemas",
    "engine.api.deps",
    "engine.api.auth",
    "engine.api.security",
    "engine.api.errors",
)
CONVERSATION_IMPORTS = (
    "engine.answer",
    "engine.dialogue",
    "engine.incidents",
    "engine.events",
    "engine.tickets",
    "engine.store.holder",
    "engine.config",
    "engine.types",
    "engine.errors",
)


def _outside(modules: dict[str, set[str]], owner_prefix: str, allowed: tuple[str, ...]) -> list[str]:
    """Imports of the modules under `owner_prefix` that are neither an allowed module nor inside one."""
    return [
        f"{module} imports {name}"
        for module, names in modules.items()
        if module.startswith(owner_prefix)
        for name in names
        if not any(name == a or name.startswith(a + ".") for a in allowed)
    ]


def test_routes_import_only_the_use_cases_the_engine_types_errors_and_the_api_edge() -> None:
    modules = _modules()
    assert len([m for m in modules if m.startswith("engine.api.routes.")]) >= 9
    assert _outside(modules, "engine.api.routes", ROUTE_IMPORTS) == []


def test_the_conversation_sits_below_the_api_and_above_the_stages_it_runs() -> None:
    assert "engine.conversation" in _modules()
    assert _outside(_modules(), "engine.conversation", CONVERSATION_IMPORTS) == []


def test_the_import_rules_catch_a_route_that_reaches_past_the_use_cases() -> None:
    modules = {
        "engine.api.routes.ask": {"engine.conversation", "engine.api.schemas"},
        "engine.api.routes.bad": {"engine.answer.render", "engine.api.app", "engine.typesetting"},
    }

    assert sorted(_outside(modules, "engine.api.routes", ROUTE_IMPORTS)) == [
        f"engine.api.routes.bad imports {name}" for name in sorted(modules["engine.api.routes.bad"])
    ]


def _module_graph() -> dict[str, set[str]]:
    """Each engine module (a package by its own name) and the engine modules it imports anywhere in its body, lazy
    imports included: `from engine.x import y` imports engine.x.y when that is a module, else engine.x."""
    paths = {_package(p).removesuffix(".__init__"): p for p in ENGINE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.update(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in paths else node.module
                             for a in node.names)
        graph[module] = {name for name in found if name in paths and name != module}
    return graph


def _layers(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph with each package under engine/ as one node (engine.dialogue.steps → engine.dialogue): a layer."""

    def layer(module: str) -> str:
        return ".".join(module.split(".")[:2])

    layers: dict[str, set[str]] = {}
    for module, names in graph.items():
        layers.setdefault(layer(module), set()).update(layer(n) for n in names if layer(n) != layer(module))
    return layers


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted: every import cycle."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in order:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], order[target])
        if low[node] == order[node]:
            component = [stack.pop()]
            while component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return found


def test_no_import_cycle_between_modules_or_between_packages() -> None:
    graph = _module_graph()
    assert "engine.wiring" in graph and "engine.dialogue.steps" in graph
    assert _cycles(graph) == []
    assert _cycles(_layers(graph)) == []


def test_the_cycle_check_sees_a_cycle_through_a_package() -> None:
    graph = {
        "engine.wiring": {"engine.dialogue.replies"},
        "engine.dialogue.replies": set(),
        "engine.dialogue.steps": {"engine.wiring"},
        "engine.types": set(),
    }

    assert _cycles(graph) == []
    assert _cycles(_layers(graph)) == [["engine.dialogue", "engine.wiring"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
