"""One call of an orchestrator handle: the context JSON going in, the orchestrator's answer coming out."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devhost.history import EventType, mark_played
from devhost.store import InstanceRecord

_STATE_MARKER = "$OutOfProcData$:"
# What the extension sends with the Azure Storage backend (its durability provider's MaximumDelayTime and
# LongRunningTimerIntervalLength, in .NET TimeSpan "c" format): a timer longer than 6 days takes the SDK's
# long-timer path, a chain of timers of at most 3 days. Sent here too, so that path runs locally as on Azure.
LONG_TIMER_SETTINGS = {"maximumShortTimerDuration": "6.00:00:00", "longRunningTimerIntervalDuration": "3.00:00:00"}


@dataclass
class ReplayResult:
    is_done: bool = False
    actions: list[Any] = field(default_factory=list)
    output: Any = None
    custom_status: Any = None
    error: str | None = None  # the orchestrator raised: its message
    error_type: str = ""  # for logs, which never carry the message


def build_context(record: InstanceRecord) -> str:
    """The JSON the Durable extension sends an orchestrator (devhost-notes "The context JSON")."""
    starts = sum(1 for e in record.history if e["EventType"] == EventType.ORCHESTRATOR_STARTED)
    parent = record.parent["instance_id"] if record.parent else None
    return json.dumps({"history": mark_played(record.history), "instanceId": record.instance_id,
                       "isReplaying": starts > 1, "parentInstanceId": parent, "input": record.input,
                       "upperSchemaVersion": 1, "upperSchemaVersionNew": 2, **LONG_TIMER_SETTINGS})


def run_handle(handle: Callable[[str], str], context_json: str) -> ReplayResult:
    """Call the handle (in a worker thread); an orchestrator's exception becomes a failed result."""
    try:
        state = json.loads(handle(context_json))
    except Exception as exc:  # the orchestrator failed, or the SDK did
        return _failure(exc)
    return ReplayResult(bool(state.get("isDone")), state.get("actions") or [], state.get("output"),
                        state.get("customStatus"), state.get("error"))


def _failure(exc: Exception) -> ReplayResult:
    # The SDK raises with the text "<message>\n\n$OutOfProcData$:<state JSON>"; the state has `error`.
    text = str(exc)
    cause = exc.__cause__ or exc
    result = ReplayResult(error_type=type(cause).__name__)
    if _STATE_MARKER in text:
        head, _, tail = text.rpartition(_STATE_MARKER)
        try:
            state = json.loads(tail)
        except ValueError:
            state = {}
        result.actions = state.get("actions") or []
        result.custom_status = state.get("customStatus")
        result.error = state.get("error") or head.strip() or result.error_type
    else:
        result.error = text or result.error_type
    return result
