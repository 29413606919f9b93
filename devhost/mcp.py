"""The Functions MCP extension's part: the app's `mcpToolTrigger` functions as MCP tools over streamable HTTP.

One endpoint, `/runtime/webhooks/mcp`, like the extension: a POST carries one JSON-RPC message; a request is
answered with one `message` event on a `text/event-stream` body (as the extension does; the spec also allows
plain JSON), a notification or a client response with 202. `initialize` opens a session (`Mcp-Session-Id`)
and negotiates the protocol version; later requests need that header (400 without, 404 for an unknown or
ended one) and, if they send `MCP-Protocol-Version`, a supported one (400). GET answers 405: no
server-initiated messages, like the extension. DELETE ends the session (the extension answers 405 there).

With --require-keys the endpoint needs the key (`x-functions-key` or `?code=`) as an `admin` route: on Azure
it is the `mcp_extension` system key, here devhost's one key stands for every key level. A tool is called
like the extension calls it: the trigger parameter gets the invocation context as a JSON string
`{"name", "arguments", "sessionid", "clientinfo", "transport": {"name": "http", "sessionId", "properties":
{"headers"}}}` (the MCP request's headers, behind the simulated platform); a durable client parameter gets
the binding JSON. What the function returns becomes the CallToolResult (`tool_result` below). Nothing here
logs a message's content."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from devhost.app_loader import AppLoadError, McpToolFunction
from devhost.easy_auth import platform_headers
from devhost.host_config import McpServerInfo
from devhost.http_convert import InvocationContext
from devhost.http_server import call_function
from devhost.keys import KeyPolicy
from devhost.logs import log_exception

log = logging.getLogger("devhost")

MCP_PATH = "/runtime/webhooks/mcp"
SESSION_HEADER = "Mcp-Session-Id"
VERSION_HEADER = "MCP-Protocol-Version"
SUPPORTED_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")  # oldest to newest
DEFAULT_VERSION = "2025-03-26"  # what the spec says a server assumes when a request names none
# JSON-RPC error codes
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32601, -32602, -32603
# The worker's result envelope when useResultSchema is on: {"type", "content", "structuredContent"}
CALL_TOOL_RESULT, MULTI_CONTENT_RESULT = "call_tool_result", "multi_content_result"


class RpcError(Exception):
    """A JSON-RPC error answered to the client; `message` is meant for it (never internals)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Tool:
    function: McpToolFunction
    input_schema: dict[str, Any]
    required: tuple[str, ...]


def input_schema(tool_properties: str) -> dict[str, Any]:
    """The tool's inputSchema from the binding's `toolProperties`, built as the extension builds it.

    Property names are read case-insensitively (the extension deserialises them so); a property without a
    name is skipped; `required` is always present."""
    listed = json.loads(tool_properties) if tool_properties.strip() else []
    if not isinstance(listed, list):
        raise ValueError("toolProperties must be a JSON list")
    properties: dict[str, Any] = {}
    required: list[str] = []
    for entry in listed:
        item = {str(k).lower(): v for k, v in entry.items()} if isinstance(entry, dict) else {}
        name = str(item.get("propertyname") or "").strip()
        if not name:
            continue
        typed: dict[str, Any] = {"type": str(item.get("propertytype") or "string")}
        if item.get("enumvalues"):
            typed["enum"] = [str(v) for v in item["enumvalues"]]
        schema = {"type": "array", "items": typed} if item.get("isarray") else dict(typed)
        schema["description"] = str(item.get("description") or "")
        properties[name] = schema
        if item.get("isrequired") and name not in required:
            required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def tool_result(returned: Any, use_result_schema: bool) -> dict[str, Any]:
    """The CallToolResult for what a tool function returned.

    Without useResultSchema the extension wraps the value's text in one text block (None: no content). With
    it the function returns the worker's envelope: `call_tool_result` carries a whole CallToolResult as JSON,
    `multi_content_result` a list of blocks, any other type one block; `structuredContent` is JSON text."""
    if returned is None:
        return {"content": []}
    text = returned.decode("utf-8") if isinstance(returned, bytes | bytearray) else str(returned)
    if not use_result_schema:
        return {"content": [{"type": "text", "text": text}]}
    envelope = json.loads(text)
    content = envelope.get("content") or "null"
    if str(envelope.get("type", "")).lower() == CALL_TOOL_RESULT:
        result = json.loads(content)
        if not isinstance(result, dict):
            raise ValueError("a call_tool_result must carry a JSON object")
        return result
    blocks = json.loads(content)
    blocks = blocks if str(envelope.get("type", "")).lower() == MULTI_CONTENT_RESULT else [blocks]
    if not blocks or not all(isinstance(b, dict) for b in blocks):
        raise ValueError("a tool result needs at least one content block")
    result = {"content": blocks}
    if envelope.get("structuredContent"):
        result["structuredContent"] = json.loads(envelope["structuredContent"])
    return result


def negotiate(requested: Any) -> str:
    """The client's version when devhost speaks it, else devhost's newest (the client then decides)."""
    return requested if requested in SUPPORTED_VERSIONS else SUPPORTED_VERSIONS[-1]


@dataclass
class McpEndpoint:
    """Serves the app's MCP tools at MCP_PATH (see the module docstring)."""

    functions: list[McpToolFunction]
    keys: KeyPolicy
    client_binding: Callable[[], str]
    app_dir: Path
    easy_auth: bool = False
    server: McpServerInfo = McpServerInfo()
    sessions: dict[str, str] = field(default_factory=dict)  # session id -> negotiated protocol version

    def __post_init__(self) -> None:
        self.tools: dict[str, Tool] = {}
        for function in self.functions:
            try:
                schema = input_schema(function.tool_properties)
            except (ValueError, AttributeError) as exc:
                raise AppLoadError(f"function {function.name}: toolProperties is not a list of properties: {exc}"
                                   ) from exc
            key = function.tool_name.casefold()  # the extension's registry ignores case
            if key in self.tools:
                raise AppLoadError(f"function {function.name}: tool '{function.tool_name}' is already registered")
            self.tools[key] = Tool(function, schema, tuple(schema["required"]))

    def routes(self) -> list[web.RouteDef]:
        return [web.route("*", MCP_PATH, self.handle)]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self.keys.allows("admin", request):
            return web.Response(status=401)
        if request.method == "DELETE":
            return self._end_session(request)
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST, DELETE"})
        accepted = request.headers.get("Accept", "")
        if "application/json" not in accepted or "text/event-stream" not in accepted:
            return _rpc_error_response(406, INVALID_REQUEST, "Not Acceptable: Client must accept both "
                                                             "application/json and text/event-stream")
        try:
            message = json.loads(await request.read())
        except ValueError:
            return _rpc_error_response(400, PARSE_ERROR, "Parse error: the body is not JSON")
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            problem = "batches are not supported" if isinstance(message, list) else "not a JSON-RPC 2.0 message"
            return _rpc_error_response(400, INVALID_REQUEST, f"Invalid Request: {problem}")
        method = message.get("method")
        if method == "initialize" and "id" in message:
            return await self._initialize(request, message)
        session_id = request.headers.get(SESSION_HEADER, "")
        if not session_id:
            return _rpc_error_response(400, INVALID_REQUEST, f"Bad Request: the {SESSION_HEADER} header is required")
        if session_id not in self.sessions:
            return _rpc_error_response(404, INVALID_REQUEST, "Session not found: initialize a new session")
        version = request.headers.get(VERSION_HEADER)
        if version is not None and version not in SUPPORTED_VERSIONS:
            return _rpc_error_response(400, INVALID_REQUEST, f"Bad Request: unsupported {VERSION_HEADER} "
                                                             f"'{version}'; supported: {', '.join(SUPPORTED_VERSIONS)}")
        if not isinstance(method, str) or "id" not in message:
            return web.Response(status=202)  # a notification, or the client's response to us: nothing to say
        return await _event_stream(request, message["id"], self._answer(request, session_id, method, message))

    async def _initialize(self, request: web.Request, message: dict[str, Any]) -> web.StreamResponse:
        params = _params(message)
        version = negotiate(params.get("protocolVersion"))
        session_id = secrets.token_hex(16)
        self.sessions[session_id] = version
        result: dict[str, Any] = {"protocolVersion": version, "capabilities": {"tools": {"listChanged": False}},
                                  "serverInfo": {"name": self.server.name, "version": self.server.version}}
        if self.server.instructions:
            result["instructions"] = self.server.instructions
        return await _event_stream(request, message.get("id"), _ready(result), {SESSION_HEADER: session_id})

    def _end_session(self, request: web.Request) -> web.Response:
        session_id = request.headers.get(SESSION_HEADER, "")
        if not session_id:
            return _rpc_error_response(400, INVALID_REQUEST, f"Bad Request: the {SESSION_HEADER} header is required")
        if self.sessions.pop(session_id, None) is None:
            return web.Response(status=404)
        return web.Response(status=204)

    async def _answer(self, request: web.Request, session_id: str, method: str, message: dict[str, Any]) -> Any:
        params = _params(message)
        if method == "ping":
            return {}
        if method == "tools/list":
            return {"tools": [{"name": t.function.tool_name, "description": t.function.description,
                               "inputSchema": t.input_schema} for t in self.tools.values()]}
        if method == "tools/call":
            return await self._call_tool(request, session_id, params)
        raise RpcError(METHOD_NOT_FOUND, f"Method not found: {method}")

    async def _call_tool(self, request: web.Request, session_id: str, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("name")
        tool = self.tools.get(name.casefold()) if isinstance(name, str) else None
        if tool is None:
            raise RpcError(INVALID_PARAMS, f"Unknown tool: '{name}'")
        arguments = params.get("arguments")
        if arguments is not None and not isinstance(arguments, dict):
            raise RpcError(INVALID_PARAMS, "arguments must be an object")
        missing = [p for p in tool.required if (arguments or {}).get(p) is None]
        if missing:
            raise RpcError(INVALID_PARAMS, "One or more required tool properties are missing values. "
                                           f"Please provide: {', '.join(missing)}")
        function = tool.function
        context = {"name": name, "arguments": arguments, "sessionid": session_id,
                   "transport": {"name": "http", "sessionId": session_id,
                                 "properties": {"headers": _transport_headers(request, self.easy_auth)}}}
        kwargs: dict[str, Any] = {function.context_param: json.dumps(context)}
        kwargs.update({param: self.client_binding() for param in function.client_params})
        if function.wants_context:
            kwargs["context"] = InvocationContext(function.name, str(self.app_dir))
        try:
            return tool_result(await call_function(function.func, kwargs), function.use_result_schema)
        except Exception as exc:  # the function's own failure: details only in the log
            log_exception(log, f"function {function.name} raised", exc)
            raise RpcError(INTERNAL_ERROR, f"An error occurred invoking '{function.tool_name}'.") from None


def _params(message: dict[str, Any]) -> dict[str, Any]:
    params = message.get("params")
    return params if isinstance(params, dict) else {}


def _transport_headers(request: web.Request, easy_auth: bool) -> dict[str, str]:
    """The MCP request's headers as the extension passes them: repeated names joined with ","."""
    headers: dict[str, str] = {}
    for key, value in request.headers.items():
        name = key.lower()
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return platform_headers(headers, easy_auth)


async def _ready(result: Any) -> Any:
    return result


async def _event_stream(request: web.Request, request_id: Any, answer: Awaitable[Any],
                        headers: dict[str, str] | None = None) -> web.StreamResponse:
    """Answer one request with one SSE `message` event; the headers go out before the work is done."""
    response = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream",
                                                       "Cache-Control": "no-cache,no-store", **(headers or {})})
    await response.prepare(request)
    try:
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "result": await answer}
    except RpcError as error:
        reply = {"jsonrpc": "2.0", "id": request_id, "error": {"code": error.code, "message": error.message}}
    except Exception as exc:  # devhost's own failure: a generic error, details only in the log
        log_exception(log, "devhost error answering an MCP request", exc)
        reply = {"jsonrpc": "2.0", "id": request_id, "error": {"code": INTERNAL_ERROR, "message": "Internal error"}}
    await response.write(f"event: message\ndata: {json.dumps(reply)}\n\n".encode())
    await response.write_eof()
    return response


def _rpc_error_response(status: int, code: int, message: str) -> web.Response:
    body = {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}
    return web.json_response(body, status=status)
