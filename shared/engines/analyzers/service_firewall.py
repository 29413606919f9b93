"""network.nsg_blocked (service firewalls): a service's own network rules refused the caller's address.

Key Vault (ForbiddenByFirewall), Azure SQL (error 40615), Cosmos DB, Service Bus / Event Hubs and App
Service access restrictions each name the refused client address; the fix per service is data
(knowledge/network_service_firewalls.yaml). Storage account firewalls have their own analyzer
(storage_firewall)."""

from __future__ import annotations

from shared.engines.analyzers.common import conclude_entry, facts_for, first_entry, grounded, table, unknown
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session import SessionState

TABLE = "network_service_firewalls"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit):
        return unknown(state)
    found = first_entry(table(TABLE), state)
    if found is None:
        return unknown(state)
    entry, facts = found
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts))
