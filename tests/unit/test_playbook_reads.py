"""Which Azure reads a playbook makes when a read comes back empty or refused: a workspace that cannot be read gives
way to the resource's own logs in resource context; a named deployment with no failed operation gives way to the
group's deployment records, where a template that failed validation keeps its inner errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.engines.playbooks import investigate
from shared.models import Options
from shared.session.state import Evidence, Material, RunTool, SessionState

SUB = "00000000-0000-0000-0000-000000000001"
CLUSTER = f"/subscriptions/{SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-a"
WORKSPACE = f"/subscriptions/{SUB}/resourceGroups/rg-aks/providers/Microsoft.OperationalInsights/workspaces/log-a"


def _state(text: str, environment: dict[str, Any] | None = None) -> SessionState:
    return SessionState(trace_id="p" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                        material=Material(error_description=text, environment=environment or {}))


def _drive(state: SessionState, answer: Callable[[RunTool], tuple[str, dict[str, Any]]],
           limit: int = 12) -> list[RunTool]:
    """The playbook's reads in order, each answered by `answer` (status, data)."""
    calls: list[RunTool] = []
    while len(calls) < limit and isinstance(step := investigate(state), RunTool):
        calls.append(step)
        status, data = answer(step)
        state.add_evidence(Evidence(tool=step.tool, arguments=step.arguments, status=status, summary=status,
                                    data=data))
    return calls


def _listing(*resource_ids: str) -> tuple[str, dict[str, Any]]:
    """A resource group listing of these resources, their names and types taken from their ids."""
    def listed(resource_id: str) -> dict[str, str]:
        provider = resource_id.split("/providers/")[-1].split("/")
        return {"id": resource_id, "name": provider[-1], "type": "/".join(provider[:2])}
    return "success", {"resources": [listed(r) for r in resource_ids]}


def test_a_workspace_that_cannot_be_read_gives_way_to_the_cluster_s_own_logs():
    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.tool == "list_resources_in_group":
            return "success", {"resources": [{"id": CLUSTER, "name": "aks-a",
                                              "type": "Microsoft.ContainerService/managedClusters"},
                                             {"id": WORKSPACE, "name": "log-a",
                                              "type": "Microsoft.OperationalInsights/workspaces"}]}
        if step.tool == "query_logs" and "workspace_resource_id" in step.arguments:
            return "no_data", {}  # the workspace read answered 404: no query ran
        return "success", {"rows": [], "columns": []} if step.tool == "query_logs" else {}

    calls = _drive(_state(f"Service EXTERNAL-IP stays pending on {CLUSTER}"), answer)
    queries = [c.arguments for c in calls if c.tool == "query_logs"]
    assert queries[0].get("workspace_resource_id") == WORKSPACE
    assert queries[1].get("resource_id") == CLUSTER and queries[1].get("template") == "aks-cluster-events"


def test_a_workspace_query_that_ran_is_not_repeated_in_resource_context():
    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.tool == "list_resources_in_group":
            return "success", {"resources": [{"id": WORKSPACE, "name": "log-a",
                                              "type": "Microsoft.OperationalInsights/workspaces"}]}
        return ("no_data", {"rows": [], "columns": []}) if step.tool == "query_logs" else ("success", {})

    calls = _drive(_state(f"Service EXTERNAL-IP stays pending on {CLUSTER}"), answer)
    assert [c.arguments.get("resource_id") for c in calls if c.tool == "query_logs"] == [None]


def test_a_named_deployment_without_failed_operations_is_looked_up_in_the_group_s_deployments():
    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.tool == "list_deployment_operations":
            return "no_data", {"operations": 0, "failed": []}
        return "success", {}

    state = _state("InvalidTemplateDeployment: The template deployment 'ml-1.2' is not valid. See inner errors.",
                   {"azure_subscription": SUB, "resource_group": "rg-ml", "deployment_name": "ml-1.2"})
    calls = _drive(state, answer, limit=3)
    assert calls[0].tool == "list_deployment_operations"
    assert calls[1].tool == "get_resource"
    assert calls[1].arguments["resource_id"].endswith("/resourceGroups/rg-ml/providers/Microsoft.Resources/deployments")


def test_a_pipeline_that_fails_on_a_deployment_reads_the_named_deployment_first():
    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        return "success", {}

    environment = {"azure_subscription": SUB, "resource_group": "rg-docs", "deployment_name": "docs-1.3"}
    said = "Our pipeline fails on the portal deployment: 'The template deployment ... is not valid according to the"
    calls = _drive(_state(said + " validation procedure'", environment), answer, limit=2)
    assert calls[0].tool == "list_deployment_operations"
    calls = _drive(_state("The portal shows an old version of the page.", environment), answer, limit=2)
    assert all(c.tool != "list_deployment_operations" for c in calls)


def test_a_named_deployment_with_a_failed_operation_needs_no_listing():
    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.tool == "list_deployment_operations":
            return "success", {"operations": 3, "failed": [{"code": "MissingSubscriptionRegistration"}]}
        return "success", {}

    state = _state("DeploymentFailed: At least one resource deployment operation failed.",
                   {"azure_subscription": SUB, "resource_group": "rg-edge", "deployment_name": "edge-1"})
    calls = _drive(state, answer, limit=3)
    assert calls[0].tool == "list_deployment_operations"
    assert not any(c.arguments.get("resource_id", "").endswith("/deployments") for c in calls[1:])


def test_a_read_the_tool_would_refuse_is_skipped_not_fatal():
    from shared.engines.analyzers.ledger import azure_call

    state = _state("anything")
    bad = azure_call(state, "query_logs", {"resource_id": "/not/a/resource", "template": "function-app-errors",
                                           "resource_name": "app"}, "reading logs")
    assert bad is None
    good = azure_call(state, "query_logs", {"resource_id": CLUSTER, "template": "aks-cluster-events",
                                            "resource_name": "aks-a"}, "reading logs")
    assert isinstance(good, RunTool) and good.arguments["hours"] == 24


GROUP = f"/subscriptions/{SUB}/resourceGroups/rg-batch"
JOB = f"{GROUP}/providers/Microsoft.App/jobs/caj-nightly"


def test_a_job_named_as_a_container_app_is_read_as_the_job_the_listing_shows():
    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.tool == "get_resource" and "/containerApps/" in step.arguments["resource_id"]:
            return "no_data", {"http_status": 404}
        if step.tool == "list_resources_in_group":
            return "success", {"resources": [{"id": JOB, "name": "caj-nightly", "type": "Microsoft.App/jobs"}]}
        return "success", {}

    state = _state("The nightly job failed twice.", {"azure_subscription": SUB, "resource_group": "rg-batch",
                                                      "container_app": "caj-nightly"})
    calls = _drive(state, answer, limit=4)
    assert [c.arguments.get("resource_id") for c in calls[2:4]] == [JOB, f"{JOB}/executions"]


def test_failed_executions_as_long_as_the_replica_timeout_are_the_timeout_not_memory():
    from shared.engines.playbooks import finding

    def state_with(duration_end: str) -> SessionState:
        state = _state("The nightly job failed.")
        state.add_evidence(Evidence(tool="get_resource", status="success", summary="job", data={
            "type": "Microsoft.App/jobs", "name": "caj-nightly", "replicaTimeout": 1800}))
        state.add_evidence(Evidence(tool="get_resource", status="success", summary="executions", data={
            "executions": [{"name": "e2", "status": "Failed", "startTime": "2025-09-17T02:00:04Z",
                            "endTime": duration_end},
                           {"name": "e1", "status": "Succeeded", "startTime": "2025-09-16T02:00:04Z",
                            "endTime": "2025-09-16T02:27:00Z"}]}))
        return state

    rule, facts = finding(state_with("2025-09-17T02:30:10Z")) or ({}, {})
    assert rule.get("id") == "container-job-replica-timeout" and facts["timeout"] == "1800"
    quick = finding(state_with("2025-09-17T02:03:00Z"))
    assert quick is None or quick[0]["id"] != "container-job-replica-timeout"


def test_a_database_server_at_its_storage_limit_explains_writes_that_fail():
    from shared.engines.playbooks import finding

    def state_with(peak: float) -> SessionState:
        state = _state("Writes fail with HTTP 500, reads work.")
        state.add_evidence(Evidence(tool="get_resource", status="success", summary="server", data={
            "type": "Microsoft.DBforMySQL/flexibleServers", "name": "mysql-a",
            "storage": {"storageSizeGB": 32, "autoGrow": "Disabled"}}))
        state.add_evidence(Evidence(tool="query_metrics", status="success", summary="metrics", data={
            "metrics": [{"name": "storage_percent", "max": peak, "avg": peak - 2},
                        {"name": "cpu_percent", "max": 99.0, "avg": 40.0}]}))
        return state

    rule, facts = finding(state_with(96.0)) or ({}, {})
    assert rule.get("id") == "database-storage-nearly-full" and facts["grow"] == ", storage auto-grow Disabled"
    assert finding(state_with(60.0)) is None


def test_a_second_resource_the_report_names_is_read_after_the_first():
    server = f"{GROUP}/providers/Microsoft.DBforMySQL/flexibleServers/mysql-a"
    app = f"{GROUP}/providers/Microsoft.Web/sites/app-a"

    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.tool == "list_resources_in_group":
            return "success", {"resources": [{"id": app, "name": "app-a", "type": "Microsoft.Web/sites"},
                                             {"id": server, "name": "mysql-a",
                                              "type": "Microsoft.DBforMySQL/flexibleServers"}]}
        return "success", {}

    state = _state("app-a cannot save since yesterday; it talks to mysql-a.",
                   {"azure_subscription": SUB, "resource_group": "rg-batch", "web_app": "app-a"})
    calls = _drive(state, answer, limit=20)
    read = [c.arguments.get("resource_id") for c in calls]
    assert read[0] == app and server in read
    assert any(c.tool == "query_metrics" and c.arguments["resource_id"] == server for c in calls)
    assert read.index(server) > max(i for i, r in enumerate(read) if r and r.startswith(app))


def test_a_private_endpoint_for_blob_does_not_carry_the_queue_calls_the_firewall_refuses():
    from shared.engines.playbooks import finding

    account_id = f"{GROUP}/providers/Microsoft.Storage/storageAccounts/stdocs"

    def state_with(log: str, group_ids: list[str]) -> SessionState:
        state = _state("Enqueueing work fails since Monday; uploads work.")
        state.add_evidence(Evidence(tool="get_resource", status="success", summary="account", data={
            "type": "Microsoft.Storage/storageAccounts", "name": "stdocs", "publicNetworkAccess": "Disabled",
            "networkAcls": {"defaultAction": "Deny"}, "privateEndpointConnections": 1}))
        state.add_evidence(Evidence(tool="get_resource", status="success", summary="pe", data={
            "type": "Microsoft.Network/privateEndpoints", "name": "pe-stdocs",
            "connections": [{"name": "pe", "privateLinkServiceId": account_id, "groupIds": group_ids}]}))
        state.add_evidence(Evidence(tool="query_logs", status="success", summary="rows", data={
            "columns": ["t", "target", "code", "message"],
            "rows": [["2025-09-15", log, "403", "AuthorizationFailure"]]}))
        return state

    rule, facts = finding(state_with("stdocs.queue.core.windows.net", ["blob"])) or ({}, {})
    assert rule.get("id") == "storage-private-endpoint-missing-for-service"
    assert facts == {"name": "stdocs", "missing": "queue", "served": "blob"}
    served = finding(state_with("stdocs.queue.core.windows.net", ["blob", "queue"]))
    assert served is None or served[0]["id"] != "storage-private-endpoint-missing-for-service"


def test_a_second_function_app_does_not_query_the_workspace_the_first_one_queried():
    other = f"{GROUP}/providers/Microsoft.Web/sites/func-b"
    first = f"{GROUP}/providers/Microsoft.Web/sites/func-a"
    workspace = f"{GROUP}/providers/Microsoft.OperationalInsights/workspaces/log-a"

    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.tool == "list_resources_in_group":
            return _listing(first, other, workspace)
        if step.tool == "query_logs":
            return "success", {"rows": [], "columns": []}
        return "success", {}

    state = _state("func-a and func-b both stopped processing.",
                   {"azure_subscription": SUB, "resource_group": "rg-batch", "function_app": "func-a"})
    calls = _drive(state, answer, limit=30)
    assert [c.arguments.get("resource_name") for c in calls if c.tool == "query_logs"] == ["func-a"]
    assert any(c.arguments.get("resource_id") == other for c in calls)


def test_a_kind_the_report_only_mentions_is_read_after_the_named_app():
    app = f"{GROUP}/providers/Microsoft.Web/sites/app-c"
    cache = f"{GROUP}/providers/Microsoft.Cache/Redis/redis-c"
    machine = f"{GROUP}/providers/Microsoft.Compute/virtualMachines/vm-c"

    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        return _listing(app, cache, machine) if step.tool == "list_resources_in_group" else ("success", {})

    state = _state("The catalog page fails with connection errors since this morning.",
                   {"azure_subscription": SUB, "resource_group": "rg-batch", "web_app": "app-c",
                    "technologies": ["app-service", "azure-cache-for-redis"]})
    read = [(c.tool, c.arguments.get("resource_id")) for c in _drive(state, answer, limit=30)]
    assert ("get_resource", cache) in read and ("get_resource_health", cache) in read
    assert all(resource != machine for _, resource in read)  # a kind nobody mentioned stays unread


def test_a_front_door_profile_s_origins_are_read_through_its_origin_groups():
    profile = f"{GROUP}/providers/Microsoft.Cdn/profiles/afd-d"

    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.arguments.get("resource_id") == f"{profile}/originGroups":
            return "success", {"ids": [f"{profile}/originGroups/og-1", f"{profile}/originGroups/og-2",
                                       f"{profile}/originGroups/og-3"]}
        return "success", {}

    reads = [c.arguments.get("resource_id") for c in _drive(_state(f"Front Door answers 503: {profile}"), answer)]
    assert reads[:4] == [profile, f"{profile}/originGroups", f"{profile}/originGroups/og-1/origins",
                         f"{profile}/originGroups/og-2/origins"]  # at most two groups


def test_a_read_with_a_condition_runs_only_when_the_report_names_that_setup():
    app = f"{GROUP}/providers/Microsoft.Web/sites/app-e"

    def reads(text: str) -> list[str]:
        calls = _drive(_state(f"{text} {app}"), lambda step: ("success", {}), limit=30)
        return [str(c.arguments.get("resource_id")) for c in calls]

    assert f"{app}/privateEndpointConnections" in reads("Through our private endpoint the site answers 403.")
    assert f"{app}/privateEndpointConnections" not in reads("The site answers 403.")


def test_a_pending_private_endpoint_connection_is_the_finding():
    from shared.engines.playbooks import finding

    def found(states: list[str]) -> str | None:
        state = _state("Front Door answers 503 for the portal.")
        state.add_evidence(Evidence(tool="get_resource", status="success", summary="origins", data={
            "type": "Microsoft.Cdn/profiles/originGroups/origins", "name": "og-1", "privateLinkStates": states}))
        result = finding(state)
        return result[0]["id"] if result else None

    assert found(["Approved", "Pending"]) == "private-endpoint-connection-not-approved"
    assert found(["Approved"]) != "private-endpoint-connection-not-approved"


def _found(*reads: tuple[str, dict[str, Any]], delegates: bool = True) -> str | None:
    """The finding a session with these Azure results (tool, data) reaches."""
    from shared.engines.playbooks import finding

    state = _state("It stopped working this morning.")
    for tool, data in reads:
        state.add_evidence(Evidence(tool=tool, status="success", summary=tool, data=data))
    result = finding(state, delegates=delegates)
    return result[0]["id"] if result else None


def test_a_service_health_event_of_the_resource_s_service_and_region_is_the_platform_s():
    server = ("get_resource", {"type": "Microsoft.Sql/servers", "name": "sql-a", "location": "westeurope"})
    issue = {"tracking_id": "VL2T-9QX", "kind": "ServiceIssue", "status": "Active",
             "title": "SQL Database - West Europe", "services": ["SQL Database"], "regions": ["West Europe"]}

    def events(*found: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "list_service_health_events", {"events": list(found)}
    assert _found(server, events(issue)) == "service-health-event-for-resource"
    assert _found(server, events({**issue, "regions": ["East US"]})) is None
    assert _found(server, events({**issue, "services": ["Azure Cosmos DB"]})) is None
    assert _found(server, events({**issue, "status": "Resolved"})) is None  # the report's failure is not over


def test_the_service_issue_says_what_resource_health_showed_of_the_resource():
    from shared.engines.computed_findings.platform import service_issue_for_resource
    from shared.engines.playbooks import finding

    server_id = f"{GROUP}/providers/Microsoft.Sql/servers/sql-a"
    state = _state("About a third of our queries time out since 09:05.")
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="server", data={
        "id": server_id, "type": "Microsoft.Sql/servers", "name": "sql-a", "location": "westeurope"}))
    state.add_evidence(Evidence(tool="list_service_health_events", status="success", summary="events", data={
        "events": [{"tracking_id": "VL2T-9QX", "kind": "ServiceIssue", "status": "Active", "title": "SQL Database",
                    "services": ["SQL Database"], "regions": ["West Europe"]}]}))
    assert "health" not in (service_issue_for_resource(state) or {})  # Resource Health not read: nothing said
    state.add_evidence(Evidence(tool="get_resource_health", status="success", summary="health",
                                arguments={"resource_id": server_id.upper()},
                                data={"availabilityState": "Degraded", "summary": "degraded"}))
    result = finding(state)
    assert result is not None and result[1]["health"] == "degraded"


def test_a_resolved_event_explains_a_failure_that_is_over():
    from shared.engines.playbooks import finding

    state = _state("Overnight the API threw database errors for a few minutes, then it recovered by itself.")
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="server", data={
        "type": "Microsoft.DBforPostgreSQL/flexibleServers", "name": "psql-a", "location": "West Europe"}))
    state.add_evidence(Evidence(tool="list_service_health_events", status="success", summary="events", data={
        "events": [{"tracking_id": "QK0R-3T8", "kind": "PlannedMaintenance", "status": "Resolved",
                    "title": "Planned maintenance", "services": ["Azure Database for PostgreSQL flexible servers"],
                    "regions": ["West Europe"]}]}))
    result = finding(state)
    assert result is not None and result[0]["id"] == "service-health-event-for-resource"
    assert result[1]["kind"] == "planned maintenance"


def test_a_privatelink_zone_named_after_the_service_but_not_its_real_zone_is_misnamed():
    def listing(*zones: str) -> tuple[str, dict[str, Any]]:
        return "list_resources_in_group", {"resources": [{"id": f"/z/{z}", "name": z,
                                                          "type": "Microsoft.Network/privateDnsZones"} for z in zones]}
    hub = ("get_resource", {"type": "Microsoft.EventHub/namespaces", "name": "evh-a"})
    assert _found(listing("privatelink.eventhub.windows.net"), hub) == "private-dns-zone-misnamed"
    assert _found(listing("privatelink.servicebus.windows.net", "privatelink.eventhub.windows.net"), hub) is None
    assert _found(listing("privatelink.monitor.azure.com"), hub) is None  # a zone of another service


def test_a_subnet_rule_needs_the_service_endpoint_on_the_app_s_subnet():
    subnet = f"{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/snet-app"
    site = ("get_resource", {"type": "Microsoft.Web/sites", "name": "app-a", "virtualNetworkSubnetId": subnet})
    account = ("get_resource", {"type": "Microsoft.CognitiveServices/accounts", "name": "oai-a",
                                "networkAcls": {"defaultAction": "Deny", "virtualNetworkRules": [subnet.upper()]}})

    def subnet_with(*endpoints: str) -> tuple[str, dict[str, Any]]:
        return "get_resource", {"type": "Microsoft.Network/virtualNetworks/subnets", "id": subnet,
                                "serviceEndpoints": list(endpoints)}
    assert _found(site, account, subnet_with("Microsoft.Storage")) == "subnet-rule-without-service-endpoint"
    assert _found(site, account, subnet_with("Microsoft.CognitiveServices")) is None


def test_premium_scale_monitoring_off_matters_only_for_a_source_reached_privately():
    site = ("get_resource", {"type": "Microsoft.Web/sites", "name": "func-a",
                             "siteConfig": {"minimumElasticInstanceCount": 1,
                                            "functionsRuntimeScaleMonitoringEnabled": False}})
    private = ("get_resource", {"type": "Microsoft.ServiceBus/namespaces", "name": "sb-a",
                                "publicNetworkAccess": "Disabled"})
    public = ("get_resource", {"type": "Microsoft.ServiceBus/namespaces", "name": "sb-a",
                               "publicNetworkAccess": "Enabled"})
    assert _found(site, private) == "premium-scale-monitoring-off-for-private-trigger"
    assert _found(site, public) is None
    dedicated = ("get_resource", {**site[1], "siteConfig": {"minimumElasticInstanceCount": 0,
                                                            "functionsRuntimeScaleMonitoringEnabled": False}})
    assert _found(dedicated, private) != "premium-scale-monitoring-off-for-private-trigger"


def test_a_vault_s_network_rules_are_not_a_storage_firewall():
    vault = ("get_resource", {"type": "Microsoft.KeyVault/vaults", "name": "kv-a",
                              "networkAcls": {"defaultAction": "Deny"}})
    storage = ("get_resource", {"type": "Microsoft.Storage/storageAccounts", "name": "st-a",
                                "networkAcls": {"defaultAction": "Deny"}})
    assert _found(vault) != "storage-account-denies-by-default"
    assert _found(storage) == "storage-account-denies-by-default"
    assert _found(storage, delegates=False) != "storage-account-denies-by-default"


def test_the_subnet_an_app_is_integrated_into_is_read():
    app = f"{GROUP}/providers/Microsoft.Web/sites/app-f"
    subnet = f"{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-f/subnets/snet-f"

    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.arguments.get("resource_id") == app:
            return "success", {"type": "Microsoft.Web/sites", "name": "app-f", "virtualNetworkSubnetId": subnet}
        return "success", {}

    reads = [c.arguments.get("resource_id") for c in _drive(_state(f"The site fails: {app}"), answer, limit=30)]
    assert subnet in reads


def test_references_that_still_use_a_system_identity_the_app_no_longer_has():
    failed = ("get_resource", {"type": "Microsoft.Web/sites/config", "references": [
        {"name": "SQL_PASSWORD", "status": "MSINotEnabled", "vaultName": "kv-a", "secretName": "sql"}]})

    def site(kinds: str, chosen: str | None) -> tuple[str, dict[str, Any]]:
        return "get_resource", {"type": "Microsoft.Web/sites", "name": "func-a", "identity": {"type": kinds},
                                "keyVaultReferenceIdentity": chosen}
    assert _found(site("UserAssigned", None), failed) == "keyvault-reference-identity-not-chosen"
    assert _found(site("UserAssigned", "SystemAssigned"), failed) == "keyvault-reference-identity-not-chosen"
    assert _found(site("UserAssigned", "/subscriptions/x/id-a"), failed) != "keyvault-reference-identity-not-chosen"
    assert _found(site("SystemAssigned, UserAssigned", None), failed) != "keyvault-reference-identity-not-chosen"


def test_the_only_workspace_of_the_group_is_queried_without_reading_it_first():
    app = f"{GROUP}/providers/Microsoft.App/containerApps/ca-g"
    environment = f"{GROUP}/providers/Microsoft.App/managedEnvironments/cae-g"
    workspace = f"{GROUP}/providers/Microsoft.OperationalInsights/workspaces/log-g"

    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.tool == "list_resources_in_group":
            return _listing(app, workspace)
        if step.arguments.get("resource_id") == app:
            return "success", {"type": "Microsoft.App/containerApps", "managedEnvironmentId": environment}
        if step.arguments.get("resource_id") == environment:
            return "success", {"logsCustomerId": "5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"}
        return "success", {}

    calls = _drive(_state(f"The worker never scales: {app}"), answer, limit=30)
    assert not any(c.tool == "get_resource" and c.arguments.get("resource_id") == workspace for c in calls)
    assert any(c.tool == "query_logs" and c.arguments.get("workspace_resource_id") == workspace for c in calls)


def _found_for(text: str, *reads: tuple[str, dict[str, Any]]) -> str | None:
    from shared.engines.playbooks import finding

    state = _state(text)
    for tool, data in reads:
        state.add_evidence(Evidence(tool=tool, status="success", summary=tool, data=data))
    result = finding(state)
    return result[0]["id"] if result else None


def test_a_name_that_does_not_resolve_for_a_private_only_resource_is_its_private_dns():
    cosmos = ("get_resource", {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-a",
                               "publicNetworkAccess": "Disabled"})
    unresolved = "The new region's function cannot connect to Cosmos DB: 'No such host is known'."
    assert _found_for(unresolved, cosmos) == "name-not-resolved-for-private-only-resource"
    refused = "The function gets 403 Forbidden from Cosmos DB since this morning."
    assert _found_for(refused, cosmos) == "dependency-public-network-access-disabled"


def test_an_internal_container_apps_environment_needs_a_private_zone_for_its_domain():
    environment = ("get_resource", {"type": "Microsoft.App/managedEnvironments", "name": "cae-a", "internal": True,
                                    "defaultDomain": "blue-1.westeurope.azurecontainerapps.io"})
    said = "The portal cannot call the API on the new environment: 'Name or service not known'."
    assert _found_for(said, environment) == "internal-container-apps-environment-without-private-dns"
    public = ("get_resource", {**environment[1], "internal": False})
    assert _found_for(said, ("get_resource", public[1])) != "internal-container-apps-environment-without-private-dns"


def test_custom_dns_servers_of_the_app_s_network_explain_names_that_fail_only_in_its_logs():
    from shared.engines.playbooks import finding

    vnet = {"type": "Microsoft.Network/virtualNetworks", "name": "vnet-a", "dnsServers": ["10.40.0.4"]}
    state = _state("Since 08:10 the app fails every call it makes. Nothing was deployed.")
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="vnet", data=vnet))
    assert (finding(state) or ({"id": None},))[0]["id"] != "vnet-custom-dns-servers-for-failing-names"
    state.add_evidence(Evidence(tool="query_logs", status="success", summary="logs", data={
        "columns": ["TimeGenerated", "Message"],
        "rows": [["08:11", "ServiceBusConnectionError: [Errno -2] Name or service not known"]]}))
    result = finding(state)
    assert result is not None and result[0]["id"] == "vnet-custom-dns-servers-for-failing-names"
    assert result[1]["value"] == "10.40.0.4"


def test_the_virtual_network_of_an_integrated_app_is_read_through_its_subnet():
    subnet = f"{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/snet-app"

    def answer(step: RunTool) -> tuple[str, dict[str, Any]]:
        if step.tool == "get_resource" and step.arguments["resource_id"].endswith("/sites/app-a"):
            return "success", {"type": "Microsoft.Web/sites", "name": "app-a", "virtualNetworkSubnetId": subnet}
        return "no_data", {}

    state = _state("app-a fails every call since the restart.",
                   {"azure_subscription": SUB, "resource_group": "rg-batch", "web_app": "app-a"})
    read = [c.arguments.get("resource_id") for c in _drive(state, answer, limit=12) if c.tool == "get_resource"]
    assert subnet in read and subnet.rsplit("/", 2)[0] in read


def test_a_certificate_app_service_can_no_longer_read_from_its_vault_is_the_vault_s_access():
    cert = {"type": "Microsoft.Web/certificates", "name": "portal-2025", "expirationDate": "2025-11-02T23:59:59+00:00",
            "keyVaultSecretStatus": "AzureServiceUnauthorizedToAccessKeyVault"}
    assert _found_for("Partners get NET::ERR_CERT_DATE_INVALID.", ("get_resource", cert)) == \
        "app-service-certificate-keyvault-sync-denied"
    synced = {**cert, "keyVaultSecretStatus": "Succeeded"}
    assert _found_for("Partners get NET::ERR_CERT_DATE_INVALID.", ("get_resource", synced)) != \
        "app-service-certificate-keyvault-sync-denied"


def test_a_deleted_shared_access_policy_explains_the_namespace_s_401s():
    deleted = {"events": [{"time": "2025-11-11T15:32:19Z", "operation":
                           "Microsoft.ServiceBus/namespaces/authorizationRules/delete", "status": "Succeeded",
                           "caller": "ops@example.com", "resource_id":
                           f"{GROUP}/providers/Microsoft.ServiceBus/namespaces/sb-a/authorizationRules/send-api"}]}
    assert _found_for("Checkout returns 500 when it publishes.", ("list_activity_log", deleted)) == \
        "messaging-sas-policy-deleted"
    failed = {"events": [{**deleted["events"][0], "status": "Failed"}]}
    assert _found_for("Checkout returns 500 when it publishes.", ("list_activity_log", failed)) is None


def test_a_container_app_pulling_with_admin_credentials_from_a_registry_without_its_admin_user():
    app = {"type": "Microsoft.App/containerApps", "name": "ca-a",
           "registries": [{"server": "cra.azurecr.io", "username": "cra"}]}
    registry = {"type": "Microsoft.ContainerRegistry/registries", "name": "cra", "loginServer": "cra.azurecr.io",
                "adminUserEnabled": False}
    said = "The new revision never becomes ready."
    assert _found_for(said, ("get_resource", app), ("get_resource", registry)) == \
        "container-app-registry-admin-user-disabled"
    by_identity = {**app, "registries": [{"server": "cra.azurecr.io", "identity": "system"}]}
    assert _found_for(said, ("get_resource", by_identity), ("get_resource", registry)) != \
        "container-app-registry-admin-user-disabled"


def test_a_flex_consumption_app_is_not_called_one_without_a_worker_runtime_setting():
    site = ("get_resource", {"type": "Microsoft.Web/sites", "name": "func-a", "kind": "functionapp,linux"})
    names = ("list_app_setting_names", {"names": ["AzureWebJobsStorage__accountName"]})
    assert _found_for("Every webhook gets 401 since the release.", site, names) == "function-app-without-worker-runtime"
    from shared.engines.playbooks import finding

    flex = {"technologies": ["azure-functions", "flex-consumption"]}
    state = _state("Every webhook gets 401 since the release.", flex)
    for tool, data in (site, names):
        state.add_evidence(Evidence(tool=tool, status="success", summary=tool, data=data))
    assert (finding(state) or ({"id": None},))[0]["id"] != "function-app-without-worker-runtime"
