"""Round 24 n of findings (knowledge/evidence_findings.yaml) and clues (knowledge/symptom_clues.yaml) for Container
Registry: the admin account refused once the registry's admin user is off, a client outside the private network
refused by a registry without public access, a private-link registry resolved through to its public front end, and
an NSG diagnostic that shows the registry connection denied. Each finding fires on recorded-like reads with the
symptom it explains and stays silent for its near miss and for an unrelated report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, check_case_stays_silent

UNRELATED = "The nightly export job writes an empty CSV since Monday."
REGISTRY = {"type": "Microsoft.ContainerRegistry/registries", "name": "crshop", "sku": "Premium",
            "loginServer": "crshop.azurecr.io", "adminUserEnabled": False, "publicNetworkAccess": "Enabled",
            "networkRuleSet.defaultAction": "Allow", "privateEndpointConnections": 0}
PRIVATE = {**REGISTRY, "publicNetworkAccess": "Disabled", "networkRuleSet.defaultAction": "Deny",
           "privateEndpointConnections": 1}

ADMIN_LOGIN = ("Our devices log in with the admin credentials from the Access keys blade:\n"
               "$ docker login crshop.azurecr.io -u crshop -p ****\n"
               "Error response from daemon: Get \"https://crshop.azurecr.io/v2/\": unauthorized: authentication "
               "required, visit https://aka.ms/acr/authorization for more information.")
LAPTOP_LOGIN = ("az acr login -n crshop from my laptop:\n"
                "An error occurred: CONNECTIVITY_REFRESH_TOKEN_ERROR\n"
                "Access to registry 'crshop.azurecr.io' was denied. Response code: 403.")

CASES = [
    Case("registry-admin-login-refused-admin-user-off", "container.image_pull_failed", "adminUserEnabled false",
         [REGISTRY], ADMIN_LOGIN, near_reads=[{**REGISTRY, "adminUserEnabled": True}]),
    Case("registry-public-access-disabled-client-off-network", "network.nsg_blocked", "publicNetworkAccess Disabled",
         [PRIVATE], LAPTOP_LOGIN,
         near_report=LAPTOP_LOGIN.replace("from my laptop", "from a node").replace(
             "403.", "403.\nnslookup shows crshop.privatelink.azurecr.io")),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_the_public_access_finding_ignores_a_client_inside_the_network() -> None:
    check_case_stays_silent(Case("registry-public-access-disabled-client-off-network", "network.nsg_blocked",
                                 "publicNetworkAccess", [PRIVATE],
                                 LAPTOP_LOGIN.replace("from my laptop", "from the AKS node")), UNRELATED)


def _clue(clue_id: str) -> dict:
    path = Path(__file__).resolve().parents[2] / "shared" / "knowledge" / "symptom_clues.yaml"
    return next(c for c in yaml.safe_load(path.read_text(encoding="utf-8")) if c["id"] == clue_id)


PUBLIC_CHAIN = ("denied: client with IP '52.174.33.120' is not allowed access.\n"
                "crshop.azurecr.io canonical name = crshop.privatelink.azurecr.io.\n"
                "crshop.privatelink.azurecr.io canonical name = weu.fe.azcr.io.\n"
                "Address: 20.61.99.8")
PRIVATE_ANSWER = ("crshop.azurecr.io canonical name = crshop.privatelink.azurecr.io.\n"
                  "Name: crshop.privatelink.azurecr.io\nAddress: 10.1.2.5")
NSG_DENIED = ("Get \"https://crshop.azurecr.io/v2/\": net/http: request canceled while waiting for connection "
              "(Client.Timeout exceeded while awaiting headers)\nNSG diagnostic: Traffic: Denied, by nsg-build")


@pytest.mark.parametrize(("clue_id", "fires", "silent"), [
    ("registry-privatelink-cname-answered-publicly", PUBLIC_CHAIN, PRIVATE_ANSWER),
    ("registry-connection-nsg-diagnostic-denied", NSG_DENIED,
     NSG_DENIED.replace("Traffic: Denied", "Traffic: Allowed")),
])
def test_a_round_24_n_clue_is_decided_by_its_fact_only(clue_id: str, fires: str, silent: str) -> None:
    clue = _clue(clue_id)
    assert re.search(clue["decides"], fires) and clue["category"].startswith("network.")
    assert not re.search(clue["pattern"], silent) and not re.search(clue["pattern"], UNRELATED)
    assert clue["source"].startswith("MicrosoftDocs/")
