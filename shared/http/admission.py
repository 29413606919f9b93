"""Admission of starts and continues against the caller's limits (429 with Retry-After when over).

Runs before anything of the request is stored. See shared/security/rate_limit.py for the arithmetic, and for why
each process also counts the spends it signalled that the entity does not show yet."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

import azure.durable_functions as df
from azure.durable_functions import DurableOrchestrationClient, OrchestrationRuntimeStatus

from shared.errors import ApiError
from shared.models import ErrorDetail
from shared.security.rate_limit import (
    ENTITY,
    Limits,
    PendingSpend,
    as_state,
    refilled,
    retry_after_open,
    retry_after_tokens,
    unapplied,
    with_pending,
)
from shared.settings import load_settings

_RUNNING = {OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending,
            OrchestrationRuntimeStatus.ContinuedAsNew}


class PendingSpends:
    """This process's admitted spends per caller, kept until the entity lists them or RECENT_SECONDS pass.

    Check and record happen under one lock with no await between them, so two requests of one caller in
    this process can never both take the last token."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_owner: dict[str, list[PendingSpend]] = {}

    def effective(self, owner: str, state: dict[str, Any], limits: Limits, now: float) -> dict[str, Any]:
        with self._lock:
            return with_pending(state, self._unapplied(owner, state, now), limits, now)

    def take(self, owner: str, state: dict[str, Any], limits: Limits, now: float, starting: bool,
             trace_id: str, open_until: float) -> PendingSpend:
        """Record one spend for `owner`, or raise the 429 when the entity and the pending spends say no."""
        with self._lock:
            unapplied = self._unapplied(owner, state, now)
            effective = with_pending(state, unapplied, limits, now)
            wait = retry_after_tokens(effective, limits)
            if wait is not None:
                raise rate_limited(wait, f"More than {limits.rate_per_minute} requests a minute.")
            open_wait = retry_after_open(effective, limits, now) if starting else None
            if open_wait is not None:
                raise rate_limited(open_wait, f"{limits.max_open} sessions are open already; finish or delete one.")
            item = PendingSpend(secrets.token_hex(8), now, trace_id, open_until)
            self._by_owner[owner] = [*unapplied, item]
            return item

    def _unapplied(self, owner: str, state: dict[str, Any], now: float) -> list[PendingSpend]:
        kept = unapplied(self._by_owner.get(owner, []), state, now)
        if kept:
            self._by_owner[owner] = kept
        else:
            self._by_owner.pop(owner, None)  # callers come and go: keep no entry for one with nothing pending
        return kept


_PENDING = PendingSpends()


def _limits() -> Limits:
    security = load_settings().security
    return Limits(security.rate_per_minute, security.rate_burst, security.max_open_sessions)


async def admit(client: DurableOrchestrationClient, owner: str, trace_id: str, starting: bool) -> None:
    """Spend one of the caller's tokens for this request, or raise the 429 ApiError."""
    limits, now = _limits(), time.time()
    entity = df.EntityId(ENTITY, owner)
    read = await client.read_entity_state(entity)
    state = refilled(as_state(read.entity_state if read.entity_exists else None, limits, now), limits, now)
    if starting:
        await _close_ended(client, entity, owner, state, limits, now)
    open_until = now + load_settings().session_ttl_seconds
    spent = _PENDING.take(owner, state, limits, now, starting, trace_id, open_until)
    await client.signal_entity(entity, "spend", {"now": now, "rate": limits.rate_per_minute, "burst": limits.burst,
                                                 "max_open": limits.max_open, "trace_id": trace_id,
                                                 "open_until": open_until, "spend_id": spent.spend_id})


async def release(client: DurableOrchestrationClient, owner: str, trace_id: str) -> None:
    """The session no longer counts as open (deleted)."""
    await client.signal_entity(df.EntityId(ENTITY, owner), "close", {"now": time.time(), "trace_id": trace_id})


async def _close_ended(client: DurableOrchestrationClient, entity: df.EntityId, owner: str,
                       state: dict[str, Any], limits: Limits, now: float) -> None:
    """At the open-session cap, sessions that have ended since are closed first (removed from `state` too)."""
    if retry_after_open(_PENDING.effective(owner, state, limits, now), limits, now) is None:
        return
    for trace_id in list(state["open"]):  # at most max_open lookups, and only for a caller at its cap
        status = await client.get_status(trace_id)
        runtime = status.runtime_status if status else None
        # an instance not created yet (admitted a moment ago, started just after) is still open, not ended: only a
        # runtime status that is over frees its place (one that never starts runs out at its open_until)
        if runtime is not None and runtime not in _RUNNING:
            del state["open"][trace_id]
            await client.signal_entity(entity, "close", {"now": now, "trace_id": trace_id})


def rate_limited(retry_after: int, message: str) -> ApiError:
    error = ApiError(429, "rate_limited", f"{message} Retry after {retry_after} s.",
                     [ErrorDetail(field="caller", problem="over its rate limit")])
    error.headers = {"Retry-After": str(retry_after)}
    return error
