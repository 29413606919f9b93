"""Round 25 f: catalog entries for Managed HSM local RBAC, Key Vault data-plane Azure Policy denials and App
Configuration store names held by a soft-deleted store; each names its error and stays silent for a near miss."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in


@pytest.mark.parametrize(("text", "entry"), [
    ("Azure.RequestFailedException: Caller is not authorized to perform action on resource.\nIf role assignments, "
     "deny assignments or role definitions were changed recently, please observe propagation time.\n"
     "Action: 'Microsoft.KeyVault/managedHsm/keys/unwrap/action'\nStatus: 403 (Forbidden)",
     "keyvault-managed-hsm-local-rbac-missing"),
    ("(ForbiddenByPolicy) Operation 'KeyCreate' is not allowed. Policy 'Key Vault keys should have an expiration "
     "date' denied it.", "keyvault-data-plane-azure-policy-denied"),
    ("$ az appconfig create -n appcs-web -g rg-web -l westeurope --sku Standard\n(NameUnavailable) The specified name "
     "is already in use.", "keyvault-appconfig-store-name-unavailable"),
])
def test_the_round_25_f_catalog_entries_name_their_error(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry


@pytest.mark.parametrize(("text", "entry"), [
    ("Azure.RequestFailedException: Caller is not authorized to perform action on resource.\n"
     "Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\nStatus: 403 (Forbidden)",
     "keyvault-managed-hsm-local-rbac-missing"),
    ("(ForbiddenByPolicy) The user, group or application does not have secrets get permission on key vault "
     "'kv-web;location=westeurope'", "keyvault-data-plane-azure-policy-denied"),
    ("az storage account create -n stweb: (StorageAccountAlreadyTaken) The storage account named stweb is already "
     "taken. The specified name is already in use.", "keyvault-appconfig-store-name-unavailable"),
])
def test_the_round_25_f_catalog_entries_stay_silent_for_a_near_miss(text: str, entry: str) -> None:
    assert entry not in [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_a_front_door_certificate_from_an_internal_ca_is_named_as_a_not_allowed_ca() -> None:
    found = clue_in(["Front Door refuses our own certificate (PFX from Key Vault) for the custom domain: it was issued "
                     "by our internal PKI and the portal says it is not from an allowed certificate authority."])
    assert found is not None and found["id"] == "frontdoor-byoc-certificate-ca-not-allowed"


def test_a_front_door_certificate_without_an_issuer_problem_gets_no_ca_clue() -> None:
    found = clue_in(["Front Door cannot read our own certificate from Key Vault for the custom domain: "
                     "error 403, the vault's firewall is on."])
    assert found is None or found["id"] != "frontdoor-byoc-certificate-ca-not-allowed"
