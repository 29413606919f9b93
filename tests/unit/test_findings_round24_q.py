"""Round 24 q: resource moves that the move validation refuses because of a property of the resource (a Marketplace
plan or Azure Disk Encryption on a VM, peerings or a subnet navigation link on a virtual network, a Standard load
balancer in front of a scale set, virtual network integration or private endpoints on an app). Each finding fires on
recorded-like reads with the move failure and stays silent for its near miss; every new api_versions field is taken
from a realistic Resource Manager body."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)
from tests.helpers.finding_checks import extracted as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-move/providers"
MOVE_SUB = ("Moving the resource group to the new subscription fails: ResourceMoveProviderValidationFailed - "
            "Resource move validation failed. Please see details.")
MOVE_RG = "Moving it to another resource group fails: ResourceMoveProviderValidationFailed, CannotMoveResource."

VM = {"type": "Microsoft.Compute/virtualMachines", "name": "vm-fw", "vmSize": "Standard_D4s_v5",
      "plan": "fortinet_fg-vm_payg_2023", "extensionTypes": ["AzureMonitorLinuxAgent"]}
ADE_VM = {**VM, "name": "vm-rep", "plan": None, "extensionTypes": ["AzureDiskEncryption", "AzureMonitorWindowsAgent"]}
VNET = {"type": "Microsoft.Network/virtualNetworks", "name": "vnet-spoke", "addressPrefixes": ["10.20.0.0/16"],
        "peerings": [{"name": "to-hub", "peeringState": "Connected"}], "resourceNavigationLinks": [[], []]}
LINKED_VNET = {**VNET, "name": "vnet-cache", "peerings": [], "resourceNavigationLinks": [["Microsoft.Cache/redis"], []]}
VMSS = {"type": "Microsoft.Compute/virtualMachineScaleSets", "name": "vmss-render"}
LB = {"type": "Microsoft.Network/loadBalancers", "name": "lb-render", "sku": "Standard"}
SUBNET_ID = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-web/subnets/snet-integration"
SITE = {"type": "Microsoft.Web/sites", "name": "app-portal", "kind": "app,linux", "virtualNetworkSubnetId": SUBNET_ID,
        "privateEndpointConnections": 0}
PE_SITE = {**SITE, "name": "app-intranet", "virtualNetworkSubnetId": None, "privateEndpointConnections": 1}

CASES = [
    Case("vm-move-marketplace-plan-across-subscriptions", "deployment.template_invalid", "fortinet_fg-vm_payg_2023",
         [VM], MOVE_SUB, near_reads=[{**VM, "plan": None}]),
    Case("vm-move-azure-disk-encryption", "deployment.template_invalid", "AzureDiskEncryption", [ADE_VM], MOVE_RG,
         near_reads=[{**ADE_VM, "extensionTypes": ["AzureMonitorWindowsAgent"]}]),
    Case("vnet-move-while-peered", "deployment.template_invalid", "virtualNetworkPeerings", [VNET], MOVE_RG,
         near_reads=[{**VNET, "peerings": []}]),
    Case("vnet-move-subnet-resource-navigation-link", "deployment.template_invalid", "Microsoft.Cache/redis",
         [LINKED_VNET], MOVE_SUB, near_report=MOVE_RG),
    Case("scale-set-move-with-standard-load-balancer", "deployment.template_invalid", "lb-render", [VMSS, LB],
         "Moving vmss-render to rg-render-prod fails: CannotMoveResource, the scale set cannot be moved.",
         near_reads=[VMSS, {**LB, "sku": "Basic"}]),
    Case("app-move-with-vnet-integration", "deployment.template_invalid", "virtualNetworkSubnetId", [SITE], MOVE_SUB,
         near_report=MOVE_RG),
    Case("app-move-with-private-endpoints", "deployment.template_invalid", "privateEndpointConnections", [PE_SITE],
         MOVE_SUB, near_reads=[{**PE_SITE, "privateEndpointConnections": 0}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_standard_load_balancer_without_a_scale_set_is_no_move_verdict() -> None:
    report = "Moving lb-render to rg-render-prod fails: CannotMoveResource, the scale set cannot be moved."
    assert finding_id(reads_state(report, [LB])) != "scale-set-move-with-standard-load-balancer"



def test_a_virtual_machine_plan_and_extension_types_are_read() -> None:
    body = {"plan": {"name": "fg-payg", "publisher": "fortinet", "product": "fortigate"},
            "resources": [{"name": "AzureDiskEncryption", "properties": {"type": "AzureDiskEncryption"}}],
            "properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v5"}}}
    fields = _fields("Microsoft.Compute", "virtualMachines", body)
    assert fields.get("plan") == "fg-payg"
    assert fields.get("extensionTypes") == ["AzureDiskEncryption"]


def test_subnet_navigation_links_are_read_from_the_virtual_network() -> None:
    body = {"properties": {"subnets": [{"name": "snet-redis", "properties": {"resourceNavigationLinks": [
        {"name": "redisLink", "properties": {"linkedResourceType": "Microsoft.Cache/redis"}}]}}]}}
    assert "Microsoft.Cache/redis" in str(_fields("Microsoft.Network", "virtualNetworks", body)
                                          .get("resourceNavigationLinks"))


def test_an_app_private_endpoint_connections_are_read() -> None:
    body = {"properties": {"privateEndpointConnections": [{"name": "pe-conn", "properties": {}}]}}
    assert _fields("Microsoft.Web", "sites", body).get("privateEndpointConnections") == 1
