"""Round 42 (session 35), after reading the blind failures: a collection at its parent tier's count limit."""

from __future__ import annotations

from typing import Any

from shared.engines.computed_findings.count_limits import collection_at_tier_limit
from shared.engines.playbooks import finding
from shared.models import Options
from shared.session.state import Evidence, Material, SessionState

NS = "/subscriptions/s/resourceGroups/rg-iot/providers/Microsoft.EventHub/namespaces/evhns-plant"


def _state(text: str, tier: str, hubs: int) -> SessionState:
    state = SessionState(trace_id="c" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=text))
    reads: list[dict[str, Any]] = [
        {"type": "Microsoft.EventHub/namespaces", "id": NS, "name": "evhns-plant", "sku.name": tier},
        {"type": "Microsoft.EventHub/namespaces/eventhubs", "ids": [f"{NS}/eventhubs/line-{i}" for i in range(hubs)]}]
    for data in reads:
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=str(data), data=data))
    return state


REFUSED = "Error: creating Event Hub 'line-99': QuotaExceeded: SubCode=40000. Cannot create more entities."


def test_a_standard_namespace_holding_ten_event_hubs_is_at_its_count_limit() -> None:
    facts = collection_at_tier_limit(_state(REFUSED, "Standard", 10)) or {}
    assert facts.get("count") == "10" and facts.get("limit") == "10" and facts.get("parent") == "evhns-plant"
    rule, _ = finding(_state(REFUSED, "Standard", 10)) or ({}, {})
    assert rule.get("id") == "collection-at-tier-count-limit"


def test_below_the_limit_or_on_a_tier_without_a_small_limit_it_stays_silent() -> None:
    assert collection_at_tier_limit(_state(REFUSED, "Standard", 9)) is None
    assert collection_at_tier_limit(_state(REFUSED, "Premium", 10)) is None


def test_a_full_namespace_explains_no_report_that_shows_no_refused_create() -> None:
    rule, _ = finding(_state("Consumers lag behind since this morning.", "Standard", 10)) or ({}, {})
    assert rule.get("id") != "collection-at-tier-count-limit"


SUBNET = ("/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/"
          "snet-nodes")


def _cluster_state(endpoints: list[dict[str, str]]) -> SessionState:
    state = SessionState(trace_id="d" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description="403 AuthorizationFailure on blob upload from our pods"))
    cluster = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-render", "vnetSubnetIds": [SUBNET]}
    for data in (cluster,
                 {"type": "Microsoft.Storage/storageAccounts", "name": "strender",
                  "networkAcls": {"defaultAction": "Deny", "virtualNetworkRules": [SUBNET]}},
                 {"type": "Microsoft.Network/virtualNetworks/subnets", "id": SUBNET, "serviceEndpoints": endpoints}):
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=str(data), data=data))
    return state


def test_a_cluster_node_subnet_in_the_rules_without_the_storage_endpoint_is_found() -> None:
    from shared.engines.computed_findings.network import subnet_lacks_service_endpoint

    facts = subnet_lacks_service_endpoint(_cluster_state([])) or {}
    assert facts.get("app") == "aks-render" and facts.get("subnet") == "snet-nodes"
    assert facts.get("service_endpoint") == "Microsoft.Storage"
    assert subnet_lacks_service_endpoint(_cluster_state([{"service": "Microsoft.Storage"}])) is None
