"""Per-caller limits: a token bucket on starts and continues, and a cap on open sessions.

The state lives in one Durable entity per caller (`caller_limits`, key: the caller's owner id), so every
instance of the app sees the same counts. The HTTP layer reads the entity, decides, and signals the
spend; the entity applies the same pure arithmetic below. A signal is applied later (it travels through a
queue), so a read alone would let a burst of concurrent requests all pass on the same stale count. Each
process therefore also keeps what it admitted and the entity does not show yet (`Pending`), matched by
spend id against the ids the entity lists as applied (`recent`): within one process the limits hold
exactly; across instances a burst can pass at most once per instance before their signals land.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

ENTITY = "caller_limits"
MAX_RETRY_AFTER = 3600
# How long a spend's id stays listed in the entity, and how long a process counts its own spend as possibly
# not applied yet: far beyond a signal's delivery time, short enough to keep the state small.
RECENT_SECONDS = 30.0
MAX_RECENT = 500


@dataclass(frozen=True)
class Limits:
    rate_per_minute: int
    burst: int
    max_open: int


def fresh_state(burst: int, now: float) -> dict[str, Any]:
    return {"tokens": float(burst), "updated": now, "open": {}, "recent": {}}


def as_state(raw: Any, limits: Limits, now: float) -> dict[str, Any]:
    """The entity's state as read over HTTP (JSON text or a dict), or a full bucket when there is none."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    if not isinstance(raw, dict) or not isinstance(raw.get("open"), dict):
        return fresh_state(limits.burst, now)
    return raw


def refilled(state: dict[str, Any], limits: Limits, now: float) -> dict[str, Any]:
    """The state at `now`: tokens refilled at the rate, capped at the burst; expired sessions dropped."""
    elapsed = max(0.0, now - float(state.get("updated", now)))
    tokens = min(float(limits.burst), float(state.get("tokens", limits.burst)) + elapsed * limits.rate_per_minute / 60)
    still_open = {trace: float(until) for trace, until in state.get("open", {}).items() if float(until) > now}
    recent = {spend_id: float(at) for spend_id, at in (state.get("recent") or {}).items()
              if now - float(at) < RECENT_SECONDS}
    return {"tokens": tokens, "updated": now, "open": still_open, "recent": recent}


def retry_after_tokens(state: dict[str, Any], limits: Limits) -> int | None:
    """Seconds until the bucket has a token again, or None if it has one now."""
    missing = 1.0 - float(state["tokens"])
    if missing <= 0:
        return None
    return min(MAX_RETRY_AFTER, max(1, math.ceil(missing * 60 / limits.rate_per_minute)))


def retry_after_open(state: dict[str, Any], limits: Limits, now: float) -> int | None:
    """Seconds until one open session expires if the caller is at its cap, or None below the cap."""
    ends = sorted(state["open"].values())
    if len(ends) < limits.max_open:
        return None
    return min(MAX_RETRY_AFTER, max(1, math.ceil(ends[0] - now)))


def spend(state: dict[str, Any], limits: Limits, now: float, trace_id: str | None,
          open_until: float | None, spend_id: str | None = None) -> dict[str, Any]:
    """One start or continue: a token taken (never below -burst), its session marked open until `open_until`,
    its id listed as applied."""
    state = refilled(state, limits, now)
    state["tokens"] = max(-float(limits.burst), state["tokens"] - 1)
    if trace_id and open_until:
        state["open"][trace_id] = open_until
    if spend_id:
        state["recent"][spend_id] = now
        state["recent"] = dict(list(state["recent"].items())[-MAX_RECENT:])
    return state


@dataclass(frozen=True)
class PendingSpend:
    """A spend this process admitted and signalled; the entity may not have applied it yet."""

    spend_id: str
    at: float
    trace_id: str | None = None
    open_until: float | None = None


def unapplied(pending: list[PendingSpend], state: dict[str, Any], now: float) -> list[PendingSpend]:
    """The pending spends the entity does not list as applied, and recent enough that it may not have yet."""
    applied = state.get("recent") or {}
    return [item for item in pending if item.spend_id not in applied and now - item.at < RECENT_SECONDS]


def with_pending(state: dict[str, Any], pending: list[PendingSpend], limits: Limits,
                 now: float) -> dict[str, Any]:
    """The entity's state (refilled to `now`) as it will be once this process's pending spends land."""
    effective = refilled(state, limits, now)
    for item in unapplied(pending, effective, now):
        effective["tokens"] = max(-float(limits.burst), effective["tokens"] - 1)
        if item.trace_id and item.open_until and item.open_until > now:
            effective["open"][item.trace_id] = item.open_until
    return effective


def close(state: dict[str, Any], trace_id: str) -> dict[str, Any]:
    state["open"].pop(trace_id, None)
    return state


# App settings that lift the limits, for load generators that are one caller by design (evaluations,
# benchmarks, the test suite); never for a deployed app.
NO_LIMITS_ENV = {"DEBUG_RATE_PER_MINUTE": "10000", "DEBUG_RATE_BURST": "10000", "DEBUG_MAX_OPEN_SESSIONS": "10000"}
