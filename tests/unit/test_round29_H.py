"""Round 29, audit H (Microsoft Learn troubleshooting pages for AKS storage and networking, Application Gateway
ingress, Load Balancer, NAT gateway and Azure Firewall): Azure Files mount errors 2 and 13 told with their cause,
SNAT exhaustion of AKS nodes, a NAT gateway and Azure Firewall, a NAT gateway that is bypassed or has no public IP,
AGIC ignoring an Ingress, a service selector that matches no pod, an internal Standard load balancer without an
outbound path and the cluster autoscaler at its maximum."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.clue_checks import asks, concludes

CSI = ('MountVolume.MountDevice failed for volume "pv-data" : rpc error: code = Internal desc = mount '
       '"//stdata01.file.core.windows.net/data" on "/var/lib/kubelet/plugins/kubernetes.io/csi/pv/pv-data/globalmount" '
       "failed with mount failed: exit status 32\nOutput: mount error({n}): {what}\n")
E13 = CSI.format(n=13, what="Permission denied")
E2 = CSI.format(n=2, what="No such file or directory")

CLUES = {
    "azure-files-mount-13-storage-key-rotated": E13 + "The storage account keys were rotated on Sunday by our runbook.",
    "azure-files-mount-13-private-endpoint-resolves-public":
        E13.replace("stdata01.file", "stdata01.privatelink.file")
        + "nslookup of the privatelink name from the node returns a public IP; the endpoint is in the hub VNet.",
    "azure-files-mount-13-smb-security-profile": E13 + "Security set the SMB security settings to Maximum security.",
    "azure-files-mount-13-selected-networks": E13 + "The account now allows access from selected networks only.",
    "azure-files-mount-2-port-445-blocked":
        E2 + "nc -v -w 2 stdata01.file.core.windows.net 445: connect to port 445 (tcp) timed out",
    "azure-files-mount-2-share-not-found":
        E2 + "nc -v -w 2 stdata01.file.core.windows.net 445 -> Connection to port 445 succeeded!",
    "azure-files-csi-mount-2-ask-port-445": E2,
    "aks-node-snat-port-exhaustion":
        "AKS pods time out calling a public API; the detector shows SNAT port exhaustion on node 10.240.0.5.",
    "load-balancer-snat-port-exhaustion":
        "VMs behind our public load balancer time out calling an API; SNAT Connection Count shows failed connections.",
    "outbound-idle-flow-dropped-after-four-minutes":
        "Through the NAT gateway, pooled connections idle for over 4 minutes are reset on their next use.",
    "nat-gateway-snat-exhaustion-failed-connections":
        "VMs behind our NAT gateway time out at peak; SNAT connection count shows Failed connections.",
    "nat-gateway-without-public-ip":
        'No internet from the subnet. az network nat gateway show: "publicIpAddresses": null, "subnets": [...]',
    "nat-gateway-bypassed-by-default-route":
        "Partner sees another IP, not our NAT gateway's. The route table has 0.0.0.0/0 next hop VirtualAppliance.",
    "nat-gateway-ip-not-used-old-outbound-method":
        "We added a NAT gateway but the API still sees the public IP of our load balancer as the source.",
    "azure-firewall-snat-port-exhaustion":
        "Calls through Azure Firewall to one API fail at peak; SNAT port utilization is at 100%.",
    "agic-ingress-not-annotated":
        "AGIC is running but the Application Gateway gets no listener for my ingress; the ingress has no annotations.",
    "agic-namespace-not-watched":
        "AGIC was installed with watchNamespace: default and our ingress lives in namespace shop; nothing is applied.",
    "aks-service-selector-matches-no-pods":
        "The ingress returns 502; kubectl get endpoints web shows <none>; the service selector is app=web-ui.",
    "standard-internal-lb-no-outbound":
        "Since moving to a Standard internal load balancer the VMs cannot reach the internet; there is no NAT gateway.",
}


@pytest.mark.parametrize("clue_id", list(CLUES))
def test_each_audit_h_clue_is_the_first_for_its_report(clue_id: str) -> None:
    clue = clue_in([CLUES[clue_id]])
    assert clue is not None and clue["id"] == clue_id, clue and clue["id"]


@pytest.mark.parametrize(("clue_id", "category"), [
    ("azure-files-mount-13-storage-key-rotated", "auth.credential_invalid"),
    ("azure-files-mount-2-share-not-found", "config.wrong_resource_name"),
    ("nat-gateway-bypassed-by-default-route", "network.nsg_blocked"),
    ("aks-node-snat-port-exhaustion", "quota.exceeded"),
])
def test_a_report_that_states_the_cause_concludes_without_asking(clue_id: str, category: str) -> None:
    assert concludes(CLUES[clue_id], category)


def test_a_bare_mount_error_2_asks_for_the_port_445_test() -> None:
    assert asks(E2, "port 445")


NEAR_MISSES = {
    # mount error(13) with no cause stated: none of the deciding mount-13 clues
    "azure-files-mount-13": E13 + "Nothing changed on our side.",
    # a local mount, not an Azure file share
    "azure-files-mount-2": "mount /dev/sdc1 /data: mount error(2): No such file or directory",
    # SNAT exhaustion of an App Service app belongs to the App Service clue
    "aks-node-snat-port-exhaustion":
        "Our App Service web app calls the same API as our AKS pods and shows SNAT port exhaustion.",
    # a NAT gateway question without any failure
    "nat-gateway-snat-exhaustion-failed-connections": "How many SNAT ports does a NAT gateway with two IPs give?",
    # idle connections that are fine: no failure after the idle period
    "outbound-idle-flow-dropped-after-four-minutes": "What idle timeout does a NAT gateway use, 4 minutes?",
    # an annotated ingress that works
    "agic-ingress-not-annotated":
        "AGIC applied our ingress with annotation kubernetes.io/ingress.class: azure/application-gateway; all good.",
    # an internal Standard load balancer whose subnet has a NAT gateway attached
    "standard-internal-lb-no-outbound":
        "Standard internal load balancer VMs can't reach the internet; a NAT gateway is attached on the subnet.",
}


@pytest.mark.parametrize("prefix", list(NEAR_MISSES))
def test_near_misses_stay_silent(prefix: str) -> None:
    clue = clue_in([NEAR_MISSES[prefix]])
    found = clue["id"] if clue else ""
    if prefix == "azure-files-mount-13":
        assert not found.startswith(prefix), found
    elif prefix == "azure-files-mount-2":
        assert not found.startswith("azure-files-"), found
    else:
        assert found != prefix, found


def test_the_autoscaler_at_its_maximum_ranks_first() -> None:
    text = ("Normal NotTriggerScaleUp pod/api-7c9 pod didn't trigger scale-up: 1 max node group size reached\n"
            "0/3 nodes are available: 3 Insufficient cpu.")
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "containers-aks-autoscaler-max-node-group-size-reached", [
        h.entry.id for h in hits[:3]]


def test_a_pod_that_does_not_fit_for_a_taint_is_not_the_maximum() -> None:
    text = "pod didn't trigger scale-up: 1 node(s) had untolerated taint {CriticalAddonsOnly: true}"
    hits = catalog_index().hits([(text, "error")])
    assert all(h.entry.id != "containers-aks-autoscaler-max-node-group-size-reached" for h in hits)


def test_an_ingress_shown_with_the_class_is_not_the_unannotated_case() -> None:
    """"No annotations except the class" names the class: AGIC watches that Ingress, the 504 is something else."""
    shown = ("AGIC in front of an API on AKS returns 504 after 30 s. The ingress has no annotations except "
             "kubernetes.io/ingress.class: azure/application-gateway.")
    clue = clue_in([shown])
    assert clue is None or clue["id"] != "agic-ingress-not-annotated", clue
    missing = "AGIC does not pick up our ingress; the ingress has no annotations at all."
    clue = clue_in([missing])
    assert clue is not None and clue["id"] == "agic-ingress-not-annotated", clue
