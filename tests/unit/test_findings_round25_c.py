"""The twenty-fifth round of findings, area c (knowledge/evidence_findings.yaml, '# round 25 c'): Cosmos DB pages no
knowledge cited yet. A Cosmos DB account that filters by virtual network refuses service-endpoint traffic from a
subnet it does not list (virtualNetworkRules), and a Cassandra driver pinned to a local datacenter that is not one
of the account's regions finds no host. Each fires on recorded-like reads with the symptom it explains and stays
silent for its near miss."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    extracted,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"
OLD_SUBNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-shop/subnets/snet-legacy"

VNET_COSMOS = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-shop", "locations": ["West Europe"],
               "publicNetworkAccess": "Enabled", "isVirtualNetworkFilterEnabled": True,
               "virtualNetworkRules": [OLD_SUBNET], "ipRules": []}
CASS = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-cass", "locations": ["West US 2"],
        "capabilities": ["EnableCassandra"]}
SERVICE_ENDPOINT_403 = ("Writes fail: Response status code does not indicate success: Forbidden (403); Substatus: 0; "
                        "Reason: (Request originated from VNET through service endpoint. This is blocked by your "
                        "Cosmos DB account firewall settings.)")
NO_HOST = ("com.datastax.driver.core.exceptions.NoHostAvailableException: All host(s) tried for query failed (no host "
           "was tried)\n  .withLoadBalancingPolicy(DCAwareRoundRobinPolicy.builder().withLocalDc(\"West US\").build())")

CASES = [
    Case("cosmos-vnet-filter-subnet-not-in-rules", "network.nsg_blocked", "virtualNetworkRules", [VNET_COSMOS],
         SERVICE_ENDPOINT_403, near_reads=[{**VNET_COSMOS, "isVirtualNetworkFilterEnabled": False}]),
    Case("cosmos-cassandra-local-dc-not-account-region", "config.invalid_connection_string", "West US 2", [CASS],
         NO_HOST, near_report="com.datastax.driver.core.exceptions.NoHostAvailableException: All host(s) tried for "
                              "query failed (no host was tried); contact point cosmos-cass.cassandra.cosmos.azure.com"),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_the_csharp_driver_names_the_datacenter_no_node_belongs_to() -> None:
    report = ("System.ArgumentException: Datacenter West US does not match any of the nodes, available datacenters: "
              "West US 2.")
    assert finding_id(reads_state(report, [CASS])) == "cosmos-cassandra-local-dc-not-account-region"


def test_a_public_ip_refusal_is_not_read_as_a_missing_subnet_rule() -> None:
    report = ("Forbidden (403); Reason: (Request originated from IP 84.115.22.37 through public internet. This is "
              "blocked by your Cosmos DB account firewall settings.)")
    assert finding_id(reads_state(report, [VNET_COSMOS])) != "cosmos-vnet-filter-subnet-not-in-rules"


def test_the_account_read_keeps_the_virtual_network_filter_and_rules() -> None:
    body = {"properties": {"isVirtualNetworkFilterEnabled": True, "virtualNetworkRules": [{"id": OLD_SUBNET}],
                           "locations": [{"locationName": "West US 2"}]}}
    kept = extracted("Microsoft.DocumentDB", "databaseAccounts", body)
    assert kept["isVirtualNetworkFilterEnabled"] is True
    assert kept["virtualNetworkRules"] == [OLD_SUBNET]
    assert kept["locations"] == ["West US 2"]
