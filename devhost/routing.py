"""Functions route templates (ASP.NET style): `items/{id:int}`, `files/{name?}`, `{*rest}`, literals first.

Matching runs on the raw (still percent-encoded) path so an encoded `/` stays inside one parameter;
parameter values are decoded after the match."""

from __future__ import annotations

import logging
import math
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import unquote

log = logging.getLogger("devhost")

T = TypeVar("T")
_PARAM = re.compile(r"\{(?P<star>\*{1,2})?(?P<name>[A-Za-z_][\w]*)(?P<rest>[^{}]*)\}")
_CONSTRAINT = re.compile(r":(\w+)(?:\(((?:[^()]|\([^()]*\))*)\))?")
_TYPED = {
    "int": r"-?\d+", "long": r"-?\d+", "bool": r"(?:true|false)", "alpha": r"[A-Za-z]+",
    "guid": r"[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}|\{[0-9A-Fa-f-]{36}\}",
    "float": r"-?\d+(?:\.\d+)?", "double": r"-?\d+(?:\.\d+)?", "decimal": r"-?\d+(?:\.\d+)?",
}


@dataclass(frozen=True)
class _Param:
    name: str
    checks: tuple[Callable[[str], bool], ...]


def _check(kind: str, arg: str | None) -> Callable[[str], bool]:
    args = [a.strip() for a in (arg or "").split(",") if a.strip()]
    if kind in ("min", "max", "range"):
        low = float(args[0]) if kind in ("min", "range") else -math.inf
        high = float(args[-1]) if kind in ("max", "range") else math.inf
        return lambda v: (n := _number(v)) is not None and low <= n <= high
    if kind in ("minlength", "maxlength", "length"):
        shortest = int(args[0]) if kind != "maxlength" else 0
        longest = int(args[-1]) if kind != "minlength" else math.inf
        return lambda v: shortest <= len(v) <= longest
    if kind == "regex":
        return lambda v: re.fullmatch(arg or "", v, re.IGNORECASE) is not None
    if kind == "guid":
        return _is_guid
    if kind in _TYPED:
        return lambda v: re.fullmatch(_TYPED[kind], v, re.IGNORECASE) is not None
    log.warning("route constraint '%s' is not known to devhost; it matches anything", kind)
    return lambda v: True


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except ValueError:
        return False


@dataclass(frozen=True)
class RouteTemplate:
    template: str
    regex: re.Pattern[str]
    params: tuple[_Param, ...]
    rank: tuple[int, ...]  # lower is more specific: literals beat constrained beat plain beat optional

    def match(self, raw_path: str) -> dict[str, str] | None:
        found = self.regex.fullmatch(raw_path)
        if found is None:
            return None
        groups = found.groupdict()
        values = {name: unquote(value) for name, value in groups.items() if value is not None}
        for param in self.params:
            value = values.get(param.name)
            if value is not None and not all(check(value) for check in param.checks):
                return None
        return values


def compile_route(prefix: str, template: str) -> RouteTemplate:
    """Compile `template` mounted under `/{prefix}` (no prefix segment when it is empty)."""
    pattern = "".join(f"/{re.escape(s)}" for s in prefix.split("/") if s)
    params: list[_Param] = []
    rank: list[int] = []
    for segment in [s for s in template.strip("/").split("/") if s]:
        piece, segment_rank = _compile_segment(segment, params)
        pattern += piece
        rank.append(segment_rank)
    regex = re.compile(pattern + "/?" if pattern else "/?", re.IGNORECASE)
    return RouteTemplate(template, regex, tuple(params), tuple(rank))


def _compile_segment(segment: str, params: list[_Param]) -> tuple[str, int]:
    whole = _PARAM.fullmatch(segment)
    if whole:  # the segment is one parameter: it may be optional or a catch-all
        name, rest, star = whole.group("name"), whole.group("rest"), whole.group("star")
        optional = rest.endswith("?") or "=" in rest
        checks = tuple(_check(c.group(1), c.group(2)) for c in _CONSTRAINT.finditer(rest.split("=")[0]))
        params.append(_Param(name, checks))
        if star:
            return f"(?:/(?P<{name}>.*))?", 5
        body = f"/(?P<{name}>[^/]+)"
        return (f"(?:{body})?", 4) if optional else (body, 2 if checks else 3)
    pieces, last = [], 0
    for found in _PARAM.finditer(segment):  # a literal, or literal text mixed with parameters
        pieces.append(re.escape(segment[last:found.start()]))
        rest = found.group("rest")
        checks = tuple(_check(c.group(1), c.group(2)) for c in _CONSTRAINT.finditer(rest.split("=")[0]))
        params.append(_Param(found.group("name"), checks))
        pieces.append(f"(?P<{found.group('name')}>[^/]+?)")
        last = found.end()
    pieces.append(re.escape(segment[last:]))
    return "/" + "".join(pieces), 0 if last == 0 else 1


class Router(Generic[T]):
    """Picks the most specific route for a path; tells apart "no route" (404) from "wrong method" (405)."""

    def __init__(self, prefix: str, routes: Iterable[tuple[str, frozenset[str] | None, T]]) -> None:
        self._routes = [(compile_route(prefix, t), methods, item) for t, methods, item in routes]

    def resolve(self, raw_path: str, method: str) -> tuple[T, dict[str, str]] | set[str] | None:
        """(target, route params); or the allowed methods when only the method is wrong; or None."""
        matches = [(route, methods, item, params) for route, methods, item in self._routes
                   if (params := route.match(raw_path)) is not None]
        if not matches:
            return None
        allowed = [m for m in matches if m[1] is None or method.upper() in m[1]]
        if not allowed:
            return set().union(*(m[1] or set() for m in matches))
        best = min(allowed, key=lambda m: (m[0].rank, -len(m[0].rank)))
        return best[2], best[3]
