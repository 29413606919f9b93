"""Round 28 (audit B: Storage, Key Vault, managed identity, Entra sign-in and Azure RBAC troubleshooting pages): the
RBAC troubleshooting page's own messages (custom roles still in use, data actions at a management group, the last
Owner, support tickets), the 403 page's cases that the generic AuthorizationPermissionMismatch reading hid (a SAS
overwrite without delete, the ADLS sticky bit, a new stored access policy, a service endpoint policy), Key Vault
references (rotation cache, an authorized application, Windows containers over VNet), and managed identities (a
group's role seen only after the token cache, a VM moved while running, IMDS without an identity)."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine

CATALOG_CASES = {
    "arm-role-definition-has-assignments":
        "az role definition delete --name 'Ops Reader Plus'\nThere are existing role assignments referencing role "
        "(code: RoleDefinitionHasAssignments)",
    "arm-custom-role-data-actions-management-group":
        "New-AzRoleDefinition : You cannot add data action permissions when you have a management group as an "
        "assignable scope",
    "arm-last-owner-assignment": "Failed to remove role assignment: Cannot delete the last RBAC admin assignment",
    "arm-support-request-permission": "You don't have permission to create a support request",
    "arm-remove-role-assignment-no-match":
        "Remove-AzRoleAssignment : The provided information does not map to a role assignment.",
    "entra-aadsts501051-application-not-assigned-to-role":
        "AADSTS501051: Application 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f601'(nightly) isn't assigned to a role for the "
        "application 'api://orders'(Orders API).",
    "entra-mi-resource-no-access-to-identity":
        "(BadRequest) Azure resource '/subscriptions/1/resourceGroups/rg/providers/Microsoft.Compute/"
        "virtualMachines/vm1' does not have access to identity '/subscriptions/1/resourcegroups/rg/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/id1'.",
    "storage-sas-expiry-not-after-start":
        "403 AuthenticationFailed Server failed to authenticate the request. Make sure the value of Authorization "
        "header is formed correctly including the signature. Signed expiry time [Fri, 04 Dec 2026 10:05:00 GMT] has "
        "to be after signed start time [Fri, 04 Dec 2026 10:20:00 GMT]",
    "storage-sas-field-not-well-formed":
        "<Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of "
        "Authorization header is formed correctly including the signature.</Message><AuthenticationErrorDetail>SAS "
        "field 'sv' is not well formed.</AuthenticationErrorDetail>",
    "entra-mi-imds-unknown-source":
        '{"error":"unknown_source","error_description":"Unknown Source http://169.254.169.254/metadata/identity"}',
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


MISMATCH = ("403 AuthorizationPermissionMismatch: This request is not authorized to perform this operation using "
            "this permission.")


def test_a_sas_overwrite_and_a_sticky_bit_name_their_case_of_the_permission_mismatch() -> None:
    assert best_entry_id("Uploading a new version of a.pdf with a SAS (sp=cw) fails: " + MISMATCH) \
        == "storage-sas-overwrite-needs-write-and-delete"
    assert best_entry_id("ADLS folder shows rwxrwxrwt; deleting another principal's file fails: " + MISMATCH) \
        == "storage-adls-sticky-bit-delete-rename"


def test_a_plain_permission_mismatch_stays_the_generic_entry() -> None:
    # near misses: a SAS upload of a new blob (no overwrite), a delete without a sticky bit
    assert best_entry_id("Uploading a new blob with a SAS (sp=cw) fails: " + MISMATCH) \
        == "storage-authorization-permission-mismatch"
    assert best_entry_id("Deleting a file with my managed identity fails: " + MISMATCH) \
        == "storage-authorization-permission-mismatch"


def test_a_bare_authentication_failure_stays_the_generic_entry() -> None:
    said = CATALOG_CASES["storage-sas-field-not-well-formed"].replace("SAS field 'sv' is not well formed.", "")
    assert best_entry_id(said) == "storage-authentication-failed"


def test_a_service_endpoint_policy_decides_an_authorization_failure() -> None:
    said = ("VMs in snet-app with a service endpoint policy on the subnet get 403 AuthorizationFailure: This request "
            "is not authorized to perform this operation.")
    final = run_engine({"error_description": said}).final
    assert isinstance(final, Conclude) and final.report.category == "network.nsg_blocked"
    assert "service endpoint policy" in final.report.root_cause
    plain = run_engine({"error_description": said.replace("with a service endpoint policy on the subnet ", "")}).final
    assert not (isinstance(plain, Conclude) and plain.report.category == "network.nsg_blocked")


CLUE_CASES = [
    ("kv-reference-rotated-secret-still-old-value", "auth.credential_invalid",
     "We rotated the password and added a new version of the secret; the app setting is a Key Vault reference "
     "without a version. Hours later the app still logs Login failed with the old password."),
    ("kv-reference-access-policy-with-authorized-application", "auth.keyvault_access_denied",
     "Key Vault references stay unresolved. The app has a system-assigned identity; the access policy names the "
     "identity and also the app under Authorized application."),
    ("managed-identity-group-membership-not-yet-effective", "auth.rbac_missing",
     "We added the function app's managed identity to the Entra group 'readers' that has Storage Blob Data Reader, "
     "2 hours ago, and reads still fail with 403."),
    ("vm-moved-fails-to-start-managed-identity-reference", "auth.managed_identity_missing",
     "We moved the VM (system-assigned managed identity) from rg-old to rg-new while it ran; after a stop it now "
     "fails to start."),
    ("role-assignment-orphaned-after-resource-move", "auth.rbac_missing",
     "We moved the storage account from rg-old to rg-data. The identity had Storage Blob Data Contributor directly "
     "on the storage account; since the move writes fail with 403 AuthorizationPermissionMismatch."),
    ("vm-imds-identity-not-found", "auth.managed_identity_missing",
     "On our VM, curl to http://169.254.169.254/metadata/identity/oauth2/token returns 400 Identity not found."),
]


@pytest.mark.parametrize(("clue_id", "category", "said"), CLUE_CASES, ids=[c[0] for c in CLUE_CASES])
def test_the_new_clue_matches_and_decides(clue_id: str, category: str, said: str) -> None:
    found = clue_in([said])
    assert found is not None and found["id"] == clue_id
    assert concludes(said, category)


@pytest.mark.parametrize("said", [
    # a rotation that was picked up: no "still"/old value
    "We rotated the secret in Key Vault and the app setting is a Key Vault reference.",
    # a managed identity given a role directly, not through a group
    "We assigned Storage Blob Data Reader to the function app's managed identity and reads fail with 403.",
    # an AKS node's CSI driver: not a VM without identity
    "AKS SecretProviderClass: IMDS at 169.254.169.254 answers Identity not found on the node pool VM scale set.",
    # a VM moved, but nothing about starting
    "We moved the VM to rg-new and its managed identity now gets 403 on the vault.",
], ids=["rotation-no-symptom", "direct-role", "aks-csi", "moved-no-start"])
def test_near_misses_stay_silent(said: str) -> None:
    found = clue_in([said])
    assert found is None or found["id"] not in {c[0] for c in CLUE_CASES}
