"""Circuit breakers, one per dependency: Resource Manager, Log Analytics and the model endpoint.

A breaker opens after `DEBUG_BREAKER_FAILURES` consecutive transient failures (429, 5xx, timeouts, dropped
connections; a 403 or 404 is an answer, not an outage), refuses calls for `DEBUG_BREAKER_COOLDOWN_SECONDS`,
then lets one probe through (half-open): a success closes it, a transient failure opens it again.

While open, Azure tools answer `error` evidence `{"dependency_unavailable": <dependency>}` at once (the
rules engine then asks the client to run the CLI command, as for denied access) and the LLM engine answers
with the rules engine. The state machine below is pure (`step`, `allows`); `BREAKERS` holds one per
dependency for this process, shared by every activity thread of the instance, and the Durable entity
`circuit_breakers` (one key per dependency) shares the state across instances: before an Azure tool call
the `run_tool` activity adopts the entity's state when it is more open than its own, and after the call it
reports the outcome to the entity (shared/resilience/breaker_shared.py). Times are wall-clock seconds, comparable
across instances."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from shared.telemetry.metrics import record_breaker_change

Dependency = Literal["resource_manager", "log_analytics", "model"]
BreakerState = Literal["closed", "open", "half_open"]
DEPENDENCIES: tuple[Dependency, ...] = ("resource_manager", "log_analytics", "model")
DEFAULT_FAILURES, DEFAULT_COOLDOWN_SECONDS = 5, 60.0


@dataclass(frozen=True)
class Breaker:
    """One dependency's breaker: its state, the consecutive transient failures, when it opened."""

    state: BreakerState = "closed"
    failures: int = 0
    opened_at: float = 0.0  # when it opened, or when its half-open probe went out
    probing: bool = False  # half-open: the one probe is out, others are still refused


def allows(breaker: Breaker, now: float, cooldown: float) -> tuple[bool, Breaker]:
    """Whether a call may go out now, and the breaker after deciding (an open one past its cool-down turns
    half-open and lets exactly one probe through)."""
    if breaker.state == "closed":
        return True, breaker
    if breaker.state == "open":
        if now - breaker.opened_at < cooldown:
            return False, breaker
        return True, replace(breaker, state="half_open", probing=True, opened_at=now)
    # Half-open with its probe out: the rest wait for the probe's outcome, unless the probe never reported
    # (its worker died) within a cool-down, when another may go.
    if breaker.probing and now - breaker.opened_at < cooldown:
        return False, breaker
    return True, replace(breaker, probing=True, opened_at=now)


def step(breaker: Breaker, outcome: Literal["success", "transient", "other"], now: float, threshold: int) -> Breaker:
    """The breaker after a call's outcome. `other` (403, 404, bad input) proves the dependency answers."""
    if outcome in ("success", "other"):
        return Breaker()
    failures = breaker.failures + 1
    if breaker.state == "half_open" or failures >= threshold:
        return Breaker(state="open", failures=failures, opened_at=now)
    return replace(breaker, failures=failures)


def settings() -> tuple[int, float]:
    """(failures to open, cool-down seconds) from the app settings, defaults when absent or malformed."""
    try:
        failures = max(1, int(os.environ.get("DEBUG_BREAKER_FAILURES", DEFAULT_FAILURES)))
    except ValueError:
        failures = DEFAULT_FAILURES
    try:
        cooldown = max(0.0, float(os.environ.get("DEBUG_BREAKER_COOLDOWN_SECONDS", DEFAULT_COOLDOWN_SECONDS)))
    except ValueError:
        cooldown = DEFAULT_COOLDOWN_SECONDS
    return failures, cooldown


class Breakers:
    """This process's breakers, thread-safe; state changes are counted in the metrics."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._breakers: dict[str, Breaker] = {}

    def allow(self, dependency: Dependency) -> bool:
        _, cooldown = settings()
        with self._lock:
            allowed, after = allows(self._breakers.get(dependency, Breaker()), self._clock(), cooldown)
            self._set(dependency, after)
        return allowed

    def record(self, dependency: Dependency, outcome: Literal["success", "transient", "other"]) -> None:
        threshold, _ = settings()
        with self._lock:
            self._set(dependency, step(self._breakers.get(dependency, Breaker()), outcome, self._clock(), threshold))

    def state(self, dependency: Dependency) -> BreakerState:
        with self._lock:
            return self._breakers.get(dependency, Breaker()).state

    def adopt(self, dependency: Dependency, shared: Breaker) -> None:
        """Take another instance's verdict: an open shared breaker opens ours (it saw the outage first)."""
        with self._lock:
            local = self._breakers.get(dependency, Breaker())
            if shared.state == "open" and (local.state == "closed" or local.opened_at < shared.opened_at):
                self._set(dependency, shared)

    def reset(self) -> None:
        with self._lock:
            self._breakers.clear()

    def _set(self, dependency: Dependency, after: Breaker) -> None:
        before = self._breakers.get(dependency, Breaker())
        self._breakers[dependency] = after
        if after.state != before.state:
            record_breaker_change(dependency, after.state)


BREAKERS = Breakers()


def azure_dependency(tool_name: str) -> Dependency:
    """Which dependency an Azure tool calls."""
    return "log_analytics" if tool_name == "query_logs" else "resource_manager"


def to_record(breaker: Breaker) -> dict[str, Any]:
    return {"state": breaker.state, "failures": breaker.failures, "opened_at": breaker.opened_at,
            "probing": breaker.probing}


def from_record(record: Any) -> Breaker:
    if not isinstance(record, dict) or record.get("state") not in ("closed", "open", "half_open"):
        return Breaker()
    return Breaker(state=record["state"], failures=int(record.get("failures", 0)),
                   opened_at=float(record.get("opened_at", 0.0)), probing=bool(record.get("probing", False)))


def apply_operation(state: Any, operation: str, data: Any) -> dict[str, Any]:
    """The `circuit_breakers` entity: `record` {outcome, now, threshold} steps the shared breaker."""
    data = data if isinstance(data, dict) else {}
    current = from_record(state)
    if operation == "record" and data.get("outcome") in ("success", "transient", "other"):
        current = step(current, data["outcome"], float(data.get("now", 0.0)), int(data.get("threshold", 1)))
    return to_record(current)


def azure_outcome(status: str, data: dict[str, Any]) -> Literal["success", "transient", "other"]:
    """How an Azure tool's evidence counts for its breaker (see shared/azure/errors.py for the data keys)."""
    if status != "error":
        return "success"
    code = data.get("http_status")
    if data.get("timeout") or data.get("connection_error") or code == 429 or (isinstance(code, int) and code >= 500):
        return "transient"
    return "other"


def model_outcome(exc: BaseException) -> Literal["transient", "other"]:
    """How a failed model call counts: timeouts, dropped connections, 429 and 5xx are transient."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return "transient" if status == 429 or status >= 500 else "other"
    name = type(exc).__name__
    return "transient" if "Timeout" in name or "Connection" in name else "other"
