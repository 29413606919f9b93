"""The orchestrator's answer: flattening its actions, and checking a replay against what came before.

The SDK (schema V3) answers with every action since the execution started, WhenAll/WhenAny nested in
`compoundActions`. Task ids are given in flattened order, so flattening is what ties actions to ids."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from devhost.history import Event, EventType

Action = dict[str, Any]


class ActionType(IntEnum):
    CALL_ACTIVITY = 0
    CALL_ACTIVITY_WITH_RETRY = 1
    CALL_SUB_ORCHESTRATOR = 2
    CALL_SUB_ORCHESTRATOR_WITH_RETRY = 3
    CONTINUE_AS_NEW = 4
    CREATE_TIMER = 5
    WAIT_FOR_EXTERNAL_EVENT = 6
    CALL_ENTITY = 7
    CALL_HTTP = 8
    SIGNAL_ENTITY = 9
    WHEN_ANY = 11
    WHEN_ALL = 12


_COMPOUND = {ActionType.WHEN_ANY, ActionType.WHEN_ALL}
# Kinds of history event the host writes when scheduling, and the action types each may stand for.
_SCHEDULED_AS = {
    EventType.TASK_SCHEDULED: {ActionType.CALL_ACTIVITY, ActionType.CALL_ACTIVITY_WITH_RETRY},
    EventType.TIMER_CREATED: {ActionType.CREATE_TIMER},
    EventType.SUB_ORCHESTRATION_CREATED: {ActionType.CALL_SUB_ORCHESTRATOR,
                                          ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY},
    EventType.EVENT_SENT: {ActionType.CALL_ENTITY, ActionType.SIGNAL_ENTITY},
}


def flatten(payload: list[Any]) -> list[Action]:
    """All leaf actions in order; `payload` is the answer's `actions` (a list of lists, or of actions)."""
    flat: list[Action] = []
    for item in payload:
        if isinstance(item, list):
            flat.extend(flatten(item))
        elif item.get("actionType") in _COMPOUND:
            flat.extend(flatten(item.get("compoundActions") or []))
        else:
            flat.append(item)
    return flat


def takes_task_id(action: Action) -> bool:
    """Waiting for an external event is the only leaf action that takes no id from the counter."""
    return action.get("actionType") != ActionType.WAIT_FOR_EXTERNAL_EVENT


def is_canceled_timer(action: Action) -> bool:
    return action.get("actionType") == ActionType.CREATE_TIMER and bool(action.get("isCanceled"))


def describe(action: Action) -> str:
    kind = action.get("actionType")
    if kind in (ActionType.CALL_ACTIVITY, ActionType.CALL_ACTIVITY_WITH_RETRY):
        return f"activity '{action.get('functionName')}'"
    if kind in (ActionType.CALL_SUB_ORCHESTRATOR, ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY):
        return f"sub-orchestrator '{action.get('functionName')}'"
    if kind == ActionType.CREATE_TIMER:
        return "a timer"
    if kind == ActionType.WAIT_FOR_EXTERNAL_EVENT:
        return f"a wait for event '{action.get('externalEventName')}'"
    if kind in (ActionType.CALL_ENTITY, ActionType.SIGNAL_ENTITY):
        verb = "call" if kind == ActionType.CALL_ENTITY else "signal"
        return f"entity {verb} '{action.get('instanceId')}' operation '{action.get('operation')}'"
    if kind == ActionType.CONTINUE_AS_NEW:
        return "continue-as-new"
    if kind == ActionType.CALL_HTTP:
        return "a durable HTTP call"
    return f"action type {kind}"


def _comparable(action: Action) -> Action:
    # A timer comes back with isCanceled flipped once the orchestrator cancels it: not a change of plan.
    return {k: v for k, v in action.items() if k != "isCanceled"}


def find_nondeterminism(seen: list[Action], new: list[Action], history: list[Event],
                        index_of_task: dict[int, int]) -> str | None:
    """Why this replay is not the orchestration that ran before, or None.

    `seen` are the actions of earlier answers of this execution, `new` this answer's (flattened),
    `index_of_task` maps task ids written to history to their action's index. The SDK itself never
    checks: it matches history to tasks by sequence alone and would hand one activity's result to another."""
    for index, before in enumerate(seen):
        if index >= len(new):
            return (f"the previous execution scheduled {describe(before)} as action #{index}, "
                    f"but the replay ended after {len(new)} actions")
        if _comparable(before) != _comparable(new[index]):
            if before.get("actionType") == new[index].get("actionType") and describe(before) == describe(
                    new[index]):
                return f"action #{index} ({describe(before)}) was scheduled with a different input or options"
            return (f"the previous execution scheduled {describe(before)} as action #{index}, "
                    f"but the replay scheduled {describe(new[index])}")
    return _history_mismatch(new, history, index_of_task)


def _history_mismatch(new: list[Action], history: list[Event], index_of_task: dict[int, int]) -> str | None:
    for event in history:
        allowed = _SCHEDULED_AS.get(event["EventType"])
        index = index_of_task.get(event["EventId"]) if allowed else None
        if allowed is None or index is None or index >= len(new):
            continue
        action = new[index]
        name = event.get("Name") if event["EventType"] != EventType.EVENT_SENT else event.get("InstanceId")
        actual = action.get("functionName") if "functionName" in action else action.get("instanceId")
        renamed = name is not None and actual is not None and name != actual
        if action.get("actionType") not in allowed or renamed:
            return (f"history has task {event['EventId']} as {EventType(event['EventType']).name} "
                    f"'{name}', but the replay scheduled {describe(action)} there")
    return None
