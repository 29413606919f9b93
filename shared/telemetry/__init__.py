"""Observability of debug sessions: OpenTelemetry traces, metrics and log context.

One trace per session: the HTTP layer stores the starting request's `traceparent` in the session
state, and every activity opens its span as a child of it, so all spans of a session, across rounds
and `continue_as_new`, share one trace id. Attributes carry ids, names, counts and statuses, never
session content. Without a configured provider every call here is a cheap no-op (the API's defaults).

May import: nothing of the app (every layer above records through it; tests/unit/test_import_cycles.py)."""

from shared.telemetry.logcontext import install_log_context
from shared.telemetry.metrics import count_session_started, record_feedback, record_session_finished, record_step
from shared.telemetry.requests import mark_session, stamp_session, traced_request
from shared.telemetry.setup import configure_telemetry, telemetry_mode
from shared.telemetry.spans import (
    SESSION_ID,
    current_traceparent,
    model_span,
    record_round,
    session_ref,
    step_span,
    tool_span,
)

__all__ = ["SESSION_ID", "configure_telemetry", "count_session_started", "current_traceparent",
           "install_log_context", "mark_session", "model_span", "record_feedback", "record_round",
           "record_session_finished",
           "record_step", "session_ref", "stamp_session", "step_span", "telemetry_mode", "tool_span", "traced_request"]
