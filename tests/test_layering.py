"""Imports flow one way (shared/STYLE.md): nothing imports api; ingest never imports retrieve/answer;
freshness is pure policy; only wiring.py (and the front ends) choose concrete adapters; routes only translate HTTP
to the conversation's use cases and the engine."""

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


ROUTE_IMPORTS = (
    "engine.__version__",
    "engine.conversation",
    "engine.desk",
    "engine.wiring",
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
    "engine.types",
    "engine.errors",
    "engine.wiring",
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
