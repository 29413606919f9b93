"""What `func start` reads from the app folder: host.json and local.settings.json."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devhost.versioning import VersionPolicy

log = logging.getLogger("devhost")

DEFAULT_ROUTE_PREFIX = "api"
DEFAULT_HUB_NAME = "DevHostHub"


@dataclass(frozen=True)
class McpServerInfo:
    """host.json `extensions.mcp`: what the MCP extension tells a client in `initialize`."""

    name: str = "Azure Functions MCP server"  # the extension's defaults
    version: str = "1.0.0"
    instructions: str | None = None


class ConfigFileError(Exception):
    """host.json or local.settings.json cannot be read: the message is one line naming the file and place."""


@dataclass(frozen=True)
class HostJson:
    route_prefix: str
    hub_name: str
    mcp: McpServerInfo = McpServerInfo()
    # extensions.durableTask defaultVersion, versionMatchStrategy, versionFailureStrategy (devhost/versioning.py)
    versions: VersionPolicy = VersionPolicy()


def read_host_json(app_dir: Path) -> HostJson:
    data = _read_json_object(app_dir / "host.json")
    extensions = _section(data, "extensions", "host.json")
    prefix = _section(extensions, "http", "host.json extensions").get("routePrefix", DEFAULT_ROUTE_PREFIX)
    durable = _section(extensions, "durableTask", "host.json extensions")
    hub = durable.get("hubName") or DEFAULT_HUB_NAME
    versions = VersionPolicy(None if durable.get("defaultVersion") is None else str(durable["defaultVersion"]),
                             str(durable.get("versionMatchStrategy") or VersionPolicy.match),
                             str(durable.get("versionFailureStrategy") or VersionPolicy.failure))
    mcp = _section(extensions, "mcp", "host.json extensions")
    server = McpServerInfo(name=str(mcp.get("serverName") or McpServerInfo.name),
                           version=str(mcp.get("serverVersion") or McpServerInfo.version),
                           instructions=str(mcp["instructions"]) if mcp.get("instructions") else None)
    return HostJson(route_prefix=str(prefix).strip("/"), hub_name=str(hub), mcp=server,
                    versions=versions)


def read_local_settings(app_dir: Path) -> dict[str, Any]:
    """local.settings.json as it stands (`Values`, `Host`...), or {} without one."""
    return _read_json_object(app_dir / "local.settings.json")


def _read_json_object(path: Path) -> dict[str, Any]:
    """The file's JSON object, {} when absent. A broken file is one clear line (like `func start`, which
    refuses to start on it), never a traceback."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigFileError(f"{path.name} is not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ConfigFileError(f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno} "
                              f"column {exc.colno}") from None
    if not isinstance(data, dict):
        raise ConfigFileError(f"{path.name} must hold a JSON object, not {type(data).__name__}")
    return data


def _section(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigFileError(f"{where}: '{key}' must be a JSON object, not {type(value).__name__}")
    return value


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
