"""`Idempotency-Key` on start: the same key from the same caller names the same session.

No mapping is stored: the session's trace_id *is* the mapping, HMAC-SHA256(caller secret, owner id + key)
cut to 32 hex. It is as unguessable as a random trace_id without the secret, the same on every instance
(the caller secret is an app setting), and another caller's same key gives another id. Whether the key was
used is then the instance's status: an unfinished session, or one finished less than the session TTL ago,
is answered again; one finished longer ago (purged here) or never started gets a new session under the id.

Two identical requests landing at the same moment may both see no instance and both call `start_new`;
Durable then keeps one instance under the id (the later start replaces the earlier), so both callers
still get the same trace_id. Accepted: closing that window would need a lock entity on every keyed start."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any

import azure.functions as func
from azure.durable_functions import DurableOrchestrationClient, OrchestrationRuntimeStatus

from shared.errors import ApiError
from shared.models import ErrorDetail

HEADER = "Idempotency-Key"
MAX_CHARS = 200
_FINISHED = {OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed,
             OrchestrationRuntimeStatus.Terminated}


def idempotency_key(req: func.HttpRequest) -> str | None:
    """The request's key, None without one; 400 when it is empty, longer than 200 or not printable ASCII."""
    key = req.headers.get(HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_CHARS or not all(" " <= c <= "~" for c in key):
        raise ApiError(400, "invalid_header", f"The {HEADER} header must be 1 to {MAX_CHARS} printable characters.",
                       [ErrorDetail(field=HEADER, problem=f"1 to {MAX_CHARS} printable ASCII characters")])
    return key


def keyed_trace_id(secret: bytes, owner: str, key: str) -> str:
    """The trace_id of `owner`'s session started with `key` (a label keeps it apart from other HMAC uses)."""
    message = f"idempotency:{owner}\n{key}".encode()
    return hmac.new(secret, message, "sha256").hexdigest()[:32]


async def already_started(client: DurableOrchestrationClient, trace_id: str, ttl_seconds: int,
                          now: datetime | None = None) -> bool:
    """Whether the keyed session stands; a finished one past the TTL is purged so the id can start afresh."""
    status: Any = await client.get_status(trace_id)
    if not status or status.runtime_status is None:
        return False
    if status.runtime_status not in _FINISHED:
        return True
    updated = status.last_updated_time
    if isinstance(updated, datetime):
        moment = now or datetime.now(UTC)
        updated = updated if updated.tzinfo else updated.replace(tzinfo=UTC)
        if (moment - updated).total_seconds() < ttl_seconds:
            return True
    await client.purge_instance_history(trace_id)
    return False
