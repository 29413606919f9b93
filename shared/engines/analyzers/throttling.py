"""throttling.rate_limited: the service answered 429 / ServerBusy because a rate limit was reached.

Each service says it its own way (Cosmos DB "Request rate is large", Storage ServerBusy, Resource Manager
TooManyRequests) and is fixed its own way; the table (knowledge/throttling_services.yaml) holds both. The
wait the service asked for (Retry-After, RetryAfterMs) is quoted when present."""

from __future__ import annotations

from shared.engines.analyzers.common import (
    conclude_entry,
    facts_for,
    first_entry,
    grounded,
    other_cloud,
    table,
    unknown,
)
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session import SessionState

TABLE = "throttling_services"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit):
        return unknown(state)
    foreign = other_cloud(state)
    if foreign is not None:
        return foreign
    found = first_entry(table(TABLE), state)
    if found is None:
        return unknown(state)
    entry, facts = found
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts))
