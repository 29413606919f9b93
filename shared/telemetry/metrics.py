"""The service's metrics (OpenTelemetry metrics API; Application Insights `customMetrics`).

Who counts what, so that nothing is counted twice:
- sessions started: the HTTP layer, once `start_new` has accepted the instance;
- sessions finished (status, reason, category) and their duration: the orchestrator when it
  publishes the final envelope, only when not replaying (that code runs once, in the final episode).
  Sessions ended by DELETE (terminated) are not counted there: they never reach the orchestrator's end;
- steps, tool calls and model tokens: the activities (at least once, like every activity on Durable).
Attributes are low-cardinality names and statuses: no session ids (spans carry those)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from opentelemetry import metrics

METER_NAME = "azure-error-debugging"
_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")  # a taxonomy id, never free text


class _Instruments:
    """Created once from the global meter: a proxy until a provider is installed, then bound to it."""

    def __init__(self) -> None:
        meter = metrics.get_meter(METER_NAME)
        self.started = meter.create_counter("debug.sessions.started", unit="{session}",
                                            description="Sessions started")
        self.finished = meter.create_counter("debug.sessions.finished", unit="{session}",
                                             description="Sessions finished, by status, reason and category")
        self.duration = meter.create_histogram("debug.session.duration", unit="s",
                                               description="Start to final status")
        self.steps = meter.create_counter("debug.steps", unit="{step}",
                                          description="Decide steps, by engine and decision kind")
        self.tool_calls = meter.create_counter("debug.tool.calls", unit="{call}",
                                               description="Tool calls, by tool, dependency and outcome")
        self.tool_duration = meter.create_histogram("debug.tool.duration", unit="ms",
                                                    description="Tool call duration")
        self.tokens = meter.create_counter("debug.model.tokens", unit="{token}",
                                           description="Model tokens, by deployment and type (prompt, completion)")
        self.breaker_changes = meter.create_counter("debug.breaker.changes", unit="{change}",
                                                    description="Circuit-breaker state changes, by dependency and "
                                                                "new state")
        self.memory_rss = meter.create_histogram("debug.memory.rss", unit="MBy",
                                                 description="The worker's resident memory at each invocation")
        self.memory_pressure = meter.create_counter("debug.memory.pressure", unit="{change}",
                                                    description="Memory pressure changes, by state (shedding, "
                                                                "recovered): shared/resilience/memory_guard.py")
        self.memory_lookups = meter.create_counter("debug.cases.lookups", unit="{lookup}",
                                                   description="Case-memory lookups by result: at a conclusion "
                                                               "(similar, none, off, error), at a start (steered, "
                                                               "abstained, unknown_problem, error)")
        self.verifications = meter.create_counter("debug.cases.verifications", unit="{check}",
                                                  description="Fix verifications, by state (verified, "
                                                              "still_failing, not_checkable)")
        self.feedback = meter.create_counter("debug.cases.feedback", unit="{feedback}",
                                             description="Feedback received, by outcome (fixed, not_fixed, partly)")
        self.cache_hits = meter.create_counter("debug.tool.cache_hits", unit="{call}",
                                               description="Repeated tool calls answered from the session's "
                                                           "ledger instead of being made again, by tool and engine")


@lru_cache(maxsize=1)
def instruments() -> _Instruments:
    return _Instruments()


def count_session_started() -> None:
    instruments().started.add(1)


def record_session_finished(envelope: Any, started_at: float | None, now: datetime) -> None:
    """Count one finished session from its final envelope; `now` is the orchestrator's replay-safe clock."""
    category = envelope.report.category if envelope.report is not None else None
    attributes = {"status": envelope.status, "reason": envelope.reason or "none",
                  "category": category if category and _CATEGORY.match(category) else "none"}
    instruments().finished.add(1, attributes)
    if started_at is not None:
        moment = now if now.tzinfo else now.replace(tzinfo=UTC)
        duration = max(moment.timestamp() - started_at, 0.0)
        instruments().duration.record(duration, {"status": attributes["status"], "reason": attributes["reason"]})


def record_step(engine: str, decision: str) -> None:
    instruments().steps.add(1, {"engine": engine, "decision": decision})


def record_tool_call(tool: str, dependency: str, status: str, milliseconds: float) -> None:
    attributes = {"tool": tool, "dependency": dependency, "status": status}
    instruments().tool_calls.add(1, attributes)
    instruments().tool_duration.record(milliseconds, attributes)


def record_tokens(deployment: str, prompt: int, completion: int) -> None:
    instruments().tokens.add(prompt, {"deployment": deployment, "type": "prompt"})
    instruments().tokens.add(completion, {"deployment": deployment, "type": "completion"})


def record_breaker_change(dependency: str, state: str) -> None:
    """A dependency's circuit breaker moved to `state` (closed, open, half_open) in this process."""
    instruments().breaker_changes.add(1, {"dependency": dependency, "state": state})


def record_cache_hit(tool: str, engine: str) -> None:
    """An engine asked for a call the session already made: its recorded result stands, no call goes out."""
    instruments().cache_hits.add(1, {"tool": tool, "engine": engine})


def record_memory(megabytes: float, change: str | None) -> None:
    """The worker's resident memory at one invocation, and a change of pressure state when there was one."""
    instruments().memory_rss.record(megabytes)
    if change:
        instruments().memory_pressure.add(1, {"state": change})


def record_case_lookup(result: str) -> None:
    """What the case memory gave: a concluding session similar cases, none, or nothing (memory off, or failing); a
    starting session a hint (steered), none because past sessions disagree (abstained), or none (unknown_problem)."""
    instruments().memory_lookups.add(1, {"result": result})


def record_verification(state: str) -> None:
    instruments().verifications.add(1, {"state": state})


def record_feedback(outcome: str) -> None:
    instruments().feedback.add(1, {"outcome": outcome})
