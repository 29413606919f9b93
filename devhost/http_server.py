"""The aiohttp application: the app's HTTP functions, the Durable webhooks and /admin/host/status.

Everything runs on one event loop: the SDK's durable client keeps a module-global aiohttp session and
asyncio.Lock, so async functions must run on the loop that serves them. Sync functions go to a thread."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from devhost import __version__
from devhost.app_loader import HttpFunction
from devhost.cors import CorsPolicy, cors_middleware
from devhost.http_convert import InvocationContext, to_function_request, to_web_response
from devhost.keys import KeyPolicy
from devhost.logs import log_exception
from devhost.routing import Router
from devhost.timers import TimerScheduler

log = logging.getLogger("devhost")
MAX_BODY_BYTES = 100 * 1024 * 1024  # the Functions host's request size limit
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def request_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    """One line per request: method, path (never the query string or body), status, milliseconds."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = 499  # the client went away
        raise
    except Exception as exc:
        log_exception(log, f"devhost error serving {request.method} {request.path}", exc)
        return web.Response(status=500, text="Internal Server Error")
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.info("%s %s %d %.1fms", request.method, request.path, status, elapsed_ms)


class FunctionDispatcher:
    """Routes a request to an HTTP-triggered function and calls it with its bindings."""

    def __init__(self, functions: list[HttpFunction], route_prefix: str, keys: KeyPolicy, app_dir: Path,
                 client_binding: Callable[[], str], easy_auth: bool = False) -> None:
        routes = [(f.route, f.methods, f) for f in functions]
        self._router: Router[HttpFunction] = Router(route_prefix, routes)
        self._keys = keys
        self._app_dir = str(app_dir)
        self._client_binding = client_binding
        self._easy_auth = easy_auth

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        resolved = self._router.resolve(request.raw_path.split("?", 1)[0], request.method)
        if resolved is None:
            return web.Response(status=404)
        if isinstance(resolved, set):
            return web.Response(status=405, headers={"Allow": ", ".join(sorted(resolved))})
        function, route_params = resolved
        if not self._keys.allows(function.auth_level, request):
            return web.Response(status=401)
        body = await request.read()
        converted = to_function_request(request, body, route_params, self._easy_auth)
        kwargs: dict[str, Any] = {function.request_param: converted}
        kwargs.update({name: self._client_binding() for name in function.client_params})
        if function.wants_context:
            kwargs["context"] = InvocationContext(function.name, self._app_dir)
        try:
            return to_web_response(await self._invoke(function, kwargs))
        except Exception as exc:  # the function's own failure: a generic 500, details only in the log
            log_exception(log, f"function {function.name} raised", exc)
            return web.Response(status=500, text="Internal Server Error")

    @staticmethod
    async def _invoke(function: HttpFunction, kwargs: dict[str, Any]) -> Any:
        return await call_function(function.func, kwargs)


async def call_function(func: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """Call a function of the app: async ones on this loop, sync ones in a thread (see the module docstring)."""
    if inspect.iscoroutinefunction(func):
        return await func(**kwargs)
    call = functools.partial(func, **kwargs)
    result = await asyncio.get_running_loop().run_in_executor(None, call)
    return await result if inspect.isawaitable(result) else result


def admin_routes(timers: TimerScheduler, keys: KeyPolicy) -> list[web.RouteDef]:
    """`POST /admin/functions/{name}`: the Functions host's way to run a non-HTTP function now (202)."""

    async def run_function(request: web.Request) -> web.Response:
        if not keys.allows("admin", request):
            return web.Response(status=401)
        await request.read()  # the body's {"input": ...} means nothing to a timer function
        if not timers.run_now(request.match_info["name"]):
            return web.json_response({"error": "devhost runs only timer-triggered functions this way, "
                                               "and none has that name"}, status=404)
        return web.Response(status=202)

    return [web.post("/admin/functions/{name}", run_function)]


def build_application(dispatcher: FunctionDispatcher, durable_routes: list[web.RouteDef],
                      cors: CorsPolicy) -> web.Application:
    app = web.Application(middlewares=[request_log, cors_middleware(cors)], client_max_size=MAX_BODY_BYTES)
    started = time.monotonic()

    async def host_status(_: web.Request) -> web.Response:
        return web.json_response({"id": "devhost", "state": "Running", "version": f"devhost-{__version__}",
                                  "processUptime": int((time.monotonic() - started) * 1000)})

    app.router.add_get("/admin/host/status", host_status)
    app.router.add_routes(durable_routes)
    app.router.add_route("*", "/{tail:.*}", dispatcher)
    return app
