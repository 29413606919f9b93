"""Carrying out what orchestrators ask for: timers, activities, sub-orchestrations, entity operations.

Each finished piece of work comes back as a history event through `deliver(instance, execution, event)`;
the engine decides whether that execution still wants it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from devhost import history as h
from devhost.activities import ActivityRunner
from devhost.entities import EntityRunner
from devhost.history import Event
from devhost.scheduling import EntityOperation, RunActivity, StartSubOrchestration, StartTimer, Work
from devhost.timeutil import utc_now

Deliver = Callable[[str, str, Event], None]
StartChild = Callable[[str, str, StartSubOrchestration], None]


class WorkRunner:
    def __init__(self, activities: ActivityRunner, entities: EntityRunner, deliver: Deliver,
                 start_child: StartChild) -> None:
        self._activities = activities
        self._entities = entities
        self._deliver = deliver
        self._start_child = start_child
        self._timers: dict[str, dict[int, asyncio.TimerHandle]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, instance_id: str, execution_id: str, work: list[Work]) -> None:
        for item in work:
            if isinstance(item, StartTimer):
                self._arm(instance_id, execution_id, item)
            elif isinstance(item, RunActivity):
                self.spawn(self._run_activity(instance_id, execution_id, item))
            elif isinstance(item, StartSubOrchestration):
                self._start_child(instance_id, execution_id, item)
            elif isinstance(item, EntityOperation):
                self._entities.submit(item, self._entity_reply(instance_id, execution_id, item.reply_id))

    def timer_done(self, instance_id: str, task_id: int) -> None:
        """Forget a timer that fired; cancel it if it has not."""
        handle = self._timers.get(instance_id, {}).pop(task_id, None)
        if handle is not None:
            handle.cancel()

    def drop_timers(self, instance_id: str) -> None:
        for handle in self._timers.pop(instance_id, {}).values():
            handle.cancel()

    def shutdown(self) -> None:
        for instance_id in list(self._timers):
            self.drop_timers(instance_id)

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)

    def _arm(self, instance_id: str, execution_id: str, item: StartTimer) -> None:
        delay = max(0.0, (item.fire_at - utc_now()).total_seconds())
        fired = h.timer_fired(item.task_id, item.fire_at)
        handle = asyncio.get_running_loop().call_later(delay, self._deliver, instance_id, execution_id, fired)
        self._timers.setdefault(instance_id, {})[item.task_id] = handle

    async def _run_activity(self, instance_id: str, execution_id: str, item: RunActivity) -> None:
        outcome = await self._activities.run(item.name, item.input)
        event = (h.task_completed(item.task_id, outcome.result) if outcome.ok
                 else h.task_failed(item.task_id, outcome.reason, outcome.details))
        self._deliver(instance_id, execution_id, event)

    def _entity_reply(self, instance_id: str, execution_id: str,
                      reply_id: str | None) -> Callable[[str], None] | None:
        if reply_id is None:  # a signal: nobody waits for the answer
            return None
        return lambda answer: self._deliver(instance_id, execution_id, h.event_raised(reply_id, answer))
