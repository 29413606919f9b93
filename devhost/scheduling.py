"""The host's side of each action: ids, the history events it writes, the work it starts, and retries.

Functions here change an InstanceRecord and return what to do; they never wait or touch the event loop,
so the engine stays in charge of timing. Task ids come from one counter (devhost-notes "The loop", 5)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from devhost import history as h
from devhost.actions import Action, ActionType, is_canceled_timer, takes_task_id
from devhost.history import Event, EventType
from devhost.store import InstanceRecord
from devhost.timeutil import format_api_time, parse_time


@dataclass(frozen=True)
class RunActivity:
    task_id: int
    name: str
    input: str | None


@dataclass(frozen=True)
class StartTimer:
    task_id: int
    fire_at: datetime


@dataclass(frozen=True)
class StartSubOrchestration:
    task_id: int
    name: str
    instance_id: str
    input: str | None
    version: str | None = None  # call_sub_orchestrator(version=); None: host.json defaultVersion


@dataclass(frozen=True)
class EntityOperation:
    entity_id: str  # "@name@key"
    operation: str
    input: str  # JSON text of the operation input's JSON text: entity functions decode twice
    reply_id: str | None  # call_entity: the EventRaised name the answer is delivered under


Work = RunActivity | StartTimer | StartSubOrchestration | EntityOperation


@dataclass
class Scheduled:
    events: list[Event] = field(default_factory=list)
    work: list[Work] = field(default_factory=list)

    def extend(self, other: Scheduled) -> None:
        self.events.extend(other.events)
        self.work.extend(other.work)


class UnsupportedAction(Exception):
    pass


def allocate_id(record: InstanceRecord) -> int:
    task_id = record.next_task_id
    record.next_task_id += 1
    return task_id


def schedule_actions(record: InstanceRecord, actions: list[Action], now: datetime) -> Scheduled:
    """Give ids to actions new in this answer (in flattened order) and schedule what they ask for."""
    out = Scheduled()
    for action in actions:
        index = len(record.action_task_ids)
        task_id = allocate_id(record) if takes_task_id(action) else None
        record.action_task_ids.append(task_id)
        if task_id is not None:
            _schedule_one(record, action, task_id, index, now, out)
    return out


def _schedule_one(record: InstanceRecord, action: Action, task_id: int, index: int, now: datetime,
                  out: Scheduled) -> None:
    kind = action.get("actionType")
    if kind in (ActionType.CALL_ACTIVITY, ActionType.CALL_ACTIVITY_WITH_RETRY,
                ActionType.CALL_SUB_ORCHESTRATOR, ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY):
        is_activity = kind in (ActionType.CALL_ACTIVITY, ActionType.CALL_ACTIVITY_WITH_RETRY)
        task = {"kind": "activity" if is_activity else "suborchestration", "name": action["functionName"],
                "input": action.get("input"), "index": index, "retry": None}
        if not is_activity:
            task["instance_id"] = action.get("instanceId") or f"{record.instance_id}:{task_id}"
            task["version"] = action.get("version")  # the SDK's CallSubOrchestratorAction `version`
        if kind in (ActionType.CALL_ACTIVITY_WITH_RETRY, ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY):
            task["retry"] = _new_retry(record, task_id, task, action.get("retryOptions") or {})
        record.tasks[str(task_id)] = task
        out.extend(_attempt(record, task_id, task))
    elif kind == ActionType.CREATE_TIMER:
        fire_at = parse_time(action["fireAt"])
        record.tasks[str(task_id)] = {"kind": "timer", "index": index}
        out.events.append(h.timer_created(task_id, fire_at))
        if not is_canceled_timer(action):  # created and cancelled in the same episode: never armed
            out.extend(_arm(record, task_id, fire_at))
    elif kind in (ActionType.CALL_ENTITY, ActionType.SIGNAL_ENTITY):
        out.extend(_entity_message(record, action, task_id, index))
    elif kind == ActionType.CONTINUE_AS_NEW:
        record.tasks[str(task_id)] = {"kind": "continue_as_new", "index": index}
    else:
        raise UnsupportedAction(f"devhost does not support {_unsupported_name(kind)}")


def _unsupported_name(kind: Any) -> str:
    return "durable HTTP calls (call_http)" if kind == ActionType.CALL_HTTP else f"action type {kind}"


def _attempt(record: InstanceRecord, task_id: int, task: dict[str, Any]) -> Scheduled:
    """Schedule one attempt of an activity or sub-orchestration under `task_id`."""
    if task["kind"] == "activity":
        record.open_work[str(task_id)] = {"kind": "activity", "name": task["name"], "input": task["input"]}
        return Scheduled([h.task_scheduled(task_id, task["name"], task["input"])],
                         [RunActivity(task_id, task["name"], task["input"])])
    child = task["instance_id"]
    record.open_work[str(task_id)] = {"kind": "suborchestration", "name": task["name"], "instance_id": child}
    return Scheduled([h.sub_orchestration_created(task_id, task["name"], child, task["input"])],
                     [StartSubOrchestration(task_id, task["name"], child, task["input"], task.get("version"))])


def _arm(record: InstanceRecord, task_id: int, fire_at: datetime) -> Scheduled:
    record.open_timers[str(task_id)] = format_api_time(fire_at)
    return Scheduled([], [StartTimer(task_id, fire_at)])


def _entity_message(record: InstanceRecord, action: Action, task_id: int, index: int) -> Scheduled:
    is_call = action.get("actionType") == ActionType.CALL_ENTITY
    message_id = str(uuid.uuid4())
    target, operation = action["instanceId"], action.get("operation") or ""
    record.tasks[str(task_id)] = {"kind": "entity_call" if is_call else "entity_signal", "index": index,
                                  "reply": message_id if is_call else None}
    # The SDK re-keys a call_entity task by the `id` in EventSent.Input; the answer comes as EventRaised(id).
    payload = {"id": message_id, "op": operation, "signal": not is_call, "parent": record.instance_id}
    operation_input = json.dumps(action.get("input"))
    return Scheduled([h.event_sent(task_id, target, operation, json.dumps(payload))],
                     [EntityOperation(target, operation, operation_input, message_id if is_call else None)])


def _new_retry(record: InstanceRecord, task_id: int, task: dict[str, Any], options: dict[str, Any]) -> str:
    group = str(task_id)
    record.retries[group] = {"max_attempts": int(options.get("maxNumberOfAttempts") or 1),
                             "interval_ms": int(options.get("firstRetryIntervalInMilliseconds") or 0),
                             "attempts": 1, "task": {k: v for k, v in task.items() if k != "index"}}
    return group


def is_retry_step(record: InstanceRecord, event: Event) -> bool:
    """Does the SDK take a task id when it reads this event? (a retried task's failure, or its timer firing)

    Such events go first in a batch: they resume no user code, so ids stay in the host's order."""
    kind = event["EventType"]
    if kind in (EventType.TASK_FAILED, EventType.SUB_ORCHESTRATION_FAILED):
        return bool(record.tasks.get(str(event["TaskScheduledId"]), {}).get("retry"))
    if kind == EventType.TIMER_FIRED:
        task = record.tasks.get(str(event["TimerId"]), {})
        group = record.retries.get(task.get("retry") or "") if task.get("kind") == "retry_timer" else None
        return group is not None and group["attempts"] < group["max_attempts"]
    return False


def retry_step(record: InstanceRecord, event: Event, now: datetime) -> Scheduled:
    """Mirror the SDK: a failure takes an id for the retry timer, that timer firing one for the retry."""
    if event["EventType"] == EventType.TIMER_FIRED:
        group_id = record.tasks[str(event["TimerId"])]["retry"]
        group = record.retries[group_id]
        group["attempts"] += 1
        task_id = allocate_id(record)
        task = {**group["task"], "retry": group_id}
        record.tasks[str(task_id)] = task
        return _attempt(record, task_id, task)
    group_id = record.tasks[str(event["TaskScheduledId"])]["retry"]
    timer_id = allocate_id(record)
    record.tasks[str(timer_id)] = {"kind": "retry_timer", "retry": group_id}
    fire_at = now + timedelta(milliseconds=record.retries[group_id]["interval_ms"])
    out = Scheduled([h.timer_created(timer_id, fire_at)])
    out.extend(_arm(record, timer_id, fire_at))
    return out


def deliver_queued_events(record: InstanceRecord) -> None:
    """Move queued external events into the inbox, one per outstanding wait of that name.

    Works around the SDK keeping an early event and handing it to every later wait of the name."""
    waits = Counter(a.get("externalEventName") for a in record.actions_seen
                    if a.get("actionType") == ActionType.WAIT_FOR_EXTERNAL_EVENT)
    still_queued = []
    for queued in record.queued_events:
        name = queued["name"]
        if waits[name] - record.delivered_events.get(name, 0) > 0:
            record.delivered_events[name] = record.delivered_events.get(name, 0) + 1
            record.inbox.append(h.event_raised(name, queued["input"]))
        else:
            still_queued.append(queued)
    record.queued_events = still_queued


def undelivered_external_events(record: InstanceRecord) -> list[dict[str, Any]]:
    """External events moved to the inbox but not yet seen by the orchestrator (entity answers excluded)."""
    replies = {t.get("reply") for t in record.tasks.values() if t.get("reply")}
    return [{"name": e["Name"], "input": e.get("Input"), "received": e["Timestamp"]} for e in record.inbox
            if e["EventType"] == EventType.EVENT_RAISED and e["Name"] not in replies]
