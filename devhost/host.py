"""Puts devhost together: loads the app, builds the engine and the web app, binds, and shuts down."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from devhost.activities import ActivityRunner
from devhost.app_loader import FunctionIndex, import_app, index_functions
from devhost.client_binding import client_binding_json
from devhost.cors import CorsPolicy
from devhost.durable_api import DurableApi
from devhost.host_config import HostJson, load_local_settings, read_host_json
from devhost.http_server import FunctionDispatcher, admin_routes, build_application
from devhost.keys import KeyPolicy
from devhost.mcp import McpEndpoint
from devhost.orchestration import Engine
from devhost.store import InstanceStore, MemoryStore
from devhost.store_sqlite import MEMORY, SqliteStore
from devhost.timers import TimerScheduler

log = logging.getLogger("devhost")


@dataclass(frozen=True)
class Options:
    app_dir: Path
    host: str = "127.0.0.1"
    port: int = 7071
    require_keys: bool = False
    activity_workers: int = 8
    state: str = MEMORY  # a SQLite file, or ":memory:" (state lost at exit)
    easy_auth: bool = False  # simulate App Service Authentication (devhost/easy_auth.py)
    cors: str | None = None  # allowed origins, comma-separated; None: local.settings.json's Host.CORS


ENVIRONMENT_NAME = "AZURE_FUNCTIONS_ENVIRONMENT"


class DevHost:
    def __init__(self, options: Options) -> None:
        self.options = options
        settings = load_local_settings(options.app_dir)  # before the import: apps read settings at import
        if settings:
            log.info("local.settings.json: set %s", ", ".join(settings))
        # what func start sets for a local run (Azure sets Production); local.settings.json or the environment win
        os.environ.setdefault(ENVIRONMENT_NAME, "Development")
        if options.easy_auth:  # what the platform sets when authentication is on; apps read it at import
            os.environ["WEBSITE_AUTH_ENABLED"] = "true"
        self.host_json: HostJson = read_host_json(options.app_dir)
        self.index: FunctionIndex = index_functions(import_app(options.app_dir))
        self.keys = KeyPolicy.create(options.require_keys)
        self._binding = ""  # known once the port is bound (the port may be 0: any free port)
        self.activities = ActivityRunner(self.index, options.activity_workers, "", str(options.app_dir))
        self.store = open_store(options.state)
        self.engine = Engine(self.index, self.store, self.activities,
                             versions=self.host_json.versions)
        self.timers = TimerScheduler(self.index.timers, str(options.app_dir), lambda: self._binding)
        self.mcp = McpEndpoint(self.index.mcp_tools, self.keys, lambda: self._binding, options.app_dir,
                               options.easy_auth, self.host_json.mcp)
        self._runner: web.AppRunner | None = None
        self.port = options.port

    @property
    def origin(self) -> str:
        host = self.options.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        return f"http://{'[' + shown + ']' if ':' in shown else shown}:{self.port}"

    @property
    def rpc_origin(self) -> str:
        """How the in-process durable client calls back: loopback when devhost listens on all addresses."""
        wildcard = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(self.options.host)
        return f"http://{wildcard}:{self.port}" if wildcard else self.origin

    async def start(self) -> None:
        dispatcher = FunctionDispatcher(self.index.http, self.host_json.route_prefix, self.keys,
                                        self.options.app_dir, lambda: self._binding, self.options.easy_auth)
        routes = DurableApi(self.engine, self.host_json.hub_name).routes() + admin_routes(self.timers, self.keys)
        routes += self.mcp.routes()
        app = build_application(dispatcher, routes, CorsPolicy.from_settings(self.options.app_dir, self.options.cors))
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.options.host, self.options.port)
        await site.start()
        if self._runner.addresses:  # the bound port, when asked for port 0
            self.port = self._runner.addresses[0][1]
        self._binding = client_binding_json(self.origin, self.rpc_origin, self.host_json.hub_name)
        self.activities.set_client_binding(self._binding)
        resumed = self.engine.resume_unfinished()
        if resumed:
            log.info("state %s: resumed %d unfinished instance(s)", self.options.state, resumed)
        self.timers.start()  # after the binding is known: timer functions may use the durable client

    async def stop(self) -> None:
        self.timers.stop()
        self.engine.shutdown()
        self.activities.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
        await _close_sdk_client_session()
        if isinstance(self.store, SqliteStore):
            self.store.close()


def open_store(state: str) -> InstanceStore:
    """`:memory:` keeps the plain in-memory store (nothing to serialise); anything else is a SQLite file."""
    return MemoryStore() if state == MEMORY else SqliteStore(state)


async def _close_sdk_client_session() -> None:
    """The SDK's durable client keeps a module-global aiohttp session; close it to leave no warnings."""
    try:
        from azure.durable_functions.models.utils import http_utils

        await http_utils._close_session()
    except Exception:  # noqa: BLE001 - best effort at shutdown
        pass
