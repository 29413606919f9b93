"""No import cycles in the app's packages: every import statement of shared/ and devhost/ (also those inside
functions, which only hide a cycle until the function runs) must form a graph with an order (graphlib).

And the layers hold: each package of shared/ imports only what its __init__ docstring says it may
(docs/architecture.md draws the same layers), so the written layering cannot drift from the code."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "devhost")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module of ours that `name` (a module, or a name inside one) comes from."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        imported: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {_resolve(alias.name, known) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported |= {_resolve(f"{node.module}.{alias.name}", known) for alias in node.names}
        graph[name] = {module for module in imported if module and module != name}
    return graph


def test_the_app_s_modules_import_each_other_without_a_cycle():
    graph = import_graph()
    assert len(graph) > 100 and graph["shared.orchestration.activities"]  # the walk found the code
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None


def test_the_check_finds_a_cycle_hidden_in_a_function():
    graph = import_graph()
    graph["shared.engines.base"] = {*graph["shared.engines.base"], "shared.engines.rules"}  # the old factory
    try:
        TopologicalSorter(graph).prepare()
    except CycleError:
        return
    raise AssertionError("a cycle through base.py was not found")


# The layers, bottom up, as each package's docstring states them. An entry is a package or a single module.
CORE = {"shared.models", "shared.errors", "shared.settings"}
FOUNDATION = CORE | {"shared.telemetry", "shared.security", "shared.resilience", "shared.session"}
DOMAIN = {"shared.azure", "shared.cases", "shared.catalog", "shared.engines", "shared.llm", "shared.tools"}
MAY_IMPORT: dict[str, set[str]] = {
    "shared.models": set(),
    "shared.settings": set(),
    "shared.errors": {"shared.models"},
    "shared.telemetry": set(),
    "shared.security": {"shared.settings"},
    "shared.resilience": {"shared.settings", "shared.telemetry"},
    "shared.session": {"shared.models", "shared.settings", "shared.security"},
    **{package: FOUNDATION | DOMAIN for package in DOMAIN},
    "shared.orchestration": FOUNDATION | DOMAIN,
    # The HTTP layer starts and signals sessions: of the orchestration it knows only the event names.
    "shared.http": FOUNDATION | DOMAIN | {"shared.orchestration.orchestrator"},
    "shared.openapi": FOUNDATION | DOMAIN | {"shared.http"},
    "shared.blueprints": FOUNDATION | DOMAIN | {"shared.orchestration", "shared.http", "shared.openapi"},
    "devhost": set(),  # a host for any Functions app: it knows no app code
}


def layer_of(module: str) -> str:
    """The package (or top-level module of shared/) that `module` belongs to."""
    parts = module.split(".")
    return parts[0] if parts[0] == "devhost" else ".".join(parts[:2])


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, imported in sorted(graph.items()):
        layer = layer_of(module)
        allowed = MAY_IMPORT.get(layer, set())
        for target in sorted(imported):
            if layer_of(target) == layer or target == "shared":
                continue
            if not any(target == entry or target.startswith(entry + ".") for entry in allowed):
                found.append(f"{module} imports {target}")
    return found


def test_every_package_of_shared_has_a_layer():
    layers = {layer_of(module) for module in import_graph() if module != "shared"}
    assert layers - MAY_IMPORT.keys() == set(), "add the new package to MAY_IMPORT (and say so in its docstring)"


def test_each_package_imports_only_the_layers_its_docstring_allows():
    assert layering_violations(import_graph()) == []


def test_the_check_finds_an_import_against_the_layers():
    graph = import_graph()
    graph["shared.security.redaction"] = {*graph["shared.security.redaction"], "shared.http.api"}
    graph["shared.http.api"] = {*graph["shared.http.api"], "shared.orchestration.activities"}
    assert layering_violations(graph) == ["shared.http.api imports shared.orchestration.activities",
                                          "shared.security.redaction imports shared.http.api"]
