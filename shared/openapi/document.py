"""The OpenAPI 3.1 document of the debug API (contract v1): every HTTP route, status, header and example.

The schemas come from the pydantic models (shared/openapi/schemas.py), the examples from the app's own
code (shared/openapi/examples.py); this module lays out the operations. The document is static per
process: built once, then only `servers` changes with the URL it is served from."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from shared.azure.delegation import ACCESS_TOKEN_HEADER
from shared.http.idempotency import HEADER as IDEMPOTENCY_HEADER
from shared.http.idempotency import MAX_CHARS as IDEMPOTENCY_MAX_CHARS
from shared.openapi import examples
from shared.openapi.schemas import REF_PREFIX, component_schemas

OPENAPI_VERSION = "3.1.0"
ROUTE_PREFIX = "/api"  # host.json extensions.http.routePrefix
JSON = "application/json"
FUNCTION_KEY_HEADER = "x-functions-key"
FUNCTION_KEY_QUERY = "code"
ASYNC_NOTE = ("While the service works the answer is 202 with `Location` (the signed poll URL, no key needed) "
              "and `Retry-After` in seconds; follow them until a non-202 answer, as the Logic Apps HTTP action "
              "and Power Automate do by default.")


@dataclass(frozen=True)
class Operation:
    """One HTTP route and method of the app."""

    method: str  # lower case, as in an OpenAPI path item
    path: str
    operation_id: str
    summary: str
    description: str
    responses: dict[str, Any]
    anonymous: bool = False
    parameters: tuple[dict[str, Any], ...] = ()
    request_schema: str | None = None
    request_examples: dict[str, examples.Example] = field(default_factory=dict)
    visibility: str = "none"  # Power Platform x-ms-visibility: important | advanced | internal | none


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF_PREFIX + name}


def _json(schema: dict[str, Any], shown: dict[str, examples.Example] | None = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if shown:
        media["examples"] = shown
    return {JSON: media}


_LOCATION = {"description": "The poll URL (`links.poll`): GET it without headers or key.", "required": True,
             "schema": {"type": "string", "format": "uri"}}
_RETRY_AFTER = {"description": "Seconds to wait before the next GET.", "required": True,
                "schema": {"type": "integer", "minimum": 1}}


def _envelope_200() -> dict[str, Any]:
    return {"description": "The session needs nothing more from the service: `done`, `request`, a paused "
                           "`continue` (next_action `continue`) or `fail`.",
            "content": _json(_ref("Envelope"), examples.ENVELOPE_EXAMPLES)}


def _envelope_202() -> dict[str, Any]:
    return {"description": "Still working (status `continue`, next_action `poll`). " + ASYNC_NOTE,
            "headers": {"Location": _LOCATION, "Retry-After": _RETRY_AFTER},
            "content": _json(_ref("Envelope"), examples.WORKING_EXAMPLES)}


_ERROR_TEXTS = {
    400: "The body is not JSON or not the schema; each field at fault is named in `details`.",
    404: "Unknown trace_id, a session of another caller, or a wrong or expired poll token.",
    409: "The session has finished; start a new one.",
    413: "Over a size limit; nothing was stored.",
    429: "The caller is over its rate limit or its open-session cap; retry after `Retry-After` seconds.",
    500: "Unexpected error: a generic message and the trace_id, never internals.",
    503: "Delegated Azure identity is configured but unusable (`delegation_unavailable`).",
}


def _error(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": _ERROR_TEXTS[status],
                                "content": _json(_ref("ErrorBody"), examples.ERROR_EXAMPLES.get(status))}
    if status == 429:
        response["headers"] = {"Retry-After": _RETRY_AFTER}
    return response


_UNAUTHORIZED = {"description": f"Missing or wrong function key (`{FUNCTION_KEY_HEADER}` header or "
                                f"`{FUNCTION_KEY_QUERY}` query); the platform answers without a body."}


def _responses(*statuses: int) -> dict[str, Any]:
    made: dict[str, Any] = {}
    for status in statuses:
        if status == 200:
            made["200"] = _envelope_200()
        elif status == 202:
            made["202"] = _envelope_202()
        elif status == 401:
            made["401"] = _UNAUTHORIZED
        else:
            made[str(status)] = _error(status)
    return made


_TRACE_ID = {"name": "trace_id", "in": "path", "required": True,
             "description": "The session's id from the start's envelope.",
             "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}
_TOKEN = {"name": "token", "in": "query", "required": True,
          "description": "The signed capability from `Location` or `links.poll`; grants GET of this one session.",
          "schema": {"type": "string", "minLength": 1}}
_IDEMPOTENCY = {"name": IDEMPOTENCY_HEADER, "in": "header", "required": False,
                "description": "The same key from the same caller within the session TTL answers with the same "
                               "session instead of starting another.",
                "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_MAX_CHARS,
                           "pattern": "^[ -~]+$"}}
_AZURE_TOKEN = {"name": ACCESS_TOKEN_HEADER, "in": "header", "required": False,
                "description": "Only when the service runs with DEBUG_AZURE_IDENTITY=delegated: the caller's "
                               "Azure Resource Manager access token, used for this session's Azure calls (on a "
                               "continue: a fresh one, replacing it).",
                "schema": {"type": "string"}}

OPERATIONS: tuple[Operation, ...] = (
    Operation("post", f"{ROUTE_PREFIX}/debug", "StartDebugSession", "Start a debug session",
              "Starts a session on an Azure error and waits up to `options.wait_seconds` for a state that needs "
              "the client. " + ASYNC_NOTE + " With `options.auto_continue` the rounds run on their own, so the "
              "polling ends at `done`, `fail`, or a `request` only the client can answer.",
              _responses(200, 202, 400, 401, 413, 429, 500, 503),
              parameters=(_IDEMPOTENCY, _AZURE_TOKEN), request_schema="StartRequest",
              request_examples=examples.START_EXAMPLES, visibility="important"),
    Operation("post", f"{ROUTE_PREFIX}/debug/{{trace_id}}/continue", "ContinueDebugSession",
              "Answer or resume a debug session",
              "Gives a session that waits (`request`, or a paused `continue`) the answer and more context and "
              "resumes it; on a working session it waits like a GET. With `reopen: true` on a finished session "
              "(done or fail) it starts a new round that keeps the evidence and treats the earlier conclusion as "
              "not the fix. " + ASYNC_NOTE,
              _responses(200, 202, 400, 401, 404, 409, 413, 429, 500, 503),
              parameters=(_TRACE_ID, _AZURE_TOKEN), request_schema="ContinueRequest",
              request_examples=examples.CONTINUE_EXAMPLES, visibility="important"),
    Operation("post", f"{ROUTE_PREFIX}/debug/{{trace_id}}/feedback", "SendDebugFeedback",
              "Say whether the fix worked",
              "On a finished session (done or fail): whether its fix worked. Counted for the session's kind in the "
              "case memory, so later sessions of the same kind rank that fix; the last feedback counts. Answers "
              "the session's envelope; 409 while it is still working; 503 when the deployment has no case memory.",
              _responses(200, 400, 401, 404, 409, 413, 429, 500, 503),
              parameters=(_TRACE_ID,), request_schema="FeedbackRequest",
              request_examples=examples.FEEDBACK_EXAMPLES, visibility="advanced"),
    Operation("get", f"{ROUTE_PREFIX}/debug/{{trace_id}}", "GetDebugSession", "Get a debug session",
              "The session's current envelope. " + ASYNC_NOTE,
              _responses(200, 202, 401, 404, 500), parameters=(_TRACE_ID,)),
    Operation("get", f"{ROUTE_PREFIX}/debug/{{trace_id}}/poll", "PollDebugSession",
              "Poll a debug session (signed URL)",
              "The same envelope as GET, for pollers that send no headers: the `token` is the capability, no "
              "function key. This is the URL of `Location` and `links.poll`.",
              _responses(200, 202, 404, 500), anonymous=True, parameters=(_TRACE_ID, _TOKEN),
              visibility="internal"),
    Operation("delete", f"{ROUTE_PREFIX}/debug/{{trace_id}}", "DeleteDebugSession", "Cancel a debug session",
              "Cancels the session and purges everything it stored. While the cancellation is still on its way "
              "(the session runs on), it answers 202 and purges nothing: send DELETE again after Retry-After.",
              {"204": {"description": "Cancelled and purged."},
               "202": {"description": "Cancellation requested, the session not yet stopped: nothing purged yet.",
                       "headers": {"Retry-After": {"description": "Seconds to wait before the next DELETE.",
                                                   "schema": {"type": "integer"}}},
                       "content": _json({"type": "object", "required": ["trace_id", "status", "message"],
                                "properties": {"trace_id": {"type": "string"},
                                               "status": {"type": "string", "enum": ["cancelling"]},
                                               "message": {"type": "string"}}})},
               **_responses(401, 404, 500)},
              parameters=(_TRACE_ID,), visibility="advanced"),
    Operation("get", f"{ROUTE_PREFIX}/health", "GetHealth", "Check the service",
              "Liveness and which engine answers sessions. No key needed.",
              {"200": {"description": "The service is up.", "content": _json(_ref("Health"))}},
              anonymous=True, visibility="advanced"),
    Operation("get", f"{ROUTE_PREFIX}/openapi.json", "GetOpenApiDocument", "Get this API description",
              "This OpenAPI 3.1 document, with the URL it was fetched from as its server. No key needed.",
              {"200": {"description": "The OpenAPI document.",
                       "content": _json({"type": "object", "required": ["openapi", "paths"]})}},
              anonymous=True, visibility="internal"),
)

INFO = {
    "title": "Azure error debugging API",
    "version": "1.0.0",
    "summary": "Debug Azure errors in sessions: start, answer, poll, get the root cause.",
    "description": "Contract v1. A session answers with an envelope whose `next_action` tells the client what "
                   "to do: `none` (finished), `answer` (reply to `request` through continue), `continue` "
                   "(resume through continue) or `poll` (read again). " + ASYNC_NOTE,
}
SECURITY_SCHEMES = {
    "functionKey": {"type": "apiKey", "in": "header", "name": FUNCTION_KEY_HEADER,
                    "description": "An Azure Functions key of the app (the `default` host key fits every route)."},
    "functionKeyQuery": {"type": "apiKey", "in": "query", "name": FUNCTION_KEY_QUERY,
                         "description": "The same key as a query parameter."},
}


def _operation_object(operation: Operation) -> dict[str, Any]:
    made: dict[str, Any] = {"operationId": operation.operation_id, "summary": operation.summary,
                            "description": operation.description}
    if operation.parameters:
        made["parameters"] = [dict(p) for p in operation.parameters]
    if operation.request_schema:
        required = operation.request_schema != "ContinueRequest"  # a continue may have no body at all
        made["requestBody"] = {"required": required,
                               "content": _json(_ref(operation.request_schema), operation.request_examples)}
    made["responses"] = operation.responses
    if operation.anonymous:
        made["security"] = []
    return made


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method] = _operation_object(operation)
    return {
        "openapi": OPENAPI_VERSION,
        "info": INFO,
        "servers": [{"url": "/"}],
        "security": [{name: []} for name in SECURITY_SCHEMES],
        "paths": paths,
        "components": {"schemas": component_schemas(), "securitySchemes": SECURITY_SCHEMES},
    }


def _servers(base_url: str | None) -> list[dict[str, str]]:
    if not base_url:
        return [{"url": "/"}]
    return [{"url": base_url.rstrip("/"), "description": "Where this document was served from"}]


def build_document(base_url: str | None = None) -> dict[str, Any]:
    """The document (a copy, free to change), served from `base_url` (scheme://host) or relative."""
    return {**copy.deepcopy(_document()), "servers": _servers(base_url)}


def document_json(base_url: str | None = None) -> str:
    """The document as JSON text, without copying the cached document (serving it is read-only)."""
    return json.dumps({**_document(), "servers": _servers(base_url)})
