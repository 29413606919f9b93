"""Builders for the history events the SDK's replay engine reads (see devhost-notes, "Events and actions").

Every event carries EventType, EventId, IsPlayed and Timestamp: the SDK's HistoryEvent requires all four.
Events that complete a task use EventId -1 and point at the task with TaskScheduledId or TimerId."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any

from devhost.timeutil import format_event_time, utc_now

Event = dict[str, Any]


class EventType(IntEnum):
    EXECUTION_STARTED = 0
    EXECUTION_COMPLETED = 1
    EXECUTION_FAILED = 2
    EXECUTION_TERMINATED = 3
    TASK_SCHEDULED = 4
    TASK_COMPLETED = 5
    TASK_FAILED = 6
    SUB_ORCHESTRATION_CREATED = 7
    SUB_ORCHESTRATION_COMPLETED = 8
    SUB_ORCHESTRATION_FAILED = 9
    TIMER_CREATED = 10
    TIMER_FIRED = 11
    ORCHESTRATOR_STARTED = 12
    ORCHESTRATOR_COMPLETED = 13
    EVENT_SENT = 14
    EVENT_RAISED = 15
    CONTINUE_AS_NEW = 16


def _event(kind: EventType, event_id: int = -1, when: datetime | None = None, **fields: Any) -> Event:
    return {"EventType": int(kind), "EventId": event_id, "IsPlayed": False,
            "Timestamp": format_event_time(when or utc_now()), **fields}


def orchestrator_started(when: datetime) -> Event:
    # Only this event's Timestamp drives current_utc_datetime, new_uuid() and is_replaying in the SDK.
    return _event(EventType.ORCHESTRATOR_STARTED, when=when)


def orchestrator_completed() -> Event:
    return _event(EventType.ORCHESTRATOR_COMPLETED)


def execution_started(name: str, instance_id: str, execution_id: str, input_text: str | None,
                      parent_instance_id: str | None, version: str | None = None) -> Event:
    parent = {"OrchestrationInstance": {"InstanceId": parent_instance_id}} if parent_instance_id else None
    # `Version` must be present (null is fine) or the SDK fails reading the history; the SDK's
    # `context.version` is this field (DurableOrchestrationContext._extract_version_from_history).
    return _event(EventType.EXECUTION_STARTED, Name=name, Input=input_text, Version=version,
                  OrchestrationInstance={"InstanceId": instance_id, "ExecutionId": execution_id},
                  ParentInstance=parent)


def task_scheduled(task_id: int, name: str, input_text: str | None) -> Event:
    return _event(EventType.TASK_SCHEDULED, task_id, Name=name, Input=input_text)


def task_completed(task_id: int, result_text: str) -> Event:
    return _event(EventType.TASK_COMPLETED, TaskScheduledId=task_id, Result=result_text)


def task_failed(task_id: int, reason: str, details: str) -> Event:
    return _event(EventType.TASK_FAILED, TaskScheduledId=task_id, Reason=reason, Details=details)


def timer_created(task_id: int, fire_at: datetime) -> Event:
    return _event(EventType.TIMER_CREATED, task_id, FireAt=format_event_time(fire_at))


def timer_fired(task_id: int, fire_at: datetime) -> Event:
    return _event(EventType.TIMER_FIRED, TimerId=task_id, FireAt=format_event_time(fire_at))


def event_raised(name: str, input_text: str | None) -> Event:
    return _event(EventType.EVENT_RAISED, Name=name, Input=input_text)


def event_sent(task_id: int, target_instance_id: str, name: str, input_text: str) -> Event:
    return _event(EventType.EVENT_SENT, task_id, InstanceId=target_instance_id, Name=name, Input=input_text)


def sub_orchestration_created(task_id: int, name: str, instance_id: str, input_text: str | None) -> Event:
    return _event(EventType.SUB_ORCHESTRATION_CREATED, task_id, Name=name, InstanceId=instance_id,
                  Input=input_text)


def sub_orchestration_completed(task_id: int, result_text: str) -> Event:
    return _event(EventType.SUB_ORCHESTRATION_COMPLETED, TaskScheduledId=task_id, Result=result_text)


def sub_orchestration_failed(task_id: int, reason: str, details: str) -> Event:
    return _event(EventType.SUB_ORCHESTRATION_FAILED, TaskScheduledId=task_id, Reason=reason, Details=details)


def mark_played(history: list[Event]) -> list[Event]:
    """Copies of the events with IsPlayed set for everything before the newest OrchestratorStarted."""
    last_start = max((i for i, e in enumerate(history) if e["EventType"] == EventType.ORCHESTRATOR_STARTED),
                     default=0)
    return [{**event, "IsPlayed": index < last_start} for index, event in enumerate(history)]
