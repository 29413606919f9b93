"""Admission of starts and continues against the caller's limits (429 with Retry-After when over).

Runs before anything of the request is stored. See shared/rate_limit.py for the arithmetic and for
why read-then-signal is good enough."""

from __future__ import annotations

import time
from typing import Any

import azure.durable_functions as df
from azure.durable_functions import DurableOrchestrationClient, OrchestrationRuntimeStatus

from shared.errors import ApiError
from shared.models import ErrorDetail
from shared.rate_limit import ENTITY, Limits, as_state, refilled, retry_after_open, retry_after_tokens
from shared.settings import load_settings

_RUNNING = {OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending,
            OrchestrationRuntimeStatus.ContinuedAsNew}


def _limits() -> Limits:
    security = load_settings().security
    return Limits(security.rate_per_minute, security.rate_burst, security.max_open_sessions)


async def admit(client: DurableOrchestrationClient, owner: str, trace_id: str, starting: bool) -> None:
    """Spend one of the caller's tokens for this request, or raise the 429 ApiError."""
    limits, now = _limits(), time.time()
    entity = df.EntityId(ENTITY, owner)
    read = await client.read_entity_state(entity)
    state = refilled(as_state(read.entity_state if read.entity_exists else None, limits, now), limits, now)
    wait = retry_after_tokens(state, limits)
    if wait is not None:
        raise rate_limited(wait, f"More than {limits.rate_per_minute} requests a minute.")
    open_wait = await _open_wait(client, entity, state, limits, now) if starting else None
    if open_wait is not None:
        raise rate_limited(open_wait, f"{limits.max_open} sessions are open already; finish or delete one.")
    open_until = now + load_settings().session_ttl_seconds
    await client.signal_entity(entity, "spend", {"now": now, "rate": limits.rate_per_minute, "burst": limits.burst,
                                                 "max_open": limits.max_open, "trace_id": trace_id,
                                                 "open_until": open_until})


async def release(client: DurableOrchestrationClient, owner: str, trace_id: str) -> None:
    """The session no longer counts as open (deleted)."""
    await client.signal_entity(df.EntityId(ENTITY, owner), "close", {"now": time.time(), "trace_id": trace_id})


async def _open_wait(client: DurableOrchestrationClient, entity: df.EntityId, state: dict[str, Any],
                     limits: Limits, now: float) -> int | None:
    """Retry-After for the open-session cap; sessions that have ended since are closed first."""
    if retry_after_open(state, limits, now) is None:
        return None
    for trace_id in list(state["open"]):  # at most max_open lookups, and only for a caller at its cap
        status = await client.get_status(trace_id)
        if not status or status.runtime_status not in _RUNNING:
            del state["open"][trace_id]
            await client.signal_entity(entity, "close", {"now": now, "trace_id": trace_id})
    return retry_after_open(state, limits, now)


def rate_limited(retry_after: int, message: str) -> ApiError:
    error = ApiError(429, "rate_limited", f"{message} Retry after {retry_after} s.",
                     [ErrorDetail(field="caller", problem="over its rate limit")])
    error.headers = {"Retry-After": str(retry_after)}
    return error
