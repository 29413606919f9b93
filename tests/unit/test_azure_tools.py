"""The Azure tools through the tool boundary (`run_tool`), with the real SDK clients talking HTTPS to the
local playback server (evals/playback.py), whose answers are shaped like the Azure REST API's."""

from __future__ import annotations

import http.client
import json
import ssl
from pathlib import Path
from typing import Any

import pytest
import yaml
from azure.identity import CredentialUnavailableError

from evals.playback import PlaybackServer, matches
from shared.azure.clients import clear_caches
from shared.azure.errors import classify, needs_role
from shared.session.state import MAX_EVIDENCE_DATA_CHARS, Evidence, Material
from shared.tools.azure_fields import extract_fields
from shared.tools.azure_monitor import capped_query, kql_refusal
from shared.tools.azure_resources import type_spec
from shared.tools.catalog import catalog, run_tool

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "storage-firewall-with-azure.yaml"
SUB = "3f2a8c1e-5b7d-4e9a-9c61-2d8e4f7a0b13"
RG = f"/subscriptions/{SUB}/resourceGroups/functions-rg"
STORAGE = f"{RG}/providers/Microsoft.Storage/storageAccounts/mystorageaccount"
SITE = f"{RG}/providers/Microsoft.Web/sites/func-deploy-dev"
VAULT = f"{RG}/providers/Microsoft.KeyVault/vaults/kv-deploy-dev"
WORKSPACE = "b7c2e4a1-9f3d-4e6b-8a15-2c7d9e0f1a34"
WORKSPACE_RESOURCE = f"{RG}/providers/Microsoft.OperationalInsights/workspaces/log-deploy-dev"
PRINCIPAL = "5d2c9a71-0e4b-4c3f-8a6d-1f7e2b9c4a30"
BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
CUSTOM_ROLE = "6c1e8f2a-4d3b-4a7e-9f0c-5b2d7e1a3c84"
SECRET_VALUE = "c2VjcmV0LXZhbHVlLW5ldmVyLXJldHVybmVk"
DENIED = ("The client 'a1b2c3d4-0000-4000-8000-123456789abc' with object id 'a1b2c3d4-0000-4000-8000-123456789abc' "
          "does not have authorization to perform action 'Microsoft.Storage/storageAccounts/read' over scope "
          f"'{STORAGE}' or the scope is invalid. If access was recently granted, please refresh your credentials.")


def recorded() -> list[dict[str, Any]]:
    return list(yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))["azure"])


# The session names the subscription, so every tool call here is in the session's scope (shared/azure/scope.py).
IN_SCOPE = Material(error_description="test", environment={"azure_subscription": SUB})


def run(name: str, **arguments: Any) -> Evidence:
    return run_tool(name, arguments, IN_SCOPE)


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


# --- each tool against answers shaped like the REST API's --------------------------------------------------

def test_list_subscriptions_resolves_a_display_name(azure: PlaybackServer):
    azure.load(recorded())
    evidence = run("list_subscriptions")
    assert evidence.status == "success"
    assert evidence.data["subscriptions"] == [{"id": SUB, "name": "dev-subscription", "state": "Enabled"}]
    assert [c["path"] for c in azure.calls] == ["/subscriptions"]


def test_list_resources_in_group(azure: PlaybackServer):
    azure.load(recorded())
    evidence = run("list_resources_in_group", subscription_id=SUB, resource_group="functions-rg")
    assert evidence.status == "success"
    assert evidence.data["count"] == 4 and not evidence.data["truncated"]
    assert evidence.data["resources"][0] == {"id": STORAGE, "name": "mystorageaccount",
                                             "type": "Microsoft.Storage/storageAccounts", "kind": "StorageV2",
                                             "location": "eastus", "sku": {"name": "Standard_LRS", "tier": "Standard"}}


def test_list_resources_caps_at_100_and_fits_the_evidence_budget(azure: PlaybackServer):
    value = [{"id": f"{RG}/providers/Microsoft.Storage/storageAccounts/acct{i:03d}", "name": f"acct{i:03d}",
              "type": "Microsoft.Storage/storageAccounts", "kind": "StorageV2", "location": "eastus"}
             for i in range(150)]
    azure.load([{"match": {"method": "GET", "path": f"{RG}/resources"}, "status": 200, "body": {"value": value}}])
    evidence = run("list_resources_in_group", subscription_id=SUB, resource_group="functions-rg")
    assert evidence.data["count"] == 100 and evidence.data["truncated"]
    assert evidence.data["resources"] and evidence.data["not_shown"]
    assert len(repr(evidence.data)) <= MAX_EVIDENCE_DATA_CHARS


def test_get_resource_storage_account_network_rules(azure: PlaybackServer):
    azure.load(recorded())
    evidence = run("get_resource", resource_id=STORAGE)
    assert evidence.status == "success", evidence.summary
    assert evidence.data["networkAcls"] == {"defaultAction": "Deny", "bypass": "AzureServices",
                                            "ipRules": ["203.0.113.0/24"], "virtualNetworkRules": [],
                                            "orphanedVirtualNetworkRules": [],  # rules whose subnet was deleted
                                            "resourceAccessRules": []}  # resource instances admitted by identity
    assert evidence.data["publicNetworkAccess"] == "Enabled"
    assert evidence.data["allowSharedKeyAccess"] is True
    assert evidence.data["minimumTlsVersion"] == "TLS1_2"
    assert evidence.data["privateEndpointConnections"] == 0
    assert "keyCreationTime" not in repr(evidence.data)
    assert "2023-05-01" in evidence.summary


def test_get_resource_function_app_and_its_site_config(azure: PlaybackServer):
    azure.load(recorded())
    site = run("get_resource", resource_id=SITE)
    assert site.status == "success"
    assert site.data["identity"] == {"type": "SystemAssigned", "principalId": PRINCIPAL, "userAssigned": [],
                                     "tenantId": "72f0b1c4-3e8a-4d6f-9b21-5a7c8e9d0f13"}  # the identity's directory
    assert site.data["outboundIpAddresses"] == ["198.51.100.17", "198.51.100.23", "198.51.100.41", "198.51.100.58"]
    assert len(site.data["possibleOutboundIpAddresses"]) == 8
    assert site.data["virtualNetworkSubnetId"] is None and site.data["vnetRouteAllEnabled"] is False
    assert site.data["siteConfig"]["linuxFxVersion"] == "Python|3.11"
    config = run("get_resource", resource_id=f"{SITE}/config/web")
    assert config.data["ipSecurityRestrictions"] == [{"name": "Allow all", "ipAddress": "Any", "action": "Allow"}]
    assert config.data["ftpsState"] == "FtpsOnly" and config.data["minTlsVersion"] == "1.2"


def test_get_resource_key_vault_access_model(azure: PlaybackServer):
    vault = {
        "id": VAULT, "name": "kv-deploy-dev", "type": "Microsoft.KeyVault/vaults", "location": "westus2", "tags": {},
        "properties": {
            "tenantId": "72f0b1c4-3e8a-4d6f-9b21-5a7c8e9d0f13", "sku": {"family": "A", "name": "standard"},
            "accessPolicies": [{"tenantId": "72f0b1c4-3e8a-4d6f-9b21-5a7c8e9d0f13", "objectId": PRINCIPAL,
                                "permissions": {"keys": [], "secrets": ["get", "list"], "certificates": []}}],
            "enabledForDeployment": False, "enableSoftDelete": True, "softDeleteRetentionInDays": 90,
            "enableRbacAuthorization": False, "vaultUri": "https://kv-deploy-dev.vault.azure.net/",
            "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny",
                            "ipRules": [{"value": "203.0.113.0/24"}], "virtualNetworkRules": []},
            "publicNetworkAccess": "Enabled", "provisioningState": "Succeeded"}}
    azure.load([{"match": {"method": "GET", "path": VAULT}, "status": 200, "body": vault}])
    evidence = run("get_resource", resource_id=VAULT)
    assert evidence.data["enableRbacAuthorization"] is False
    assert evidence.data["accessPolicies"] == [{"objectId": PRINCIPAL, "permissions": {
        "keys": [], "secrets": ["get", "list"], "certificates": []}}]
    assert evidence.data["networkAcls"]["defaultAction"] == "Deny"


def test_get_resource_of_an_unlisted_type_asks_the_provider_for_its_api_version(azure: PlaybackServer):
    hub = f"{RG}/providers/Microsoft.SignalRService/signalR/hub-dev"
    provider = {"id": f"/subscriptions/{SUB}/providers/Microsoft.SignalRService",
                "namespace": "Microsoft.SignalRService", "registrationState": "Registered",
                "resourceTypes": [{"resourceType": "signalR", "locations": ["West US 2"],
                                   "apiVersions": ["2024-04-01-preview", "2024-03-01", "2023-08-01"]}]}
    signalr = {"id": hub, "name": "hub-dev", "type": "Microsoft.SignalRService/SignalR", "location": "West US 2",
               "properties": {"provisioningState": "Succeeded", "hostName": "hub-dev.service.signalr.net",
                              "publicPort": 443, "serverPort": 443}}
    azure.load([{"match": {"path": f"/subscriptions/{SUB}/providers/Microsoft.SignalRService"}, "body": provider},
                {"match": {"path": hub}, "body": signalr}])
    evidence = run("get_resource", resource_id=hub)
    assert evidence.status == "success"
    assert "api-version 2024-03-01" in evidence.summary
    assert evidence.data["property_names"] == ["hostName", "provisioningState", "publicPort", "serverPort"]


@pytest.mark.parametrize("suffix", ["/config/appsettings", "/config/connectionstrings",
                                    "/config/publishingcredentials"])
def test_get_resource_refuses_resources_that_hold_secrets(azure: PlaybackServer, suffix: str):
    evidence = run("get_resource", resource_id=SITE + suffix)
    assert evidence.status == "error" and "secrets" in evidence.summary
    assert azure.calls == []


def test_list_app_setting_names_never_returns_values(azure: PlaybackServer):
    settings = {"id": f"{SITE}/config/appsettings", "name": "appsettings", "type": "Microsoft.Web/sites/config",
                "location": "West US 2",
                "properties": {"FUNCTIONS_WORKER_RUNTIME": "python", "FUNCTIONS_EXTENSION_VERSION": "~4",
                               "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=mystorageaccount;"
                                                      f"AccountKey={SECRET_VALUE};EndpointSuffix=core.windows.net",
                               "DEPLOY_STORAGE_ACCOUNT": "mystorageaccount"}}
    azure.load([{"match": {"method": "POST", "path": f"{SITE}/config/appsettings/list"}, "body": settings}])
    evidence = run("list_app_setting_names", site_id=SITE)
    assert evidence.status == "success"
    assert evidence.data["names"] == ["AzureWebJobsStorage", "DEPLOY_STORAGE_ACCOUNT", "FUNCTIONS_EXTENSION_VERSION",
                                      "FUNCTIONS_WORKER_RUNTIME"]
    dumped = evidence.model_dump_json()
    assert SECRET_VALUE not in dumped and "AccountKey" not in dumped and "python" not in dumped
    assert azure.calls == [{"method": "POST", "host": "management.azure.com", "path": f"{SITE}/config/appsettings/list",
                            "status": 200}]


GATEWAY = f"{RG}/providers/Microsoft.Network/applicationGateways/agw-deploy-dev"
PROBE_404 = ("Status code of the backend's HTTP response did not match the probe setting. "
             "Expected:200-399 Received:404.")


def backend_health(log: str) -> dict[str, Any]:
    server = {"address": "func-deploy-dev.azurewebsites.net", "health": "Unhealthy", "healthProbeLog": log}
    return {"backendAddressPools": [{"backendAddressPool": {"id": f"{GATEWAY}/backendAddressPools/pool-web"},
                                     "backendHttpSettingsCollection": [{"servers": [server]}]}]}


def test_get_backend_health_answered_at_once(azure: PlaybackServer):
    azure.load([{"match": {"method": "POST", "path": f"{GATEWAY}/backendhealth"}, "body": backend_health(PROBE_404)}])
    evidence = run("get_backend_health", gateway_id=GATEWAY)
    assert evidence.status == "success", evidence.summary
    assert evidence.data["servers"] == [{"pool": "pool-web", "address": "func-deploy-dev.azurewebsites.net",
                                         "health": "Unhealthy", "log": PROBE_404}]
    assert evidence.data["unhealthy"] == 1 and "did not match the probe setting" in evidence.summary


def test_get_backend_health_follows_the_long_running_operation(azure: PlaybackServer):
    result = f"/subscriptions/{SUB}/providers/Microsoft.Network/locations/westeurope/operationResults/op-1"
    azure.load([{"match": {"method": "POST", "path": f"{GATEWAY}/backendhealth"}, "status": 202,
                 "headers": {"Location": f"{azure.base_url}{result}?api-version=2023-09-01", "Retry-After": "0"}},
                {"match": {"method": "GET", "path": result}, "body": backend_health("Healthy probe")}])
    evidence = run("get_backend_health", gateway_id=GATEWAY)
    assert evidence.status == "success", evidence.summary
    assert [c["method"] for c in azure.calls] == ["POST", "GET"]
    assert evidence.data["servers"][0]["log"] == "Healthy probe"


def test_get_backend_health_takes_only_a_gateway():
    with pytest.raises(ValueError, match="gateway_id"):
        catalog()["get_backend_health"].arguments.model_validate({"gateway_id": STORAGE})


def test_list_activity_log_who_changed_what(azure: PlaybackServer):
    azure.load(recorded())
    evidence = run("list_activity_log", scope=RG)
    assert evidence.status == "success"
    first = evidence.data["events"][0]
    assert first == {"time": "2025-03-11T07:42:18.330721Z", "operation": "Microsoft.Storage/storageAccounts/write",
                     "status": "Succeeded", "caller": "j.alvarez@contoso.com", "resource_id": STORAGE}
    assert "requestbody" not in repr(evidence.data)
    assert azure.calls[0]["path"] == f"/subscriptions/{SUB}/providers/Microsoft.Insights/eventtypes/management/values"


def test_list_activity_log_only_failures_keeps_the_final_state_and_its_message(azure: PlaybackServer):
    denied = "The client does not have authorization to perform action 'Microsoft.Storage/storageAccounts/write'."
    status_message = json.dumps({"error": {"code": "AuthorizationFailed", "message": denied}})
    events = [
        {"operationId": "op-1", "eventTimestamp": "2025-03-11T08:00:02Z", "caller": "ci@contoso.com",
         "operationName": {"value": "Microsoft.Storage/storageAccounts/write"}, "status": {"value": "Failed"},
         "resourceId": STORAGE, "properties": {"statusCode": "Forbidden", "statusMessage": status_message}},
        {"operationId": "op-1", "eventTimestamp": "2025-03-11T08:00:01Z", "caller": "ci@contoso.com",
         "operationName": {"value": "Microsoft.Storage/storageAccounts/write"}, "status": {"value": "Started"},
         "resourceId": STORAGE, "properties": {}},
        {"operationId": "op-2", "eventTimestamp": "2025-03-11T09:00:00Z", "caller": "ci@contoso.com",
         "operationName": {"value": "Microsoft.Web/sites/write"}, "status": {"value": "Succeeded"},
         "resourceId": SITE, "properties": {}},
    ]
    azure.load([{"match": {"path_contains": "/eventtypes/management/values"}, "body": {"value": events}}])
    evidence = run("list_activity_log", scope=STORAGE, hours=48, only_failures=True)
    assert [e["status"] for e in evidence.data["events"]] == ["Failed"]
    assert evidence.data["events"][0]["message"].startswith("AuthorizationFailed: The client")
    everything = run("list_activity_log", scope=f"/subscriptions/{SUB}")
    assert [e["operation"] for e in everything.data["events"]] == ["Microsoft.Web/sites/write",
                                                                   "Microsoft.Storage/storageAccounts/write"]


def test_get_resource_health(azure: PlaybackServer):
    health = {"id": f"{SITE}/providers/Microsoft.ResourceHealth/availabilityStatuses/current", "name": "current",
              "type": "Microsoft.ResourceHealth/AvailabilityStatuses", "location": "westus2",
              "properties": {"availabilityState": "Degraded", "title": "Degraded",
                             "summary": "We're sorry, your app is experiencing a problem on the platform.",
                             "reasonType": "Unplanned", "reasonChronicity": "Transient",
                             "detailedStatus": "We are working to restore the service.",
                             "occuredTime": "2025-03-11T07:45:00Z", "reportedTime": "2025-03-11T07:50:12Z"}}
    azure.load([{"match": {"path": f"{SITE}/providers/Microsoft.ResourceHealth/availabilityStatuses/current"},
                 "body": health}])
    evidence = run("get_resource_health", resource_id=SITE)
    assert evidence.status == "success"
    assert evidence.data["availabilityState"] == "Degraded" and evidence.data["reasonType"] == "Unplanned"
    assert evidence.data["occuredTime"].startswith("2025-03-11T07:45:00")


def test_list_deployment_operations_failed_ones(azure: PlaybackServer):
    deployment = f"{RG}/providers/Microsoft.Resources/deployments/main-20250311"
    operations = [
        {"id": f"{deployment}/operations/7C3B2A1F0E9D8C7B", "operationId": "7C3B2A1F0E9D8C7B",
         "properties": {"provisioningOperation": "Create", "provisioningState": "Failed",
                        "timestamp": "2025-03-11T08:01:12.1234567Z", "duration": "PT1.8S",
                        "trackingId": "4c1e9d2a-7b3f-4e58-a0c6-9f2d1b8e7a35", "statusCode": "Conflict",
                        "statusMessage": {"status": "Failed", "error": {
                            "code": "StorageAccountAlreadyTaken",
                            "message": "The storage account named mystorageaccount is already taken."}},
                        "targetResource": {"id": STORAGE, "resourceType": "Microsoft.Storage/storageAccounts",
                                           "resourceName": "mystorageaccount"}}},
        {"id": f"{deployment}/operations/0A1B2C3D4E5F6A7B", "operationId": "0A1B2C3D4E5F6A7B",
         "properties": {"provisioningOperation": "Create", "provisioningState": "Succeeded",
                        "timestamp": "2025-03-11T08:01:09.0Z", "duration": "PT12S", "statusCode": "OK",
                        "targetResource": {"id": f"{RG}/providers/Microsoft.Web/serverFarms/asp-deploy-dev",
                                           "resourceType": "Microsoft.Web/serverFarms",
                                           "resourceName": "asp-deploy-dev"}}},
    ]
    # The SDK calls .../resourcegroups/{group}/deployments/{name}/operations (no providers segment).
    azure.load([{"match": {"path_contains": "/deployments/main-20250311/operations"}, "body": {"value": operations}}])
    evidence = run("list_deployment_operations", subscription_id=SUB, resource_group="functions-rg",
                   deployment_name="main-20250311")
    assert evidence.status == "success"
    assert evidence.data["operations"] == 2
    assert evidence.data["failed"] == [{
        "target": {"id": STORAGE, "type": "Microsoft.Storage/storageAccounts", "name": "mystorageaccount"},
        "status_code": "Conflict", "code": "StorageAccountAlreadyTaken",
        "message": "The storage account named mystorageaccount is already taken.", "details": []}]


LOGS = {"tables": [{"name": "PrimaryResult",
                    "columns": [{"name": "TimeGenerated", "type": "datetime"}, {"name": "ResultCode", "type": "string"},
                                {"name": "DurationMs", "type": "real"}],
                    "rows": [["2025-03-11T07:50:02.123Z", "500", 20013.4],
                             ["2025-03-11T07:49:31.5Z", "500", 20008.0]]}]}
QUERY_PATH = f"/v1/workspaces/{WORKSPACE}/query"


LOGS_CALL = {"workspace_resource_id": WORKSPACE_RESOURCE, "template": "function-app-errors",
             "resource_name": "func-deploy-dev"}


def workspace_answer() -> dict[str, Any]:
    return {"match": {"method": "GET", "path": WORKSPACE_RESOURCE},
            "body": {"id": WORKSPACE_RESOURCE, "name": "log-deploy-dev",
                     "type": "Microsoft.OperationalInsights/workspaces",
                     "properties": {"customerId": WORKSPACE, "provisioningState": "Succeeded"}}}


def test_query_logs_runs_the_template_for_the_named_resource(azure: PlaybackServer):
    azure.load([workspace_answer(),
                {"match": {"method": "POST", "host": "api.loganalytics.io", "path": QUERY_PATH,
                           "body_contains": "AppName == 'func-deploy-dev'"}, "body": LOGS}])
    evidence = run("query_logs", **LOGS_CALL)
    assert evidence.status == "success", evidence.summary
    assert evidence.data["columns"] == ["TimeGenerated", "ResultCode", "DurationMs"]
    assert evidence.data["rows"][0] == ["2025-03-11T07:50:02.123000+00:00", "500", 20013.4]
    assert evidence.data["row_count"] == 2 and not evidence.data["truncated"]  # under the template's own top 40
    assert [c["host"] for c in azure.calls][-1] == "api.loganalytics.io"


def test_query_logs_reads_a_resource_s_own_logs_without_its_workspace(azure: PlaybackServer):
    component = f"{RG}/providers/microsoft.insights/components/func-deploy-dev"
    azure.load([{"match": {"method": "POST", "host": "api.loganalytics.io", "path": f"/v1{component}/query",
                           "body_contains": "AppRoleName == 'func-deploy-dev'"}, "body": LOGS}])
    evidence = run("query_logs", resource_id=component, template="function-app-errors",
                   resource_name="func-deploy-dev")
    assert evidence.status == "success", evidence.summary
    assert evidence.data["rows"][0][1] == "500" and "workspace" not in evidence.data
    assert [c["path"] for c in azure.calls] == [f"/v1{component}/query"]  # no workspace read first


@pytest.mark.parametrize("places", [{}, {"workspace_resource_id": WORKSPACE_RESOURCE, "resource_id": SITE},
                                    {"resource_id": VAULT}])  # neither, both, or a resource that has no template
def test_query_logs_needs_exactly_one_place_to_read(azure: PlaybackServer, places: dict[str, Any]):
    evidence = run("query_logs", template="function-app-errors", resource_name="func-deploy-dev", **places)
    assert evidence.status == "error" and azure.calls == []


def test_capped_query_keeps_a_smaller_take():
    assert capped_query("AppRequests | take 5") == ("AppRequests | take 5", 5)
    assert capped_query("AppRequests | take 5000")[0].endswith("| take 200")


@pytest.mark.parametrize("arguments", [
    {**LOGS_CALL, "template": "SecurityEvent | take 10"},  # free KQL is no template
    {**LOGS_CALL, "resource_name": "x' or 1==1 //"},  # the parameter is a name, not KQL
    {"workspace_id": WORKSPACE, "query": "AppRequests"},  # the old free-query form
    {**LOGS_CALL, "workspace_resource_id": WORKSPACE},  # a workspace GUID names no scope
])
def test_query_logs_refuses_anything_but_a_template_with_a_name(azure: PlaybackServer, arguments: dict[str, Any]):
    evidence = run("query_logs", **arguments)
    assert evidence.status == "error" and "bad arguments" in evidence.summary
    assert azure.calls == []


@pytest.mark.parametrize("query", [".drop table AppRequests", "AppRequests | invoke my_function()",
                                   "externaldata (x:string) [@'https://example.com/x.csv']",
                                   "AppRequests | evaluate python(typeof(*), 'result = df')",
                                   "union workspace('other').AppRequests", "set truncationmaxrecords=1000000;\nT"])
def test_kql_refusal_names_what_is_not_a_read_only_query(query: str):
    assert kql_refusal(query)


def test_every_kql_template_is_a_read_only_query():
    from shared.tools.azure_monitor import kql_templates
    assert kql_templates()
    for template_id, query in kql_templates().items():
        assert "{name}" in query, template_id
        assert kql_refusal(query) is None, template_id


def test_query_logs_shrinks_the_window_once_after_a_timeout(azure: PlaybackServer):
    timeout = error_body("GatewayTimeout", "The query exceeded the time limit.")
    azure.load([workspace_answer(),
                {"match": {"path": QUERY_PATH, "body_contains": "PT86400.0S"}, "status": 504, "body": timeout},
                {"match": {"path": QUERY_PATH, "body_contains": "PT43200.0S"}, "body": LOGS}])
    evidence = run("query_logs", **LOGS_CALL)
    assert evidence.status == "success"
    assert evidence.data["window_hours"] == 12
    # the workspace read, the SDK's retries, then the half window
    assert [c["status"] for c in azure.calls] == [200, 504, 504, 504, 200]


def test_query_logs_partial_result_is_partial(azure: PlaybackServer):
    partial = {**LOGS, "error": {"code": "PartialError", "message": "There were some errors when processing your "
                                 "query.", "details": [{"code": "EngineError", "message": "Query exceeded limits."}]}}
    azure.load([workspace_answer(), {"match": {"path": QUERY_PATH}, "body": partial}])
    evidence = run("query_logs", **LOGS_CALL, hours=8)
    assert evidence.status == "partial"
    assert evidence.data["partial_error"]["code"] == "PartialError" and evidence.data["window_hours"] == 4
    assert len(azure.calls) == 3


def test_query_metrics_summarises_each_metric(azure: PlaybackServer):
    metrics = {"cost": 0, "timespan": "2025-03-10T08:00:00Z/2025-03-11T08:00:00Z", "interval": "PT1H",
               "namespace": "Microsoft.Web/sites", "resourceregion": "westus2",
               "value": [{"id": f"{SITE}/providers/Microsoft.Insights/metrics/Http5xx",
                          "type": "Microsoft.Insights/metrics",
                          "name": {"value": "Http5xx", "localizedValue": "Http Server Errors"},
                          "unit": "Count", "errorCode": "Success",
                          "timeseries": [{"metadatavalues": [], "data": [
                              {"timeStamp": "2025-03-11T06:00:00Z", "total": 0.0, "maximum": 0.0, "average": 0.0},
                              {"timeStamp": "2025-03-11T07:00:00Z", "total": 42.0, "maximum": 9.0, "average": 3.5},
                              {"timeStamp": "2025-03-11T08:00:00Z"}]}]}]}
    azure.load([{"match": {"path": f"{SITE}/providers/Microsoft.Insights/metrics"}, "body": metrics}])
    evidence = run("query_metrics", resource_id=SITE, metric_names=["Http5xx"])
    assert evidence.status == "success", evidence.summary
    assert evidence.data["metrics"] == [{"name": "Http5xx", "unit": "Count", "max": 9.0, "avg": 1.75, "total": 42.0,
                                         "points": 2}]


def test_an_average_only_metric_reports_its_highest_interval_average_as_its_peak(azure: PlaybackServer):
    search = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Search/searchServices/srch-a"
    metrics = {"value": [{"name": {"value": "ThrottledSearchQueriesPercentage"}, "unit": "Percent",
                          "timeseries": [{"data": [{"timeStamp": "2025-03-11T06:00:00Z", "average": 0.0},
                                                   {"timeStamp": "2025-03-11T19:00:00Z", "average": 31.5},
                                                   {"timeStamp": "2025-03-11T20:00:00Z", "average": 12.5}]}]}]}
    azure.load([{"match": {"path": f"{search}/providers/Microsoft.Insights/metrics"}, "body": metrics}])
    evidence = run("query_metrics", resource_id=search, metric_names=["ThrottledSearchQueriesPercentage"])
    assert evidence.data["metrics"][0]["max"] == 31.5 and evidence.data["metrics"][0]["avg"] == 14.67


def _assignment(definition: str, principal: str = PRINCIPAL) -> dict:
    return {"id": f"{RG}/providers/Microsoft.Authorization/roleAssignments/0b3c9e7a-2f14-4d6b-9a8e-1c5f7d2e4b90",
            "type": "Microsoft.Authorization/roleAssignments", "name": "0b3c9e7a-2f14-4d6b-9a8e-1c5f7d2e4b90",
            "properties": {"roleDefinitionId": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/"
                                               f"roleDefinitions/{definition}", "principalId": principal,
                           "principalType": "ServicePrincipal", "scope": RG}}


def test_list_role_assignments_reads_a_custom_role_s_name(azure: PlaybackServer):
    definition_id = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{CUSTOM_ROLE}"
    assignment = {"id": f"{RG}/providers/Microsoft.Authorization/roleAssignments/0b3c9e7a-2f14-4d6b-9a8e-1c5f7d2e4b90",
                  "type": "Microsoft.Authorization/roleAssignments", "name": "0b3c9e7a-2f14-4d6b-9a8e-1c5f7d2e4b90",
                  "properties": {"roleDefinitionId": definition_id, "principalId": PRINCIPAL,
                                 "principalType": "ServicePrincipal", "scope": RG,
                                 "createdOn": "2025-01-12T10:00:00Z", "updatedOn": "2025-01-12T10:00:00Z"}}
    definition = {"id": definition_id, "type": "Microsoft.Authorization/roleDefinitions", "name": CUSTOM_ROLE,
                  "properties": {"roleName": "Blob Reader (contoso)", "type": "CustomRole",
                                 "description": "Allows for read access to Azure Storage blob containers and data",
                                 "assignableScopes": ["/"], "permissions": [{"actions": [
                                     "Microsoft.Storage/storageAccounts/blobServices/containers/read"],
                                     "notActions": [], "dataActions": [], "notDataActions": []}]}}
    azure.load([{"match": {"path": f"{STORAGE}/providers/Microsoft.Authorization/roleAssignments"},
                 "body": {"value": [assignment]}},
                {"match": {"path": definition_id}, "body": definition}])
    evidence = run("list_role_assignments", scope=STORAGE, principal_id=PRINCIPAL)
    assert evidence.status == "success"
    assert evidence.data["assignments"] == [{"role": "Blob Reader (contoso)", "scope": RG,
                                             "relation": "inherited", "principal_type": "ServicePrincipal"}]


def test_list_role_assignments_names_built_in_roles_without_reading_them_and_keeps_only_the_principal(
        azure: PlaybackServer):
    other = "9e1f3a5c-7b2d-4e6f-8a0c-2d4f6b8a0c1e"
    azure.load([{"match": {"path": f"{STORAGE}/providers/Microsoft.Authorization/roleAssignments"},
                 "body": {"value": [_assignment(BLOB_READER), _assignment(BLOB_READER, principal=other)]}}])
    evidence = run("list_role_assignments", scope=STORAGE, principal_id=PRINCIPAL)
    assert evidence.data["assignments"] == [{"role": "Storage Blob Data Reader", "scope": RG,
                                             "relation": "inherited", "principal_type": "ServicePrincipal"}]
    assert not any("roleDefinitions" in call["path"] for call in azure.calls)  # a built-in role is not read


def test_every_type_in_the_knowledge_file_has_a_version_and_parsable_fields():
    knowledge = yaml.safe_load((Path(__file__).resolve().parents[2] / "shared" / "knowledge" / "api_versions.yaml")
                               .read_text(encoding="utf-8"))
    for name, spec in knowledge["types"].items():
        assert len(spec["api_version"]) == 10, name
        extract_fields({}, spec["fields"])  # raises on a malformed path
    nsg = {"properties": {"securityRules": [{"name": "deny-all", "properties": {"priority": 100, "access": "Deny",
                                                                                "direction": "Inbound"}}]}}
    rules = extract_fields(nsg, type_spec("microsoft.network", "networkSecurityGroups")["fields"])  # type: ignore[index]
    assert rules == {"securityRules": [{"name": "deny-all", "priority": 100, "direction": "Inbound", "access": "Deny"}]}


# --- Azure errors as evidence ------------------------------------------------------------------------------

def test_not_found_is_no_data(azure: PlaybackServer):
    evidence = run("get_resource", resource_id=STORAGE)
    assert evidence.status == "no_data"
    assert evidence.data == {"http_status": 404, "code": "ResourceNotFound", "id": STORAGE}


def test_authorization_failed_names_action_scope_and_role(azure: PlaybackServer):
    azure.load([{"match": {"path": STORAGE}, "status": 403, "body": error_body("AuthorizationFailed", DENIED)}])
    evidence = run("get_resource", resource_id=STORAGE)
    assert evidence.status == "error"
    assert evidence.data == {"http_status": 403, "code": "AuthorizationFailed",
                             "action": "Microsoft.Storage/storageAccounts/read", "scope": STORAGE,
                             "needs_role": "Reader", "principal_id": "a1b2c3d4-0000-4000-8000-123456789abc"}
    assert len(azure.calls) == 1  # a 403 is not retried


def test_a_denial_without_an_action_uses_the_tools_own(azure: PlaybackServer):
    azure.load([{"match": {"path_contains": "/config/appsettings/list"}, "status": 403,
                 "body": error_body("AuthorizationFailed", "The client does not have authorization.")}])
    evidence = run("list_app_setting_names", site_id=SITE)
    assert evidence.data["action"] == "Microsoft.Web/sites/config/list/action"
    assert evidence.data["needs_role"] == "Website Contributor"


def test_throttling_is_retried_by_the_sdk(azure: PlaybackServer):
    azure.load([{"match": {"path": STORAGE}, "times": 1, "status": 429, "headers": {"Retry-After": "1"},
                 "body": error_body("TooManyRequests", "Too many requests. Please retry.")},
                *recorded()])
    evidence = run("get_resource", resource_id=STORAGE)
    assert evidence.status == "success"
    assert [c["status"] for c in azure.calls] == [429, 200]


def test_server_errors_after_retries_are_an_error(azure: PlaybackServer):
    azure.load([{"match": {"path": STORAGE}, "status": 500,
                 "body": error_body("InternalServerError", "Encountered internal server error.")}])
    evidence = run("get_resource", resource_id=STORAGE)
    assert evidence.status == "error"
    assert evidence.data == {"http_status": 500, "code": "InternalServerError", "retry_after_given": False,
                             "retry_after": None}
    assert [c["status"] for c in azure.calls] == [500, 500, 500]  # retry_total=2


def test_a_bad_token_means_no_credentials(azure: PlaybackServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DEBUG_AZURE_STATIC_TOKEN", "not-the-servers-token")
    clear_caches()
    evidence = run("list_subscriptions")
    assert evidence.status == "error" and evidence.data["access"] == "no_credentials"


def test_a_slow_answer_is_a_timeout(azure: PlaybackServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DEBUG_AZURE_TIMEOUT_SECONDS", "1")
    clear_caches()
    azure.load([{"match": {"path": STORAGE}, "delay": 1.5, "body": {}}])
    evidence = run("get_resource", resource_id=STORAGE)
    assert evidence.status == "error" and evidence.data == {"timeout": True}


def test_credential_errors_mean_no_credentials():
    failure = classify(CredentialUnavailableError("ManagedIdentityCredential: no endpoint"), STORAGE, "x/read")
    assert failure.status == "error" and failure.data == {"access": "no_credentials"}
    assert needs_role("Microsoft.Insights/metrics/read") == "Monitoring Reader"
    assert needs_role(None) == "Reader"


AZURE_CALLS: dict[str, dict[str, Any]] = {
    "list_subscriptions": {},
    "get_subscription": {"subscription_id": SUB},
    "list_regional_usages": {"subscription_id": SUB, "namespace": "Microsoft.Storage", "location": "westeurope"},
    "list_resources_in_group": {"subscription_id": SUB, "resource_group": "functions-rg"},
    "find_resource_by_name": {"subscription_id": SUB, "resource_name": "vnet-shared",
                              "resource_type": "Microsoft.Network/virtualNetworks"},
    "get_resource": {"resource_id": STORAGE},
    "list_app_setting_names": {"site_id": SITE},
    "list_activity_log": {"scope": RG},
    "get_resource_health": {"resource_id": SITE},
    "list_deployment_operations": {"subscription_id": SUB, "resource_group": "functions-rg", "deployment_name": "d"},
    "query_logs": LOGS_CALL,
    "query_metrics": {"resource_id": SITE, "metric_names": ["Http5xx"]},
    "list_role_assignments": {"scope": STORAGE, "principal_id": PRINCIPAL},
    "get_backend_health": {"gateway_id": GATEWAY},
    "list_service_health_events": {"subscription_id": SUB},
    "list_failed_pipeline_runs": {"factory_id": f"{RG}/providers/Microsoft.DataFactory/factories/adf-test"},
}


def test_every_azure_tool_has_a_cli_equivalent_and_example():
    azure_tools = {name: t for name, t in catalog().items() if t.needs_azure}
    assert set(azure_tools) == set(AZURE_CALLS)
    for name, found in azure_tools.items():
        assert found.cli is not None and found.description
        assert found.cli(found.arguments.model_validate(AZURE_CALLS[name])).startswith("az ")
    listing = azure_tools["list_subscriptions"]
    assert listing.cli is not None
    assert listing.cli(listing.arguments()) == 'az account list --query "[].{id:id, name:name}"'


@pytest.mark.parametrize("name", sorted(AZURE_CALLS))
def test_no_access_answers_at_once_without_a_call(azure: PlaybackServer, monkeypatch: pytest.MonkeyPatch, name: str):
    monkeypatch.setenv("DEBUG_AZURE_ACCESS", "none")
    clear_caches()
    azure.load(recorded())
    evidence = run(name, **AZURE_CALLS[name])
    assert evidence.status == "error" and evidence.data == {"access": "none"}
    assert azure.calls == []


def test_access_is_off_by_default(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DEBUG_AZURE_ACCESS", raising=False)
    clear_caches()
    try:
        assert run("list_subscriptions").data == {"access": "none"}
    finally:
        clear_caches()


def test_the_playback_app_settings_point_run_tool_at_the_server(monkeypatch: pytest.MonkeyPatch):
    with PlaybackServer(recorded()) as playback:
        for name, value in playback.app_settings().items():
            monkeypatch.setenv(name, value)
        clear_caches()
        try:
            evidence = run("get_resource", resource_id=STORAGE)
        finally:
            clear_caches()
        assert evidence.status == "success"
        assert playback.calls == [{"method": "GET", "host": "management.azure.com", "path": STORAGE, "status": 200}]


# --- the playback server itself ----------------------------------------------------------------------------

def test_matching_rules():
    assert matches({"method": "GET", "path": "/Subscriptions/X"}, "GET", "127.0.0.1", "/subscriptions/x", "")
    assert not matches({"method": "POST"}, "GET", "127.0.0.1", "/a", "")
    assert matches({"path_contains": "/query", "body_contains": "exceptions"}, "POST", "localhost",
                   "/v1/workspaces/w/query", '{"query": "exceptions"}')
    assert matches({"host": "api.loganalytics.io"}, "POST", "localhost", "/v1", "")
    assert not matches({"host": "api.loganalytics.io"}, "GET", "127.0.0.1", "/v1", "")


def test_a_deployment_is_matched_at_both_addresses_resource_manager_serves_it():
    recorded = {"path": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Resources/deployments/d1/operations"}
    assert matches(recorded, "GET", "127.0.0.1", "/subscriptions/s/resourcegroups/rg/deployments/d1/operations", "")
    assert not matches(recorded, "GET", "127.0.0.1", "/subscriptions/s/resourcegroups/rg/deployments/d2/operations",
                       "")
    other = {"path": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/d1"}
    assert not matches(other, "GET", "127.0.0.1", "/subscriptions/s/resourcegroups/rg/sites/d1", "")


def test_playback_answers_unmatched_calls_with_not_found_and_records_no_bodies(server: PlaybackServer):
    server.load([{"match": {"path": "/first"}, "status": 200, "body": {"which": 1}},
                 {"match": {"path_contains": "first"}, "status": 200, "body": {"which": 2}}])
    server.calls.clear()
    context = ssl.create_default_context(cafile=server.ca_file)
    headers = {"Authorization": f"Bearer {server.token}"}
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=5)
    connection.request("GET", "/FIRST?api-version=1", headers=headers)
    assert json.loads(connection.getresponse().read()) == {"which": 1}
    connection.request("POST", "/missing", body=b'{"secret": "s3cr3t"}', headers=headers)
    missing = connection.getresponse()
    assert missing.status == 404 and json.loads(missing.read())["error"]["code"] == "ResourceNotFound"
    connection.close()
    assert server.calls == [{"method": "GET", "host": "management.azure.com", "path": "/FIRST", "status": 200},
                            {"method": "POST", "host": "management.azure.com", "path": "/missing", "status": 404}]


def test_playback_faults_are_seeded():
    with PlaybackServer([{"match": {}, "body": {}}], faults=1.0, fault_seed=7) as playback:
        context = ssl.create_default_context(cafile=playback.ca_file)
        statuses = []
        for _ in range(6):
            connection = http.client.HTTPSConnection("localhost", playback.port, context=context, timeout=5)
            try:
                connection.request("GET", "/x", headers={"Authorization": f"Bearer {playback.token}"})
                statuses.append(connection.getresponse().status)
            except (http.client.RemoteDisconnected, ConnectionError):
                statuses.append(599)
            finally:
                connection.close()
        assert set(statuses) <= {429, 503, 599} and statuses == [c["status"] for c in playback.calls]


def test_list_service_health_events_keeps_service_issues_and_planned_maintenance(azure: PlaybackServer):
    def event(name: str, kind: str, status: str) -> dict[str, Any]:
        return {"id": f"/subscriptions/{SUB}/providers/Microsoft.ResourceHealth/events/{name}", "name": name,
                "properties": {"eventType": kind, "status": status, "title": f"SQL Database - West Europe - {name}",
                               "impactStartTime": "2025-09-18T03:02:00Z", "summary": "Connection failures.",
                               "impact": [{"impactedService": "SQL Database",
                                           "impactedRegions": [{"impactedRegion": "West Europe"}]}]}}

    azure.load([{"match": {"path": f"/subscriptions/{SUB}/providers/Microsoft.ResourceHealth/events"},
                 "body": {"value": [event("VL2T-9QX", "ServiceIssue", "Active"),
                                    event("PM-2", "PlannedMaintenance", "Resolved"),
                                    event("HA-3", "HealthAdvisory", "Active")]}}])
    evidence = run("list_service_health_events", subscription_id=SUB)
    assert evidence.status == "success", evidence.summary
    assert [(e["tracking_id"], e["kind"], e["status"]) for e in evidence.data["events"]] == [
        ("VL2T-9QX", "ServiceIssue", "Active"), ("PM-2", "PlannedMaintenance", "Resolved")]
    assert evidence.data["events"][0]["services"] == ["SQL Database"]
    assert evidence.data["events"][0]["regions"] == ["West Europe"]


def test_no_active_service_issue_is_no_data(azure: PlaybackServer):
    azure.load([{"match": {"path": f"/subscriptions/{SUB}/providers/Microsoft.ResourceHealth/events"},
                 "body": {"value": []}}])
    assert run("list_service_health_events", subscription_id=SUB).status == "no_data"
