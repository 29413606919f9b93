"""The MCP tools `debug_error` and `debug_error_continue`: the debug API's start and continue, over MCP.

The Functions MCP extension calls a tool function with the invocation context
`{"name", "arguments", "sessionid", "transport": {"properties": {"headers": {...}}}}`; the headers are those
of the client's MCP HTTP request. A tool turns that back into the API request it stands for (the arguments
as the JSON body, the MCP request's headers as its headers) and calls the same handler of shared/http/api.py as
the HTTP trigger. Validation, limits, redaction, ownership, rate limits and the envelope are the API's own.

Who owns an MCP session: the caller named by those headers, exactly as over HTTP (shared/security/callers.py). With
App Service Authentication that is the signed-in principal; without it, the key the MCP client presented.
On Azure the MCP endpoint takes the `mcp_extension` system key, so every MCP client holding that key is one
caller (like HTTP callers sharing a function key): its sessions, its rate limit and open-session cap. A
function key is another caller, so an MCP session is not reachable over HTTP with a function key (404).
The extension passes headers only, not the query string: a client sending the key as `?code=` is not told
apart by it and reads as the anonymous caller (all such clients are one caller), so the header is the way.

The result is the envelope JSON, without `links`: those name HTTP routes that take function keys, which an
MCP client does not hold. An API error is the API's error body, as a tool result marked `isError`, with the
fields named as the tool's arguments (`source_files[0].path`, not `context.source_files[0].path`)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import azure.functions as func
from azure.durable_functions import DurableOrchestrationClient

from shared.errors import ApiError
from shared.http import api
from shared.models import (
    MAX_ANSWER_CHARS,
    MAX_ERROR_DESCRIPTION_CHARS,
    MAX_FILE_BYTES,
    MAX_SOURCE_FILES,
    MAX_TOTAL_FILE_BYTES,
    ErrorDetail,
)

MCP_PATH = "/runtime/webhooks/mcp"  # where the extension serves tools; only informative in the rebuilt request
Handler = Callable[[func.HttpRequest, DurableOrchestrationClient], Awaitable[func.HttpResponse]]

_FILES = (f"Files that bear on the error, each {{\"path\": relative path, \"content\": text, \"relevance\": "
          f"\"primary\" | \"secondary\" | \"config\"}}; at most {MAX_SOURCE_FILES} files, {MAX_FILE_BYTES:,} bytes "
          f"each, {MAX_TOTAL_FILE_BYTES:,} in all. Secrets in them are redacted before anything is stored.")
_ENVIRONMENT = ("Where it runs: {\"azure_subscription\", \"resource_group\", \"technologies\": [...]}; other keys "
                "are kept as free text.")


def _property(name: str, kind: str, description: str, required: bool = False, array: bool = False) -> dict:
    # The shape azure-functions' own mcp_tool() writes and the extension reads into the tool's inputSchema.
    return {"propertyName": name, "propertyType": kind, "description": description,
            "isArray": array, "isRequired": required}


START_TOOL = "debug_error"
START_DESCRIPTION = (
    "Start a debugging session for an Azure error. Returns the session envelope as JSON: `status` done (a "
    "`report` with the root cause and fix), request (answer `request.question` with debug_error_continue), "
    "continue (call debug_error_continue: without an answer it waits for the service) or fail. Keep the "
    "`trace_id`.")
START_PROPERTIES = json.dumps([
    _property("error_description", "string", f"The error as seen: message, stack trace, log lines "
              f"(1 to {MAX_ERROR_DESCRIPTION_CHARS:,} characters).", required=True),
    _property("source_files", "object", _FILES, array=True),
    _property("environment_info", "object", _ENVIRONMENT),
    _property("options", "object", "Optional limits: {\"max_depth\": 1-20 steps a round, \"time_limit_seconds\": "
              "5-600 a round, \"max_rounds\": 1-20, \"wait_seconds\": 0-200 this call may wait for a state that "
              "needs you, \"auto_continue\": rounds follow without waiting for you}."),
])

CONTINUE_TOOL = "debug_error_continue"
CONTINUE_DESCRIPTION = (
    "Continue a debugging session started with debug_error: answer its request, add files, or resume a paused "
    "session. Without an answer on a session that is still working it waits for it like a status read. "
    "Returns the session envelope as JSON, like debug_error.")
CONTINUE_PROPERTIES = json.dumps([
    _property("trace_id", "string", "The session's trace_id from debug_error.", required=True),
    _property("answer", "string", f"Your reply to the session's request (at most {MAX_ANSWER_CHARS:,} characters): "
              "command output, settings, what you found."),
    _property("source_files", "object", _FILES, array=True),
    _property("environment_info", "object", _ENVIRONMENT),
    _property("wait_seconds", "integer", "0-200: how long this call may wait for a state that needs you "
              "(default 30)."),
    _property("reopen", "boolean", "true on a finished session (done or fail) whose fix did not work: a new round "
              "that keeps the evidence and rules the earlier cause out; give what changed as answer."),
])

FEEDBACK_TOOL = "debug_error_feedback"
FEEDBACK_DESCRIPTION = (
    "Tell the service whether the fix of a finished debugging session worked: counted for that kind of error, so "
    "later sessions rank their fixes by what worked. The last feedback counts. Returns the session envelope.")
FEEDBACK_PROPERTIES = json.dumps([
    _property("trace_id", "string", "The session's trace_id.", required=True),
    _property("outcome", "string", "fixed, not_fixed or partly.", required=True),
    _property("note", "string", "Optional, at most 2,000 characters: what happened (redacted before it is kept)."),
])

# Tool argument -> where it goes in the API's body. Arguments not named here are not the tool's.
_START_FIELDS = {"error_description": ("error_description",), "source_files": ("context", "source_files"),
                 "environment_info": ("context", "environment_info"), "options": ("options",)}
_CONTINUE_FIELDS = {"answer": ("answer",), "source_files": ("context", "source_files"),
                    "environment_info": ("context", "environment_info"), "wait_seconds": ("options", "wait_seconds"),
                    "reopen": ("reopen",)}
_FEEDBACK_FIELDS: dict[str, tuple[str, ...]] = {"outcome": ("outcome",), "note": ("note",)}


async def debug_error(invocation: str | dict, client: DurableOrchestrationClient) -> str:
    """The `debug_error` tool: start a session as `POST /api/debug` does; the tool result as a JSON string."""
    context = _invocation(invocation)
    return await _call(api.start_session, context, _START_FIELDS, {}, client)


async def debug_error_continue(invocation: str | dict, client: DurableOrchestrationClient) -> str:
    """The `debug_error_continue` tool: `POST /api/debug/{trace_id}/continue`; the tool result as a JSON string."""
    context, route = _session_route(invocation)
    return await _call(api.continue_session, context, _CONTINUE_FIELDS, route, client)


async def debug_error_feedback(invocation: str | dict, client: DurableOrchestrationClient) -> str:
    """The `debug_error_feedback` tool: `POST /api/debug/{trace_id}/feedback`; the tool result as a JSON string."""
    context, route = _session_route(invocation)
    return await _call(api.feedback_session, context, _FEEDBACK_FIELDS, route, client)


def _session_route(invocation: str | dict) -> tuple[dict[str, Any], dict[str, str]]:
    """The invocation without its `trace_id` argument, and the route that argument names."""
    context = _invocation(invocation)
    arguments = dict(context["arguments"])
    trace_id = arguments.pop("trace_id", "")
    context["arguments"] = arguments
    return context, {"trace_id": trace_id if isinstance(trace_id, str) else ""}  # not text: an unknown session


def _invocation(invocation: str | dict) -> dict[str, Any]:
    """The extension's invocation context; `arguments` is always a dict (absent or null: no arguments)."""
    context = json.loads(invocation) if isinstance(invocation, str) else dict(invocation)
    arguments = context.get("arguments")
    context["arguments"] = arguments if isinstance(arguments, dict) else {}
    return context


async def _call(handler: Handler, context: dict[str, Any], fields: dict[str, tuple[str, ...]],
                route_params: dict[str, str], client: DurableOrchestrationClient) -> str:
    arguments: dict[str, Any] = context["arguments"]
    unknown = sorted(name for name in arguments if name not in fields)
    if unknown:
        error = ApiError(400, "invalid_request", "The arguments do not match the tool's schema.",
                         [ErrorDetail(field=name, problem="unknown field") for name in unknown])
        return _tool_result(error.body(), is_error=True)
    body: dict[str, Any] = {}
    for name, value in arguments.items():
        if value is None:  # an agent's explicit null is an argument not given
            continue
        *parents, leaf = fields[name]
        target = body
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    response = await handler(_api_request(context, body, route_params), client)
    document = json.loads(response.get_body())
    if response.status_code >= 400:
        return _tool_result(_argument_names(document, fields), is_error=True)
    document.pop("links", None)
    return _tool_result(document, is_error=False)


def _api_request(context: dict[str, Any], body: dict[str, Any], route_params: dict[str, str]) -> func.HttpRequest:
    """The API request the tool call stands for: the MCP request's headers, the arguments as the body."""
    transport = context.get("transport") or {}
    properties = transport.get("properties") if isinstance(transport, dict) else None
    raw = properties.get("headers") if isinstance(properties, dict) else None
    headers = {str(k).lower(): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    scheme = headers.get("x-forwarded-proto", "https").split(",")[0].strip() or "https"
    url = f"{scheme}://{headers.get('host', 'localhost')}{MCP_PATH}"
    return func.HttpRequest(method="POST", url=url, headers=headers, params={}, route_params=route_params,
                            body=json.dumps(body).encode("utf-8"))


def _argument_names(document: dict[str, Any], fields: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """The API's error body with each detail's field named as the tool's argument it came from."""
    paths = sorted(((".".join(path), name) for name, path in fields.items()), key=lambda p: -len(p[0]))
    for detail in document.get("error", {}).get("details", []):
        field = str(detail.get("field", ""))
        for path, name in paths:
            if field == path or field.startswith((f"{path}.", f"{path}[")):
                detail["field"] = name + field[len(path):]
                break
        else:
            if field == "body":
                detail["field"] = "arguments"
    return document


def _tool_result(document: dict[str, Any], is_error: bool) -> str:
    """A CallToolResult in the envelope the worker hands the extension when `useResultSchema` is on."""
    text = json.dumps(document)
    result: dict[str, Any] = {"content": [{"type": "text", "text": text}], "isError": is_error}
    if not is_error:
        result["structuredContent"] = document
    return json.dumps({"type": "call_tool_result", "content": json.dumps(result),
                       "structuredContent": None if is_error else text})
