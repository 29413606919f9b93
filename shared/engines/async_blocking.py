"""An `async def` handler that makes a blocking call: the Python worker's requests run one after another.

The Python worker runs an `async def` function on its single event loop and a plain `def` one in its thread pool. A
synchronous call inside the coroutine (requests.get, time.sleep, urllib's urlopen) is not awaited, so it holds the
loop for its whole duration and no other invocation of that worker runs meanwhile; raising
PYTHON_THREADPOOL_THREAD_COUNT changes nothing, since the pool serves only synchronous functions. The deciding fact is
in the code the client sent, read here with `ast` (no phrase says it), and it counts only when the report describes
the symptom it causes: concurrent calls served strictly one after another.
Source: MicrosoftDocs/azure-docs articles/azure-functions/python-scale-performance-reference.md (async functions
run on the event loop; a blocking call without await blocks it)."""

from __future__ import annotations

import ast
import re

from shared.engines.analyzers.common import report
from shared.engines.base import Decision
from shared.models import EvidenceItem
from shared.session.state import AskClient, Conclude, GiveUp, SessionState

# synchronous calls that wait on I/O or time: module.function as written in the code
_BLOCKING = frozenset({
    "requests.get", "requests.post", "requests.put", "requests.patch", "requests.delete", "requests.head",
    "requests.request", "time.sleep", "urllib.request.urlopen", "urlopen", "httpx.get", "httpx.post", "httpx.put",
    "httpx.delete", "httpx.request", "socket.create_connection"})
# the report's own account of the symptom: concurrent invocations served one at a time
_SERIALIZED = re.compile(
    r"(?i)\bone (?:after (?:the )?another|at a time|by one)\b|\bstrictly (?:one|sequential\w*|in (?:sequence|order))|"
    r"\bsequentially\b|\bseriali[sz]\w+|\bnot (?:run(?:ning)? )?in parallel\b|\bqueue[sd]? (?:up|behind)\b|"
    r"(?:never|don.t|do not|doesn.t|does not) run (?:in parallel|concurrently|at the same time)")
_CATEGORIES_IT_ANSWERS = frozenset({None, "runtime.timeout", "platform.service_incident", "quota.exceeded"})


def with_blocking_async(state: SessionState, decision: Decision) -> Decision:
    """A question, a give-up or a low guess, while the sent code shows an `async def` making a blocking call and the
    report says concurrent calls run one after another: that coroutine holding the event loop, at medium."""
    if isinstance(decision, Conclude) and (decision.report.confidence != "low"
                                           or decision.report.category not in _CATEGORIES_IT_ANSWERS):
        return decision
    if not isinstance(decision, (AskClient, GiveUp, Conclude)) or _out_of_scope(decision):
        return decision
    said = state.material.spoken_text()
    symptom = _SERIALIZED.search(said)
    if symptom is None:
        return decision
    found = blocking_call_in_coroutine(state)
    if found is None:
        return decision
    path, function, call = found
    cause = (f"The function '{function}' in {path} is declared async def, so the Python worker runs it on its event "
             f"loop, but it calls {call}(), a blocking call that is not awaited: while it waits the event loop is held "
             "and no other invocation on that worker runs, so concurrent requests are served one after another. "
             "PYTHON_THREADPOOL_THREAD_COUNT does not help: the thread pool serves only synchronous (def) functions.")
    actions = [f"Either make '{function}' a plain def (the worker then runs it in its thread pool, where "
               "PYTHON_THREADPOOL_THREAD_COUNT applies), or keep async def and use an async client that is awaited "
               "(aiohttp or httpx.AsyncClient instead of requests, await asyncio.sleep instead of time.sleep).",
               "Raise FUNCTIONS_WORKER_PROCESS_COUNT for more worker processes per instance if the work is CPU-bound."]
    evidence = [EvidenceItem(source="files", summary=f"{path}: async def {function} calls {call}() without await"),
                EvidenceItem(source="report", summary=symptom.group(0))]
    return Conclude(message="An async function blocks the worker's event loop.",
                    report=report(state, category="runtime.code_defect", confidence="medium", root_cause=cause,
                                  actions=actions, evidence=evidence))


def blocking_call_in_coroutine(state: SessionState) -> tuple[str, str, str] | None:
    """(file, function, call) of the first `async def` in the sent Python files whose own body makes a blocking call
    outside an `await`."""
    for excerpt in state.material.files:
        if not excerpt.path.endswith(".py"):
            continue
        try:
            tree = ast.parse(excerpt.content)
        except (SyntaxError, ValueError):
            continue  # an excerpt cut mid-statement is not read
        for node in ast.walk(tree):
            if isinstance(node, ast.AsyncFunctionDef):
                call = _blocking_call(node)
                if call is not None:
                    return excerpt.path, node.name, call
    return None


def _blocking_call(function: ast.AsyncFunctionDef) -> str | None:
    """The first blocking call in the coroutine's own body (not in a nested function, not awaited)."""
    nodes = sorted(_own_nodes(function), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
    awaited = {id(n.value) for n in nodes if isinstance(n, ast.Await)}
    for node in nodes:  # in source order: the first blocking call the code makes
        if isinstance(node, ast.Call) and id(node) not in awaited:
            name = _dotted(node.func)
            if name in _BLOCKING:
                return name
    return None


def _own_nodes(function: ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of the function's body, without those of functions or lambdas defined inside it."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        found.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return found


def _dotted(node: ast.AST) -> str:
    """`requests.get` of a call's function expression ("" for anything but names and attributes)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def _out_of_scope(decision: AskClient | GiveUp | Conclude) -> bool:
    """An answer that the system is not Azure's (the client said so, another platform's error) stands."""
    return not isinstance(decision, AskClient) and decision.report.category == "out_of_scope"
