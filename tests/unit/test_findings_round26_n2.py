"""The twenty-sixth round of findings, networking (knowledge/evidence_findings.yaml, round 26 n2): Azure Firewall
forced tunneling without a management NIC and DNAT behind forced tunneling, site-to-site VPN settings that drop or
never establish a tunnel's routing (PFS group, the device's own address in the local address space, a reserved
on-premises ASN, BGP on a Basic gateway) and default SNAT of a public load balancer without outbound rules. Each fires
on recorded-like reads with the symptom it explains and stays silent for its near miss; the fields the findings read
are kept by get_resource."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, extracted, finding_id, reads_state

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network"
MGMT_SUBNET = f"{SUB}/virtualNetworks/vnet-hub/subnets/AzureFirewallManagementSubnet"

FIREWALL = {"type": "Microsoft.Network/azureFirewalls", "name": "afw-hub",
            "sku": {"name": "AZFW_VNet", "tier": "Standard"}, "publicIpCount": 1}
TUNNELED_FIREWALL = {**FIREWALL, "managementSubnet": MGMT_SUBNET}
CONNECTION = {"type": "Microsoft.Network/connections", "name": "cn-hub-to-lyon", "connectionStatus": "Connected",
              "connectionMode": "Default", "pfsGroups": ["PFS2048"]}
LOCAL_GATEWAY = {"type": "Microsoft.Network/localNetworkGateways", "name": "lng-branch",
                 "gatewayIpAddress": "203.0.113.24", "addressPrefixes": ["10.40.0.0/16", "203.0.113.24/32"],
                 "deviceAndAddressSpace": {"gatewayIpAddress": "203.0.113.24",
                                           "localNetworkAddressSpace.addressPrefixes": ["10.40.0.0/16",
                                                                                        "203.0.113.24/32"]}}
CLEAN_LOCAL_GATEWAY = {**LOCAL_GATEWAY, "addressPrefixes": ["10.40.0.0/16"],
                       "deviceAndAddressSpace": {"gatewayIpAddress": "203.0.113.24",
                                                 "localNetworkAddressSpace.addressPrefixes": ["10.40.0.0/16"]}}
BGP_LOCAL_GATEWAY = {**CLEAN_LOCAL_GATEWAY, "bgpAsn": 65515, "bgpPeeringAddress": "192.168.250.1"}
GATEWAY = {"type": "Microsoft.Network/virtualNetworkGateways", "name": "vgw-branch", "gatewayType": "Vpn",
           "vpnType": "PolicyBased", "sku": "Basic"}
LOAD_BALANCER = {"type": "Microsoft.Network/loadBalancers", "name": "lbe-web", "sku": "Standard",
                 "outboundRuleCount": 0, "publicFrontendCount": 1}

CASES = [
    Case("azure-firewall-forced-tunnel-route-without-management-nic", "network.nsg_blocked",
         "AzureFirewallManagementSubnet", [FIREWALL],
         "We attached a route table with 0.0.0.0/0 to the virtual network gateway on the AzureFirewallSubnet and "
         "since then the firewall is degraded and the spokes lost internet.",
         near_reads=[TUNNELED_FIREWALL]),
    Case("azure-firewall-dnat-inbound-with-forced-tunneling", "network.nsg_blocked", "DNAT", [TUNNELED_FIREWALL],
         "Our DNAT rule for TCP 2222 to the SFTP VM times out from the internet; all egress of the firewall goes "
         "to our on-prem proxy through ExpressRoute.",
         near_report="Our DNAT rule for TCP 2222 to the SFTP VM times out from the internet."),
    Case("vpn-connection-pfs-group-device-mismatch", "network.nsg_blocked", "pfsGroup", [CONNECTION],
         "The site-to-site tunnel drops at every phase 2 rekey; on the FortiGate PFS is disabled.",
         near_reads=[{**CONNECTION, "pfsGroups": ["None"]}]),
    Case("vpn-local-gateway-address-space-includes-device-ip", "network.nsg_blocked", "gatewayIpAddress",
         [LOCAL_GATEWAY], "The site-to-site VPN to the branch disconnects sporadically several times an hour.",
         near_reads=[CLEAN_LOCAL_GATEWAY]),
    Case("vpn-bgp-onprem-asn-reserved", "network.nsg_blocked", "65515", [BGP_LOCAL_GATEWAY],
         "The IPsec tunnel is Connected but the BGP peer stays Not connected and we learn no routes.",
         near_reads=[{**BGP_LOCAL_GATEWAY, "bgpAsn": 65010}]),
    Case("vpn-gateway-basic-sku-without-bgp", "quota.sku_not_available", "Basic", [GATEWAY],
         "Enabling BGP on vgw-branch with az network vnet-gateway update --enable-bgp true fails with BadRequest.",
         near_reads=[{**GATEWAY, "vpnType": "RouteBased", "sku": "VpnGw1AZ"}]),
    Case("load-balancer-default-outbound-snat-exhaustion", "quota.exceeded", "outboundRules", [LOAD_BALANCER],
         "At peak our web tier gets connect timeouts calling the partner API and SNAT Connection Count shows "
         "failed connections.",
         near_reads=[{**LOAD_BALANCER, "outboundRuleCount": 1}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_an_internal_load_balancer_gets_no_snat_verdict() -> None:
    report = "At peak our web tier gets connect timeouts calling the partner API; SNAT ports are exhausted."
    internal = {**LOAD_BALANCER, "publicFrontendCount": 0}
    assert finding_id(reads_state(report, [internal])) != "load-balancer-default-outbound-snat-exhaustion"


def test_a_device_address_in_a_wider_prefix_only_is_not_the_device_itself() -> None:
    other = {**LOCAL_GATEWAY, "deviceAndAddressSpace": {"gatewayIpAddress": "203.0.113.24",
                                                         "localNetworkAddressSpace.addressPrefixes": ["10.40.0.0/16",
                                                                                                      "203.0.113.240/28"]}}
    report = "The site-to-site VPN to the branch disconnects sporadically."
    assert finding_id(reads_state(report, [other])) != "vpn-local-gateway-address-space-includes-device-ip"


FIELD_CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("Microsoft.Network", "azureFirewalls",
     {"properties": {"managementIpConfiguration": {"properties": {"subnet": {"id": MGMT_SUBNET}}}}},
     {"managementSubnet": MGMT_SUBNET}),
    ("Microsoft.Network", "connections",
     {"properties": {"ipsecPolicies": [{"pfsGroup": "PFS2048", "dhGroup": "DHGroup14"}]}},
     {"pfsGroups": ["PFS2048"]}),
    ("Microsoft.Network", "localNetworkGateways",
     {"properties": {"gatewayIpAddress": "203.0.113.24",
                     "localNetworkAddressSpace": {"addressPrefixes": ["10.40.0.0/16"]},
                     "bgpSettings": {"asn": 65010, "bgpPeeringAddress": "192.168.250.1"}}},
     {"gatewayIpAddress": "203.0.113.24", "addressPrefixes": ["10.40.0.0/16"], "bgpAsn": 65010,
      "bgpPeeringAddress": "192.168.250.1",
      "deviceAndAddressSpace": {"gatewayIpAddress": "203.0.113.24",
                                "localNetworkAddressSpace.addressPrefixes": ["10.40.0.0/16"]}}),
    ("Microsoft.Network", "loadBalancers",
     {"properties": {"outboundRules": [], "frontendIPConfigurations": [
         {"properties": {"publicIPAddress": {"id": f"{SUB}/publicIPAddresses/pip-web"}}},
         {"properties": {"privateIPAddress": "10.0.0.4"}}]}},
     {"outboundRuleCount": 0, "publicFrontendCount": 1}),
]


@pytest.mark.parametrize(("namespace", "resource_type", "body", "expected"), FIELD_CASES,
                         ids=[f"{c[1]}-{next(iter(c[3]))}" for c in FIELD_CASES])
def test_get_resource_keeps_the_round_26_n2_fields(namespace: str, resource_type: str, body: dict[str, Any],
                                                   expected: dict[str, Any]) -> None:
    kept = extracted(namespace, resource_type, body)
    assert {key: kept.get(key) for key in expected} == expected
