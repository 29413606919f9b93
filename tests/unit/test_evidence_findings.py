"""Findings the Azure evidence decides by itself (knowledge/evidence_findings.yaml, shared/engines/playbooks.py),
including the computed ones: IP coverage of a Cosmos DB firewall and a certificate's expiry."""

from __future__ import annotations

from typing import Any

from shared.engines.playbooks import finding
from shared.models import Options
from shared.session.state import Evidence, Material, SessionState
from tests.helpers.finding_checks import finding_id

SITE = {"type": "Microsoft.Web/sites", "name": "func-a", "kind": "functionapp,linux",
        "outboundIpAddresses": ["20.50.2.91", "20.50.3.14"], "possibleOutboundIpAddresses": ["20.50.2.91",
                                                                                              "20.50.3.14"]}


def state_with(*reads: dict[str, Any]) -> SessionState:
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description="403 from Cosmos DB since yesterday"))
    for data in reads:
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=str(data), data=data))
    return state


def test_a_cosmos_firewall_that_misses_an_address_the_app_sends_from_decides():
    cosmos = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-a", "publicNetworkAccess": "Enabled",
              "ipRules": ["203.0.113.0/24", "198.51.100.7"]}
    rule, facts = finding(state_with(SITE, cosmos)) or ({}, {})
    assert rule.get("id") == "service-ip-rules-exclude-app" and facts["name"] == "cosmos-a"
    one_of_two = {**cosmos, "ipRules": ["203.0.113.0/24", "20.50.2.0/24"]}  # 20.50.3.14 still refused
    rule, facts = finding(state_with(SITE, one_of_two)) or ({}, {})
    assert rule.get("id") == "service-ip-rules-exclude-app" and facts["app_ips"] == "20.50.3.14"
    covering = {**cosmos, "ipRules": ["203.0.113.0/24", "20.50.2.0/24", "20.50.3.14"]}
    assert finding_id(state_with(SITE, covering)) != "service-ip-rules-exclude-app"


def test_an_event_grid_topic_firewall_that_kept_the_app_s_former_addresses_decides():
    scaled = {**SITE, "outboundIpAddresses": ["20.105.224.13", "20.105.224.58"],
              "possibleOutboundIpAddresses": ["51.105.140.21", "20.105.224.13", "20.105.224.58"]}
    topic = {"type": "Microsoft.EventGrid/topics", "name": "egt-a", "publicNetworkAccess": "Enabled",
             "ipRules": ["51.105.140.21", "198.51.100.0/26"]}
    rule, facts = finding(state_with(scaled, topic)) or ({}, {})
    assert rule.get("id") == "service-ip-rules-exclude-app" and facts["type"] == "Event Grid topic"
    assert facts["app_ips"] == "20.105.224.13, 20.105.224.58"
    private = {**topic, "publicNetworkAccess": "Disabled"}
    assert finding_id(state_with(scaled, private)) != "service-ip-rules-exclude-app"


def test_an_expired_certificate_decides_and_a_valid_one_does_not():
    expired = {"type": "Microsoft.Web/certificates", "name": "portal-2024", "hostNames": ["portal.contoso.com"],
               "expirationDate": "2025-06-01T00:00:00Z"}
    rule, facts = finding(state_with(SITE, expired)) or ({}, {})
    assert rule.get("id") == "app-service-certificate-expired" and facts["expired"] == "2025-06-01"
    valid = {**expired, "expirationDate": "2999-01-01T00:00:00Z"}
    assert finding(state_with(SITE, valid)) is None


def test_public_access_disabled_on_a_database_decides_but_not_on_a_vault_it_has_its_own_analyzer_for():
    sql = {"type": "Microsoft.Sql/servers", "name": "sql-a", "publicNetworkAccess": "Disabled"}
    rule, facts = finding(state_with(SITE, sql)) or ({}, {})
    assert rule.get("id") == "dependency-public-network-access-disabled" and facts["name"] == "sql-a"
    vault = {"type": "Microsoft.KeyVault/vaults", "name": "kv-a", "publicNetworkAccess": "Disabled"}
    assert finding(state_with(SITE, vault)) is None


def test_a_workspace_over_its_daily_cap_explains_telemetry_that_stops():
    state = state_with(SITE)
    state.add_evidence(Evidence(tool="query_logs", status="no_data", summary="no rows", data={
        "rows": [], "workspace": {"name": "log-a", "dataIngestionStatus": "OverQuota", "dailyQuotaGb": 1.0}}))
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == "workspace-daily-cap-reached" and facts["workspace"] == "log-a"
    state.ledger[-1].data["workspace"]["dataIngestionStatus"] = "RespectQuota"
    assert finding(state) is None


def test_a_deleted_role_assignment_on_a_registry_explains_image_pulls_that_fail():
    state = state_with(SITE)
    event = {"operation": "Microsoft.Authorization/roleAssignments/delete", "time": "2025-06-18T10:00:00Z",
             "caller": "someone@contoso.com", "resource_id": "/subscriptions/x/resourceGroups/rg/providers/"
             "Microsoft.ContainerRegistry/registries/crshop/providers/Microsoft.Authorization/roleAssignments/1"}
    state.add_evidence(Evidence(tool="list_activity_log", status="success", summary="1 operation",
                                data={"events": [event]}))
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == "registry-role-assignment-deleted" and facts["registry"] == "crshop"


def _with_events(*events: dict[str, Any]) -> SessionState:
    state = state_with(SITE)
    state.add_evidence(Evidence(tool="list_activity_log", status="success", summary="events",
                                data={"events": list(events)}))
    return state


def _event(operation: str, resource_id: str, status: str = "Succeeded") -> dict[str, Any]:
    return {"time": "2025-06-11T17:04:12Z", "operation": operation, "status": status, "caller": "ops@contoso.com",
            "resource_id": resource_id}


COSMOS_ID = "/subscriptions/1/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-a"


def test_a_regenerated_key_in_the_activity_log_explains_a_401_but_reading_keys_or_a_failed_rotation_does_not():
    rule, facts = finding(_with_events(_event("Microsoft.DocumentDB/databaseAccounts/regenerateKey/action",
                                              COSMOS_ID))) or ({}, {})
    assert rule.get("id") == "access-keys-regenerated" and facts["name"] == "cosmos-a"
    assert rule["category"] == "auth.credential_invalid" and rule["confidence"] == "medium"
    assert finding(_with_events(_event("Microsoft.DocumentDB/databaseAccounts/listKeys/action", COSMOS_ID))) is None
    assert finding(_with_events(_event("Microsoft.DocumentDB/databaseAccounts/regenerateKey/action", COSMOS_ID,
                                       status="Failed"))) is None


def test_a_deleted_openai_deployment_names_the_deployment_a_client_still_calls():
    deployment = "/subscriptions/1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/oai-a/" \
                 "deployments/chat"
    rule, facts = finding(_with_events(
        _event("Microsoft.CognitiveServices/accounts/deployments/write", deployment + "-v2"),
        _event("Microsoft.CognitiveServices/accounts/deployments/delete", deployment))) or ({}, {})
    assert rule.get("id") == "openai-deployment-deleted" and facts["deployment"] == "chat"


def test_a_settings_list_that_could_not_be_read_does_not_show_settings_missing():
    state = state_with({**SITE})
    state.add_evidence(Evidence(tool="list_app_setting_names", status="no_data", summary="resource not found",
                                data={}))
    assert finding(state) is None
    state.add_evidence(Evidence(tool="list_app_setting_names", status="no_data", summary="no settings",
                                data={"names": [], "count": 0}))
    assert finding_id(state) == "function-app-without-host-storage"


def test_a_key_vault_reference_status_names_why_the_setting_did_not_resolve():
    references = {"references": [{"name": "SMTP_KEY", "status": "Resolved", "vaultName": "kv-a"},
                                 {"name": "SQL_PASSWORD", "status": "MSINotEnabled", "vaultName": "kv-a",
                                  "secretName": "sql", "identityType": {"type": "SystemAssigned"}}]}
    rule, facts = finding(state_with(SITE, references)) or ({}, {})
    assert rule.get("id") == "keyvault-reference-identity-not-enabled"
    assert (facts["setting"], facts["vault"]) == ("SQL_PASSWORD", "kv-a")
    references["references"][1]["status"] = "AccessToKeyVaultDenied"
    assert finding_id(state_with(SITE, references)) == "keyvault-reference-access-denied"
    references["references"][1]["status"] = "Resolved"
    assert finding(state_with(SITE, references)) is None


def test_access_restrictions_that_deny_by_default_explain_403s_only_when_403s_are_reported():
    config = {"type": "Microsoft.Web/sites/config", "name": "app-a", "ipSecurityRestrictionsDefaultAction": "Deny",
              "ipSecurityRestrictions": [{"name": "office", "ipAddress": "198.51.100.0/24", "action": "Allow"}]}
    state = state_with(SITE, config)
    state.material.error_description = "The partner portal is slow since 07:00"
    assert finding(state) is None  # restrictions alone are configuration, not a cause
    state.material.error_description = "Every partner gets 403 Forbidden from the portal since 07:00"
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == "app-access-restrictions-deny" and "office" in facts["allowed"]


def test_a_container_app_whose_target_port_is_not_the_listening_port():
    app = {"type": "Microsoft.App/containerApps", "name": "ca-a", "ingress": {"targetPort": 80, "external": True}}
    state = state_with(app)
    state.add_evidence(Evidence(tool="query_logs", status="success", summary="rows", data={
        "rows": [["2025-06-18T09:13:05Z", "console", "INFO:     Uvicorn running on http://0.0.0.0:8000"]]}))
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == "container-app-target-port-mismatch" and facts["listening"] == "8000"
    app["ingress"]["targetPort"] = 8000
    assert finding_id(state_with(app)) != "container-app-target-port-mismatch"


def _with_report(text: str, *reads: dict[str, Any]) -> SessionState:
    state = state_with(*reads)
    state.material.error_description = text
    return state


def test_a_web_app_without_the_agent_setting_explains_missing_telemetry_only_when_telemetry_is_missing():
    web = {"type": "Microsoft.Web/sites", "name": "app-a", "kind": "app"}
    names = {"names": ["APPLICATIONINSIGHTS_CONNECTION_STRING", "ASPNETCORE_ENVIRONMENT"]}
    quiet = _with_report("Our dashboards are empty since Tuesday: no requests in Application Insights.", web)
    quiet.add_evidence(Evidence(tool="list_app_setting_names", status="success", summary="2 names", data=names))
    rule, _ = finding(quiet) or ({}, {})
    assert rule.get("id") == "telemetry-agent-setting-missing"
    failing = _with_report("The API answers 500 since Tuesday.", web)
    failing.add_evidence(Evidence(tool="list_app_setting_names", status="success", summary="2 names", data=names))
    assert finding_id(failing) != "telemetry-agent-setting-missing"


def test_no_connection_string_at_all_is_named_before_the_agent_setting():
    web = {"type": "Microsoft.Web/sites", "name": "app-a", "kind": "app"}
    state = _with_report("No telemetry arrives in App Insights any more.", web)
    state.add_evidence(Evidence(tool="list_app_setting_names", status="success", summary="1 name",
                                data={"names": ["ASPNETCORE_ENVIRONMENT"]}))
    rule, _ = finding(state) or ({}, {})
    assert rule.get("id") == "telemetry-without-app-insights-connection"


def test_authorized_ip_ranges_explain_kubectl_timeouts_but_not_pods_that_crash():
    cluster = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-a",
               "apiServerAccessProfile": {"authorizedIPRanges": ["51.105.77.14/32", "20.1.2.0/24"]}}
    timing_out = _with_report("kubectl get pods hangs and ends with dial tcp 20.86.1.2:443: i/o timeout", cluster)
    rule, facts = finding(timing_out) or ({}, {})
    assert rule.get("id") == "aks-api-server-authorized-ranges"
    assert facts["value"] == "51.105.77.14/32, 20.1.2.0/24"
    crashing = _with_report("The payments pod is in CrashLoopBackOff since the release.", cluster)
    assert finding(crashing) is None
    open_cluster = _with_report("kubectl get pods hangs with an i/o timeout",
                                {**cluster, "apiServerAccessProfile": {"authorizedIPRanges": []}})
    assert finding(open_cluster) is None


def test_a_flex_consumption_app_has_no_worker_runtime_setting_and_that_is_no_finding():
    flex = {**SITE, "functionAppRuntime": "python", "sku": "FlexConsumption"}
    names = {"names": ["AzureWebJobsStorage__accountName", "APPLICATIONINSIGHTS_CONNECTION_STRING"]}
    state = state_with(flex)
    state.add_evidence(Evidence(tool="list_app_setting_names", status="success", summary="2 names", data=names))
    assert finding_id(state) != "function-app-without-worker-runtime"
    classic = state_with(SITE)
    classic.add_evidence(Evidence(tool="list_app_setting_names", status="success", summary="2 names", data=names))
    assert finding_id(classic) == "function-app-without-worker-runtime"


def test_a_burstable_postgres_server_explains_refused_pgbouncer_connections_only():
    server = {"type": "Microsoft.DBforPostgreSQL/flexibleServers", "name": "psql-a", "tier": "Burstable"}
    state = state_with(server)
    state.material.error_description = "Error: connect ECONNREFUSED 52.138.220.45:6432 since Saturday"
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == "postgres-pgbouncer-on-burstable" and facts["name"] == "psql-a"
    general = state_with({**server, "tier": "GeneralPurpose"})
    general.material.error_description = state.material.error_description
    assert finding_id(general) != "postgres-pgbouncer-on-burstable"
    direct = state_with(server)
    direct.material.error_description = "Error: connect ECONNREFUSED 52.138.220.45:5432 since Saturday"
    assert finding_id(direct) != "postgres-pgbouncer-on-burstable"


def _activity(state: SessionState, operation: str, resource_id: str) -> SessionState:
    state.add_evidence(Evidence(tool="list_activity_log", status="success", summary="1 operation", data={"events": [
        {"time": "2026-09-14T08:02:10Z", "operation": operation, "status": "Succeeded", "caller": "ci",
         "resource_id": resource_id}]}))
    return state


def test_a_slot_swap_explains_settings_symptoms_not_any_failure_after_it():
    swap = ("Microsoft.Web/sites/slots/slotsswap/action",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app-a/slots/staging")
    state = _activity(state_with(SITE), *swap)
    state.material.error_description = "Since this morning production writes to the staging database"
    assert finding_id(state) == "slot-swap-moved-settings"
    state = _activity(state_with(SITE), *swap)
    state.material.error_description = "The search API returns 503 every evening between 18:30 and 20:30"
    assert finding_id(state) != "slot-swap-moved-settings"


def test_a_key_rotation_is_not_the_cause_when_the_new_key_is_in_place_and_it_still_fails():
    rotation = ("Microsoft.EventGrid/topics/regenerateKey/action",
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/topics/egt-a")
    state = _activity(state_with(SITE), *rotation)
    state.material.error_description = "Publishing to the topic returns 403 since yesterday evening."
    assert finding_id(state) == "access-keys-regenerated"
    state = _activity(state_with(SITE), *rotation)
    state.material.error_description = "403 since yesterday. I regenerated key2 and put it in the settings, still 403."
    assert finding_id(state) != "access-keys-regenerated"


def test_throttled_search_queries_explain_evening_503s_from_search_only():
    def with_peak(peak: float, report: str) -> SessionState:
        state = state_with({"type": "Microsoft.Search/searchServices", "name": "srch-a"})
        state.material.error_description = report
        state.add_evidence(Evidence(tool="query_metrics", status="success", summary="metrics", data={
            "metrics": [{"name": "ThrottledSearchQueriesPercentage", "max": peak, "avg": peak / 4},
                        {"name": "SearchQueriesPerSecond", "max": 180.0, "avg": 40.0}]}))
        return state

    evening = "Every evening the search API returns 503 Service Unavailable for many requests, then it recovers."
    rule, facts = finding(with_peak(38.0, evening)) or ({}, {})
    assert rule.get("id") == "search-queries-throttled" and facts["value"].startswith("38")
    assert finding_id(with_peak(0.0, evening)) != "search-queries-throttled"
    unrelated = "Our checkout page shows a blank screen after the last release."
    assert finding_id(with_peak(38.0, unrelated)) != "search-queries-throttled"


def test_a_deleted_sql_dns_alias_explains_connections_that_fail_during_a_migration():
    alias = ("Microsoft.Sql/servers/dnsAliases/delete",
             "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql-old/dnsAliases/hr-db")
    state = _activity(state_with(SITE), *alias)
    state.material.error_description = "A network-related error occurred while connecting to SQL Server (error: 35)"
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == "sql-server-dns-alias-deleted" and facts["alias"] == "hr-db"
    state = _activity(state_with(SITE), "Microsoft.Sql/servers/dnsAliases/write", alias[1])
    state.material.error_description = "A network-related error occurred while connecting to SQL Server (error: 35)"
    assert finding_id(state) != "sql-server-dns-alias-deleted"
