"""Round 35 F3 (identity, AI services, Monitor, deployments): a container's AZURE_CLIENT_ID naming an identity the app
does not carry, the refused side of an access denial when the caller is named too, a log search alert whose table is
not in the workspace yet, Entra-authenticated Application Insights ingestion refused, AI Search's skillset key, AWS
instance metadata and GitHub's secondary rate limit (out of scope), an App Service name held outside the subscription, a
policy refusal read from the activity log, an AI endpoint built from the resource name instead of its subdomain,
Graph's app role id, AppAuthentication's TenantId demand and a search service whose semantic ranker the region lacks.
Each mechanism with a near miss that must stay silent."""

from __future__ import annotations

import json
from typing import Any

from shared.engines.access_evidence import _called_resource
from shared.engines.computed_findings.containers import container_client_id_not_assigned
from shared.engines.computed_findings.integration import ai_endpoint_host_not_subdomain
from shared.models import Options
from shared.session.state import Evidence, Material, SessionState
from shared.tools.azure_activity import _event
from shared.tools.azure_resources import _container_client_ids
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import out_of_scope_report, run_engine


def _run(text: str) -> dict[str, Any]:
    return run_engine({"error_description": text}).envelope()


def _state(report: str, evidence: list[tuple[str, dict[str, Any]]],
           environment: dict[str, Any] | None = None) -> SessionState:
    material = Material(error_description=report)
    if environment:
        material.environment.update(environment)
    state = SessionState(trace_id="f" * 32, options=Options(), ttl_seconds=60, azure_access=True, material=material)
    for tool, data in evidence:
        state.add_evidence(Evidence(tool=tool, status="success", summary=str(data)[:200], data=data))
    return state


# --- a container's AZURE_CLIENT_ID against the identities the app carries -------------------------------------------

GUID_A, GUID_B = "1a3c5e7a-9c1e-5a3c-8e7a-9c1e3a5c7e9a", "7d9f1b3d-5f7a-5c9e-b1d3-f5a7c9e1b3d5"


def _container_app(env_ids: dict[str, str]) -> dict[str, Any]:
    return {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/containerApps/ca-x", "name": "ca-x",
            "type": "Microsoft.App/containerApps", "envClientIds": env_ids,
            "identity": {"type": "UserAssigned", "principalId": None,
                         "userAssigned": [{"id": ".../userAssignedIdentities/id-now", "principalId": "p",
                                           "clientId": GUID_B}]}}


def test_get_resource_keeps_only_client_id_env_values_shaped_as_guids() -> None:
    resource = {"properties": {"template": {"containers": [{"env": [
        {"name": "AZURE_CLIENT_ID", "value": GUID_A}, {"name": "DB_PASSWORD", "value": "s3cret"},
        {"name": "OTHER_CLIENT_ID", "secretRef": "client-id"}, {"name": "API_CLIENT_ID", "value": "not-a-guid"}]}]}}}
    assert _container_client_ids(resource) == {"AZURE_CLIENT_ID": GUID_A}


def test_a_container_client_id_the_app_does_not_carry_is_found() -> None:
    state = _state("No User Assigned or Delegated Managed Identity found", [("get_resource", _container_app(
        {"AZURE_CLIENT_ID": GUID_A}))])
    found = container_client_id_not_assigned(state)
    assert found is not None and found["setting"] == "AZURE_CLIENT_ID" and found["client_id"] == GUID_A


def test_a_container_client_id_of_an_assigned_identity_stays_silent() -> None:
    state = _state("No User Assigned or Delegated Managed Identity found", [("get_resource", _container_app(
        {"AZURE_CLIENT_ID": GUID_B}))])
    assert container_client_id_not_assigned(state) is None


# --- the refused side when the report names the caller and the callee ---------------------------------------------

SEARCH = {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Search/searchServices/srch-a", "name": "srch-a",
          "type": "Microsoft.Search/searchServices",
          "identity": {"type": "SystemAssigned", "principalId": "c5e7a9c1-3d5f-5b7a-9e1b-d3f5a7c9e1b3"}}
OPENAI = {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/oai-b",
          "name": "oai-b", "type": "Microsoft.CognitiveServices/accounts", "identity": None}
DENIED = ("PermissionDenied: The principal `c5e7a9c1-3d5f-5b7a-9e1b-d3f5a7c9e1b3` lacks the required data action "
          "`Microsoft.CognitiveServices/accounts/OpenAI/deployments/embeddings/action`")


def test_the_callee_is_the_resource_whose_identity_is_not_the_refused_principal() -> None:
    state = _state(DENIED, [("get_resource", SEARCH), ("get_resource", OPENAI)],
                   {"search_service": "srch-a", "openai_account": "oai-b"})
    found = _called_resource(state, "no names here")
    assert found is not None and found[0]["name"] == "oai-b"


def test_two_named_resources_without_a_refused_principal_or_action_stay_undecided() -> None:
    state = _state("403 Forbidden from the embedding call", [("get_resource", SEARCH), ("get_resource", OPENAI)],
                   {"search_service": "srch-a", "openai_account": "oai-b"})
    assert _called_resource(state, "no names here") is None


# --- a log search alert rule whose table the workspace does not hold yet -------------------------------------------

SEM0100 = ('{"code":"SemanticError","message":"A semantic error occurred.","innererror":{"code":"SEM0100",'
           '"message":"\'where\' operator: Failed to resolve table or column expression named \'StorageBlobLogs\'"}}')


def test_an_alert_rule_create_with_sem0100_is_a_table_not_there_yet() -> None:
    said = "Error: creating Scheduled Query Rule (Name: \"blob-deletes\"): unexpected status 400 " + SEM0100
    assert best_entry_id(said) == "integration-log-alert-create-table-not-in-workspace"
    assert _run(said)["report"]["category"] == "deployment.parent_not_found"


def test_a_query_api_sem0100_stays_the_query_defect() -> None:
    said = "azure.core.exceptions.HttpResponseError: (BadArgumentError) " + SEM0100
    assert best_entry_id(said) == "integration-log-analytics-query-semantic-error"


# --- Application Insights: Entra-authenticated ingestion refused --------------------------------------------------

def test_a_403_from_the_v21_track_endpoint_needs_the_publisher_role() -> None:
    said = ("We gave the SDK our managed identity (SetAzureTokenCredential). Failed to send telemetry. Endpoint: "
            "https://westeurope-5.in.applicationinsights.azure.com/v2.1/track, StatusCode: 403, Description: Forbidden")
    report = _run(said)["report"]
    assert report["category"] == "auth.rbac_missing" and "Monitoring Metrics Publisher" in report["root_cause"]


def test_a_401_from_the_v21_track_endpoint_is_not_the_missing_role_entry() -> None:
    said = ("POST https://westeurope-5.in.applicationinsights.azure.com/v2.1/track returned 401 Unauthorized: "
            "please provide the valid authorization token")
    assert best_entry_id(said) != "integration-appinsights-entra-track-endpoint-forbidden"


# --- AI Search skillset key; Graph app role id; AppAuthentication ---------------------------------------------------

def test_a_skillset_key_that_is_not_an_ai_services_key() -> None:
    said = "Provided key is not a valid CognitiveServices type key for the region of your search service."
    report = _run(said)["report"]
    assert report["category"] == "auth.credential_invalid" and "AI services" in report["root_cause"]


def test_an_app_role_id_not_found_names_the_delegated_scope() -> None:
    said = ("New-MgServicePrincipalAppRoleAssignment : Permission being assigned was not found on application "
            "'00000003-0000-0000-c000-000000000000'.")
    report = _run(said)["report"]
    assert report["category"] == "config.wrong_resource_name" and "delegated" in report["root_cause"]


TENANT = ("System.ArgumentException: Connection string RunAs=App;AppId=ab575350-8686-5775-93bf-937b6c0a1ea4; is not "
          "valid. Must contain 'TenantId' attribute and it must not be empty.")


def test_a_managed_identity_string_refused_for_its_tenant_is_an_old_package() -> None:
    assert best_entry_id(TENANT) == "entra-appauthentication-tenantid-required-old-version"
    assert _run(TENANT)["report"]["category"] == "runtime.dependency_missing"


def test_a_service_principal_string_with_a_secret_is_not_the_old_package() -> None:
    said = TENANT.replace("RunAs=App;AppId=ab575350-8686-5775-93bf-937b6c0a1ea4;",
                          "RunAs=App;AppId=ab575350-8686-5775-93bf-937b6c0a1ea4;AppKey=<redacted>;")
    assert best_entry_id(said) != "entra-appauthentication-tenantid-required-old-version"


# --- out of scope: AWS instance metadata, GitHub's secondary rate limit --------------------------------------------

def test_ec2_instance_metadata_in_an_azure_pipeline_is_out_of_scope() -> None:
    report = out_of_scope_report("Azure Pipelines agent on EC2: ##[error]Error: failed to query EC2 instance metadata "
                                 "for region - Error: null")
    assert "IMDSv2" in report["root_cause"]


def test_azure_instance_metadata_is_not_the_ec2_entry() -> None:
    said = "ManagedIdentityCredential: no response from the IMDS endpoint 169.254.169.254 (instance metadata)"
    assert best_entry_id(said) != "other-clouds-aws-ec2-instance-metadata-unreachable"


def test_github_secondary_rate_limit_from_a_function_is_out_of_scope() -> None:
    out_of_scope_report("Executed 'Functions.fileIssues' (Failed)\nHttpError: You have exceeded a secondary rate "
                        "limit. Please wait a few minutes before you try again.\n status: 403")


def test_an_azure_rate_limit_is_not_githubs() -> None:
    said = "Rate limit is exceeded. Try again in 12 seconds. (azure-api.net, APIM rate-limit-by-key)"
    assert best_entry_id(said) != "other-clouds-github-api-secondary-rate-limit"


# --- App Service names are global host names ----------------------------------------------------------------------

def test_website_name_taken_names_the_global_host() -> None:
    report = _run('Code="Conflict" Message="Website with given name app-booking already exists."')["report"]
    assert report["category"] == "deployment.name_conflict" and "app-booking.azurewebsites.net" in report["root_cause"]


def test_a_vault_name_taken_is_not_an_azurewebsites_host() -> None:
    report = _run("VaultAlreadyExists: The vault name 'kv-shared' is already in use.")["report"]
    assert report["category"] == "deployment.name_conflict" and "azurewebsites" not in report["root_cause"]


# --- a refused write in the activity log keeps what the policy turned on, nothing else -----------------------------

def _refused(message: str) -> dict[str, Any]:
    body = {"location": "eastus", "properties": {"hardwareProfile": {"vmSize": "Standard_NC4as_T4_v3"},
                                                 "osProfile": {"adminPassword": "P@ss"}}}
    return {"eventTimestamp": "2026-12-06T10:31:44Z",
            "operationName": {"value": "Microsoft.Compute/virtualMachines/write"},
            "status": {"value": "Failed"}, "properties": {
                "statusMessage": json.dumps({"error": {"code": "RequestDisallowedByPolicy", "message": message}}),
                "requestbody": json.dumps(body)}}


def test_a_policy_refused_write_keeps_the_vm_size_and_never_the_password() -> None:
    row = _event(_refused("Resource 'vm-1' was disallowed by policy."))
    assert row["request"] == {"vmSize": "Standard_NC4as_T4_v3", "location": "eastus"}
    assert "P@ss" not in json.dumps(row)


def test_another_failed_write_keeps_no_request() -> None:
    assert "request" not in _event(_refused("The client does not have authorization to perform action."))


# --- an AI endpoint built from the resource name, while the account answers on its subdomain ------------------------

def _endpoint_state(subdomain: str) -> SessionState:
    account = {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/oai-faq",
               "name": "oai-faq", "type": "Microsoft.CognitiveServices/accounts",
               "endpoint": f"https://{subdomain}.openai.azure.com/"}
    return _state("getaddrinfo ENOTFOUND oai-faq.openai.azure.com",
                  [("list_app_setting_names", {"names": ["AZURE_OPENAI_ENDPOINT"],
                                               "targets": {"AZURE_OPENAI_ENDPOINT": "oai-faq.openai.azure.com"}}),
                   ("get_resource", account)])


def test_an_endpoint_on_the_resource_name_while_the_subdomain_differs_is_found() -> None:
    found = ai_endpoint_host_not_subdomain(_endpoint_state("oai-faq-x7k2"))
    assert found is not None and found["subdomain"] == "oai-faq-x7k2" and found["setting"] == "AZURE_OPENAI_ENDPOINT"


def test_an_endpoint_that_is_the_subdomain_stays_silent() -> None:
    assert ai_endpoint_host_not_subdomain(_endpoint_state("oai-faq")) is None


# --- a search service whose semantic ranker the new region does not offer ----------------------------------------

SEARCH_FAILED = ("(x) Failed: Search service: gptkb-abc\nERROR: deployment failed\nI only changed the location to "
                 "swedencentral; searchServiceSemanticRankerLevel is \"free\"")


def test_a_search_service_failing_in_a_new_region_with_semantic_ranker_on() -> None:
    report = _run(SEARCH_FAILED)["report"]
    assert report["category"] == "quota.sku_not_available" and "semantic ranker" in report["root_cause"]


def test_a_search_service_failing_with_the_semantic_ranker_disabled_is_not_this_clue() -> None:
    envelope = _run(SEARCH_FAILED.replace('"free"', '"disabled"'))
    assert "semantic ranker is offered" not in json.dumps(envelope)
