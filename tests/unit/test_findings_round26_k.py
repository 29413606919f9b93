"""Round 26 k: Microsoft Entra ID pages no knowledge cited before - managed identity tokens on virtual machines and
scale sets (no identity enabled, a user-assigned identity not attached), the federated identity credentials of a
user-assigned managed identity (the audience, GitHub's exact issuer, environment and pull request subjects), a
subscription changed to another directory, and AADSTS50020. Each finding fires on recorded-like reads with the
symptom it explains and stays silent for its near miss; the playbook reads the federated credentials only for a
federation failure; get_resource keeps the identity's and its credentials' fields."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    extracted,
    finding_id,
    playbook_reads,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-id/providers"
UAMI = f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-deploy"
FIC_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
GH = "https://token.actions.githubusercontent.com"
EXCHANGE = "api://AzureADTokenExchange"

VM = {"type": "Microsoft.Compute/virtualMachines", "name": "vm-worker", "vmSize": "Standard_D2s_v5",
      "identity": None}
VMSS = {"type": "Microsoft.Compute/virtualMachineScaleSets", "name": "vmss-render",
        "identity": {"type": "SystemAssigned", "principalId": "p1", "userAssigned": []}}
WITH_UAMI = {"type": "SystemAssigned, UserAssigned", "principalId": "p1", "userAssigned": [{"id": UAMI}]}


def credentials(*items: tuple[str, str, list[str]]) -> dict[str, object]:
    """A federated credentials read: (issuer, subject, audiences) per credential."""
    return {"type": FIC_TYPE, "name": None, "credentialNames": [f"fic-{n}" for n in range(len(items))],
            "issuers": [i[0] for i in items], "subjects": [i[1] for i in items], "audiences": [i[2] for i in items]}


BRANCH = (GH, "repo:contoso/shop:ref:refs/heads/main", [EXCHANGE])
ENVIRONMENT = (GH, "repo:contoso/shop:environment:production", [EXCHANGE])
PULL_REQUEST = (GH, "repo:contoso/shop:pull_request", [EXCHANGE])

IMDS_400 = ("curl -H Metadata:true 'http://169.254.169.254/metadata/identity/oauth2/token?resource=https://vault.azure"
            ".net' answers {\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}")
UA_400 = ("ManagedIdentityCredential(client_id=...) fails: 400 {\"error\":\"invalid_request\",\"error_description\":"
          "\"Identity not found\"}")
AUDIENCE = ("AADSTS700212: No matching federated identity record found for presented assertion audience "
            "'api://AzureADTokenExchange'.")
ISSUER = ("AADSTS700211: No matching federated identity record found for presented assertion issuer "
          "'https://token.actions.githubusercontent.com'.")
ENV_SUBJECT = ("AADSTS700213: No matching federated identity record found for presented assertion subject "
               "'repo:contoso/shop:environment:production'.")
PR_SUBJECT = ("AADSTS700213: No matching federated identity record found for presented assertion subject "
              "'repo:contoso/shop:pull_request'.")

CASES = [
    Case("vm-token-request-without-managed-identity", "auth.managed_identity_missing", "no managed identity", [VM],
         IMDS_400, near_reads=[{**VM, "identity": {"type": "SystemAssigned", "principalId": "p1",
                                                   "userAssigned": []}}]),
    Case("vm-user-assigned-identity-not-attached", "auth.managed_identity_missing", "UserAssigned", [VMSS], UA_400,
         near_reads=[{**VMSS, "identity": WITH_UAMI}]),
    Case("federated-credential-audience-not-token-exchange", "auth.credential_invalid", EXCHANGE,
         [credentials(("https://gitlab.com", "project_path:data/ingest:ref_type:branch:ref:main",
                       ["https://gitlab.com"]))], AUDIENCE,
         near_reads=[credentials(("https://gitlab.com", "project_path:data/ingest:ref_type:branch:ref:main",
                                  [EXCHANGE]))]),
    Case("federated-credential-github-issuer-not-exact", "auth.credential_invalid", "trailing slash",
         [credentials((f"{GH}/", BRANCH[1], [EXCHANGE]))], ISSUER, near_reads=[credentials(BRANCH)]),
    Case("federated-credential-no-github-environment-subject", "auth.credential_invalid", "environment",
         [credentials(BRANCH)], ENV_SUBJECT, near_reads=[credentials(BRANCH, ENVIRONMENT)]),
    Case("federated-credential-no-github-pull-request-subject", "auth.credential_invalid", "pull_request",
         [credentials(BRANCH)], PR_SUBJECT, near_reads=[credentials(BRANCH, PULL_REQUEST)]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_vm_without_identity_and_an_unrelated_failure_gets_no_identity_verdict() -> None:
    report = "The VM's disk is full and the nightly job fails with No space left on device."
    assert finding_id(reads_state(report, [VM])) != "vm-token-request-without-managed-identity"


def test_an_enterprise_github_issuer_is_not_read_as_a_wrong_issuer() -> None:
    report = ("AADSTS700211: No matching federated identity record found for presented assertion issuer "
              "'https://token.actions.githubusercontent.com/contoso-enterprise'.")
    reads = [credentials((f"{GH}/contoso-enterprise", BRANCH[1], [EXCHANGE]))]
    assert finding_id(reads_state(report, reads)) != "federated-credential-github-issuer-not-exact"


def test_a_branch_subject_mismatch_gets_no_environment_verdict() -> None:
    report = ("AADSTS700213: No matching federated identity record found for presented assertion subject "
              "'repo:contoso/shop:ref:refs/heads/release'.")
    found = finding_id(reads_state(report, [credentials(BRANCH)]))
    assert found not in ("federated-credential-no-github-environment-subject",
                         "federated-credential-no-github-pull-request-subject")


def test_get_resource_keeps_a_user_assigned_identity_and_its_federated_credentials() -> None:
    identity = extracted("Microsoft.ManagedIdentity", "userAssignedIdentities",
                         {"properties": {"clientId": "c1", "principalId": "p1", "tenantId": "t1"}})
    assert identity == {"clientId": "c1", "principalId": "p1", "tenantId": "t1"}
    listed = extracted("Microsoft.ManagedIdentity", "userAssignedIdentities/federatedIdentityCredentials",
                       {"value": [{"name": "gh", "properties": {"issuer": GH, "subject": BRANCH[1],
                                                                "audiences": [EXCHANGE]}}]})
    assert listed == {"credentialNames": ["gh"], "issuers": [GH], "subjects": [BRANCH[1]], "audiences": [[EXCHANGE]]}


def test_the_playbook_reads_the_federated_credentials_for_a_federation_failure_only() -> None:
    assert ("get_resource", f"{UAMI}/federatedIdentityCredentials") in playbook_reads(UAMI, ENV_SUBJECT)
    assert ("get_resource", f"{UAMI}/federatedIdentityCredentials") not in playbook_reads(
        UAMI, "The identity's role assignment on the storage account disappeared.")


def test_a_subscription_changed_to_another_directory_is_named_as_the_identities_left_behind() -> None:
    found = clue_in(["Our subscription was changed to the new company's Microsoft Entra directory on Friday; since "
                     "then the managed identities of our function apps fail to get tokens."])
    assert found is not None and found["id"] == "managed-identity-broken-by-subscription-directory-transfer"
    assert "re-created" in found["root_cause"]


def test_a_directory_change_of_the_user_only_gets_no_transfer_clue() -> None:
    found = clue_in(["I changed directory in the portal and now the managed identity blade shows nothing."])
    assert found is None or found["id"] != "managed-identity-broken-by-subscription-directory-transfer"


def test_aadsts50020_says_the_account_must_be_added_as_a_guest() -> None:
    text = ("AADSTS50020: User account 'mark@outlook.com' from identity provider 'live.com' does not exist in tenant "
            "'Contoso' and cannot access the application 'x'(ops-portal) in that tenant.")
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "entra-aadsts50020-user-not-in-tenant" and "guest" in hits[0].entry.meaning
