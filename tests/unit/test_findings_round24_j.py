"""The twenty-fourth round of findings, helper j (knowledge/evidence_findings.yaml, `# round 24 j`): networking and
DNS troubleshooting pages - passive FTP through a NAT gateway with several public IPs, a default route to an appliance
that overrides the NAT gateway, the WAF policy's upload and body size limits, a VPN connection that only initiates, a
private DNS zone named like an endpoint Bastion itself uses, Azure Firewall SNAT ports used up, and a point-to-site
configuration without a root certificate. Each fires on recorded-like reads with the symptom it explains and stays
silent for its near miss; the reads keep the fields the findings need, and the playbooks read what they need."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    playbook_reads,
    reads_state,
)
from tests.helpers.finding_checks import extracted as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000124/resourceGroups/rg-net/providers"
VNET_ID = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-app"
NAT_ID = f"{SUB}/Microsoft.Network/natGateways/ng-app"

NAT = {"type": "Microsoft.Network/natGateways", "name": "ng-app", "sku": "Standard", "publicIpCount": 2,
       "publicIpPrefixCount": 0, "subnets": [f"{VNET_ID}/subnets/snet-workers"]}
SUBNET = {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "snet-workers", "natGateway": NAT_ID,
          "routeTable": f"{SUB}/Microsoft.Network/routeTables/rt-workers"}
ROUTES = {"type": "Microsoft.Network/routeTables", "name": "rt-workers",
          "routes": [{"name": "default-via-fw", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                      "nextHopIpAddress": "10.0.1.4"}],
          "subnets": [f"{VNET_ID}/subnets/snet-workers"]}
WAF = {"type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", "name": "wafp-portal",
       "wafMode": "Prevention", "wafState": "Enabled", "fileUploadLimitInMb": 100, "fileUploadEnforcement": True,
       "maxRequestBodySizeInKb": 128, "requestBodyEnforcement": True}
CONNECTION = {"type": "Microsoft.Network/connections", "name": "cn-dc", "connectionType": "IPsec",
              "connectionStatus": "NotConnected", "connectionMode": "InitiatorOnly"}
ZONE = {"type": "Microsoft.Network/privateDnsZones", "name": "blob.core.windows.net", "numberOfRecordSets": 3,
        "numberOfVirtualNetworkLinks": 1}
SNAT = {"metrics": [{"name": "SNATPortUtilization", "max": 100, "avg": 61.0, "total": None}]}
GATEWAY = {"type": "Microsoft.Network/virtualNetworkGateways", "name": "vgw-remote", "gatewayType": "Vpn",
           "vpnClientRootCertificateCount": 0, "vpnAuthenticationTypes": ["Certificate"]}

CASES = [
    Case("nat-gateway-several-ips-passive-ftp", "network.nsg_blocked", "publicIpAddresses", [NAT],
         "Our workers log in to the partner's FTP server but each PASV transfer fails: 425 Can't open data connection.",
         near_reads=[{**NAT, "publicIpCount": 1}]),
    Case("nat-gateway-bypassed-by-default-route-to-appliance", "network.nsg_blocked", "VirtualAppliance",
         [SUBNET, ROUTES],
         "The partner allowlisted our NAT gateway IP but now returns 403: the source IP they see is not ours.",
         near_reads=[SUBNET, {**ROUTES, "routes": [{"name": "onprem", "addressPrefix": "172.16.0.0/12",
                                                   "nextHopType": "VirtualNetworkGateway"}]}]),
    Case("app-gateway-waf-upload-or-body-over-size-limit", "network.nsg_blocked", "fileUploadLimitInMb", [WAF],
         "Video uploads over about 100 MB fail at the application gateway with 413 Request Entity Too Large.",
         near_reads=[{**WAF, "wafMode": "Detection"}]),
    Case("vpn-connection-initiator-only-refuses-peer", "network.nsg_blocked", "InitiatorOnly", [CONNECTION],
         "The site-to-site tunnel stays down; the gateway logs: The remote computer refused the network connection "
         "(Error code: 1225).",
         near_reads=[{**CONNECTION, "connectionMode": "Default"}]),
    Case("bastion-network-linked-to-reserved-private-zone", "network.private_endpoint_dns", "privatelink", [ZONE],
         "Since yesterday nobody can connect through Bastion: the session tab stays a black screen.",
         near_reads=[{**ZONE, "name": "privatelink.blob.core.windows.net"}]),
    Case("azure-firewall-snat-ports-exhausted", "quota.exceeded", "SNAT", [],
         "At peak a third of our calls through the hub firewall to a public API time out and work on retry.",
         metrics=SNAT, near_metrics={"metrics": [{"name": "SNATPortUtilization", "max": 42, "avg": 20.0,
                                                  "total": None}]}),
    Case("vpn-gateway-point-to-site-without-root-certificate", "auth.credential_invalid",
         "vpnClientRootCertificates", [GATEWAY],
         "No point-to-site user can connect: The message received was unexpected or badly formatted (0x80090326).",
         near_reads=[{**GATEWAY, "vpnClientRootCertificateCount": 1}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_default_route_is_not_blamed_for_a_subnet_without_a_nat_gateway() -> None:
    report = "The partner allowlisted our NAT gateway IP but now returns 403: the source IP they see is not ours."
    plain = {**SUBNET, "natGateway": None}
    assert finding_id(reads_state(report, [plain, ROUTES])) != "nat-gateway-bypassed-by-default-route-to-appliance"


def test_an_unlinked_reserved_zone_is_not_blamed() -> None:
    report = "Since yesterday nobody can connect through Bastion: the session tab stays a black screen."
    unlinked = {**ZONE, "numberOfVirtualNetworkLinks": 0}
    assert finding_id(reads_state(report, [unlinked])) != "bastion-network-linked-to-reserved-private-zone"


def test_a_gateway_with_entra_sign_in_only_needs_no_root_certificate() -> None:
    report = "No point-to-site user can connect with the Azure VPN Client since this morning."
    entra = {**GATEWAY, "vpnAuthenticationTypes": ["AAD"]}
    assert finding_id(reads_state(report, [entra])) != "vpn-gateway-point-to-site-without-root-certificate"


def test_a_403_from_the_waf_is_left_to_the_rule_finding() -> None:
    report = "Requests to /api/orders get 403 Forbidden at the application gateway."
    assert finding_id(reads_state(report, [WAF])) != "app-gateway-waf-upload-or-body-over-size-limit"


# --- the fields the findings read, from realistic ARM bodies -----------------------------------------------------


def test_the_waf_policy_read_keeps_its_size_limits() -> None:
    body = {"properties": {"policySettings": {"mode": "Prevention", "state": "Enabled", "fileUploadLimitInMb": 100,
                                              "fileUploadEnforcement": True, "maxRequestBodySizeInKb": 128,
                                              "requestBodyEnforcement": False}}}
    data = _fields("Microsoft.Network", "ApplicationGatewayWebApplicationFirewallPolicies", body)
    assert data["fileUploadLimitInMb"] == 100 and data["fileUploadEnforcement"] is True
    assert data["maxRequestBodySizeInKb"] == 128 and data["requestBodyEnforcement"] is False


def test_the_connection_read_keeps_its_mode() -> None:
    body = {"properties": {"connectionType": "IPsec", "connectionMode": "InitiatorOnly"}}
    assert _fields("Microsoft.Network", "connections", body)["connectionMode"] == "InitiatorOnly"


def test_the_firewall_read_counts_its_public_ip_configurations() -> None:
    body = {"properties": {"sku": {"name": "AZFW_VNet", "tier": "Standard"}, "threatIntelMode": "Alert",
                           "ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.1.4"}}]}}
    data = _fields("Microsoft.Network", "azureFirewalls", body)
    assert data["publicIpCount"] == 1 and data["sku"] == {"name": "AZFW_VNet", "tier": "Standard"}


def test_the_vpn_gateway_read_counts_its_point_to_site_root_certificates() -> None:
    body = {"properties": {"gatewayType": "Vpn", "vpnClientConfiguration": {
        "vpnAuthenticationTypes": ["Certificate"], "vpnClientRootCertificates": []}}}
    data = _fields("Microsoft.Network", "virtualNetworkGateways", body)
    assert data["vpnClientRootCertificateCount"] == 0 and data["vpnAuthenticationTypes"] == ["Certificate"]


# --- the playbook steps that read what the findings need ---------------------------------------------------------

def _reads_of(resource_id: str, report: str) -> list[str]:
    """The tools and ids the playbook reads, in order, for a report that names the resource by its id; every read
    answers an empty success."""
    return [f"{tool}:{target}" for tool, target in playbook_reads(resource_id, report, ("resource_id", "gateway_id"))]


def test_the_firewall_playbook_reads_its_snat_metrics_for_timeouts() -> None:
    firewall = f"{SUB}/Microsoft.Network/azureFirewalls/afw-hub"
    assert f"query_metrics:{firewall}" in _reads_of(firewall, "Calls through the firewall time out at peak")
    assert f"query_metrics:{firewall}" not in _reads_of(firewall, "The firewall policy cannot be saved")


def test_the_bastion_playbook_reads_the_private_dns_zones_of_its_group() -> None:
    bastion = f"{SUB}/Microsoft.Network/bastionHosts/bas-mgmt"
    reads = _reads_of(bastion, "Bastion sessions fail with a black screen")
    assert reads[0] == f"get_resource:{bastion}"
    assert any(r.startswith("list_resources") or "privateDnsZones" in r for r in reads[1:])
