"""The twenty-sixth round of findings, part d (knowledge/evidence_findings.yaml): Application Gateway's Key Vault
listener certificates (a gateway without a user-assigned identity, a vault firewall that does not admit the gateway,
a private-only vault the gateway must resolve through its private DNS zone), a v2 gateway answering 404 for a host
name no listener serves, and a DNS private resolver's forwarding rule that is disabled. Each fires on recorded-like
reads with the symptom it explains and stays silent for its near miss; the fields and reads it needs are kept."""

from __future__ import annotations

from typing import Any

import pytest

from shared.engines.playbooks import FINDINGS, table
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import check_case_fires, check_case_stays_silent, extracted, playbook_reads

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-edge/providers"
KV_ERROR = ("Adding the HTTPS listener fails: ApplicationGatewayKeyVaultSecretException - Problem occured while "
            "accessing and validating KeyVault Secrets associated with Application Gateway.")
UAMI = {"type": "UserAssigned", "principalId": None,
        "userAssigned": [{"id": f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-agw"}]}


def read(namespace: str, resource_type: str, name: str | None, properties: dict[str, Any],
         **more: Any) -> dict[str, Any]:
    """A get_resource read of this ARM body, as the tool keeps it (its type and name added)."""
    return {"type": f"{namespace}/{resource_type}", "name": name,
            **extracted(namespace, resource_type, {"properties": properties}), **more}


GATEWAY = read("Microsoft.Network", "applicationGateways", "agw-edge", {
    "provisioningState": "Succeeded", "sku": {"name": "WAF_v2", "tier": "WAF_v2"},
    "httpListeners": [{"name": "www", "properties": {"protocol": "Https", "hostName": "www.contoso.com"}},
                      {"name": "api", "properties": {"protocol": "Https", "hostName": "api.contoso.com"}}]},
    identity=None)
VAULT = read("Microsoft.KeyVault", "vaults", "kv-certs", {
    "publicNetworkAccess": "Enabled", "privateEndpointConnections": [],
    "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices", "ipRules": [{"value": "198.51.100.7/32"}],
                    "virtualNetworkRules": [{"id": f"{SUB}/Microsoft.Network/virtualNetworks/vnet/subnets/build"}]}})
OPEN_VAULT = read("Microsoft.KeyVault", "vaults", "kv-certs", {
    "publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Allow", "bypass": "AzureServices"}})
PRIVATE_VAULT = read("Microsoft.KeyVault", "vaults", "kv-certs", {
    "publicNetworkAccess": "Disabled", "networkAcls": {"defaultAction": "Deny", "bypass": "None"},
    "privateEndpointConnections": [{"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}}]})
RULES = read("Microsoft.Network", "dnsForwardingRulesets/forwardingRules", None, {}) | extracted(
    "Microsoft.Network", "dnsForwardingRulesets/forwardingRules", {"value": [
        {"name": "corp", "properties": {"domainName": "corp.contoso.local.", "forwardingRuleState": "Disabled"}},
        {"name": "partner", "properties": {"domainName": "fabrikam.example.", "forwardingRuleState": "Enabled"}}]})

CASES = [
    Case("app-gateway-keyvault-certificate-without-user-assigned-identity", "auth.managed_identity_missing",
         "user-assigned", [GATEWAY], KV_ERROR, near_reads=[{**GATEWAY, "identity": UAMI}]),
    Case("key-vault-firewall-blocks-application-gateway", "network.nsg_blocked", "defaultAction", [VAULT],
         "Key Vault 'kv-certs' is not accessible. Please make sure that the Key Vault is accessible from the "
         "Application Gateway subnet.",
         near_reads=[OPEN_VAULT]),
    Case("private-key-vault-unresolved-from-application-gateway", "network.private_endpoint_dns",
         "privatelink.vaultcore.azure.net", [PRIVATE_VAULT], KV_ERROR,
         near_reads=[{**PRIVATE_VAULT, "privateEndpointConnections": 0}]),
    Case("app-gateway-host-name-matches-no-listener", "config.wrong_resource_name", "listener",
         [{**GATEWAY, "identity": UAMI}],
         "We pointed a CNAME for shop.contoso.com at the application gateway and it answers 404 Not Found.",
         near_reads=[{**GATEWAY, "identity": UAMI,
                      "listeners": [*GATEWAY["listeners"], {"name": "basic", "protocol": "Http"}]}]),
    Case("dns-forwarding-rule-disabled", "network.dns_resolution", "forwardingRuleState", [RULES],
         "VMs in the spoke can't resolve sql01.corp.contoso.local any more: Non-existent domain.",
         near_reads=[{**RULES, "disabledDomains": []}]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule_id}-{c.word}")
def test_a_round_26_d_finding_explains_its_symptom(case: Case) -> None:
    check_case_fires(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule_id}-{c.word}")
def test_a_round_26_d_finding_stays_silent_for_its_near_miss(case: Case) -> None:
    check_case_stays_silent(case, UNRELATED)


def test_the_vault_firewall_finding_leaves_a_private_only_vault_to_the_dns_one() -> None:
    closed = Case("key-vault-firewall-blocks-application-gateway", "network.nsg_blocked", "defaultAction",
                  [PRIVATE_VAULT], KV_ERROR)
    with pytest.raises(AssertionError):
        check_case_fires(closed)


def test_a_v1_gateway_is_left_out_of_the_listener_finding() -> None:
    v1 = Case("app-gateway-host-name-matches-no-listener", "config.wrong_resource_name", "listener",
              [{**GATEWAY, "identity": UAMI, "sku": {"name": "Standard_Medium", "tier": "Standard"}}],
              "We pointed a CNAME for shop.contoso.com at the application gateway and it answers 404 Not Found.")
    with pytest.raises(AssertionError):
        check_case_fires(v1)


def test_a_named_network_missing_from_a_zone_overrules_a_key_vault_denial() -> None:
    rule = next(r for r in table(FINDINGS) if r["id"] == "private-dns-zone-not-linked-to-named-network")
    assert "auth.keyvault_access_denied" in rule["overrules"]


def test_get_resource_keeps_the_disabled_forwarding_rules() -> None:
    kept = extracted("Microsoft.Network", "dnsForwardingRulesets/forwardingRules", {"value": [
        {"name": "corp", "properties": {"domainName": "corp.contoso.local.", "forwardingRuleState": "Disabled",
                                        "targetDnsServers": [{"ipAddress": "10.0.0.4", "port": 53}]}}]})
    assert kept["disabledDomains"] == ["corp.contoso.local."]
    assert kept["rules"] == [{"name": "corp", "domainName": "corp.contoso.local.", "forwardingRuleState": "Disabled"}]


def test_get_resource_keeps_the_ruleset_links_and_endpoints() -> None:
    links = extracted("Microsoft.Network", "dnsForwardingRulesets/virtualNetworkLinks", {"value": [
        {"properties": {"virtualNetwork": {"id": f"{SUB}/Microsoft.Network/virtualNetworks/vnet-spoke"}}}]})
    assert links["linkedNetworks"] == [f"{SUB}/Microsoft.Network/virtualNetworks/vnet-spoke"]
    ruleset = extracted("Microsoft.Network", "dnsForwardingRulesets", {"properties": {
        "dnsResolverOutboundEndpoints": [{"id": "out-1"}], "provisioningState": "Succeeded"}})
    assert ruleset["outboundEndpoints"] == ["out-1"]


def test_the_ruleset_playbook_reads_its_rules_and_links() -> None:
    ruleset = f"{SUB}/Microsoft.Network/dnsForwardingRulesets/frs-hub"
    reads = playbook_reads(ruleset, "Names in the on-premises domain no longer resolve from Azure.")
    assert ("get_resource", f"{ruleset}/forwardingRules") in reads
    assert ("get_resource", f"{ruleset}/virtualNetworkLinks") in reads
