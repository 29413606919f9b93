"""Sixteenth session: what recorded Azure answers already tell (a deployment's failed operations, where the app's
settings point, Service Health notices in the activity log, the vault's permission model), read instead of asked."""

from __future__ import annotations

import json
from typing import Any

import pytest

from evals.playback import PlaybackServer
from shared.catalog.similar import similar_entries
from shared.engines.playbooks import finding
from shared.models import StartRequest
from shared.session.material import material_from_start
from shared.tools.azure_activity import _event
from shared.tools.azure_resources import setting_targets
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import state_with

SUB = "/subscriptions/0d89bc99-53c3-527e-938f-03b4e50425e3"
GROUP = f"{SUB}/resourceGroups/rg-orders"
SITE = f"{GROUP}/providers/Microsoft.Web/sites/func-orders"


# --- where a setting points: the host, never the secret ---------------------------------------------------------


def _targets(**values: str) -> dict[str, str]:
    return setting_targets(dict(values))


def test_a_connection_string_gives_its_host_and_never_its_key() -> None:
    found = _targets(Bus="Endpoint=sb://sb-orders-dev.servicebus.windows.net/;SharedAccessKeyName=send;"
                         "SharedAccessKey=c2VjcmV0a2V5MTIz",
                     Sql="Server=tcp:sql-orders.database.windows.net,1433;Database=db;Password=Pa55.word",
                     Account="DefaultEndpointsProtocol=https;AccountName=storders;AccountKey=a2V5a2V5==;"
                             "EndpointSuffix=core.windows.net")
    assert found == {"Bus": "sb-orders-dev.servicebus.windows.net", "Sql": "sql-orders.database.windows.net:1433",
                     "Account": "storders (storage account)"}
    assert not any(secret in json.dumps(found) for secret in ("c2VjcmV0", "Pa55", "a2V5"))


def test_a_key_vault_reference_gives_its_vault_and_secret_name() -> None:
    found = _targets(A="@Microsoft.KeyVault(VaultName=kv-billing;SecretName=db-conn)",
                     B="@Microsoft.KeyVault(SecretUri=https://kv-other.vault.azure.net/secrets/api-key/0123abcd)")
    assert found == {"A": "kv-billing.vault.azure.net/secrets/db-conn", "B": "kv-other.vault.azure.net/secrets/api-key"}


@pytest.mark.parametrize("value", ["eyJhbGciOi.eyJzdWIiOiIx.c2ln", "Abc8Q~x.yZ-secret.value", "https://example.com/x",
                                   "https://st1.example.org/c?sig=abc", "python", "~4", "user@contoso.com"])
def test_a_value_without_an_azure_host_points_nowhere(value: str) -> None:
    assert _targets(S=value) == {}


def test_a_sas_url_keeps_the_host_and_drops_the_token() -> None:
    assert _targets(S="https://st1.blob.core.windows.net/c?sv=2022-11-02&sig=c2lnbmF0dXJl") == {
        "S": "st1.blob.core.windows.net"}


def _settings_state(targets: dict[str, str], group: list[tuple[str, str]]) -> Any:
    return state_with("Orders are accepted but never processed since yesterday's release", [
        ("get_resource", {"id": SITE, "name": "func-orders", "type": "Microsoft.Web/sites", "kind": "app"}),
        ("list_app_setting_names", {"names": sorted(targets), "count": len(targets), "targets": targets}),
        ("list_resources_in_group", {"resources": [{"id": f"{GROUP}/providers/{t}/{n}", "name": n, "type": t}
                                                   for n, t in group]})])


def test_a_setting_pointing_at_another_environments_namespace_is_the_connection_string() -> None:
    state = _settings_state({"ServiceBusConnection": "sb-orders-dev.servicebus.windows.net"},
                            [("sb-orders-prod", "Microsoft.ServiceBus/namespaces"),
                             ("func-orders", "Microsoft.Web/sites")])
    found = finding(state)
    assert found is not None and found[0]["id"] == "app-setting-points-at-other-environment"
    assert found[1]["pointed"] == "sb-orders-dev" and found[1]["sibling"] == "sb-orders-prod"


@pytest.mark.parametrize("group", [
    [("sb-orders-dev", "Microsoft.ServiceBus/namespaces")],          # the namespace it points at is the group's own
    [("sb-shared-prod", "Microsoft.ServiceBus/namespaces")],         # another name, not another environment of it
    [("sb-orders-prod", "Microsoft.ServiceBus/namespaces"), ("sb-orders-test", "Microsoft.ServiceBus/namespaces")],
])
def test_a_setting_is_not_blamed_without_exactly_one_sibling_of_another_environment(group: list) -> None:
    found = finding(_settings_state({"ServiceBusConnection": "sb-orders-dev.servicebus.windows.net"}, group))
    assert found is None or found[0]["id"] != "app-setting-points-at-other-environment"


def test_a_key_vault_reference_to_a_replaced_vault_names_the_groups_vault() -> None:
    state = _settings_state({"Db": "kv-billing.vault.azure.net/secrets/db-conn"},
                            [("kv-billing-02", "Microsoft.KeyVault/vaults")])
    found = finding(state)
    assert found is not None and found[0]["id"] == "app-keyvault-reference-names-replaced-vault"
    assert found[1]["sibling"] == "kv-billing-02" and found[1]["secret"] == "db-conn"


def test_a_colon_setting_on_a_linux_app_is_named_with_its_double_underscore_form() -> None:
    state = state_with("ConnectionString 'WmsDb' not found", [
        ("get_resource", {"id": SITE, "name": "app-wms", "type": "Microsoft.Web/sites", "kind": "app,linux"}),
        ("list_app_setting_names", {"names": ["ConnectionStrings:WmsDb", "ASPNETCORE_ENVIRONMENT"], "count": 2})])
    found = finding(state)
    assert found is not None and found[0]["id"] == "app-setting-colon-on-linux"
    assert found[1]["fixed"] == "ConnectionStrings__WmsDb"


def test_a_colon_setting_on_a_windows_app_is_no_finding() -> None:
    state = state_with("ConnectionString 'WmsDb' not found", [
        ("get_resource", {"id": SITE, "name": "app-wms", "type": "Microsoft.Web/sites", "kind": "app"}),
        ("list_app_setting_names", {"names": ["ConnectionStrings:WmsDb"], "count": 1})])
    found = finding(state)
    assert found is None or found[0]["id"] != "app-setting-colon-on-linux"


# --- environment_info: a resource with its group in parentheses ----------------------------------------------------


def _environment(**values: str) -> dict[str, Any]:
    request = StartRequest.model_validate({"error_description": "502 from Front Door",
                                           "context": {"environment_info": values}})
    return material_from_start(request).environment


def test_a_resource_given_with_its_group_in_parentheses_is_split_into_name_and_group() -> None:
    env = _environment(front_door_profile="afd-shop-prod (rg-shop-edge)",
                       key_vault="kv-certs (resource group: secrets)")
    assert env["front_door_profile"] == "afd-shop-prod" and env["front_door_profile_resource_group"] == "rg-shop-edge"
    assert env["key_vault"] == "kv-certs" and env["key_vault_resource_group"] == "secrets"


def test_a_parenthesis_that_names_no_group_stays_as_written() -> None:
    env = _environment(namespace="sb-orders (Standard)", app_resource_group="rg-a", app="app-a (rg-b)")
    assert env["namespace"] == "sb-orders (Standard)"
    assert env["app"] == "app-a (rg-b)" or env["app_resource_group"] == "rg-a"  # the client's own group key stands


# --- a failed deployment operation is the answer, not a question ----------------------------------------------------


def _deployment(azure: PlaybackServer, message: str, code: str = "InvalidRequest") -> dict[str, Any]:
    name = "eventing-upload"
    operations = f"{GROUP}/providers/Microsoft.Resources/deployments/{name}/operations"
    azure.load([{"match": {"method": "GET", "path": operations},
                 "status": 200, "body": {"value": [{"id": "op1", "operationId": "op1", "properties": {
                     "provisioningState": "Failed", "statusCode": "BadRequest",
                     "statusMessage": {"status": "Failed", "error": {"code": code, "message": message}},
                     "targetResource": {"id": f"{GROUP}/providers/Microsoft.EventGrid/systemTopics/egst",
                                        "resourceType": "Microsoft.EventGrid/systemTopics",
                                        "resourceName": "egst"}}}]}}])
    said = ('The Bicep deployment fails: {"status":"Failed","error":{"code":"DeploymentFailed",'
            '"details":[{"code":"InvalidRequest","message":"..."}]}}')
    request = {"error_description": said,
               "context": {"environment_info": {"azure_subscription": SUB.rsplit("/", 1)[1],
                                                "resource_group": "rg-orders", "deployment": name}}}
    return run_engine(request, azure_access=True).envelope()


def test_an_unknown_inner_error_read_from_the_operations_is_quoted_not_asked_for(azure: PlaybackServer) -> None:
    envelope = _deployment(azure, "The property 'frobnicate' of resource 'egst' must be set when the moon is full.")
    report = envelope["report"]
    assert envelope["status"] == "done" and report["confidence"] == "low"
    assert "must be set when the moon is full" in report["root_cause"]
    assert "--resource-group rg-orders --name eventing-upload" in " ".join(report["actions"])  # the deployment read
    assert report["category"].startswith(("deployment.", "quota.", "auth.", "network.", "config."))


def test_a_feature_the_tier_lacks_in_the_operations_is_a_sku_not_available(azure: PlaybackServer) -> None:
    envelope = _deployment(azure, "The source resource of kind 'Storage' cannot be used with topic type "
                                  "'Microsoft.Storage.StorageAccounts'. Supported kinds are StorageV2, BlobStorage.")
    report = envelope["report"]
    assert report["category"] == "quota.sku_not_available" and "StorageV2" in report["root_cause"]


def test_a_pasted_tier_refusal_is_a_sku_not_available_too() -> None:
    said = ("Deployment failed. InvalidParameters: Virtual network configuration is not supported for the 'Standard' "
            "SKU of API Management service 'apim-x'. Deploying into a virtual network requires the Developer or "
            "Premium tier.")
    report = run_engine({"error_description": said}).envelope()["report"]
    assert report["category"] == "quota.sku_not_available" and "Developer or Premium" in report["root_cause"]


def test_a_lead_can_leave_out_categories_a_failed_deployment_cannot_have() -> None:
    text = "InvalidRequest: blob versioning is not enabled on the destination account for object replication"
    lead = similar_entries().lead(text, outside=("runtime.", "functions."))
    assert lead is None or not lead.category.startswith(("runtime.", "functions."))


# --- Service Health notices in the activity log ---------------------------------------------------------------------


def test_a_service_health_notice_of_the_activity_log_keeps_its_title_tracking_id_service_and_region() -> None:
    row = _event({"eventTimestamp": "2026-12-04T09:41:00Z", "category": {"value": "ServiceHealth"},
                  "operationName": {"value": "Microsoft.ServiceHealth/incident/action"}, "status": {"value": "Active"},
                  "properties": {"title": "Log Analytics - ingestion latency", "service": "Log Analytics",
                                 "region": "West Europe", "incidentType": "Incident", "trackingId": "ZK3T-9QX",
                                 "stage": "Active"}})
    assert row["service_health"] == {"title": "Log Analytics - ingestion latency", "tracking_id": "ZK3T-9QX",
                                     "services": ["Log Analytics"], "regions": ["West Europe"], "status": "Active",
                                     "kind": "ServiceIssue"}


def _incident_state(region: str) -> Any:
    notice = {"title": "Log Analytics - ingestion latency", "tracking_id": "ZK3T-9QX", "services": ["Log Analytics"],
              "regions": [region], "status": "Active", "kind": "ServiceIssue"}
    return state_with("Container logs stopped arriving in the workspace since 08:05", [
        ("get_resource", {"id": f"{GROUP}/providers/Microsoft.OperationalInsights/workspaces/log-weu",
                          "name": "log-weu", "type": "Microsoft.OperationalInsights/workspaces",
                          "location": "westeurope"}),
        ("list_activity_log", {"events": [{"operation": "Microsoft.ServiceHealth/incident/action", "status": "Active",
                                           "service_health": notice}]})])


def test_an_active_incident_in_the_activity_log_for_the_workspaces_service_and_region_is_the_platform() -> None:
    found = finding(_incident_state("West Europe"))
    assert found is not None and found[0]["id"] == "service-health-event-for-resource"
    assert found[1]["tracking_id"] == "ZK3T-9QX"


def test_an_incident_in_another_region_is_not_the_workspaces() -> None:
    found = finding(_incident_state("East US"))
    assert found is None or found[0]["id"] != "service-health-event-for-resource"


# --- evidence too large for the session keeps its head and its counts ------------------------------------------------


def test_a_read_too_large_keeps_its_fields_and_the_length_of_its_long_lists() -> None:
    from shared.session.state import Evidence
    from shared.tools.catalog import cap_evidence
    policies = [{"objectId": f"{i:08d}-0000-0000-0000-000000000000", "permissions": {"secrets": ["get", "list"]}}
                for i in range(1024)]
    vault = {"id": "/v", "name": "kv-shared", "type": "Microsoft.KeyVault/vaults", "enableRbacAuthorization": False,
             "accessPolicies": policies}
    capped = cap_evidence(Evidence(tool="get_resource", status="success", summary="vault", data=vault)).data
    assert capped["name"] == "kv-shared" and capped["enableRbacAuthorization"] is False
    assert capped["accessPolicies_count"] == 1024 and 0 < len(capped["accessPolicies"]) <= 20


def _vault_state(count: int, said: str = "az keyvault set-policy --name kv-shared --upn a@b.example failed") -> Any:
    policies = [{"objectId": str(i)} for i in range(min(count, 20))]
    return state_with(said, [("get_resource", {"id": f"{GROUP}/providers/Microsoft.KeyVault/vaults/kv-shared",
                                               "name": "kv-shared", "type": "Microsoft.KeyVault/vaults",
                                               "enableRbacAuthorization": False, "accessPolicies": policies,
                                               **({"accessPolicies_count": count} if count > 20 else {})})])


def test_a_vault_holding_1024_access_policies_refuses_one_more() -> None:
    found = finding(_vault_state(1024))
    assert found is not None and found[0]["id"] == "keyvault-access-policies-full" and found[1]["count"] == "1024"


@pytest.mark.parametrize("count", [20, 1023])
def test_a_vault_with_room_for_policies_is_not_full(count: int) -> None:
    found = finding(_vault_state(count))
    assert found is None or found[0]["id"] != "keyvault-access-policies-full"


# --- one code, several services: QuotaExceeded -----------------------------------------------------------------------


def test_service_bus_quota_exceeded_is_not_a_vcpu_quota() -> None:
    said = ("Azure.Messaging.ServiceBus.ServiceBusException: SubCode=40000. Quota exceeded for entity 'tenant-events'. "
            "(QuotaExceeded)\n   at ServiceBusAdministrationClient.CreateSubscriptionAsync(...)")
    report = run_engine({"error_description": said}).envelope()["report"]
    assert report["category"] == "quota.exceeded" and "vCPU" not in report["root_cause"]
    assert "subscriptions" in report["root_cause"]


def test_a_core_quota_is_still_the_vcpu_quota() -> None:
    said = ('{"code":"QuotaExceeded","message":"Operation could not be completed as it results in exceeding approved '
            'standardDSv3Family Cores quota. Location: westeurope, Current Limit: 10, Current Usage: 8"}')
    report = run_engine({"error_description": said}).envelope()["report"]
    assert report["category"] == "quota.exceeded" and "standardDSv3Family" in report["root_cause"]


# --- clues ------------------------------------------------------------------------------------------------------------


def test_an_openai_endpoint_setting_with_the_deployment_path_is_the_setting() -> None:
    said = ('OPENAI_API_BASE="https://aoai-x.openai.azure.com/openai/deployments/chat35?api-version=2023-05-15" '
            "python run.py\nerror_code=404 error_message='Resource not found'")
    report = run_engine({"error_description": said}).envelope()["report"]
    assert report["category"] == "config.invalid_connection_string" and "OPENAI_API_BASE" in report["root_cause"]


def test_an_openai_endpoint_setting_of_the_resource_root_is_not_blamed() -> None:
    said = ('AZURE_OPENAI_ENDPOINT="https://aoai-x.openai.azure.com/" python run.py\n'
            "openai.NotFoundError: Error code: 404 - {'error': {'code': 'DeploymentNotFound'}}")
    report = run_engine({"error_description": said}).envelope().get("report") or {}
    assert "holds a whole deployment URL" not in str(report.get("root_cause"))


def test_a_database_with_public_access_off_unreachable_from_a_runner_is_the_network() -> None:
    said = ("We set Deny public network access: Yes on the PostgreSQL server. Since then the GitHub Actions step "
            "fails:\nError: P1001: Can't reach database server at `pg-x.postgres.database.azure.com`:`5432`")
    report = run_engine({"error_description": said}).envelope()["report"]
    assert report["category"] == "network.nsg_blocked" and "public network access" in report["root_cause"]


def test_public_access_off_with_a_private_dns_zone_problem_is_left_to_the_dns_reading() -> None:
    said = ("Public network access is disabled on the cache; the app times out connecting. The private DNS zone "
            "privatelink.redis.cache.windows.net is linked to the VNet.")
    report = run_engine({"error_description": said}).envelope().get("report") or {}
    assert "public network access is turned off" not in str(report.get("root_cause"))


def test_an_offline_on_premises_gateway_is_out_of_scope() -> None:
    said = ('{"status": 502, "message": "BadGateway. The gateway \'gw-erp\' is offline or could not be reached. '
            'Check that the gateway is running."}')
    envelope = run_engine({"error_description": said}).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"


# --- the subscription's own directory ---------------------------------------------------------------------------------


def test_get_subscription_reads_its_state_and_directory(azure: PlaybackServer) -> None:
    from shared.session.state import Material
    from shared.tools.catalog import run_tool
    sub_id = SUB.rsplit("/", 1)[1]
    azure.load([{"match": {"method": "GET", "path": SUB}, "status": 200,
                 "body": {"id": SUB, "subscriptionId": sub_id, "displayName": "claims-prd", "state": "Warned",
                          "tenantId": "4c7a1e93-d2b5-4f60-8e19-6b3d0a7c5f28"}}])
    in_scope = Material(error_description="x", environment={"azure_subscription": sub_id})
    evidence = run_tool("get_subscription", {"subscription_id": sub_id}, in_scope)
    assert evidence.status == "success"
    assert evidence.data == {"id": sub_id, "name": "claims-prd", "state": "Warned",
                             "tenantId": "4c7a1e93-d2b5-4f60-8e19-6b3d0a7c5f28"}


def _moved_vault(vault_tenant: str, said: str = "Since the subscription moved to the group's directory the "
                                                 "pipeline gets Unauthorized from the vault") -> Any:
    return state_with(said, [
        ("get_resource", {"id": f"{GROUP}/providers/Microsoft.KeyVault/vaults/kv-claims", "name": "kv-claims",
                          "type": "Microsoft.KeyVault/vaults", "tenantId": vault_tenant}),
        ("get_subscription", {"id": "s", "name": "claims", "state": "Enabled", "tenantId": "new-tenant"})])


def test_a_vault_still_in_the_old_directory_after_the_subscription_moved_is_the_vaults_tenant() -> None:
    found = finding(_moved_vault("old-tenant"))
    assert found is not None and found[0]["id"] == "keyvault-tenant-left-after-directory-move"
    assert found[1]["caller_tenant"] == "new-tenant"


def test_a_vault_in_its_subscriptions_directory_is_not_blamed_for_a_move() -> None:
    found = finding(_moved_vault("new-tenant"))
    assert found is None or found[0]["id"] != "keyvault-tenant-left-after-directory-move"


def test_a_clue_whose_answer_shows_no_known_error_keeps_its_own_reading() -> None:
    said = "The web app works fine locally with flask run, but in Azure every page gives 500."
    outcome = run_engine({"error_description": said},
                         [{"when_asked_contains": "log", "answer": "Nothing special in the log, just the 500s."}])
    assert outcome.envelope()["report"]["category"] == "config.missing_app_setting"


# --- Traffic Manager probes refused by the app's access restrictions -------------------------------------------------


def _tm_state(rules: list[dict], status: str = "Degraded") -> Any:
    app = f"{SUB}/resourceGroups/rg-weu/providers/Microsoft.Web/sites/app-weu"
    profile = {"id": f"{GROUP}/providers/Microsoft.Network/trafficManagerProfiles/tm-x", "name": "tm-x",
               "type": "Microsoft.Network/trafficManagerProfiles", "monitorPath": "/health",
               "endpoints": [{"name": "weu", "endpointMonitorStatus": status, "targetResourceId": app}]}
    config = {"id": f"{app}/config/web", "name": "web", "type": "Microsoft.Web/sites/config",
              "ipSecurityRestrictionsDefaultAction": "Deny", "ipSecurityRestrictions": rules}
    return state_with("All users land in the DR region since yesterday", [("get_resource", profile),
                                                                          ("get_resource", config)])


def test_a_degraded_endpoint_whose_app_denies_the_probes_is_the_access_restriction() -> None:
    found = finding(_tm_state([{"name": "office", "ipAddress": "193.29.110.0/24", "action": "Allow"}]))
    assert found is not None and found[0]["id"] == "traffic-manager-probe-blocked-by-access-restrictions"
    assert found[1]["app"] == "app-weu" and found[1]["endpoint"] == "weu"


@pytest.mark.parametrize(("rules", "status"), [
    ([{"name": "tm", "ipAddress": "AzureTrafficManager", "action": "Allow", "tag": "ServiceTag"}], "Degraded"),
    ([{"name": "office", "ipAddress": "193.29.110.0/24", "action": "Allow"}], "Online"),
])
def test_probes_admitted_or_an_endpoint_online_is_no_probe_finding(rules: list[dict], status: str) -> None:
    found = finding(_tm_state(rules, status))
    assert found is None or found[0]["id"] != "traffic-manager-probe-blocked-by-access-restrictions"


def test_follow_each_reads_the_config_of_each_endpoints_app() -> None:
    from shared.engines.playbooks import Target, _follow_each_call
    app = f"{SUB}/resourceGroups/rg-weu/providers/Microsoft.Web/sites/app-weu"
    profile_id = f"{GROUP}/providers/Microsoft.Network/trafficManagerProfiles/tm-x"
    state = state_with("x", [])
    from shared.session.state import Evidence
    state.add_evidence(Evidence(tool="get_resource", arguments={"resource_id": profile_id}, status="success",
                                summary="tm", data={"endpoints": [{"targetResourceId": app},
                                                                  {"targetResourceId": "external.example.com"}]}))
    call = _follow_each_call(state, Target(profile_id, "Microsoft.Network/trafficManagerProfiles", "tm-x"),
                             {"follow_each": "endpoints.targetResourceId", "suffix": "/config/web",
                              "when_type": "/providers/Microsoft\\.Web/sites/", "purpose": "reading"})
    assert call is not None and call.arguments == {"resource_id": f"{app}/config/web"}


# --- after reading the blind failures -------------------------------------------------------------------------------


def _logic_app_state(names: list[str]) -> Any:
    said = ("Action 'Post_order' failed: InvalidTemplate. The workflow parameter 'erpBaseUrl' could not be resolved: "
            "the app setting 'ERP_BASE_URL' referenced by the parameter was not found. parameters.json: "
            "\"erpBaseUrl\": {\"value\": \"@appsetting('ERP_BASE_URL')\"}")
    return state_with(said, [
        ("get_resource", {"id": SITE, "name": "logic-erp", "type": "Microsoft.Web/sites",
                          "kind": "functionapp,workflowapp"}),
        ("list_app_setting_names", {"names": names, "count": len(names)})])


def test_a_setting_the_report_names_as_unresolved_and_azure_lacks_is_the_missing_setting() -> None:
    found = finding(_logic_app_state(["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "APP_KIND"]))
    assert found is not None and found[0]["id"] == "app-setting-named-in-report-missing"
    assert found[1]["setting"] == "ERP_BASE_URL" and found[0].get("overrules_text") is True


def test_a_setting_the_report_names_that_the_app_has_is_no_finding() -> None:
    found = finding(_logic_app_state(["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "ERP_BASE_URL"]))
    assert found is None or found[0]["id"] != "app-setting-named-in-report-missing"


def test_a_logic_apps_run_invalid_template_is_not_a_deployment_template() -> None:
    said = ('{"code": "InvalidTemplate", "message": "Unable to process template language expressions in action '
            "'Compose' inputs at line '0' and column '0': 'The template language function 'int' was invoked with a "
            "parameter that is not valid.'\"}")
    report = run_engine({"error_description": said}).envelope().get("report") or {}
    assert report.get("category") != "deployment.template_invalid"


def test_an_oryx_build_behind_an_inspecting_proxy_is_the_kudu_certificate_setting_not_out_of_scope() -> None:
    said = ("Zip deploy with SCM_DO_BUILD_DURING_DEPLOYMENT=true fails since the network team routed us through "
            "Zscaler:\nDetecting platforms...\ncurl: (60) SSL certificate problem: self signed certificate in "
            "certificate chain\n"
            "Error: Failed to download python 3.11.9")
    envelope = run_engine({"error_description": said}).envelope()
    assert envelope["status"] == "done" and envelope["report"]["category"] == "config.missing_app_setting"


def test_the_same_certificate_error_on_a_laptop_stays_out_of_scope() -> None:
    said = ("pip install azure-storage-blob on my laptop behind Zscaler: SSL: self signed certificate in certificate "
            "chain")
    envelope = run_engine({"error_description": said}).envelope()
    assert envelope["report"]["category"] == "out_of_scope"


@pytest.mark.parametrize("said", [
    "Run google-github-actions/auth@v2\nError: google-github-actions/auth failed with: failed to generate Google Cloud "
    "OAuth 2.0 Access Token: Permission 'iam.serviceAccounts.getAccessToken' denied",
    "azure/sql-action@v1 on our self-hosted runner: Error: spawn sqlcmd ENOENT",
    "az login --tenant contoso.onmicrosoft.com from the office: AADSTS500021: Access to 'contoso' tenant is denied.",
    "docker pull myreg.azurecr.io/app:1 times out from the office network; on my phone's hotspot the same pull works "
    "immediately. The registry's networking allows all networks.",
])
def test_failures_of_the_users_own_side_are_out_of_scope(said: str) -> None:
    envelope = run_engine({"error_description": said}).envelope()
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"


def test_custom_dns_that_fails_where_azure_dns_answers_is_the_resolution() -> None:
    said = ("docker login myreg.azurecr.io: context deadline exceeded\n$ nslookup myreg.azurecr.io\nServer: 10.40.0.4\n"
            "** server can't find myreg.azurecr.io: SERVFAIL\n$ nslookup myreg.azurecr.io 168.63.129.16\n"
            "Server: 168.63.129.16\nNon-authoritative answer:\nmyreg.azurecr.io canonical name = weu.fe.azcr.io.")
    report = run_engine({"error_description": said}).envelope()["report"]
    assert report["category"] == "network.dns_resolution" and "168.63.129.16" in report["root_cause"]
