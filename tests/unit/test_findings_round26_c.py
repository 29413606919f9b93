"""The twenty-sixth round of findings, area c (knowledge/evidence_findings.yaml, '# round 26 c'): Container Apps and
AKS troubleshooting pages no knowledge cited yet. A container app with both a system-assigned and a user-assigned
identity and no AZURE_CLIENT_ID makes DefaultAzureCredential use the system-assigned one, while the role was granted
to the other; a SecretProviderClass whose userAssignedIdentityID is not the Key Vault secrets provider add-on's
identity gets "Identity not found" from the nodes' identity endpoint; the KEDA add-on of a cluster whose egress goes
through its own routes (a firewall) cannot start when its calls to the API server are cut. Each fires on recorded-like
reads with the symptom it explains and stays silent for its near miss; get_resource keeps the add-on identity's client
id."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    extracted,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"
UAMI = f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-shop"
ADDON_CLIENT_ID = "5e3a9c71-2b8d-4f06-9a4c-7d1e0b6f2c83"

APP = {"type": "Microsoft.App/containerApps", "name": "ca-shop",
       "identity": {"type": "SystemAssigned, UserAssigned", "principalId": "p1", "userAssigned": [{"id": UAMI}]},
       "envNames": ["BLOB_ENDPOINT", "ASPNETCORE_ENVIRONMENT"]}
AKS = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-shop", "powerState": "Running",
       "keyVaultSecretsProvider": True, "keyVaultSecretsProviderClientId": ADDON_CLIENT_ID}
UDR_AKS = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-shop", "powerState": "Running",
           "networkProfile": {"networkPlugin": "azure", "outboundType": "userDefinedRouting"}}

FORBIDDEN = ("Uploads from ca-shop fail since we moved to managed identity: Azure.RequestFailedException: This request "
             "is not authorized to perform this operation using this permission. Status: 403 ErrorCode: "
             "AuthorizationPermissionMismatch. The code uses new DefaultAzureCredential().")
KEDA_EOF = ("keda-operator keeps restarting: ERROR Failed to get API Group-Resources {\"error\": \"Get "
            "https://10.0.0.1:443/api?timeout=32s: EOF\"}; ERROR setup unable to start manager")
IDENTITY_NOT_FOUND = ("MountVolume.SetUp failed for volume \"kv-secrets\" : rpc error: code = Unknown desc = failed to "
                      "mount secrets store objects for pod shop/api-1: StatusCode=400 Response body: "
                      "{\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}")

CASES = [
    Case("container-app-default-credential-picks-system-identity", "auth.managed_identity_missing",
         "AZURE_CLIENT_ID", [APP], FORBIDDEN,
         near_reads=[{**APP, "envNames": ["BLOB_ENDPOINT", "AZURE_CLIENT_ID"]}]),
    Case("aks-csi-secret-provider-identity-not-found", "auth.managed_identity_missing", ADDON_CLIENT_ID, [AKS],
         IDENTITY_NOT_FOUND,
         near_report="MountVolume.SetUp failed for volume \"kv-secrets\" : failed to mount secrets store objects for "
                     "pod shop/api-1: keyvault.BaseClient#GetSecret: StatusCode=403 Forbidden"),
    Case("aks-keda-operator-cannot-reach-api-server-through-firewall", "network.nsg_blocked", "userDefinedRouting",
         [UDR_AKS], KEDA_EOF,
         near_reads=[{**UDR_AKS, "networkProfile": {"networkPlugin": "azure", "outboundType": "loadBalancer"}}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_an_app_with_only_a_system_identity_is_not_the_two_identity_case() -> None:
    app = {**APP, "identity": {"type": "SystemAssigned", "principalId": "p1", "userAssigned": []}}
    assert finding_id(reads_state(FORBIDDEN, [app])) != "container-app-default-credential-picks-system-identity"


def test_code_that_names_the_client_id_is_not_the_two_identity_case() -> None:
    report = FORBIDDEN.replace("new DefaultAzureCredential()",
                               "DefaultAzureCredential(managed_identity_client_id=os.environ['UAMI_CLIENT'])")
    assert finding_id(reads_state(report, [APP])) != "container-app-default-credential-picks-system-identity"


def test_get_resource_keeps_the_key_vault_secrets_provider_identity() -> None:
    body = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-shop",
            "properties": {"addonProfiles": {"azureKeyvaultSecretsProvider": {
                "enabled": True, "identity": {"clientId": ADDON_CLIENT_ID, "objectId": "o1", "resourceId": "r1"}}}}}
    kept = extracted("Microsoft.ContainerService", "managedClusters", body)
    assert kept["keyVaultSecretsProviderClientId"] == ADDON_CLIENT_ID
