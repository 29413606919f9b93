"""Import the app's function_app.py and index its functions from `app.get_functions()` metadata alone.

Nothing here knows an app's function names; see devhost-notes "Finding the functions"."""

from __future__ import annotations

import importlib
import inspect
import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from devhost.cron import CronError, Schedule

log = logging.getLogger("devhost")

T = TypeVar("T")
SUPPORTED_EXTRA_BINDINGS = {"durableClient", "http"}  # besides the trigger; `http` is the `$return` output


class AppLoadError(Exception):
    pass


@dataclass(frozen=True)
class HttpFunction:
    name: str
    func: Callable[..., Any]
    request_param: str
    route: str  # the template, without the route prefix
    methods: frozenset[str] | None  # None: every method
    auth_level: str  # anonymous | function | admin
    client_params: tuple[str, ...] = ()
    wants_context: bool = False


@dataclass(frozen=True)
class ActivityFunction:
    name: str
    func: Callable[..., Any]
    input_param: str
    client_params: tuple[str, ...] = ()
    wants_context: bool = False
    known_as: str = ""  # the extension's name for it (trigger `activity`, else the function name)


@dataclass(frozen=True)
class TimerFunction:
    name: str
    func: Callable[..., Any]
    timer_param: str
    schedule: Schedule
    run_on_startup: bool = False
    client_params: tuple[str, ...] = ()
    wants_context: bool = False


@dataclass(frozen=True)
class McpToolFunction:
    """An `mcpToolTrigger` function: the tool as the binding metadata describes it (devhost/mcp.py serves it)."""

    name: str
    func: Callable[..., Any]
    context_param: str  # receives the invocation context as a JSON string
    tool_name: str
    description: str
    tool_properties: str  # the binding's JSON list of properties, parsed by devhost/mcp.py
    use_result_schema: bool  # the function returns a whole CallToolResult (see devhost/mcp.py)
    client_params: tuple[str, ...] = ()
    wants_context: bool = False


@dataclass(frozen=True)
class HandleFunction:
    """An orchestrator or entity: the SDK's wrapper that takes a context JSON string and returns JSON."""

    name: str
    handle: Callable[[str], str]


class NameIndex(Generic[T]):
    """Functions by every name callers may use; exact first, then case-insensitive like Functions."""

    def __init__(self) -> None:
        self._exact: dict[str, T] = {}
        self._folded: dict[str, T] = {}

    def add(self, names: list[str | None], item: T) -> None:
        for name in filter(None, names):
            assert name is not None
            self._exact.setdefault(name, item)
            self._folded.setdefault(name.casefold(), item)

    def find(self, name: str) -> T | None:
        return self._exact.get(name) or self._folded.get(name.casefold())


@dataclass
class FunctionIndex:
    http: list[HttpFunction] = field(default_factory=list)
    orchestrators: NameIndex[HandleFunction] = field(default_factory=NameIndex)
    orchestrator_names: list[str] = field(default_factory=list)  # as registered, for "known functions" errors
    activities: NameIndex[ActivityFunction] = field(default_factory=NameIndex)
    entities: NameIndex[HandleFunction] = field(default_factory=NameIndex)
    timers: list[TimerFunction] = field(default_factory=list)
    mcp_tools: list[McpToolFunction] = field(default_factory=list)
    listing: list[tuple[str, str, str]] = field(default_factory=list)  # (name, trigger type, route or "")


def import_app(app_dir: Path) -> Any:
    """Import function_app.py from `app_dir` and return its app object (anything with get_functions())."""
    if not (app_dir / "function_app.py").is_file():
        raise AppLoadError(f"no function_app.py in {app_dir}")
    sys.path.insert(0, str(app_dir))
    try:
        module = importlib.import_module("function_app")
    except Exception as exc:  # the app's own error: show it whole, it is about code, not requests
        raise AppLoadError(f"importing function_app.py failed:\n{traceback.format_exc()}") from exc
    candidates = [(name, obj) for name, obj in vars(module).items()
                  if not isinstance(obj, type) and callable(getattr(obj, "get_functions", None))]
    if not candidates:
        raise AppLoadError("function_app.py defines no app object (one with get_functions())")
    candidates.sort(key=lambda pair: pair[0] != "app")  # several: prefer the conventional name
    return candidates[0][1]


def index_functions(app: Any) -> FunctionIndex:
    try:
        functions = app.get_functions()
    except Exception as exc:  # e.g. two functions with one name: the app's indexing refuses it
        raise AppLoadError(f"the app's functions could not be indexed: {exc}") from exc
    index = FunctionIndex()
    for function in functions:
        trigger = function.get_trigger()
        name = function.get_function_name()
        kind = getattr(trigger, "type", None)
        user = function.get_user_function()
        extra = [b for b in function.get_bindings() if b is not trigger]
        _warn_unsupported(name, extra)
        clients = tuple(b.name for b in extra if b.type == "durableClient")
        wants_context = "context" in _parameters(user) and trigger.name != "context"
        if kind == "httpTrigger":
            http = _http_function(name, user, trigger, clients, wants_context)
            index.http.append(http)
            index.listing.append((name, kind, http.route))
        elif kind == "activityTrigger":
            activity = ActivityFunction(name, user, trigger.name, clients, wants_context,
                                        getattr(trigger, "activity", None) or name)
            index.activities.add([name, getattr(trigger, "activity", None), getattr(user, "__name__", None)],
                                 activity)
            index.listing.append((name, kind, ""))
        elif kind == "orchestrationTrigger":
            # One name, as the extension registers it: the trigger's `orchestration`, else the function name
            # (OrchestrationTriggerAttributeBindingProvider). Other names are refused like unknown ones.
            known = getattr(trigger, "orchestration", None) or name
            index.orchestrators.add([known], HandleFunction(known, user))
            index.orchestrator_names.append(known)
            index.listing.append((name, kind, ""))
        elif kind == "entityTrigger":
            names = [name, getattr(trigger, "entity_name", None), getattr(user, "__name__", None)]
            index.entities.add([n.lower() for n in names if n], HandleFunction(name, user))
            index.listing.append((name, kind, ""))
        elif kind == "timerTrigger":
            index.timers.append(_timer_function(name, user, trigger, clients, wants_context))
            index.listing.append((name, kind, trigger.schedule))
        elif kind == "mcpToolTrigger":
            tool = _mcp_tool_function(name, user, trigger, clients, wants_context)
            index.mcp_tools.append(tool)
            index.listing.append((name, kind, tool.tool_name))
        else:
            log.warning("function %s: trigger type %s is not supported by devhost; skipped", name, kind)
            index.listing.append((name, f"{kind} (not served)", ""))
    return index


def _http_function(name: str, user: Callable[..., Any], trigger: Any, clients: tuple[str, ...],
                   wants_context: bool) -> HttpFunction:
    methods = getattr(trigger, "methods", None)
    method_set = frozenset(str(getattr(m, "value", m)).upper() for m in methods) if methods else None
    level = getattr(trigger, "auth_level", None)
    level_text = str(getattr(level, "value", level) or "function").lower()
    route = (getattr(trigger, "route", None) or name).strip("/")
    return HttpFunction(name, user, trigger.name, route, method_set, level_text, clients, wants_context)


def _timer_function(name: str, user: Callable[..., Any], trigger: Any, clients: tuple[str, ...],
                    wants_context: bool) -> TimerFunction:
    try:
        schedule = Schedule.parse(str(trigger.schedule))
    except CronError as exc:
        raise AppLoadError(f"function {name}: {exc}") from exc
    return TimerFunction(name, user, trigger.name, schedule, bool(getattr(trigger, "run_on_startup", False)),
                         clients, wants_context)


def _mcp_tool_function(name: str, user: Callable[..., Any], trigger: Any, clients: tuple[str, ...],
                       wants_context: bool) -> McpToolFunction:
    return McpToolFunction(name, user, trigger.name, str(getattr(trigger, "tool_name", None) or name),
                           str(getattr(trigger, "description", None) or ""),
                           str(getattr(trigger, "tool_properties", None) or "[]"),
                           bool(getattr(trigger, "use_result_schema", False)), clients, wants_context)


def _parameters(func: Callable[..., Any]) -> set[str]:
    try:
        return set(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return set()


def _warn_unsupported(name: str, bindings: list[Any]) -> None:
    for binding in bindings:
        if binding.type not in SUPPORTED_EXTRA_BINDINGS:
            log.warning("function %s: binding %s (%s) is not supported by devhost; it gets no value",
                        name, binding.name, binding.type)
