"""The `caller_limits` Durable entity's operations (pure functions of its state and the operation input)."""

from __future__ import annotations

from typing import Any

from shared.security.rate_limit import Limits, as_state, close, spend


def apply_operation(state: Any, operation: str, data: Any) -> dict[str, Any]:
    """`spend` {now, rate, burst, max_open, trace_id?, open_until?, spend_id?} or `close` {trace_id}."""
    data = data if isinstance(data, dict) else {}
    now = float(data.get("now", 0.0))
    limits = Limits(int(data.get("rate", 1)), int(data.get("burst", 1)), int(data.get("max_open", 1)))
    current = as_state(state, limits, now)
    if operation == "spend":
        return spend(current, limits, now, data.get("trace_id"), data.get("open_until"), data.get("spend_id"))
    if operation == "close" and isinstance(data.get("trace_id"), str):
        return close(current, data["trace_id"])
    return current
