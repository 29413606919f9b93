"""The circuit breakers shared across instances through the `circuit_breakers` Durable entity.

Read before an Azure tool call (an instance that has not failed yet still learns of an outage another
instance saw), reported after it. Signals are one-way messages, so the entity is eventually consistent:
a few calls may still go out while the news travels, which is what a breaker tolerates. A failure to
reach the entity never fails the tool: the local breaker still works."""

from __future__ import annotations

import logging
import time
from typing import Any, Literal

import azure.durable_functions as df

from shared.resilience.breaker import BREAKERS, Breaker, Dependency, from_record, settings

ENTITY = "circuit_breakers"


async def adopt_shared(client: df.DurableOrchestrationClient, dependency: Dependency) -> Breaker | None:
    """The entity's breaker for the dependency, adopted locally when more open; None when unreachable."""
    try:
        read = await client.read_entity_state(df.EntityId(ENTITY, dependency))
    except Exception as exc:  # the entity is an optimisation: without it the local breaker decides alone
        logging.warning("circuit breaker entity unreachable (%s)", type(exc).__name__)
        return None
    shared = from_record(read.entity_state if read.entity_exists else None)
    BREAKERS.adopt(dependency, shared)
    return shared


async def report_shared(client: df.DurableOrchestrationClient, dependency: Dependency,
                        outcome: Literal["success", "transient", "other"], shared: Breaker | None) -> None:
    """Tell the entity a call's outcome; a success is only news when the shared breaker counted failures."""
    if outcome != "transient" and shared is not None and shared == Breaker():
        return
    threshold, _ = settings()
    data: dict[str, Any] = {"outcome": outcome, "now": time.time(), "threshold": threshold}
    try:
        await client.signal_entity(df.EntityId(ENTITY, dependency), "record", data)
    except Exception as exc:
        logging.warning("circuit breaker entity not signalled (%s)", type(exc).__name__)
