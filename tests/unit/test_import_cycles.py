"""No import cycles in the app's packages: every import statement of shared/ and devhost/ (also those inside
functions, which only hide a cycle until the function runs) must form a graph with an order (graphlib)."""

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
