"""`python -m devhost`: host the function app in a folder, like `func start`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sqlite3
import sys
import threading
from pathlib import Path

from devhost import logs
from devhost.app_loader import AppLoadError
from devhost.host import DevHost, Options
from devhost.host_config import ConfigFileError
from devhost.mcp import MCP_PATH
from devhost.store_sqlite import MEMORY

TELEMETRY_ENV = "DEBUG_TELEMETRY"  # shared/telemetry/setup.py's switch; devhost itself knows no app code
DEFAULT_STATE = ".devhost/state.sqlite"  # under the app folder, like func start's working folder

log = logging.getLogger("devhost")


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m devhost", description=__doc__)
    parser.add_argument("--port", type=int, default=7071, help="port to listen on (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--app-dir", type=Path, default=Path.cwd(), help="folder with function_app.py")
    parser.add_argument("--require-keys", action="store_true",
                        help="demand a function key on function- and admin-level routes")
    parser.add_argument("--easy-auth", action="store_true",
                        help="simulate App Service Authentication: X-Devhost-Principal: <id> signs a request in")
    parser.add_argument("--activity-workers", type=int, default=8, help="threads that run activities")
    parser.add_argument("--telemetry", choices=["console"], default=None,
                        help="print the app's OpenTelemetry spans and metrics to stdout")
    parser.add_argument("--cors", default=None, metavar="ORIGINS",
                        help="origins allowed to call from a browser, comma-separated, '*' for any "
                             "(default: local.settings.json's Host.CORS; none)")
    parser.add_argument("--state", default=None,
                        help="SQLite file for instances, history and timers (default: "
                             f"APP_DIR/{DEFAULT_STATE}); ':memory:' keeps state in memory only")
    args = parser.parse_args(argv)
    if args.activity_workers < 1:
        parser.error("--activity-workers must be at least 1")
    if args.telemetry:  # read by the app's configure_telemetry() when function_app.py is imported
        os.environ[TELEMETRY_ENV] = args.telemetry
    app_dir = args.app_dir.resolve()
    state = args.state or str(app_dir / DEFAULT_STATE)
    if state != MEMORY:
        state = str(Path(state).resolve())
    return Options(app_dir=app_dir, host=args.host, port=args.port, require_keys=args.require_keys,
                   activity_workers=args.activity_workers, state=state, easy_auth=args.easy_auth,
                   cors=args.cors)


def print_banner(host: DevHost) -> None:
    print(f"devhost listening on {host.origin}", flush=True)
    print(f"task hub: {host.host_json.hub_name}; route prefix: /{host.host_json.route_prefix}", flush=True)
    print(f"state: {host.options.state}", flush=True)
    prefix = f"/{host.host_json.route_prefix}" if host.host_json.route_prefix else ""
    print("functions:", flush=True)
    methods = {f.name: ",".join(sorted(f.methods)) if f.methods else "any method" for f in host.index.http}
    for name, kind, route in host.index.listing:
        shown = f" [{methods.get(name)}] {host.origin}{prefix}/{route}" if kind == "httpTrigger" else ""
        shown = f" [{route}]" if kind == "timerTrigger" else shown
        shown = f" [tool {route}] {host.origin}{MCP_PATH}" if kind == "mcpToolTrigger" else shown
        print(f"  {name}: {kind}{shown}", flush=True)
    if host.keys.generated:
        print(f"function key (send as x-functions-key or ?code=): {host.keys.key}", flush=True)


async def serve(options: Options) -> None:
    host = DevHost(options)
    await host.start()
    print_banner(host)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("shutting down")
    await host.stop()


def main(argv: list[str] | None = None) -> int:
    logs.configure()
    options = parse_args(argv)
    try:
        asyncio.run(serve(options))
    except AppLoadError as exc:
        log.error("cannot load the function app: %s", exc)
        return 2
    except ConfigFileError as exc:  # one line naming the file and the place, not a traceback
        log.error("cannot start: %s", exc)
        return 2
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", options.host, options.port, exc.strerror or exc)
        return 2
    except sqlite3.Error as exc:
        log.error("cannot open the state file %s: %s", options.state, exc)
        return 2
    busy = [t for t in threading.enumerate() if t.name.startswith("devhost-") and t.is_alive()]
    if busy:  # an activity still running would keep the interpreter alive; it has been abandoned
        logging.shutdown()
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
