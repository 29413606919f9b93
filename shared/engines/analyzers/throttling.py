"""throttling.rate_limited: the service answered 429 / ServerBusy because a rate limit was reached.

Each service says it its own way (Cosmos DB "Request rate is large", Storage ServerBusy, Resource Manager
TooManyRequests) and is fixed its own way; the table (knowledge/throttling_services.yaml) holds both. The
wait the service asked for (Retry-After, RetryAfterMs) is quoted when present."""

from __future__ import annotations

from shared.engines.analyzers.common import table_analyzer

TABLE = "throttling_services"


analyze = table_analyzer(TABLE, other_clouds=True)
