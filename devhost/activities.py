"""Running activity functions in a thread pool, as the Functions worker would run them.

Input is decoded and output encoded with the same serializers the worker's ActivityTriggerConverter uses."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from azure.functions._durable_functions import df_dumps, df_loads

from devhost.app_loader import ActivityFunction, FunctionIndex
from devhost.failures import activity_failure
from devhost.http_convert import InvocationContext

log = logging.getLogger("devhost")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    result: str = "null"  # JSON text, when ok
    reason: str = ""  # when not: the extension's "Activity function 'NAME' failed: ..." (devhost/failures.py)
    details: str = ""  # the extension's details JSON, with the user's traceback


class ActivityRunner:
    def __init__(self, index: FunctionIndex, workers: int, client_binding: str, app_dir: str) -> None:
        self._index = index
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="devhost-activity")
        self._client_binding = client_binding
        self._app_dir = app_dir
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self, name: str, input_text: str | None) -> Outcome:
        activity = self._index.activities.find(name)
        if activity is None:
            return Outcome(False, reason=f"The function '{name}' doesn't exist, is disabled, or is not an "
                                         "activity function.")
        self._loop = asyncio.get_running_loop()
        return await self._loop.run_in_executor(self._pool, self._invoke, activity, input_text)

    def set_client_binding(self, binding: str) -> None:
        self._client_binding = binding

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _invoke(self, activity: ActivityFunction, input_text: str | None) -> Outcome:
        try:
            kwargs: dict[str, Any] = {activity.input_param: decode_input(input_text)}
            kwargs.update({name: self._client_binding for name in activity.client_params})
            if activity.wants_context:
                kwargs["context"] = InvocationContext(activity.name, self._app_dir)
            result = activity.func(**kwargs)
            if inspect.isawaitable(result):
                result = self._wait(result, on_host_loop=bool(activity.client_params))
            return Outcome(True, result=df_dumps(result))
        except BaseException as exc:  # noqa: BLE001 - whatever an activity raises must not reach the host
            # The message may carry user data: logs get the type only; history keeps it all, as Durable does.
            log.warning("activity %s raised %s", activity.name, type(exc).__name__)
            reason, details = activity_failure(activity.known_as or activity.name, exc)
            return Outcome(False, reason=reason, details=details)

    def _wait(self, awaitable: Awaitable[Any], on_host_loop: bool) -> Any:
        async def wrapper() -> Any:
            return await awaitable

        if on_host_loop and self._loop is not None:
            # The SDK's client shares one aiohttp session and asyncio.Lock across calls: only the host's loop
            # may use it, so an activity with a durable client binding runs its coroutine there.
            return asyncio.run_coroutine_threadsafe(wrapper(), self._loop).result()
        return asyncio.run(wrapper())


def decode_input(input_text: str | None) -> Any:
    if input_text is None:
        return None
    try:
        return df_loads(input_text)
    except json.JSONDecodeError:  # the worker passes text that is not JSON through as a string
        return input_text
