"""network.nsg_blocked (service firewalls): a service's own network rules refused the caller's address.

Key Vault (ForbiddenByFirewall), Azure SQL (error 40615), Cosmos DB, Service Bus / Event Hubs and App
Service access restrictions each name the refused client address; the fix per service is data
(knowledge/network_service_firewalls.yaml). Storage account firewalls have their own analyzer
(storage_firewall)."""

from __future__ import annotations

from shared.engines.analyzers.common import table_analyzer
from shared.engines.analyzers.network_path import private_name_resolved_publicly
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session.state import SessionState

TABLE = "network_service_firewalls"

_by_table = table_analyzer(TABLE)


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    """A service meant to be reached privately whose pasted name resolution answers with a public address is
    refused because the client takes the public path: the private DNS is the gap, and the firewall does its job.
    Otherwise the firewall refused the address, as its table says."""
    resolved = private_name_resolved_publicly(state, hit) if hit is not None else None
    return resolved if resolved is not None else _by_table(state, hit)
