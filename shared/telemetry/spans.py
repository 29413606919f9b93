"""The session's spans: each activity opens its span as a child of the session's stored `traceparent`.

Attribute values are ids, names, counts and statuses only: never error text, file content, answers
or evidence summaries (Application Insights keeps attributes as searchable custom dimensions)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.telemetry.logcontext import current_session, session_scope
from shared.telemetry.metrics import record_tokens

TRACER_NAME = "azure-error-debugging"
SESSION_ID = "debug.trace_id"  # the session id (the API's trace_id), on every span: the workbook's drill-down key
_propagator = TraceContextTextMapPropagator()


def tracer() -> trace.Tracer:
    # Looked up per use: the provider may be installed after this module is imported.
    return trace.get_tracer(TRACER_NAME)


@contextmanager
def open_span(name: str, context: Context | None, kind: SpanKind, attributes: dict[str, Any]) -> Iterator[Span]:
    """A current span that records a failure by its type only: the SDK's default would store the
    exception's message (and stack), which can quote session material."""
    with tracer().start_as_current_span(name, context=context, kind=kind, record_exception=False,
                                        set_status_on_exception=False,
                                        attributes={k: v for k, v in attributes.items() if v is not None}) as span:
        try:
            yield span
        except BaseException as exc:
            mark_failed(span, exc)
            raise


def mark_failed(span: Span, exc: BaseException) -> None:
    """A failed span, named by the exception's type only (its message can quote session material)."""
    span.set_status(StatusCode.ERROR)
    span.set_attribute("error.type", type(exc).__name__)


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, or None when nothing is traced."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


def parent_context(traceparent: str | None) -> Context | None:
    """The context a session's spans are children of (None: the current one)."""
    return _propagator.extract({"traceparent": traceparent}) if traceparent else None


def session_ref(state: Any) -> dict[str, Any]:
    """What a tool activity needs to join the session's trace: ids and counters, no content."""
    return {"trace_id": state.trace_id, "traceparent": state.traceparent, "round": state.round,
            "step": state.steps + 1}


@contextmanager
def session_span(name: str, ref: dict[str, Any], kind: SpanKind = SpanKind.INTERNAL,
                 **attributes: Any) -> Iterator[Span]:
    """A span of the session `ref` (see session_ref) whose logs carry its trace_id."""
    session_id = str(ref.get("trace_id") or "")
    values = {SESSION_ID: session_id, "debug.round": ref.get("round"), **attributes}
    with open_span(name, parent_context(ref.get("traceparent")), kind, values) as span, session_scope(session_id):
        yield span


@contextmanager
def step_span(state: Any, engine: str) -> Iterator[Span]:
    """`session.step`: one decide activity; the caller sets `debug.decision` when it is known."""
    ref = session_ref(state)
    # debug.step: the session-wide number of the step this decision is for (its tool.call has the same)
    with session_span("session.step", ref, **{"debug.step": ref["step"], "debug.engine": engine}) as span:
        yield span


@contextmanager
def tool_span(ref: dict[str, Any], tool: str, dependency: str) -> Iterator[Span]:
    """`tool.call`: a client span for Azure tools (a dependency in Application Insights)."""
    kind = SpanKind.CLIENT if dependency == "azure" else SpanKind.INTERNAL
    with session_span("tool.call", ref, kind, **{"debug.step": ref.get("step"), "debug.tool": tool,
                                                 "debug.dependency": dependency}) as span:
        yield span


@contextmanager
def model_span(deployment: str) -> Iterator[Span]:
    """`model.call`: one chat completion, a child of the current step's span."""
    attributes = {"gen_ai.request.model": deployment, SESSION_ID: current_session() or None}
    with open_span("model.call", None, SpanKind.CLIENT, attributes) as span:
        yield span


def record_model_usage(span: Span, deployment: str, prompt: int, completion: int) -> None:
    """The call's token counts, on its span and in the token metric."""
    span.set_attribute("gen_ai.usage.input_tokens", prompt)
    span.set_attribute("gen_ai.usage.output_tokens", completion)
    record_tokens(deployment, prompt, completion)


def record_round(state: Any, started: datetime, ended: datetime, outcome: str) -> None:
    """`session.round`: one round, from its start to how it ended (paused, asked, done, fail, next), drawn
    after the fact by the orchestrator (orchestration time, not replayed) as a child of the session."""
    attributes = {SESSION_ID: state.trace_id, "debug.round": state.round, "debug.steps": state.round_steps,
                  "debug.round_outcome": outcome}
    span = tracer().start_span("session.round", context=parent_context(state.traceparent),
                               attributes=attributes, start_time=_nanoseconds(started))
    span.end(end_time=_nanoseconds(ended))


def _nanoseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000_000)
