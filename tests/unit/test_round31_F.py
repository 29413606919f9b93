"""Round 31, helper F (docsF: Entra ID, azure-identity, managed identity, RBAC, Key Vault, Microsoft Graph, Azure
OpenAI / AI services): Graph's advanced queries without ConsistencyLevel, Sites.Selected without a site grant,
Keycloak's and HashiCorp Vault's own refusals as out of scope, a refused caller that is an AKS cluster's kubelet
identity while the pod is meant to use workload identity, and a resource id in a denial that is no operation to name
roles for."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.role_grants import with_granting_roles
from shared.models import Report
from shared.session.state import Conclude
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import check_round_finding, extracted, finding_id, reads_state, state_with

CATALOG_CASES = {
    "entra-graph-advanced-query-without-consistency-level":
        "msgraph.generated.models.o_data_errors.o_data_error.ODataError:\n APIError\n Code: 400\n error: MainError("
        "code='Request_UnsupportedQuery', message='Unsupported Query.')\nfilter=\"endswith(mail,'@partner.example')\"",
    "entra-graph-sites-selected-without-site-grant":
        "GET https://graph.microsoft.com/v1.0/sites/contoso.sharepoint.com:/sites/HR\nHTTP/1.1 403 Forbidden\n"
        '{"error":{"code":"accessDenied","message":"Access denied"}}\n'
        "The app has only Sites.Selected (admin consented).",
    "third-party-keycloak-invalid-redirect-uri":
        "Login ends on the Keycloak page: We are sorry... Invalid parameter: redirect_uri\n"
        'type="LOGIN_ERROR", realmId="corp", clientId="portal", error="invalid_redirect_uri"',
    "third-party-hashicorp-vault-permission-denied":
        "Error reading secret/data/app/db: Error making API request.\n\nURL: GET "
        "https://vault.internal.example:8200/v1/secret/data/app/db\nCode: 403. Errors:\n\n* permission denied",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


NEAR_MISSES = {
    # a SharePoint denial for an app without Sites.Selected has other causes
    "entra-graph-sites-selected-without-site-grant":
        'GET https://graph.microsoft.com/v1.0/sites/root\nHTTP/1.1 403 Forbidden\n{"error":{"code":"accessDenied",'
        '"message":"Access denied"}}\nThe app has Sites.Read.All.',
    # Entra ID's own redirect URI refusal is not Keycloak's
    "third-party-keycloak-invalid-redirect-uri":
        "AADSTS50011: The redirect URI 'https://app.contoso.example/signin-oidc' specified in the request does not "
        "match the redirect URIs configured for the application",
    # Azure Key Vault's 403 is not HashiCorp Vault's
    "third-party-hashicorp-vault-permission-denied":
        "Azure.RequestFailedException: Caller is not authorized to perform action on resource.\nStatus: 403 (Forbidden)"
        '\nErrorCode: Forbidden\n{"error":{"code":"Forbidden","innererror":{"code":"ForbiddenByRbac"}}}',
    # a Graph permission denial is no query shape
    "entra-graph-advanced-query-without-consistency-level":
        '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the '
        'operation."}} GET https://graph.microsoft.com/v1.0/users',
}


@pytest.mark.parametrize("entry_id", list(NEAR_MISSES))
def test_the_new_entry_stays_silent_for_its_near_miss(entry_id: str) -> None:
    hits = catalog_index().hits([(NEAR_MISSES[entry_id], "error")])
    assert all(h.entry.id != entry_id for h in hits)


KUBELET_CLIENT, KUBELET_OBJECT = "0b6a476b-3fb9-453e-9f32-a9415e2ce3dc", "61afb394-d530-4655-95e9-6c99a8312b4e"
WORKLOAD_CLIENT = "d1ece647-a159-47b0-95b9-26baef758e24"


def _cluster() -> dict[str, Any]:
    body = {"properties": {"securityProfile": {"workloadIdentity": {"enabled": True}},
                           "oidcIssuerProfile": {"enabled": True},
                           "identityProfile": {"kubeletidentity": {
                               "clientId": KUBELET_CLIENT, "objectId": KUBELET_OBJECT,
                               "resourceId": "/subscriptions/s/resourceGroups/MC_rg/providers/"
                                             "Microsoft.ManagedIdentity/userAssignedIdentities/aks-orders-agentpool"}}}}
    return {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-orders",
            **extracted("Microsoft.ContainerService", "managedClusters", body)}


def _denied(caller: str, context: str) -> str:
    return ("(Forbidden) Caller is not authorized to perform action on resource.\n"
            f"Caller: appid={caller};oid=5f0c1d2e-0000-4000-8000-000000000001;iss=https://sts.windows.net/t/\n"
            f"Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\nInner error: ForbiddenByRbac\n{context}")


WORKLOAD = (f"The pod runs under service account orders-api, annotated azure.workload.identity/client-id: "
            f"{WORKLOAD_CLIENT}; that identity has Key Vault Secrets User.")
KUBELET_FINDING = "denied-caller-is-aks-kubelet-identity"


def test_a_denied_kubelet_identity_in_a_workload_identity_setup_is_the_wrong_identity() -> None:
    check_round_finding(reads_state(_denied(KUBELET_CLIENT, WORKLOAD), [_cluster()]), KUBELET_FINDING,
                        "auth.managed_identity_missing", "kubelet", commands=("azure.workload.identity/use",))


def test_another_caller_or_a_pod_meant_to_use_the_nodes_identity_is_no_kubelet_verdict() -> None:
    assert finding_id(reads_state(_denied(WORKLOAD_CLIENT, WORKLOAD), [_cluster()])) != KUBELET_FINDING
    nodes = "external-dns uses the cluster's node identity on purpose; it lost access to the DNS zone."
    assert finding_id(reads_state(_denied(KUBELET_CLIENT, nodes), [_cluster()])) != KUBELET_FINDING
    # the kubelet id named as what holds a role, not as the refused caller
    listed = f"{WORKLOAD} The kubelet identity {KUBELET_CLIENT} has AcrPull. Key Vault answers ForbiddenByRbac."
    assert finding_id(reads_state(listed, [_cluster()])) != KUBELET_FINDING


def _granted(report: str) -> str:
    decision = Conclude(message="m", report=Report(category="auth.rbac_missing", root_cause="Denied."))
    concluded = with_granting_roles(state_with(report, []), decision)
    assert isinstance(concluded, Conclude)
    return concluded.report.root_cause


def test_a_resource_id_in_the_error_is_no_operation_to_name_roles_for() -> None:
    scope_only = ("az role assignment create --assignee api --role Reader --scope /subscriptions/s/resourceGroups/rg/"
                  "providers/Microsoft.Storage/storageAccounts/stdata\nERROR: Insufficient privileges to complete "
                  "the operation.")
    assert "Built-in roles" not in _granted(scope_only)


def test_the_refused_action_still_gets_its_granting_roles() -> None:
    denied = ("(AuthorizationFailed) The client 'ops@contoso.example' does not have authorization to perform action "
              "'Microsoft.Storage/storageAccounts/listKeys/action' over scope '/subscriptions/s/resourceGroups/rg/"
              "providers/Microsoft.Storage/storageAccounts/stdata' or the scope is invalid.")
    assert "Built-in roles that grant 'Microsoft.Storage/storageAccounts/listKeys/action'" in _granted(denied)


def test_a_pipeline_denied_the_directory_lookup_is_told_to_pass_the_object_id() -> None:
    report = ("/usr/bin/az role assignment create --assignee func-orders --role \"Storage Queue Data Contributor\" "
              "--scope /subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st\n"
              "ERROR: Insufficient privileges to complete the operation.\n##[error]Script failed with exit code: 1")
    final = run_engine({"error_description": report}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
    assert "--assignee-object-id" in final.report.root_cause and "Built-in roles" not in final.report.root_cause
