"""Round 26 c2 (containers, round 2): container app managed certificates that DigiCert cannot validate (ingress IP
restrictions, an internal environment), registry soft delete refused (retention policy on, geo-replication), and
clues for container groups in a virtual network (public IP or DNS label, outbound port 25, Windows, GPU). Each
finding fires on recorded-like reads with the symptom it explains and stays silent for its near miss; each clue
decides its report and leaves a near report alone; the registry playbook reads the replications for soft delete."""

from __future__ import annotations

from typing import Any

import pytest

from shared.engines.clues import clue_in
from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    check_case_stays_silent,
    playbook_reads,
)
from tests.helpers.finding_checks import kept_fields as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"

APP = {"type": "Microsoft.App/containerApps", "name": "ca-shop",
       "ingress": {"external": True, "targetPort": 8080, "transport": "Auto",
                   "ipSecurityRestrictions": [{"name": "office", "ipAddressRange": "198.51.100.0/24",
                                               "action": "Allow"}]}}
OPEN_APP = {**APP, "ingress": {"external": True, "targetPort": 8080, "transport": "Auto",
                               "ipSecurityRestrictions": None}}
ENVIRONMENT = {"type": "Microsoft.App/managedEnvironments", "name": "cae-shop", "internal": True,
               "defaultDomain": "x.westeurope.azurecontainerapps.io"}
REGISTRY = {"type": "Microsoft.ContainerRegistry/registries", "name": "crshop", "sku": "Premium",
            "retentionPolicy": {"status": "enabled", "days": 30}}
REPLICATIONS = {"type": "Microsoft.ContainerRegistry/registries/replications", "name": None,
                "replications": [{"name": "northeurope", "location": "northeurope"},
                                 {"name": "westeurope", "location": "westeurope"}]}
CERT_REPORT = ("The free managed certificate for shop.contoso.com has been Pending for two days and the domain "
               "binding stays Disabled.")
SOFT_DELETE_REPORT = "az acr config soft-delete update -r crshop --days 7 --status enabled fails with BadRequest."

CASES = [
    Case("container-app-managed-certificate-ip-restrictions", "network.nsg_blocked", "ipSecurityRestrictions",
         [APP], CERT_REPORT, near_reads=[OPEN_APP]),
    Case("container-app-managed-certificate-internal-environment", "network.nsg_blocked", "internal",
         [ENVIRONMENT], CERT_REPORT, near_reads=[{**ENVIRONMENT, "internal": False}]),
    Case("registry-soft-delete-with-retention-policy", "deployment.template_invalid", "retentionPolicy",
         [REGISTRY], SOFT_DELETE_REPORT,
         near_reads=[{**REGISTRY, "retentionPolicy": {"status": "disabled", "days": 7}}]),
    Case("registry-soft-delete-geo-replicated", "deployment.template_invalid", "geo-replicated",
         [REPLICATIONS], SOFT_DELETE_REPORT,
         near_reads=[{**REPLICATIONS, "replications": [{"name": "northeurope", "location": "northeurope"}]}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_an_ip_restricted_app_without_a_certificate_problem_gets_no_certificate_verdict() -> None:
    check_case_stays_silent(Case("container-app-managed-certificate-ip-restrictions", "network.nsg_blocked",
                                 "ipSecurityRestrictions", [APP], "Requests from home return 403 Forbidden."),
                            UNRELATED)


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


@pytest.mark.parametrize(("report", "near", "clue"), [
    ("The container group deployment fails since we added subnetIds; the template still sets dnsNameLabel "
     "'orders-worker' for the partner.",
     "The container group deployment fails since we added subnetIds; the image tag does not exist.",
     "aci-vnet-dns-name-label-or-public-ip"),
    ("Our ACI in the vnet cannot send mail: SocketException Connection timed out smtp.example.org:25",
     "Our ACI in the vnet cannot call the API: Connection timed out api.example.org:443",
     "aci-vnet-outbound-smtp-port-25"),
    ("az container create --os-type Windows --vnet vnet-a --subnet snet-aci fails every time.",
     "az container create --os-type Linux --vnet vnet-a --subnet snet-aci fails every time.",
     "aci-vnet-windows-container-group"),
    ("The container group with gpu count 1 sku V100 fails validation once we add subnetIds for the vnet.",
     "The container group with 4 CPU fails validation once we add subnetIds for the vnet.",
     "aci-gpu-container-group-in-vnet"),
])
def test_a_round_26_c2_clue_decides_its_report(report: str, near: str, clue: str) -> None:
    assert _clue(report) == clue
    assert _clue(near) != clue


def test_the_registry_replications_are_kept() -> None:
    body = {"value": [{"name": "northeurope", "location": "northeurope", "properties": {"provisioningState": "x"}},
                      {"name": "westeurope", "location": "westeurope", "properties": {}}]}
    kept: dict[str, Any] = extract_fields(body, _fields("Microsoft.ContainerRegistry/registries/replications"))
    assert kept["replications"] == [{"name": "northeurope", "location": "northeurope"},
                                    {"name": "westeurope", "location": "westeurope"}]


def test_the_registry_playbook_reads_the_replications_for_soft_delete_only() -> None:
    registry = f"{SUB}/Microsoft.ContainerRegistry/registries/crshop"
    reads = [target for _, target in playbook_reads(registry, SOFT_DELETE_REPORT)]
    assert f"{registry}/replications" in reads
    others = [target for _, target in playbook_reads(registry, "docker push to crshop.azurecr.io is slow")]
    assert f"{registry}/replications" not in others
