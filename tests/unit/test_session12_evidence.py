"""Twelfth-session evidence: a Data Factory's failed runs read through their POST queries (and the activity stopped by
its own policy timeout, the managed private endpoint still waiting for approval); an API Management subscription
that is no longer active; a Key Vault reference pinned to a disabled secret version."""

from __future__ import annotations

from typing import Any

from evals.playback import PlaybackServer
from shared.session.state import Material
from shared.tools.catalog import run_tool
from tests.helpers.finding_checks import finding_id, finding_report, reads_state, state_with

SUB = "4ddcb71d-e99a-518b-9f8f-d6f2eadb7c9b"
GROUP = f"/subscriptions/{SUB}/resourceGroups/rg-finance"
FACTORY = f"{GROUP}/providers/Microsoft.DataFactory/factories/adf-finance"
IN_SCOPE = Material(error_description="test", environment={"azure_subscription": SUB})


def pipeline_run(run_id: str, status: str, start: str) -> dict[str, Any]:
    return {"runId": run_id, "pipelineName": "pl-nightly", "runStart": start, "durationInMs": 1805000,
            "status": status, "message": "Operation on target Copy_GL failed: Activity 'Copy_GL' timed out"}


def activity_run(run_id: str, status: str, duration_ms: int) -> dict[str, Any]:
    return {"activityName": "Copy_GL", "activityType": "Copy", "pipelineRunId": run_id, "durationInMs": duration_ms,
            "status": status, "error": {"errorCode": "2200", "message": "the copy was stopped"}}


def factory_answers(duration_ms: int) -> list[dict[str, Any]]:
    runs = [pipeline_run("r-new", "Failed", "2026-12-04T01:00:00Z"), pipeline_run("r-old", "Failed",
                                                                                  "2026-12-03T01:00:00Z"),
            pipeline_run("r-ok", "Succeeded", "2026-12-02T01:00:00Z")]
    definition = {"name": "pl-nightly", "properties": {"activities": [
        {"name": "Copy_GL", "type": "Copy", "policy": {"timeout": "0.00:30:00"}}]}}
    return [{"match": {"method": "POST", "path": f"{FACTORY}/queryPipelineRuns"}, "body": {"value": runs}},
            {"match": {"method": "POST", "path": f"{FACTORY}/pipelineruns/r-new/queryActivityruns"},
             "body": {"value": [activity_run("r-new", "Failed", duration_ms)]}},
            {"match": {"method": "GET", "path": f"{FACTORY}/pipelines/pl-nightly"}, "body": definition}]


def test_failed_runs_are_read_newest_first_with_the_failed_activities_and_their_timeout(azure: PlaybackServer):
    azure.load(factory_answers(1_800_000))
    evidence = run_tool("list_failed_pipeline_runs", {"factory_id": FACTORY}, IN_SCOPE)
    assert evidence.status == "success", evidence.summary
    assert [r["run_id"] for r in evidence.data["runs"]] == ["r-new", "r-old"]  # the succeeded run is left out
    assert evidence.data["activities"] == [{"name": "Copy_GL", "type": "Copy", "duration_ms": 1_800_000,
                                            "error_code": "2200", "message": "the copy was stopped",
                                            "timeout": "0.00:30:00"}]
    assert [c["method"] for c in azure.calls] == ["POST", "POST", "GET"]
    assert "timed out" in evidence.summary  # the run's message is what the catalog scans


def test_a_factory_without_failed_runs_is_no_data(azure: PlaybackServer):
    azure.load([{"match": {"method": "POST", "path": f"{FACTORY}/queryPipelineRuns"},
                 "body": {"value": [pipeline_run("r-ok", "Succeeded", "2026-12-02T01:00:00Z")]}}])
    evidence = run_tool("list_failed_pipeline_runs", {"factory_id": FACTORY}, IN_SCOPE)
    assert evidence.status == "no_data" and evidence.data["runs"] == []
    assert len(azure.calls) == 1


def runs_read(duration_ms: int, timeout: str | None = "0.00:30:00") -> tuple[str, dict[str, Any]]:
    activity = {"name": "Copy_GL", "type": "Copy", "duration_ms": duration_ms, "error_code": "2200",
                "message": "stopped", "timeout": timeout}
    return "list_failed_pipeline_runs", {"runs": [{"pipeline": "pl-nightly"}], "activities": [activity], "count": 1}


def test_an_activity_that_ran_as_long_as_its_timeout_was_stopped_by_it():
    state = state_with("The nightly copy fails after half an hour", [runs_read(1_800_000)])
    assert finding_id(state) == "data-factory-activity-stopped-by-timeout"
    report = finding_report(state)
    assert report.category == "runtime.timeout" and "0.00:30:00" in report.root_cause
    assert "'Copy_GL'" in report.root_cause and "pl-nightly" in report.root_cause


def test_an_activity_that_failed_well_before_its_timeout_is_not_that_finding():
    for read in (runs_read(600_000), runs_read(1_800_000, timeout=None)):
        assert finding_id(state_with("The nightly copy fails", [read])) != "data-factory-activity-stopped-by-timeout"


def managed_endpoints(status: str) -> dict[str, Any]:
    return {"type": "Microsoft.DataFactory/factories/managedVirtualNetworks/managedPrivateEndpoints",
            "endpoints": [{"name": "mpe-lake", "groupId": "dfs", "connectionState": {"status": status},
                           "privateLinkResourceId": f"{GROUP}/providers/Microsoft.Storage/storageAccounts/stlake"}]}


def test_a_pending_managed_private_endpoint_is_the_finding():
    state = reads_state("The copy to the lake is Forbidden since the lockdown", [managed_endpoints("Pending")])
    assert finding_id(state) == "data-factory-managed-private-endpoint-not-approved"
    report = finding_report(state)
    assert "'mpe-lake'" in report.root_cause and "stlake" in report.root_cause and "Pending" in report.root_cause
    assert finding_id(reads_state("Forbidden", [managed_endpoints("Approved")])) is None


def apim_subscriptions(*items: tuple[str, str, str]) -> dict[str, Any]:
    return {"type": "Microsoft.ApiManagement/service/subscriptions",
            "subscriptions": [{"name": name, "displayName": display, "state": state,
                               "expirationDate": "2026-12-01T00:00:00Z"} for name, display, state in items]}


def test_the_named_apim_subscription_that_expired_is_the_finding():
    reads = [apim_subscriptions(("partner-a", "Alpha shipping", "active"), ("partner-b", "Beta", "expired"),
                                ("partner-c", "Gamma", "suspended"))]
    state = reads_state("Partner Beta gets 401 Access denied due to invalid subscription key", reads)
    assert finding_id(state) == "apim-subscription-not-active"
    report = finding_report(state)
    assert report.category == "auth.credential_invalid" and "'Beta' is expired" in report.root_cause
    # two inactive subscriptions and a report that names neither: no guess between them
    assert finding_id(reads_state("A partner gets 401 invalid subscription key", reads)) is None


def test_a_reference_to_a_disabled_secret_version_is_the_finding():
    reference = {"name": "ServiceBusConnection", "status": "OtherReasons", "vaultName": "kv-claims",
                 "secretName": "sb-connection", "secretVersion": "4f1c2b7d", "identityType": "SystemAssigned",
                 "details": "Key Vault returned Forbidden: Operation get is not allowed on a disabled secret."}
    read = {"type": "Microsoft.Web/sites/config/configreferences", "references": [reference]}
    state = reads_state("The Service Bus trigger cannot start since the rotation", [read])
    assert finding_id(state) == "keyvault-reference-secret-version-disabled"
    report = finding_report(state)
    assert report.category == "config.invalid_connection_string"
    assert "pinned version 4f1c2b7d" in report.root_cause and "disabled" in report.root_cause
    resolved = {**reference, "status": "Resolved", "details": "Reference has been successfully resolved."}
    assert finding_id(reads_state("fails", [{**read, "references": [resolved]}])) is None


def sql_databases(*names: str) -> dict[str, Any]:
    server = f"{GROUP}/providers/Microsoft.Sql/servers/sql-orders"
    return {"type": "Microsoft.Sql/servers/databases", "ids": [f"{server}/databases/{n}" for n in names]}


def test_a_database_the_error_cannot_open_and_the_server_does_not_hold_is_a_wrong_name():
    logged = {"columns": ["Message"], "rows": [['Cannot open database "orders" requested by the login. The login '
                                                "failed. Login failed for user '<token-identified principal>'."]]}
    state = state_with("All order endpoints fail since Thursday; the log says Login failed",
                       [("query_logs", logged), ("get_resource", sql_databases("master", "orders_2024_archive"))])
    assert finding_id(state) == "sql-database-named-in-error-missing"
    report = finding_report(state)
    assert report.category == "config.wrong_resource_name"
    assert "'orders'" in report.root_cause and "orders_2024_archive" in report.root_cause
    assert "master" not in report.root_cause
    held = state_with("fails", [("query_logs", logged), ("get_resource", sql_databases("master", "orders"))])
    assert finding_id(held) != "sql-database-named-in-error-missing"


def gateway(tier: str) -> dict[str, Any]:
    subnet = f"{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-agw"
    return {"type": "Microsoft.Network/applicationGateways", "name": "agw-portal", "sku": {"tier": tier},
            "gatewaySubnet": [subnet]}


def route_table(next_hop: str) -> dict[str, Any]:
    return {"type": "Microsoft.Network/routeTables", "name": "rt-default-to-hub",
            "subnets": [f"{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-agw"],
            "routes": [{"name": "default", "addressPrefix": "0.0.0.0/0", "nextHopType": next_hop}]}


def test_a_v2_gateway_subnet_whose_default_route_goes_to_an_appliance_is_the_finding():
    state = reads_state("The portal behind the gateway times out", [gateway("WAF_v2"), route_table("VirtualAppliance")])
    assert finding_id(state) == "app-gateway-v2-subnet-default-route-not-internet"
    report = finding_report(state)
    assert report.category == "network.nsg_blocked" and "snet-agw" in report.root_cause
    assert "0.0.0.0/0" in report.root_cause and "VirtualAppliance" in report.root_cause
    for reads in ([gateway("WAF_v2"), route_table("Internet")], [gateway("Standard"), route_table("VirtualAppliance")]):
        assert finding_id(reads_state("times out", reads)) != "app-gateway-v2-subnet-default-route-not-internet"


def lifecycle(prefix: str) -> list[dict[str, Any]]:
    policy = {"type": "Microsoft.Storage/storageAccounts/managementPolicies",
              "rules": [{"name": "delete-daily-90d", "enabled": True,
                         "definition": {"filters": {"prefixMatch": [prefix]}}}]}
    containers = {"type": "Microsoft.Storage/storageAccounts/blobServices/containers",
                  "containers": [{"name": "exports"}, {"name": "archive"}]}
    return [policy, containers]


def test_a_lifecycle_prefix_that_names_no_container_is_a_wrong_name():
    report = "The rule should delete the exports under exports/daily/ but deletes nothing"
    state = reads_state(report, lifecycle("daily/"))
    assert finding_id(state) == "storage-lifecycle-prefix-without-container"
    report = finding_report(state)
    assert report.category == "config.wrong_resource_name"
    assert "'daily/'" in report.root_cause and "'exports/daily/'" in report.root_cause
    assert finding_id(reads_state("deletes nothing", lifecycle("exports/daily/"))) is None


def storage_account(bypass: str) -> dict[str, Any]:
    return {"type": "Microsoft.Storage/storageAccounts", "name": "starchive",
            "networkAcls": {"defaultAction": "Deny", "bypass": bypass}}


def test_a_firewall_without_the_trusted_services_exception_blocks_the_service_the_report_names():
    state = reads_state("No new Event Hubs Capture files have landed since Tuesday", [storage_account("None")])
    assert finding_id(state) == "storage-firewall-without-trusted-services-bypass"
    report = finding_report(state)
    assert report.category == "network.storage_firewall" and "Event Hubs Capture" in report.root_cause
    with_bypass = reads_state("No new Event Hubs Capture files", [storage_account("Logging, Metrics, AzureServices")])
    assert finding_id(with_bypass) != "storage-firewall-without-trusted-services-bypass"
    unnamed = reads_state("The files stopped arriving", [storage_account("None")])
    assert finding_id(unnamed) != "storage-firewall-without-trusted-services-bypass"


def test_pulls_answered_429_by_a_basic_registry_are_throttling():
    logged = {"columns": ["Message"], "rows": [["Failed to pull image \"crshop.azurecr.io/shop/catalog:3\": unexpected "
                                                "status code https://crshop.azurecr.io/v2/...: 429 Too Many Requests"]]}
    registry = {"type": "Microsoft.ContainerRegistry/registries", "name": "crshop", "sku": "Basic",
                "loginServer": "crshop.azurecr.io"}
    state = state_with("Pods sit in ImagePullBackOff during the scale-out",
                       [("query_logs", logged), ("get_resource", registry)])
    assert finding_id(state) == "container-registry-throttled-by-tier"
    report = finding_report(state)
    assert report.category == "throttling.rate_limited"
    assert "Basic" in report.root_cause and "1,000" in report.root_cause
    other = state_with("ImagePullBackOff", [("query_logs", {"columns": ["Message"], "rows": [["401 Unauthorized"]]}),
                                            ("get_resource", registry)])
    assert finding_id(other) != "container-registry-throttled-by-tier"


def run_actions(code: str, end: str) -> dict[str, Any]:
    return {"type": "Microsoft.Logic/workflows/runs/actions",
            "actions": [{"name": "Call_export_API", "status": "Failed", "code": code,
                         "startTime": "2026-03-19T01:00:01Z", "endTime": end},
                        {"name": "Upload", "status": "Skipped", "code": "ActionDependencyFailed"}]}


def test_an_action_cut_after_two_minutes_is_the_outbound_request_limit():
    state = reads_state("The nightly export stopped working", [run_actions("GatewayTimeout", "2026-03-19T01:02:03Z")])
    assert finding_id(state) == "logic-app-action-cut-at-outbound-request-limit"
    report = finding_report(state)
    assert report.category == "runtime.timeout" and "122 seconds" in report.root_cause and "120" in report.root_cause
    quick = reads_state("stopped working", [run_actions("GatewayTimeout", "2026-03-19T01:00:31Z")])
    assert finding_id(quick) != "logic-app-action-cut-at-outbound-request-limit"


def connection(status: str, message: str = "") -> dict[str, Any]:
    statuses = [{"status": status, **({"error": {"code": "Unauthenticated", "message": message}} if message else {})}]
    return {"type": "Microsoft.Web/connections", "name": "sharepointonline", "overallStatus": status,
            "statuses": statuses, "authenticatedUser": "leaver@example.com"}


def test_an_api_connection_that_cannot_refresh_its_token_is_the_finding():
    error = "Failed to refresh access token for service: sharepointonline. AADSTS50057: The user account is disabled."
    state = reads_state("The Create file step fails with 401 Unauthorized", [connection("Error", error)])
    assert finding_id(state) == "logic-app-api-connection-in-error"
    report = finding_report(state)
    assert report.category == "auth.credential_invalid" and "AADSTS50057" in report.root_cause
    assert "leaver@example.com" in report.root_cause
    assert finding_id(reads_state("401 Unauthorized", [connection("Connected")])) is None
