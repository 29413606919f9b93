"""The twenty-fourth round of findings, helper c (knowledge/evidence_findings.yaml, `# round 24 c`): networking
troubleshooting pages - a peering left out of sync after an address space change, an appliance's NIC without IP
forwarding, a NAT gateway without a public address, a v1 gateway's dynamic private frontend moved by a stop and start,
a private DNS zone named for Key Vault's whole domain, and a route table or NSG on the GatewaySubnet. Each fires on
recorded-like reads with the symptom it explains and stays silent for its near miss; the reads keep the fields the
findings need."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)
from tests.helpers.finding_checks import extracted as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000024/resourceGroups/rg-net/providers"
VNET_ID = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-hub"

HUB = {"type": "Microsoft.Network/virtualNetworks", "name": "vnet-hub",
       "addressPrefixes": ["10.10.0.0/16", "10.40.0.0/16"],
       "peerings": [{"name": "hub-to-spoke", "peeringState": "Connected", "peeringSyncLevel": "LocalNotInSync"}],
       "peeringSyncLevels": ["LocalNotInSync"]}
NIC = {"type": "Microsoft.Network/networkInterfaces", "name": "nic-nva01-trust", "enableIPForwarding": False,
       "privateIPAddresses": ["10.0.1.4"]}
NAT = {"type": "Microsoft.Network/natGateways", "name": "ng-batch", "sku": "Standard", "publicIpCount": 0,
       "publicIpPrefixCount": 0, "subnets": [f"{VNET_ID}/subnets/snet-batch"]}
GATEWAY_V1 = {"type": "Microsoft.Network/applicationGateways", "name": "agw-intranet", "operationalState": "Running",
              "sku": {"name": "Standard_Medium", "tier": "Standard", "capacity": 2},
              "dynamicPrivateFrontendIPs": ["10.30.2.12"]}
ZONE = {"type": "Microsoft.Network/privateDnsZones", "name": "vaultcore.azure.net", "numberOfRecordSets": 2,
        "numberOfVirtualNetworkLinks": 1}
ROUTES = {"type": "Microsoft.Network/routeTables", "name": "rt-force-firewall",
          "routes": [{"name": "default-to-firewall", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                      "nextHopIpAddress": "10.0.1.4"}],
          "subnets": [f"{VNET_ID}/subnets/GatewaySubnet", f"{VNET_ID}/subnets/snet-app"]}
NSG = {"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg-baseline",
       "securityRules": [{"name": "deny-all-inbound", "priority": 4000, "direction": "Inbound", "access": "Deny"}],
       "subnets": [f"{VNET_ID}/subnets/GatewaySubnet"]}
TUNNEL_DOWN = "Our site-to-site VPN tunnel is down since last night: the connection shows NotConnected."

CASES = [
    Case("vnet-peering-not-synced-after-address-space-change", "network.nsg_blocked", "peeringSyncLevel", [HUB],
         "Spoke VMs cannot reach the hub's new range 10.40.1.0/24 since we added it; the peering shows Connected.",
         near_reads=[{**HUB, "peeringSyncLevels": ["FullyInSync"]}]),
    Case("nva-nic-ip-forwarding-disabled", "network.nsg_blocked", "enableIPForwarding", [NIC],
         "Traffic the route table sends to our NVA at 10.0.1.4 times out; the spokes cannot reach the internet.",
         near_reads=[{**NIC, "enableIPForwarding": True}]),
    Case("nat-gateway-without-public-ip", "network.nsg_blocked", "publicIpAddresses", [NAT],
         "The VMs in snet-batch have no internet any more: curl to any public site times out.",
         near_reads=[{**NAT, "publicIpPrefixCount": 1}]),
    Case("appgw-v1-dynamic-private-frontend-after-stop-start", "network.private_endpoint_dns",
         "privateIPAllocationMethod", [GATEWAY_V1],
         "Since we stopped and started the gateway for the weekend the intranet site times out.",
         near_reads=[{**GATEWAY_V1, "sku": {"name": "Standard_v2", "tier": "Standard_v2"}}]),
    Case("private-dns-zone-named-for-key-vault-domain", "network.private_endpoint_dns",
         "privatelink.vaultcore.azure.net", [ZONE],
         "The gateway fails to fetch its listener certificate from Key Vault and its provisioning state is Failed.",
         near_reads=[{**ZONE, "name": "privatelink.vaultcore.azure.net"}]),
    Case("gateway-subnet-default-route-to-appliance", "network.nsg_blocked", "GatewaySubnet", [ROUTES], TUNNEL_DOWN,
         near_reads=[{**ROUTES, "subnets": [f"{VNET_ID}/subnets/snet-app"]}]),
    Case("gateway-subnet-with-network-security-group", "network.nsg_blocked", "GatewaySubnet", [NSG], TUNNEL_DOWN,
         near_reads=[{**NSG, "subnets": [f"{VNET_ID}/subnets/snet-app"]}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_nic_without_forwarding_is_not_blamed_when_no_appliance_routes_the_traffic() -> None:
    report = "The VM cannot reach the storage account: the connection times out."
    assert finding_id(reads_state(report, [NIC])) != "nva-nic-ip-forwarding-disabled"


def test_a_nat_gateway_with_a_public_ip_is_not_blamed() -> None:
    report = "The VMs in snet-batch have no internet any more: curl to any public site times out."
    assert finding_id(reads_state(report, [{**NAT, "publicIpCount": 1}])) != "nat-gateway-without-public-ip"


def test_a_route_table_on_the_gateway_subnet_without_a_default_route_is_left_alone() -> None:
    spokes = {**ROUTES, "routes": [{"name": "spoke", "addressPrefix": "10.20.0.0/16", "nextHopType": "VirtualAppliance",
                                    "nextHopIpAddress": "10.0.1.4"}]}
    assert finding_id(reads_state(TUNNEL_DOWN, [spokes])) != "gateway-subnet-default-route-to-appliance"


# --- the fields the findings read, from realistic ARM bodies -----------------------------------------------------


def test_the_network_read_keeps_each_peerings_sync_level() -> None:
    body = {"properties": {"addressSpace": {"addressPrefixes": ["10.10.0.0/16"]}, "virtualNetworkPeerings": [
        {"name": "hub-to-spoke", "properties": {"peeringState": "Connected", "peeringSyncLevel": "LocalNotInSync"}}]}}
    data = _fields("Microsoft.Network", "virtualNetworks", body)
    assert data["peeringSyncLevels"] == ["LocalNotInSync"]
    assert data["peerings"] == [{"name": "hub-to-spoke", "peeringState": "Connected",
                                 "peeringSyncLevel": "LocalNotInSync"}]


def test_the_nic_read_keeps_ip_forwarding() -> None:
    body = {"properties": {"enableIPForwarding": False, "ipConfigurations": [
        {"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.1.4"}}],
        "virtualMachine": {"id": f"{SUB}/Microsoft.Compute/virtualMachines/vm-nva01"}}}
    data = _fields("Microsoft.Network", "networkInterfaces", body)
    assert data["enableIPForwarding"] is False and data["privateIPAddresses"] == ["10.0.1.4"]


def test_the_nat_gateway_read_counts_its_public_addresses() -> None:
    body = {"sku": {"name": "Standard"}, "properties": {"subnets": [{"id": f"{VNET_ID}/subnets/snet-batch"}]}}
    data = _fields("Microsoft.Network", "natGateways", body)
    assert data["publicIpCount"] == 0 and data["publicIpPrefixCount"] == 0 and data["sku"] == "Standard"
    body["properties"]["publicIpAddresses"] = [{"id": f"{SUB}/Microsoft.Network/publicIPAddresses/pip-ng"}]
    assert _fields("Microsoft.Network", "natGateways", body)["publicIpCount"] == 1


def test_the_gateway_read_keeps_only_private_dynamic_frontends() -> None:
    body = {"properties": {"frontendIPConfigurations": [
        {"name": "public", "properties": {"privateIPAllocationMethod": "Dynamic",
                                          "publicIPAddress": {"id": f"{SUB}/Microsoft.Network/publicIPAddresses/pip"}}},
        {"name": "private", "properties": {"privateIPAddress": "10.30.2.12", "privateIPAllocationMethod": "Dynamic"}},
        {"name": "static", "properties": {"privateIPAddress": "10.30.2.20", "privateIPAllocationMethod": "Static"}}]}}
    assert _fields("Microsoft.Network", "applicationGateways", body)["dynamicPrivateFrontendIPs"] == ["10.30.2.12"]


def test_the_vpn_gateway_read_keeps_its_gateway_subnet() -> None:
    body = {"properties": {"gatewayType": "Vpn", "vpnType": "RouteBased", "sku": {"name": "VpnGw2AZ"},
                           "ipConfigurations": [{"name": "default", "properties": {
                               "subnet": {"id": f"{VNET_ID}/subnets/GatewaySubnet"}}}]}}
    data = _fields("Microsoft.Network", "virtualNetworkGateways", body)
    assert data["gatewaySubnet"] == [f"{VNET_ID}/subnets/GatewaySubnet"] and data["sku"] == "VpnGw2AZ"


def test_the_connection_read_keeps_its_status() -> None:
    body = {"properties": {"connectionType": "IPsec", "connectionStatus": "NotConnected",
                           "localNetworkGateway2": {"id": f"{SUB}/Microsoft.Network/localNetworkGateways/lng-hq"}}}
    data = _fields("Microsoft.Network", "connections", body)
    assert data["connectionStatus"] == "NotConnected" and data["connectionType"] == "IPsec"
