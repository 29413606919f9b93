"""Round 26 (i2) findings (knowledge/evidence_findings.yaml): Windows VMs on a forced-tunneled subnet cannot reach the
Azure KMS servers and stay unactivated, unless the route table sends the KMS addresses straight to the Internet. The
finding fires on a recorded-like route table read with the activation symptom and stays silent for its near misses."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, finding_id, reads_state

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-erp/providers"

TUNNEL = {"name": "default-to-onprem", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualNetworkGateway"}
KMS_ROUTES = [{"name": f"kms-{i}", "addressPrefix": f"{ip}/32", "nextHopType": "Internet"}
              for i, ip in enumerate(["23.102.135.246", "20.118.99.224", "40.83.235.53"])]
ROUTE_TABLE = {"type": "Microsoft.Network/routeTables", "name": "rt-erp",
               "id": f"{SUB}/Microsoft.Network/routeTables/rt-erp",
               "routes": [TUNNEL, {"name": "to-dc", "addressPrefix": "192.168.10.0/24",
                                   "nextHopType": "VirtualNetworkGateway"}],
               "subnets": [f"{SUB}/Microsoft.Network/virtualNetworks/vnet-erp/subnets/snet-app"]}
KMS_REPORT = ("slmgr /ato on the new Windows Server VMs fails: Error: 0xC004F074 The Software Licensing Service "
              "reported that the computer could not be activated. No Key Management Service (KMS) could be contacted.")

CASES = [
    Case("vm-windows-activation-forced-tunneling-without-kms-route", "network.nsg_blocked", "0.0.0.0/0",
         [ROUTE_TABLE], KMS_REPORT,
         near_reads=[{**ROUTE_TABLE, "routes": [TUNNEL, *KMS_ROUTES]}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_route_table_without_forced_tunneling_gets_no_kms_verdict() -> None:
    table = {**ROUTE_TABLE, "routes": [{"name": "to-dc", "addressPrefix": "192.168.10.0/24",
                                        "nextHopType": "VirtualNetworkGateway"}]}
    assert finding_id(reads_state(KMS_REPORT, [table])) != "vm-windows-activation-forced-tunneling-without-kms-route"


def test_routes_for_only_some_kms_servers_still_leave_activation_broken() -> None:
    table = {**ROUTE_TABLE, "routes": [TUNNEL, KMS_ROUTES[0]]}
    assert finding_id(reads_state(KMS_REPORT, [table])) == "vm-windows-activation-forced-tunneling-without-kms-route"


def test_a_tunneled_subnet_with_an_unrelated_symptom_gets_no_kms_verdict() -> None:
    report = ("The VMs in snet-app cannot reach the SQL server on-premises since the VPN change; "
              "Test-NetConnection fails.")
    assert finding_id(reads_state(report, [ROUTE_TABLE])) != "vm-windows-activation-forced-tunneling-without-kms-route"
