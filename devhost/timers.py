"""Timer-triggered functions: run on their NCRONTAB schedule (UTC), and on demand through the admin endpoint.

Like HTTP functions, async ones run on the host's event loop (the SDK's durable client needs it) and sync
ones in a thread. A run still going when the next occurrence comes is not overlapped: that occurrence is
skipped and the following run gets `past_due`, as the Functions host does for a late timer."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from azure.functions.timer import TimerRequest

from devhost.app_loader import TimerFunction
from devhost.http_convert import InvocationContext
from devhost.logs import log_exception
from devhost.timeutil import format_api_time, utc_now

log = logging.getLogger("devhost")
LATE_SECONDS = 1.0  # a run starting later than this after its occurrence is past due
SCHEDULE_INFO = {"AdjustForDST": False}  # what the host's TimerInfo.Schedule holds for a cron schedule (UTC)


class TimerScheduler:
    def __init__(self, timers: list[TimerFunction], app_dir: str, client_binding: Callable[[], str]) -> None:
        self._timers = {t.name.casefold(): t for t in timers}
        self._app_dir = app_dir
        self._client_binding = client_binding
        self._loops: list[asyncio.Task[None]] = []
        self._running: set[asyncio.Task[None]] = set()
        self._busy: set[str] = set()

    def start(self) -> None:
        for timer in self._timers.values():
            if timer.run_on_startup:
                self.run_now(timer.name)
            self._loops.append(asyncio.get_running_loop().create_task(self._schedule(timer)))

    def stop(self) -> None:
        for task in self._loops:
            task.cancel()

    def find(self, name: str) -> TimerFunction | None:
        return self._timers.get(name.casefold())

    def run_now(self, name: str) -> bool:
        """Start one run at once (the admin endpoint); False when no timer function has that name."""
        timer = self.find(name)
        if timer is None:
            return False
        self._spawn(timer, TimerRequest(past_due=False, schedule=dict(SCHEDULE_INFO)))
        return True

    async def _schedule(self, timer: TimerFunction) -> None:
        next_at = timer.schedule.next_after(utc_now())
        while True:
            await asyncio.sleep(max(0.0, (next_at - utc_now()).total_seconds()))
            late = (utc_now() - next_at).total_seconds() > LATE_SECONDS
            if timer.name in self._busy:
                log.info("timer %s: still running, occurrence %s skipped", timer.name, format_api_time(next_at))
            else:
                self._spawn(timer, _request(timer, late, next_at))
            next_at = timer.schedule.next_after(max(next_at, utc_now()))

    def _spawn(self, timer: TimerFunction, request: TimerRequest) -> None:
        task = asyncio.get_running_loop().create_task(self._invoke(timer, request))
        self._running.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._running.discard)

    async def _invoke(self, timer: TimerFunction, request: TimerRequest) -> None:
        kwargs: dict[str, Any] = {timer.timer_param: request}
        kwargs.update({name: self._client_binding() for name in timer.client_params})
        if timer.wants_context:
            kwargs["context"] = InvocationContext(timer.name, self._app_dir)
        self._busy.add(timer.name)
        log.info("timer %s: running%s", timer.name, " (past due)" if request.past_due else "")
        try:
            if inspect.iscoroutinefunction(timer.func):
                await timer.func(**kwargs)
            else:
                result = await asyncio.get_running_loop().run_in_executor(None, functools.partial(timer.func,
                                                                                                   **kwargs))
                if inspect.isawaitable(result):
                    await result
            log.info("timer %s: done", timer.name)
        except Exception as exc:  # the function's own failure: logged, the schedule goes on
            log_exception(log, f"timer function {timer.name} raised", exc)
        finally:
            self._busy.discard(timer.name)


def _request(timer: TimerFunction, late: bool, occurrence: datetime) -> TimerRequest:
    status = {"Last": format_api_time(occurrence), "Next": format_api_time(timer.schedule.next_after(occurrence)),
              "LastUpdated": format_api_time(utc_now())}
    return TimerRequest(past_due=late, schedule_status=status, schedule=dict(SCHEDULE_INFO))
