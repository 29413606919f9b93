"""What `func start` reads from the app folder: host.json and local.settings.json."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("devhost")

DEFAULT_ROUTE_PREFIX = "api"
DEFAULT_HUB_NAME = "DevHostHub"


@dataclass(frozen=True)
class McpServerInfo:
    """host.json `extensions.mcp`: what the MCP extension tells a client in `initialize`."""

    name: str = "Azure Functions MCP server"  # the extension's defaults
    version: str = "1.0.0"
    instructions: str | None = None


@dataclass(frozen=True)
class HostJson:
    route_prefix: str
    hub_name: str
    mcp: McpServerInfo = McpServerInfo()


def read_host_json(app_dir: Path) -> HostJson:
    path = app_dir / "host.json"
    data: dict[str, Any] = {}
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    extensions = data.get("extensions") or {}
    prefix = (extensions.get("http") or {}).get("routePrefix", DEFAULT_ROUTE_PREFIX)
    hub = (extensions.get("durableTask") or {}).get("hubName") or DEFAULT_HUB_NAME
    mcp = extensions.get("mcp") or {}
    server = McpServerInfo(name=str(mcp.get("serverName") or McpServerInfo.name),
                           version=str(mcp.get("serverVersion") or McpServerInfo.version),
                           instructions=str(mcp["instructions"]) if mcp.get("instructions") else None)
    return HostJson(route_prefix=str(prefix).strip("/"), hub_name=str(hub), mcp=server)


def read_local_settings(app_dir: Path) -> dict[str, Any]:
    """local.settings.json as it stands (`Values`, `Host`...), or {} without one."""
    path = app_dir / "local.settings.json"
    return json.loads(path.read_text(encoding="utf-8-sig")) if path.is_file() else {}


def load_local_settings(app_dir: Path) -> list[str]:
    """Put local.settings.json `Values` into os.environ, never overriding a variable already set.

    Returns the names that were set (never the values: they are often secrets)."""
    values = read_local_settings(app_dir).get("Values") or {}
    applied = []
    for name, value in values.items():
        if name not in os.environ and value is not None:
            os.environ[name] = value if isinstance(value, str) else json.dumps(value)
            applied.append(name)
    return applied
