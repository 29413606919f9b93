"""The tool catalog: every tool the engines may run, each a typed, documented function.

A tool takes a pydantic argument model and the session's material and returns `Evidence`. Failures
are values at this boundary (status `error`, `no_data`), exceptions below it. The catalog is the one
list both the rules playbooks and, later, a model's tool schema are built from."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from shared.session.state import MAX_EVIDENCE_DATA_CHARS, MAX_EVIDENCE_SUMMARY_CHARS, Evidence, Material

ToolFunction = Callable[[Any, Material], Evidence]
CliFunction = Callable[[Any], str]  # parsed arguments -> the Azure CLI command that gets the same answer


@dataclass(frozen=True)
class Tool:
    name: str
    arguments: type[BaseModel]
    function: ToolFunction
    needs_azure: bool = False
    cli: CliFunction | None = None  # what the engine asks the client to run when the service has no Azure access

    @property
    def description(self) -> str:
        return (self.function.__doc__ or "").strip()

    def schema(self) -> dict[str, Any]:
        """The tool as a function schema (name, description, JSON schema of the arguments)."""
        return {"name": self.name, "description": self.description,
                "parameters": self.arguments.model_json_schema()}


_CATALOG: dict[str, Tool] = {}


def tool(arguments: type[BaseModel], needs_azure: bool = False,
         cli: CliFunction | None = None) -> Callable[[ToolFunction], ToolFunction]:
    """Register a function as a tool under its own name (`cli`: its Azure CLI equivalent, for Azure tools)."""
    def register(function: ToolFunction) -> ToolFunction:
        _CATALOG[function.__name__] = Tool(function.__name__, arguments, function, needs_azure, cli)
        return function
    return register


# Tools register as their modules are imported, and the model is offered them in that order (shared/llm/schema.py):
# the Azure tools first, from subscriptions and resources down to access, then every other module alphabetically.
_FIRST_MODULES = ("azure_resources", "azure_activity", "azure_monitor", "azure_rbac")


@lru_cache(maxsize=1)
def _import_tool_modules() -> None:
    import shared.tools

    found = [module_info.name for module_info in pkgutil.iter_modules(shared.tools.__path__)]
    for name in [*(n for n in _FIRST_MODULES if n in found), *(n for n in found if n not in _FIRST_MODULES)]:
        importlib.import_module(f"shared.tools.{name}")


def catalog() -> dict[str, Tool]:
    """Every tool: each module of shared/tools registers its tools with @tool when imported."""
    _import_tool_modules()
    return dict(_CATALOG)


def normalized_arguments(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A call's arguments as the tool's model reads them (defaults filled in, JSON values): how a call made
    earlier in the session is recognised, whoever asks for it again. Raises ValidationError when invalid."""
    return catalog()[name].arguments.model_validate(arguments).model_dump(mode="json")


def run_tool(name: str, arguments: dict[str, Any], material: Material) -> Evidence:
    """Run one tool; whatever happens, the answer is Evidence, capped in size."""
    found = catalog().get(name)
    if found is None:
        return Evidence(tool=name, arguments=arguments, status="error", summary=f"no tool named {name!r}")
    try:
        parsed = found.arguments.model_validate(arguments)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return Evidence(tool=name, arguments=arguments, status="error", summary=f"bad arguments: {problems}")
    try:
        evidence = found.function(parsed, material)
    except Exception as exc:  # a tool bug becomes evidence, so the session can still conclude or fail cleanly
        # The stack without the message: exception texts can quote session material.
        logging.error("tool %s failed with %s:\n%s", name, type(exc).__name__,
                      "".join(traceback.format_tb(exc.__traceback__)))
        return Evidence(tool=name, arguments=arguments, status="error", summary=f"tool failed: {type(exc).__name__}")
    return cap_evidence(evidence)


def cap_evidence(evidence: Evidence) -> Evidence:
    """The evidence within the session's size limits: long lists keep their first items and their length
    (`<key>_count`), long texts their head; only what still does not fit is reduced to its keys."""
    summary = evidence.summary[:MAX_EVIDENCE_SUMMARY_CHARS]
    data = evidence.data
    if len(repr(data)) > MAX_EVIDENCE_DATA_CHARS:
        fitting = [d for d in (_shrunk(data, items) for items in (20, 5, 1)) if len(repr(d)) <= MAX_EVIDENCE_DATA_CHARS]
        data = fitting[0] if fitting else {
            "truncated": True, "keys": sorted(data)[:50],
            **{k: data[k] for k in ("id", "name", "type", "kind", "location") if isinstance(data.get(k), str)}}
    return evidence.model_copy(update={"summary": summary, "data": data})


def _shrunk(value: Any, items: int) -> Any:
    """`value` with every list cut to its first `items` (its length kept beside it) and every text to 500 chars."""
    if isinstance(value, dict):
        shrunk: dict[str, Any] = {}
        for key, inner in value.items():
            shrunk[key] = _shrunk(inner, items)
            if isinstance(inner, list) and len(inner) > items:
                shrunk[f"{key}_count"] = len(inner)
        return shrunk
    if isinstance(value, list):
        return [_shrunk(inner, items) for inner in value[:items]]
    return value[:500] if isinstance(value, str) else value
