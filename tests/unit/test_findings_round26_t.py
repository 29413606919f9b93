"""Round 26 t of the findings (knowledge/evidence_findings.yaml, symptom_clues.yaml, catalog and playbooks.yaml): AKS
node subnets whose custom network security group blocks what AKS needs - the kubelet port 10250 (kubectl logs and exec
fail with error dialing backend), DNS from another node pool's subnet to CoreDNS, a LoadBalancer service's port (AKS
never adds rules to a subnet NSG) - and customer-managed disk keys (BYOK) whose vault lacks purge protection, sits in
another region or no longer grants the disk encryption set. Each finding fires on recorded-like reads with the symptom
it explains and stays silent for its near miss; the cluster's playbook reads the node subnet's NSG for those
symptoms."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.engines.playbooks import investigate
from shared.session.state import Evidence, RunTool
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
    state_with,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-aks/providers"
SUBNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-aks/subnets/snet-nodes"
NSG_ID = f"{SUB}/Microsoft.Network/networkSecurityGroups/nsg-nodes"


def _rule(name: str, priority: int, access: str, protocol: str, source: str, port: str | list[str],
          direction: str = "Inbound") -> dict[str, Any]:
    ports = {"destinationPortRanges": port} if isinstance(port, list) else {"destinationPortRange": port}
    return {"name": name, "priority": priority, "direction": direction, "access": access, "protocol": protocol,
            "sourceAddressPrefix": source, "destinationAddressPrefix": "*", **ports}


def _nsg(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg-nodes", "securityRules": list(rules),
            "subnets": [SUBNET]}


HTTPS = _rule("Allow-HTTPS", 100, "Allow", "Tcp", "Internet", "443")
KUBELET_DENY = _nsg(HTTPS, _rule("Deny-Mgmt", 200, "Deny", "Tcp", "*", ["22", "3389", "10250"]))
DNS_DENY = _nsg(HTTPS, _rule("Deny-From-Workload", 300, "Deny", "*", "10.20.2.0/24", "*"))
NO_80 = _nsg(HTTPS, _rule("Allow-SSH", 110, "Allow", "Tcp", "10.0.8.0/26", "22"))
LOGS = ("kubectl logs api-7d9f fails: Error from server: "
        "Get \"https://10.224.0.7:10250/containerLogs/p/api-7d9f/api\": "
        "error dialing backend: dial tcp 10.224.0.7:10250: i/o timeout")
DNS = ("Pods on the new node pool spark cannot resolve names: nslookup kubernetes.default -> ;; connection timed out; "
       "no servers could be reached. Pods on the system pool resolve fine.")
LB = ("Our Service of type LoadBalancer shows EXTERNAL-IP 20.76.141.22 (80:31048/TCP) but curl http://20.76.141.22 "
      "fails: connect to 20.76.141.22 port 80 failed: Timed out. The pod answers from inside the cluster.")

CASES = [
    Case("aks-node-subnet-nsg-denies-kubelet-port", "network.nsg_blocked", "10250", [KUBELET_DENY], LOGS,
         near_reads=[_nsg(HTTPS, _rule("Deny-Mgmt", 200, "Deny", "Tcp", "*", ["22", "3389"]))]),
    Case("aks-system-subnet-nsg-denies-dns-from-node-subnet", "network.nsg_blocked", "53", [DNS_DENY], DNS,
         near_reads=[_nsg(HTTPS, _rule("Deny-From-Workload", 300, "Deny", "Tcp", "10.20.2.0/24", "22"))]),
    Case("aks-node-subnet-nsg-without-inbound-allow-port-80", "network.nsg_blocked", "port 80", [NO_80], LB,
         near_reads=[_nsg(HTTPS, _rule("Allow-Web", 120, "Allow", "Tcp", "Internet", ["80", "443"]))]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_an_internet_only_deny_of_10250_is_not_the_kubelet_path() -> None:
    internet = _nsg(HTTPS, _rule("Deny-Kubelet-Internet", 200, "Deny", "Tcp", "Internet", "10250"))
    assert finding_id(reads_state(LOGS, [internet])) != "aks-node-subnet-nsg-denies-kubelet-port"


def test_an_internal_load_balancer_is_left_to_other_knowledge() -> None:
    report = LB + " The service has the azure-load-balancer-internal annotation."
    assert finding_id(reads_state(report, [NO_80])) != "aks-node-subnet-nsg-without-inbound-allow-port-80"


def _next_read(report: str) -> str:
    cluster = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-x", "vnetSubnetIds": [SUBNET]}
    state = state_with(f"{report} ({SUB}/Microsoft.ContainerService/managedClusters/aks-x)", [])
    seen = []
    for _ in range(3):
        step = investigate(state)
        if not isinstance(step, RunTool):
            break
        target = str(step.arguments.get("resource_id") or "")
        seen.append(target)
        data = cluster if target.endswith("/aks-x") else (
            {"type": "Microsoft.Network/virtualNetworks/subnets", "networkSecurityGroup": NSG_ID}
            if target == SUBNET else {"type": "x"})
        state.add_evidence(Evidence(tool=step.tool, arguments=step.arguments, status="success", summary="read",
                                    data=data))
    return " ".join(seen)


@pytest.mark.parametrize("report", [LOGS, DNS, LB])
def test_the_cluster_playbook_reads_the_node_subnet_nsg_for_these_symptoms(report: str) -> None:
    assert NSG_ID in _next_read(report)


def test_the_node_subnet_nsg_is_not_read_for_an_unrelated_cluster_report() -> None:
    assert SUBNET not in _next_read("The AKS upgrade is stuck at 50% since an hour.")


def test_a_kubelet_port_timeout_is_a_blocked_port_clue() -> None:
    found = clue_in(["kubectl exec fails: Error from server: error dialing backend: dial tcp 10.240.0.35:10250: "
                     "i/o timeout"])
    assert found and found["id"] == "aks-kubelet-port-10250-timeout"
    other = clue_in(["kubectl exec fails: Error from server (Forbidden): pods is forbidden"])
    assert not other or other["id"] != "aks-kubelet-port-10250-timeout"


@pytest.mark.parametrize(("text", "entry"), [
    ("(CreateVMSSAgentPoolFailed) AKS encountered an internal error while attempting the requested Creating operation. "
     "Subcode: KeyVaultNotPurgeProtectionEnabled", "containers-aks-byok-keyvault-not-purge-protection"),
    ("(CreateVMSSAgentPoolFailed) AKS encountered an internal error while attempting the requested Creating operation. "
     "Subcode: KeyVaultAndDiskInDifferentRegions", "containers-aks-byok-keyvault-and-disk-different-regions"),
    ("The disk encryption set des-nodes shows: To associate a disk, image, or snapshot with this disk encryption set, "
     "you must grant permissions to the key vault.", "keyvault-disk-encryption-set-permission-not-granted"),
])
def test_the_round_26_t_entry_ranks_first(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry, [h.entry.id for h in hits[:3]]
