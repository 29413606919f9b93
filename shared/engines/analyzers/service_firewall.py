"""network.nsg_blocked (service firewalls): a service's own network rules refused the caller's address.

Key Vault (ForbiddenByFirewall), Azure SQL (error 40615), Cosmos DB, Service Bus / Event Hubs and App
Service access restrictions each name the refused client address; the fix per service is data
(knowledge/network_service_firewalls.yaml). Storage account firewalls have their own analyzer
(storage_firewall)."""

from __future__ import annotations

from shared.engines.analyzers.common import table_analyzer

TABLE = "network_service_firewalls"


analyze = table_analyzer(TABLE)
