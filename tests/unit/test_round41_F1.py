"""Round 41, helper F1 (session 34's real102-104 and probeh development cases, and earlier read cases that reached the
right category without the deciding detail): catalog entries (DCR transformation functions, Basic-plan tables read
through /query, Front Door routes sharing the default domain, duplicate Static Web Apps routes, multi-resource metric
alerts across regions, GitHub's immutable OIDC subject, Flex deployment storage without Shared Key, Service Bus express
and partitioning, confidential VM sizes, Connect-AzAccount -AccountId, azd's registry endpoint, AI Search's audience,
DALL-E 3 api-versions, the deploy action's targetPort, Terraform's Flex zip deploy), clues (isFlexConsumption, Entra
portal log access), and computed readers: a role assignment's ABAC condition, all-lowercase resource names spelled
two ways, the registry entry a refused pull could not use, the timeout a Terraform elapsed counter shows.
Each shows the mechanism and a near miss that stays silent."""

from __future__ import annotations

from typing import Any

from shared.engines.access_evidence import conditional_grant
from shared.engines.near_names import named_values, near_pair
from shared.engines.registry_identity import pull_identity_without_role, registry_mismatch
from shared.engines.timeout_elapsed import timeout_minutes
from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _final(text: str, **context: object) -> tuple[Any, list[Any]]:
    start: dict = {"error_description": text}
    if context:
        start["context"] = {"environment_info": context}
    outcome = run_engine(start)
    return outcome.final, outcome.requests


# --- catalog entries -------------------------------------------------------------------------------------------

def test_dcr_transformation_function_outside_the_subset_names_the_function() -> None:
    text = ("Error occurred while compiling query in query: SemanticError:0x00000009 at 2:22 : Runtime scalar function "
            "provider not found for function: hash_sha256")
    assert best_entry_id(text) == "integration-dcr-transformation-function-not-supported"
    final, requests = _final(text)
    assert isinstance(final, Conclude) and not requests
    assert final.report.category == "deployment.template_invalid" and "hash_sha256" in final.report.root_cause
    assert best_entry_id("SemanticError: 'where' operator: Failed to resolve column named 'Foo'") \
        != "integration-dcr-transformation-function-not-supported"


def test_basic_logs_table_through_query_api_is_the_callers_endpoint() -> None:
    text = ("(BadArgumentError) The request had some invalid properties Inner error: {\"code\": "
            "\"UnsupportedApiQueryValidationError\", \"message\": \"Query of Basic Logs table is not supported with "
            "the API 'https://api.loganalytics.io/v1/workspaces/{workspaceId}/query'.\"}")
    assert best_entry_id(text) == "integration-log-analytics-basic-table-query-api"
    final, _ = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"
    assert "Basic" in final.report.root_cause
    assert best_entry_id("(BadArgumentError) The request had some invalid properties") \
        != "integration-log-analytics-basic-table-query-api"


def test_front_door_route_conflict_names_link_to_default_domain() -> None:
    text = ("BadRequest: The route domains, paths and protocols configuration has a conflict. More information: "
            "Domain: "
            "ep-x.z01.azurefd.net, Path pattern: /*, Protocol: Https cannot be added to Route r2 as this combination "
            "already exists in Endpoint ep-x, Route r1.")
    assert best_entry_id(text) == "compute-frontdoor-route-default-domain-conflict"
    final, _ = _final(text)
    assert isinstance(final, Conclude) and "linkToDefaultDomain" in final.report.root_cause


def test_static_web_apps_duplicate_route_explains_methods() -> None:
    text = ("Encountered an issue while validating staticwebapp.config.json: A duplicate route was found, it will not "
            "be evaluated. Please remove the duplicate route.")
    final, requests = _final(text)
    assert isinstance(final, Conclude) and not requests
    assert final.report.category == "deployment.template_invalid" and "methods" in final.report.root_cause
    assert best_entry_id("Encountered an issue while validating staticwebapp.config.json: Could not read file") \
        != "appservice-swa-config-duplicate-route"


def test_metric_alert_resources_not_found_under_the_region() -> None:
    text = ("BadRequest: The following resources were not found under the region west europe: /subscriptions/x/"
            "resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/vgw-sdc.")
    assert best_entry_id(text) == "integration-metric-alert-multi-resource-other-region"


def test_github_immutable_subject_only_when_the_subject_carries_ids() -> None:
    ids = ("Error: AADSTS700213: No matching federated identity record found for presented assertion subject "
           "'repo:fabrikam@4410021/pos-backend@880203141:environment:prod'.")
    names = ids.replace("fabrikam@4410021/pos-backend@880203141", "fabrikam/pos-backend")
    assert best_entry_id(ids) == "entra-aadsts700213-github-immutable-subject"
    assert best_entry_id(names) == "entra-aadsts700213-federated-subject-mismatch"


def test_flex_deployment_storage_without_shared_key_is_the_hosts_setup_not_any_key_client() -> None:
    flex = ("Deployment failed. Failed to upload the block to storage account: key based authentication is not "
            "permitted on this storage account.")
    assert best_entry_id(flex) == "functions-flex-deployment-storage-shared-key-disabled"
    final, _ = _final(flex, plan="Flex Consumption")
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    plain = ("azure.core.exceptions.HttpResponseError: Key based authentication is not permitted on this storage "
             "account. ErrorCode:KeyBasedAuthenticationNotPermitted")
    assert best_entry_id(plain) == "storage-key-based-auth-not-permitted"


def test_unsatisfiable_pdb_is_the_pdb_spec_and_a_drain_stays_a_lock() -> None:
    refused = ("(UnsatisfiablePDB) Upgrade is blocked due to invalid Pod Disruption Budgets (PDBs). * PDB db/pg has "
               "minAvailable(1) >= expectedPods(1)")
    final, _ = _final(refused)
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "minAvailable" in final.report.root_cause
    drained = ("Cordoned nodes have used all surge nodes but there are more nodes to be upgraded. Please fix your PDBs "
               "blocking node drain and kindly retry upgrade operation.")
    assert best_entry_id(drained) == "containers-aks-upgrade-pdb-drain"


def test_service_bus_express_and_standard_size_entries() -> None:
    express = ("SubCode=40000. Both DelayedPersistence property and RequiresDuplicateDetection property cannot be "
               "enabled together.")
    size = ("SubCode=40000. The specified value 81920 is invalid. The property MaxSizeInMegabytes, must be one of the "
            "following values: 1024;2048;3072;4096;5120.")
    assert best_entry_id(express) == "messaging-sb-express-with-duplicate-detection"
    assert best_entry_id(size) == "messaging-sb-standard-max-size-needs-partitioning"
    final, _ = _final(size)
    assert isinstance(final, Conclude) and "partition" in final.report.root_cause
    assert best_entry_id("The supplied lock time exceeds the allowed maximum of 5 minutes") \
        == "messaging-sb-invalid-max-size"


def test_confidential_size_needs_confidentialvm() -> None:
    text = ("(BadRequest) The VM size 'Standard_EC20ads_v5' is not supported for creation of VMs and Virtual Machine "
            "Scale Set with '<NULL>' security type.")
    final, _ = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "ConfidentialVM" in final.report.root_cause
    assert best_entry_id("The VM size 'Standard_D2s_v3' is not available in location 'eastus'") \
        != "compute-confidential-size-needs-confidentialvm-security-type"


def test_connect_azaccount_identity_without_accountid() -> None:
    text = ("Connect-AzAccount : ManagedIdentityCredential authentication failed: Service request failed.\nStatus: 400 "
            "(Bad Request)\nContent: {\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}\n"
            "+ Connect-AzAccount -Identity")
    assert best_entry_id(text) == "compute-connect-azaccount-identity-needs-accountid"
    final, _ = _final(text)
    assert isinstance(final, Conclude) and "AccountId" in final.report.root_cause
    # the script already names the user-assigned identity: another cause
    assert best_entry_id(text.replace("-Identity", "-Identity -AccountId 1b2c")) \
        != "compute-connect-azaccount-identity-needs-accountid"


def test_azd_registry_endpoint_not_in_the_environment() -> None:
    text = ("ERROR: failed deploying service 'web': failed pushing image: could not determine container registry "
            "endpoint, ensure 'registry' has been set in the docker options or 'AZURE_CONTAINER_REGISTRY_ENDPOINT' "
            "environment variable has been set")
    final, _ = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "provision" in final.report.root_cause


def test_search_audience_only_for_search_azure_net() -> None:
    search = ("AADSTS500011: The resource principal named https://search.azure.net/ was not found in the tenant named "
              "Contoso.")
    final, _ = _final(search)
    assert isinstance(final, Conclude) and "search.azure.com" in final.report.root_cause
    vault = search.replace("https://search.azure.net/", "https://vault.azure.com")
    assert best_entry_id(vault) == "entra-aadsts500011-resource-principal-not-found"


def test_dalle_api_version_before_image_generation() -> None:
    old = ("POST https://x.openai.azure.com/openai/deployments/dall-e-3/images/generations?api-version="
           "2023-07-01-preview -> 404 {\"error\":{\"code\":\"404\",\"message\":\"Resource not found\"}}")
    assert best_entry_id(old) == "openai-images-generations-api-version-too-old"
    final, requests = _final(old)
    assert isinstance(final, Conclude) and not requests and "api-version" in final.report.root_cause
    assert best_entry_id(old.replace("2023-07-01-preview", "2024-02-01")) \
        != "openai-images-generations-api-version-too-old"


def test_deploy_action_target_port_only_with_containerapp_up() -> None:
    text = ("/usr/bin/az containerapp up --name ca-a --resource-group rg --image r.azurecr.io/a:1 --target-port 8080\n"
            "ERROR: Operation returned an invalid status 'Forbidden'")
    final, _ = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "existing" in final.report.root_cause
    without = text.replace(" --target-port 8080", "")
    assert best_entry_id(without) != "containers-aca-deploy-action-target-port-existing-app"


def test_terraform_flex_zip_deploy_404() -> None:
    text = ('Error: updating Function App (Site Name: "func-a"): publishing failed with status code 404 Not Found\n'
            '  with azurerm_function_app_flex_consumption.a,\n  zip_deploy_file = "build/a.zip"')
    final, _ = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "OneDeploy" in final.report.root_cause
    assert best_entry_id('Error: updating Function App: publishing failed with status code 404 Not Found') \
        != "functions-flex-terraform-zip-deploy-file-404"


# --- clues -----------------------------------------------------------------------------------------------------

def test_functionapp_task_to_flex_without_isflexconsumption() -> None:
    text = ("- task: AzureFunctionApp@2\n  inputs:\n    appName: 'func-a'\n    deploymentMethod: 'zipDeploy'\n"
            "The app runs on Flex Consumption; the stage is green but the portal shows no functions.")
    final, requests = _final(text)
    assert isinstance(final, Conclude) and not requests
    assert final.report.category == "config.missing_app_setting" and "isFlexConsumption" in final.report.root_cause
    final, _ = _final(text.replace("deploymentMethod: 'zipDeploy'", "isFlexConsumption: true"))
    assert not (isinstance(final, Conclude) and "isFlexConsumption input is true" in final.report.root_cause)


def test_entra_portal_log_analytics_needs_an_azure_role() -> None:
    text = ("In the Microsoft Entra admin center, Monitoring & health > Log Analytics, I have Reports Reader and "
            "Global "
            "Reader but it tells me I don't have access and no workspace is selectable.")
    final, requests = _final(text)
    assert isinstance(final, Conclude) and not requests
    assert final.report.category == "auth.rbac_missing" and "Log Analytics Reader" in final.report.root_cause
    final, _ = _final("In the Microsoft Entra admin center the sign-in logs blade works fine for me with Reports "
                      "Reader.")
    assert not (isinstance(final, Conclude) and "Log Analytics Reader" in (final.report.root_cause or ""))


# --- computed readers ------------------------------------------------------------------------------------------

_WRITE_ONLY_INBOUND = ("((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'}) "
                       "AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/"
                       "action'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] "
                       "StringEquals 'inbound'))")
_KIND = {"roles": ["Storage Blob Data Contributor"], "needed": "a data role"}


def test_a_data_role_held_under_a_condition_is_reported_with_what_it_limits() -> None:
    held = [{"role": "Storage Blob Data Contributor", "scope": "/s/x", "relation": "at",
             "condition": _WRITE_ONLY_INBOUND}]
    said = conditional_grant(held, _KIND)
    assert "condition" in said and "'inbound'" in said and "write" in said
    # without a condition, or with a second unconditional grant, the role is a plain grant
    assert conditional_grant([{**held[0], "condition": None}], _KIND) == ""
    assert conditional_grant(held + [{"role": "Storage Blob Data Contributor", "scope": "/s", "relation": "inherited"}],
                             _KIND) == ""


def test_all_lowercase_account_names_given_as_names_are_compared() -> None:
    texts = ['$ az storage container list --account-name stinvoiceprod',
             '{"Storage": {"AccountName": "stinvoicesprod"}}']
    named = named_values(texts)
    assert {"stinvoiceprod", "stinvoicesprod"} <= named
    assert near_pair(["stinvoicesprod"], ["stinvoiceprod"], named) == ("stinvoicesprod", "stinvoiceprod")
    # two English-looking words not given as resource names stay apart
    assert near_pair(["shipping"], ["shopping"], frozenset()) is None


def test_registry_entry_for_another_server_than_the_image() -> None:
    text = ('Failed to pull image "crbillingprod.azurecr.io/billing/inv:1": 401 Unauthorized\n'
            'registries: [ { "identity": "system", "server": "crbillingdev.azurecr.io" } ]')
    found = registry_mismatch(text)
    assert found is not None and found[0] == "crbillingdev.azurecr.io" and "crbillingprod.azurecr.io" in found[1]
    assert registry_mismatch(text.replace("crbillingdev", "crbillingprod")) is None


def test_pull_identity_user_assigned_while_acrpull_went_to_the_system_identity() -> None:
    text = ('resource "azurerm_user_assigned_identity" "pull" { name = "uami-pull" }\n'
            "registry { server = \"cr.azurecr.io\"  identity = azurerm_user_assigned_identity.pull.id }\n"
            'resource "azurerm_role_assignment" "acrpull" { role_definition_name = "AcrPull"\n'
            "  principal_id = azurerm_container_app.api.identity[0].principal_id }")
    found = pull_identity_without_role(text)
    assert found is not None and found[0] == "uami-pull"
    granted = text.replace("azurerm_container_app.api.identity[0].principal_id",
                           "azurerm_user_assigned_identity.pull.principal_id")
    assert pull_identity_without_role(granted) is None


def test_terraform_timeout_from_the_last_elapsed_counter() -> None:
    assert timeout_minutes("Still creating... [44m50s elapsed]\nError: context deadline exceeded") == 45
    assert timeout_minutes("Still creating... [2h59m50s elapsed]\ncontext deadline exceeded") == 180
    assert timeout_minutes("Still creating... [44m50s elapsed]\nError: 409 Conflict") is None  # no deadline
    assert timeout_minutes("Still creating... [1m10s elapsed]\ncontext deadline exceeded") is None  # too short
    text = ('azurerm_redis_cache.main: Still creating... [2h59m50s elapsed]\nError: waiting for creation of Redis '
            'Cache "redis-a": context deadline exceeded')
    final, _ = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "runtime.timeout"
    assert "180 minutes" in final.report.root_cause



def test_authorization_failed_with_a_role_seen_in_pim_is_an_eligible_role() -> None:
    text = ("(AuthorizationFailed) The client 'a@contoso.example' with object id "
            "'3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d' "
            "does not have authorization to perform action 'Microsoft.Compute/virtualMachines/restart/action' over "
            "scope '/subscriptions/1/resourceGroups/rg'. Privileged Identity Management shows me as Contributor.")
    assert best_entry_id(text) == "arm-authorization-failed-pim-eligible-not-active"
    assert best_entry_id(text.replace(" Privileged Identity Management shows me as Contributor.", "")) \
        == "arm-authorization-failed"


def test_acr_agent_pool_runs_queued_behind_egress_rules() -> None:
    text = ("$ az acr run -r crp --agent-pool vnetpool --cmd hello /dev/null\nQueued a run with ID: ca7\nWaiting for "
            "an agent...\nThe pool's subnet routes 0.0.0.0/0 to our firewall, which allows crp.azurecr.io.")
    final, requests = _final(text)
    assert isinstance(final, Conclude) and not requests
    assert final.report.category == "network.nsg_blocked" and "Storage" in final.report.root_cause
    final, _ = _final(text.replace("--agent-pool vnetpool ", "").replace("The pool's subnet", "Our office"))
    assert not (isinstance(final, Conclude) and "agent pool injected" in (final.report.root_cause or ""))
