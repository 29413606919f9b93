"""Failure texts as the Durable extension writes them, so orchestrators and clients see on devhost what Azure shows.

An activity's exception travels: Python worker -> Functions host -> extension -> orchestrator history.
- The worker reports `f"{type(exc).__name__}: {exc}"` with the stack (azure-functions-python-worker,
  azure_functions_worker/dispatcher.py `_serialize_exception`).
- The host wraps it as RpcException "Result: Failure\\nException: {message}\\nStack: {stack}"
  (azure-functions-host, Workers/Rpc/MessageExtensions/RpcException.cs).
- The extension keeps the text between "\\nException:" and "\\nStack:" (so it starts with a space) and fails the
  task with reason `Activity function '{name}' failed: {that text}` and, as details, the JSON-serialised
  exception (azure-functions-durable-extension, Listener/TaskActivityShim.cs and OutOfProcExceptionHelpers.cs).
The Python SDK then raises `Exception(f"{Reason} \\n {Details}")` in the orchestrator. An orchestrator's own
failure reads `Orchestrator function '{name}' failed: {error}` with details `Message: {error}, StackTrace: ...`
(Listener/OutOfProcOrchestrationShim.cs `ScheduleDurableTaskEvents`)."""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Any

_DEVHOST_DIR = str(Path(__file__).resolve().parent)
_STDLIB_RUNNERS = ("/asyncio/", "/concurrent/futures/", "/threading.py")  # frames of devhost's own running
_EXCEPTION_HRESULT = -2146233088  # System.Exception's HResult, as Newtonsoft writes it


def activity_failure(activity_name: str, exc: BaseException) -> tuple[str, str]:
    """(Reason, Details) of the TaskFailed event for an activity that raised `exc`."""
    worker_message = f"{type(exc).__name__}: {exc}"
    friendly = f" {worker_message}"  # what OutOfProcExceptionHelpers cuts out, leading space included
    rpc_message = f"Result: Failure\nException: {worker_message}\nStack: {user_traceback(exc)}"
    inner = _dotnet_exception("Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException",
                              "Microsoft.Azure.WebJobs.Script", rpc_message, None)
    details = _dotnet_exception("System.Exception", "System.Private.CoreLib", friendly, inner)
    # Newtonsoft writes the details on one line: apps that split the SDK's text on "\n" rely on it.
    return f"Activity function '{activity_name}' failed: {friendly}", json.dumps(details, separators=(",", ":"))


def orchestrator_failure(orchestrator_name: str, error: str) -> tuple[str, str]:
    """(Reason, Details) of an orchestration that failed with the SDK's `error` text. The extension's
    StackTrace is .NET frames of its own, which devhost has none of: it is left empty."""
    return f"Orchestrator function '{orchestrator_name}' failed: {error}", f"Message: {error}, StackTrace: "


def user_traceback(exc: BaseException) -> str:
    """The traceback of `exc` (and its causes) without devhost's frames, as the worker would show only its
    own and the user's: frames of devhost and of the stdlib machinery it runs activities with are dropped."""
    summary = traceback.TracebackException.from_exception(exc)
    seen: set[int] = set()
    pending: list[traceback.TracebackException | None] = [summary]
    while pending:
        part = pending.pop()
        if part is None or id(part) in seen:
            continue
        seen.add(id(part))
        part.stack = traceback.StackSummary.from_list([f for f in part.stack if not _is_host_frame(f.filename)])
        pending += [part.__cause__, part.__context__]
    return "".join(summary.format())


def _is_host_frame(filename: str) -> bool:
    path = filename.replace("\\", "/")
    return filename.startswith(_DEVHOST_DIR) or any(part in path for part in _STDLIB_RUNNERS)


def _dotnet_exception(class_name: str, assembly: str, message: str, inner: dict[str, Any] | None) -> dict[str, Any]:
    """An exception as Newtonsoft.Json serialises it with type names (DurableTask.Core Utils.SerializeCause)."""
    return {"$type": f"{class_name}, {assembly}", "ClassName": class_name, "Message": message, "Data": None,
            "InnerException": inner, "HelpURL": None, "StackTraceString": None, "RemoteStackTraceString": None,
            "RemoteStackIndex": 0, "ExceptionMethod": None, "HResult": _EXCEPTION_HRESULT, "Source": None,
            "WatsonBuckets": None}
