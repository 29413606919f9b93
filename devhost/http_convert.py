"""Between aiohttp and azure.functions: the request a function receives and the response it returns."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import azure.functions as func
from aiohttp import web
from multidict import CIMultiDict

from devhost.easy_auth import platform_headers


def to_function_request(request: web.Request, body: bytes, route_params: dict[str, str],
                        easy_auth: bool = False) -> func.HttpRequest:
    # Repeated headers and query keys are joined with "," as the Functions host does.
    headers: dict[str, str] = {}
    for key, value in request.headers.items():
        name = key.lower()
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    headers = platform_headers(headers, easy_auth)  # a client never sets the platform's principal headers
    params: dict[str, str] = {}
    for key, value in request.query.items():
        params[key] = f"{params[key]},{value}" if key in params else value
    return func.HttpRequest(method=request.method, url=str(request.url), headers=headers, params=params,
                            route_params=route_params, body=body)


def to_web_response(result: Any) -> web.Response:
    """A function's return value as an aiohttp response (HttpResponse, or leniently str/bytes/JSON/None)."""
    if result is None:
        return web.Response(status=204)
    if isinstance(result, func.HttpResponse):
        return _from_http_response(result)
    if isinstance(result, bytes | bytearray):
        return web.Response(body=bytes(result), content_type="application/octet-stream")
    if isinstance(result, str):
        return web.Response(text=result, content_type="text/plain")
    return web.Response(text=json.dumps(result), content_type="application/json")


def _from_http_response(result: func.HttpResponse) -> web.Response:
    headers: CIMultiDict[str] = CIMultiDict()
    for key, value in result.headers.items():  # werkzeug Headers: repeated names come out one by one
        headers.add(key, str(value))
    if "Content-Type" not in headers and result.mimetype:
        text_like = result.mimetype.startswith("text/") or result.mimetype.endswith(("json", "xml"))
        charset = f"; charset={result.charset}" if text_like and result.charset else ""
        headers["Content-Type"] = f"{result.mimetype}{charset}"
    return web.Response(status=result.status_code, body=result.get_body(), headers=headers)


@dataclass
class InvocationContext:
    """What a function gets for a parameter named `context` (the parts of func.Context used in practice)."""

    function_name: str
    function_directory: str
    invocation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    trace_context: Any = None
    retry_context: Any = None
    thread_local_storage: Any = None
