"""The HTTP request's span: `traced_request(route)` wraps an API handler.

When the Functions worker exports telemetry itself it has already opened the invocation's request
span, and ours is an internal child of it; otherwise ours is the server span, continuing the caller's
`traceparent` header if it sent one. Only the route template is recorded: URLs carry poll tokens."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import azure.functions as func
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind, StatusCode

from shared.telemetry.logcontext import session_scope
from shared.telemetry.spans import SESSION_ID, current_traceparent, open_span, parent_context

_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
Client = TypeVar("Client")
Handler = Callable[[func.HttpRequest, Client], Awaitable[func.HttpResponse]]


def traced_request(route: str) -> Callable[[Handler[Client]], Handler[Client]]:
    """Run the handler inside the request's span; `route` is the template, e.g. `debug/{trace_id}`."""
    def wrap(handler: Handler[Client]) -> Handler[Client]:
        @functools.wraps(handler)
        async def run(req: func.HttpRequest, client: Client) -> func.HttpResponse:
            with _request_span(req, route) as span:
                response = await handler(req, client)
                span.set_attribute("http.response.status_code", response.status_code)
                if response.status_code >= 500:  # Application Insights reads an unset status as success
                    span.set_status(StatusCode.ERROR)
                return response
        return run
    return wrap


def mark_session(session_id: str) -> None:
    """Name the session on the current request span (the start request learns its id late)."""
    trace.get_current_span().set_attribute(SESSION_ID, session_id)


@contextmanager
def _request_span(req: func.HttpRequest, route: str) -> Iterator[trace.Span]:
    outer = trace.get_current_span()
    worker_span = outer.get_span_context().is_valid and outer.is_recording()
    kind = SpanKind.INTERNAL if worker_span else SpanKind.SERVER
    # Without the worker's span: the caller's traceparent, or an empty context, so a new trace.
    context = None if worker_span else (parent_context(req.headers.get("traceparent")) or Context())
    attributes: dict[str, Any] = {"http.request.method": req.method, "http.route": f"/api/{route}"}
    session_id = req.route_params.get("trace_id", "")
    if _SESSION_ID.match(session_id):  # a malformed id is client input, not an id: not recorded
        attributes[SESSION_ID] = session_id
    else:
        session_id = ""
    with open_span(f"{req.method} /api/{route}", context, kind, attributes) as span, session_scope(session_id):
        yield span


def stamp_session(state: Any) -> None:
    """At start: name the session on the request span, and store the span's traceparent (the parent of
    every activity span of the session) and the start time (for the duration metric) in its state."""
    mark_session(state.trace_id)
    state.traceparent = current_traceparent()
    state.started_at = time.time()
