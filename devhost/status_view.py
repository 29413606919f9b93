"""Instance status bodies as the Durable HTTP API returns them (GET instances/{id}, GET instances/)."""

from __future__ import annotations

import json
from typing import Any

from devhost.history import Event, EventType
from devhost.store import COMPLETED, FAILED, TERMINATED, InstanceRecord

_FINAL_EVENT = {COMPLETED: "ExecutionCompleted", FAILED: "ExecutionFailed", TERMINATED: "ExecutionTerminated"}
_HIDDEN = {EventType.ORCHESTRATOR_STARTED, EventType.ORCHESTRATOR_COMPLETED, EventType.TASK_SCHEDULED,
           EventType.TIMER_CREATED, EventType.SUB_ORCHESTRATION_CREATED}
_PAYLOAD_FIELDS = ("Input", "Result", "Details")


def status_body(record: InstanceRecord, show_input: bool, show_history: bool = False,
                show_history_output: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": record.name,
        "instanceId": record.instance_id,
        "runtimeStatus": record.runtime_status,
        # Stored as the client sent it: for the Python SDK, a string holding JSON text.
        "input": record.input if show_input else None,
        "customStatus": record.custom_status,
        "output": record.output,
        "createdTime": record.created_time,
        "lastUpdatedTime": record.last_updated_time,
    }
    if show_history:
        body["historyEvents"] = history_view(record, show_history_output)
    return body


def history_view(record: InstanceRecord, with_payloads: bool) -> list[dict[str, Any]]:
    """The readable history: scheduling folded into completions, payloads only when asked for."""
    scheduled = {e["EventId"]: e for e in record.history
                 if e["EventType"] in (EventType.TASK_SCHEDULED, EventType.SUB_ORCHESTRATION_CREATED)}
    view = [_view_event(e, scheduled, with_payloads) for e in record.history if e["EventType"] not in _HIDDEN]
    if record.runtime_status in _FINAL_EVENT:
        final: dict[str, Any] = {"EventType": _FINAL_EVENT[record.runtime_status],
                                 "OrchestrationStatus": record.runtime_status,
                                 "Timestamp": record.last_updated_time}
        if with_payloads:
            final["Result"] = record.output
        view.append(final)
    return view


def _view_event(event: Event, scheduled: dict[int, Event], with_payloads: bool) -> dict[str, Any]:
    kind = EventType(event["EventType"])
    shown: dict[str, Any] = {"EventType": _pascal(kind.name), "Timestamp": event["Timestamp"]}
    source = scheduled.get(event.get("TaskScheduledId", -2))
    if kind == EventType.EXECUTION_STARTED or source is not None:
        shown["FunctionName"] = (source or event).get("Name")
    if source is not None:
        shown["ScheduledTime"] = source["Timestamp"]
    for key in ("Name", "FireAt", "Reason", "TimerId", "InstanceId"):
        if key in event and key not in shown and event[key] is not None:
            shown[key] = event[key]
    if with_payloads:
        for key in _PAYLOAD_FIELDS:
            if event.get(key) is not None:
                shown[key] = _maybe_json(event[key])
    return shown


def _pascal(name: str) -> str:
    pascal = "".join(part.capitalize() for part in name.split("_"))
    return pascal.replace("SubOrchestration", "SubOrchestrationInstance")


def _maybe_json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
