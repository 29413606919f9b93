"""Steps an orchestrator through azure-functions-durable's own replay engine with synthesized history.

The test plays the Durable extension: it decides when each activity completes, when timers fire,
when events arrive and what time the orchestrator sees. Every step replays the whole history, as
the extension does, and checks that the replayed actions match what was seen before."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from devhost import history as h

ACTIVITY, CONTINUE_AS_NEW, TIMER, WAIT_EVENT, WHEN_ANY, WHEN_ALL = 0, 4, 5, 6, 11, 12


@dataclass
class Step:
    """What one orchestrator episode answered."""

    new_actions: list[tuple[int | None, dict[str, Any]]]
    custom_status: Any
    done: bool
    output: Any = None
    error: str | None = None
    continued_with: Any = None


def flatten(actions: list[Any]) -> list[dict[str, Any]]:
    flat: list[dict[str, Any]] = []
    for action in actions:
        if isinstance(action, list):
            flat += flatten(action)
        elif action["actionType"] in (WHEN_ANY, WHEN_ALL):
            flat += flatten(action["compoundActions"])
        else:
            flat.append(action)
    return flat


@dataclass
class Replay:
    handle: Any
    instance_id: str
    input_value: Any
    started: datetime
    history: list[dict[str, Any]] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)
    ids: list[int | None] = field(default_factory=list)
    custom_status: Any = None

    def __post_init__(self) -> None:
        self.history = [h.orchestrator_started(self.started),
                        h.execution_started("debug_session", self.instance_id, "e1", None, None)]

    def run(self) -> Step:
        context = {"history": h.mark_played(self.history), "instanceId": self.instance_id,
                   "isReplaying": len(self.seen) > 0, "parentInstanceId": None,
                   "input": json.dumps(self.input_value), "upperSchemaVersion": 1, "upperSchemaVersionNew": 2}
        try:
            state = json.loads(self.handle(json.dumps(context)))
        except Exception as exc:  # a failing orchestrator raises with its state after this marker
            text = str(exc)
            state = json.loads(text.split("$OutOfProcData$:", 1)[1]) if "$OutOfProcData$:" in text else {
                "isDone": True, "error": text, "actions": []}
        if state.get("customStatus") is not None:
            self.custom_status = state["customStatus"]
        return self._record(state)

    def _record(self, state: dict[str, Any]) -> Step:
        actions = flatten(state.get("actions") or [])
        for before, now in zip(self.seen, actions, strict=False):
            assert {**before, "isCanceled": None} == {**now, "isCanceled": None}, "non-deterministic replay"
        new = actions[len(self.seen):]
        step = Step([], self.custom_status, bool(state.get("isDone")), state.get("output"), state.get("error"))
        for action in new:
            task_id = self._schedule(action, step)
            self.ids.append(task_id)
            step.new_actions.append((task_id, action))
        self.seen = actions
        self.history.append(h.orchestrator_completed())
        return step

    def _schedule(self, action: dict[str, Any], step: Step) -> int | None:
        kind = action["actionType"]
        if kind == WAIT_EVENT:
            return None
        task_id = sum(1 for i in self.ids if i is not None)
        if kind == ACTIVITY:
            self.history.append(h.task_scheduled(task_id, action["functionName"], action.get("input")))
        elif kind == TIMER:
            fire_at = datetime.fromisoformat(action["fireAt"].replace("Z", "+00:00"))
            self.history.append(h.timer_created(task_id, fire_at))
        elif kind == CONTINUE_AS_NEW:
            step.continued_with = json.loads(action["input"]) if isinstance(action["input"], str) else action["input"]
        return task_id

    def complete(self, task_id: int, result: Any, at: datetime) -> Step:
        self.history += [h.orchestrator_started(at), h.task_completed(task_id, json.dumps(result))]
        return self.run()

    def fail(self, task_id: int, reason: str, at: datetime) -> Step:
        self.history += [h.orchestrator_started(at), h.task_failed(task_id, reason, "Traceback: ...")]
        return self.run()

    def fire_timer(self, task_id: int, at: datetime) -> Step:
        self.history += [h.orchestrator_started(at), h.timer_fired(task_id, at)]
        return self.run()

    def raise_event(self, name: str, data: Any, at: datetime) -> Step:
        self.history += [h.orchestrator_started(at), h.event_raised(name, json.dumps(data))]
        return self.run()
