"""The field paths of shared/knowledge/api_versions.yaml: a small language that picks, per resource type, the
properties that matter out of a resource's JSON (`get_resource` in azure_resources reads a resource with it).

Pure functions over plain dicts, no Azure call: kept apart so the language can be read and tested on its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_MISSING = object()
# `items[?properties/status==Failed]`: a list's items whose field (a '/' path) has that value
_FILTER = re.compile(r"(?P<name>\w+)\[\?(?P<field>[\w/]+)==(?P<value>[^\]]+)\]")
_SPEC = re.compile(r"^(?:(?P<func>count|split|nonzero)\((?P<inner>[^)]*)\)|(?P<path>[^{]*?))"
                   r"\.?(?:\{(?P<pick>[^}]*)\})?$")


def extract_fields(document: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """The output fields of a resource per its field specs; an output name with dots nests."""
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        value = _evaluate(document, spec)
        if value is _MISSING:
            continue
        target = out
        *parents, leaf = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return out


def _evaluate(document: Any, spec: str) -> Any:
    match = _SPEC.match(spec.strip())
    if not match:
        raise ValueError(f"bad field spec {spec!r}")
    if match.group("func"):
        value = _walk(document, match.group("inner").split("."))
        if match.group("func") == "count":
            return len(value) if isinstance(value, list) else 0
        if match.group("func") == "nonzero":  # a limit where 0 means "none set" is left out rather than shown as 0
            return _MISSING if value in (0, "0", None) else value
        return [p.strip() for p in value.split(",") if p.strip()] if isinstance(value, str) else value
    path = [p for p in (match.group("path") or "").split(".") if p]
    pick = match.group("pick")
    if pick is None:
        return _walk(document, path)
    keys = [k.strip() for k in pick.split(",") if k.strip()]
    return _walk(document, path, lambda node: _pick(node, keys))


def _walk(node: Any, path: list[str], finish: Callable[[Any], Any] | None = None) -> Any:
    if not path:
        return finish(node) if finish and node is not _MISSING and node is not None else node
    head, rest = path[0], path[1:]
    filtered = _FILTER.fullmatch(head)
    if head.endswith("[]") or filtered:
        items = _get(node, filtered.group("name") if filtered else head[:-2])
        if not isinstance(items, list):
            return _MISSING if items is _MISSING else []
        if filtered:  # only the items whose field has that value (a workflow's failed runs)
            field, wanted = filtered.group("field").split("/"), filtered.group("value").lower()
            items = [i for i in items if str(_walk(i, field)).lower() == wanted]
        values = [_walk(item, rest, finish) for item in items]
        return [v for v in values if v is not _MISSING]
    child = _get(node, head)
    return child if child is _MISSING else _walk(child, rest, finish)


def _get(node: Any, key: str) -> Any:
    if not isinstance(node, dict):
        return _MISSING
    if key in node:
        return node[key]
    lowered = key.lower()  # Azure is not consistent about case (App Insights uses PascalCase)
    return next((v for k, v in node.items() if k.lower() == lowered), _MISSING)


def _pick(node: Any, keys: list[str]) -> Any:
    picked = {}
    for key in keys:
        value = _walk(node, key.split("."))
        if value is not _MISSING:
            picked[key.removeprefix("properties.")] = value
    return picked
