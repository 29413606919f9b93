"""The twentieth round of findings (knowledge/evidence_findings.yaml): services and resource types the playbooks
covered thinly or not at all. Each fires on recorded-like reads with the symptom it explains, and stays silent for
its near miss (the harmless configuration or metric, or the same reads under another symptom)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.engines.playbooks import finding
from shared.session.state import SessionState
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import check_round_finding, finding_id, reads_state

SUB = "/subscriptions/2c5e8a91-7d36-4f04-b9e2-1a4d6c8f3b57/resourceGroups/rg-shop/providers"
SUBNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-shop/subnets/snet-apps"
WEB = {"type": "Microsoft.Web/sites", "name": "app-portal", "kind": "app,linux", "state": "Running",
       "sku": "PremiumV3", "virtualNetworkSubnetId": SUBNET,
       "identity": {"type": "SystemAssigned", "principalId": "p", "userAssigned": [],
                    "tenantId": "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}}
CONFIG = {"type": "Microsoft.Web/sites/config", "name": "app-portal"}
SQL = {"type": "Microsoft.Sql/servers", "name": "sql-shop"}
LOGIC = {"type": "Microsoft.Web/sites", "name": "logic-orders", "kind": "functionapp,workflowapp",
         "state": "Running", "sku": "WorkflowStandard"}
LOGIC_NAMES = ["AzureWebJobsStorage", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME", "APP_KIND",
               "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE"]
UNRELATED = "The nightly export job writes an empty CSV since Monday."


def _job(status: str, start: str, end: str, run_on: str = "") -> dict[str, Any]:
    return {"name": f"job-{start[8:10]}", "runbook.name": "Sync-Archive", "status": status, "startTime": start,
            "endTime": end, "runOn": run_on}


JOBS = {"type": "Microsoft.Automation/automationAccounts/jobs", "name": None, "jobs": [
    _job("Stopped", "2026-06-09T01:00:07+00:00", "2026-06-09T04:00:41+00:00"),
    _job("Completed", "2026-06-08T01:00:05+00:00", "2026-06-08T02:41:12+00:00")]}
ZONE = {"type": "Microsoft.Network/dnszones", "name": "contoso-bikes.com", "nameServers": [
    "ns1-08.azure-dns.com.", "ns2-08.azure-dns.net.", "ns3-08.azure-dns.org.", "ns4-08.azure-dns.info."]}
REGISTRY = {"type": "Microsoft.ContainerRegistry/registries", "name": "crshop", "dataEndpointEnabled": True}
AKS = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-shop", "powerState": "Running",
       "networkProfile": {"networkPlugin": "azure", "outboundType": "loadBalancer"}}
CONTAINER_APP = {"type": "Microsoft.App/containerApps", "name": "ca-hooks", "ingress": {
    "external": True, "targetPort": 8080, "ipSecurityRestrictions": [
        {"name": "office", "ipAddressRange": "203.0.113.0/24", "action": "Allow"}]}}
ROUTES = {"type": "Microsoft.Network/routeTables", "name": "rt-apps", "subnets": [SUBNET], "routes": [
    {"name": "default-to-fw", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
     "nextHopIpAddress": "10.40.0.4"}]}
NSG = {"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg-apps", "subnets": [SUBNET], "securityRules": [
    {"name": "allow-https", "priority": 100, "direction": "Outbound", "access": "Allow", "protocol": "Tcp",
     "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"},
    {"name": "deny-sql-out", "priority": 200, "direction": "Outbound", "access": "Deny", "protocol": "*",
     "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "Internet", "destinationPortRange": "1433"}]}
DATABASES = {"type": "Microsoft.Sql/servers/databases", "name": None, "ids": [], "databases": [
    {"name": "sqldb-orders", "sku.name": "GP_S_Gen5_1", "status": "Paused", "autoPauseDelay": 60}]}
VAULT = {"type": "Microsoft.KeyVault/vaults", "name": "kv-shop", "tenantId": "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910"}
NAMED_VALUES = {"type": "Microsoft.ApiManagement/service/namedValues", "name": None, "namedValues": [
    {"name": "backend-key", "displayName": "backend-key",
     "keyVault.secretIdentifier": "https://kv-shop.vault.azure.net/secrets/backend-key",
     "keyVault.lastStatus": {"code": "Forbidden", "message": "The user, group or application does not have secrets "
                                                             "get permission on key vault 'kv-shop'."}}]}
APIM = {"type": "Microsoft.ApiManagement/service", "name": "apim-shop", "virtualNetworkType": "Internal"}
GATEWAY = {"type": "Microsoft.Network/applicationGateways", "name": "agw-shop", "sslKeyVaultSecretIds": [
    "https://kv-shop.vault.azure.net/secrets/shop-tls/0f1e2d3c4b5a69788796a5b4c3d2e1f0"]}
STATIC = {"type": "Microsoft.Web/staticSites", "name": "swa-shop", "sku": {"name": "Free", "tier": "Free"}}
STORAGE = {"type": "Microsoft.Storage/storageAccounts", "name": "stlake", "isHnsEnabled": False}
COSMOS = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-shop", "capabilities": ["EnableServerless"]}
SUBSCRIPTIONS = {"type": "Microsoft.EventGrid/systemTopics/eventSubscriptions", "name": None, "subscriptions": [
    {"name": "orders-to-webhook", "provisioningState": "AwaitingManualAction", "destination.endpointType": "WebHook"}]}
PLAN = {"type": "Microsoft.Web/serverFarms", "name": "asp-shop", "sku": {"name": "S1", "tier": "Standard"},
        "numberOfWorkers": 10, "maximumNumberOfWorkers": 10}


def _metrics(name: str, peak: float) -> dict[str, Any]:
    return {"metrics": [{"name": name, "unit": "Percent", "max": peak, "avg": peak / 2, "total": None, "points": 48}]}


CASES = [
    Case("automation-job-stopped-by-fair-share", "runtime.timeout", "three hours", [JOBS],
         "Our nightly Sync-Archive runbook ended 'Stopped' around 04:00 again; nobody stopped it.",
         near_reads=[{**JOBS, "jobs": [_job("Stopped", "2026-06-09T01:00:07+00:00", "2026-06-09T04:00:41+00:00",
                                            run_on="hybrid-workers")]}]),
    Case("dns-zone-name-servers-not-delegated", "network.dns_resolution", "registrar", [ZONE],
         "contoso-bikes.com gives SERVFAIL since Friday; whois lists NS1-03.AZURE-DNS.COM and NS2-03.AZURE-DNS.NET.",
         near_report="contoso-bikes.com gives SERVFAIL since Friday; whois lists NS1-08.AZURE-DNS.COM and "
                     "NS2-08.AZURE-DNS.NET."),
    Case("registry-dedicated-data-endpoint-not-allowed", "network.nsg_blocked", "dataEndpointEnabled", [REGISTRY],
         "docker login works but every docker pull hangs on the first layer: dial tcp 20.61.99.18:443: i/o timeout",
         near_reads=[{**REGISTRY, "dataEndpointEnabled": False}]),
    Case("aks-cluster-stopped", "deployment.resource_locked", "powerState", [{**AKS, "powerState": "Stopped"}],
         "kubectl get pods hangs and the shop's ingress is unreachable since this morning.", near_reads=[AKS]),
    Case("aks-user-defined-routing-egress-blocked", "network.nsg_blocked", "outboundType",
         [{**AKS, "networkProfile": {"networkPlugin": "azure", "outboundType": "userDefinedRouting"}}],
         "New pods are stuck in ImagePullBackOff: pulling from mcr.microsoft.com fails with i/o timeout.",
         near_reads=[AKS]),
    Case("container-app-ip-restrictions-exclude-caller", "network.nsg_blocked", "Allow", [CONTAINER_APP],
         "The carrier's webhooks from 198.51.100.20 get 403 Forbidden from our container app.",
         near_report="The carrier's webhooks from 203.0.113.20 get 403 Forbidden from our container app."),
    Case("app-subnet-default-route-to-appliance", "network.nsg_blocked", "0.0.0.0/0", [WEB, ROUTES],
         "Calls from the app to https://api.partner.example.com time out since the network change.",
         near_reads=[WEB, {**ROUTES, "routes": [{**ROUTES["routes"][0], "addressPrefix": "10.0.0.0/8"}]}]),
    Case("subnet-nsg-denies-port", "network.nsg_blocked", "priority", [WEB, NSG],
         "The app cannot connect to sql-shop.database.windows.net:1433, the connection times out.",
         near_report="The app cannot connect to api.partner.example.com:443, the connection times out."),
    Case("sql-serverless-database-paused", "runtime.timeout", "auto-pause", [SQL, DATABASES],
         "Every morning the first request fails with error 40613; retries a minute later work.",
         near_reads=[SQL, {**DATABASES, "databases": [{**DATABASES["databases"][0], "status": "Online"}]}]),
    Case("sql-database-dtu-saturated", "throttling.rate_limited", "dtu_consumption_percent", [SQL],
         "Order queries time out at peak hours.", metrics=_metrics("dtu_consumption_percent", 100.0),
         near_metrics=_metrics("dtu_consumption_percent", 63.0)),
    Case("sql-database-cpu-saturated", "throttling.rate_limited", "cpu_percent", [SQL],
         "Order queries time out at peak hours.", metrics=_metrics("cpu_percent", 100.0),
         near_metrics=_metrics("cpu_percent", 70.0)),
    Case("sql-database-log-write-saturated", "throttling.rate_limited", "log_write_percent", [SQL],
         "The bulk import slows down and times out every night.", metrics=_metrics("log_write_percent", 100.0),
         near_report="The purge fails with error 40552: the session has been terminated because of excessive "
                     "transaction log space usage; it also times out."),
    Case("redis-server-load-high", "throttling.rate_limited", "serverLoad", [{"type": "Microsoft.Cache/Redis",
                                                                              "name": "redis-shop"}],
         "Redis calls time out at lunch time.", metrics=_metrics("serverLoad", 99.0),
         near_metrics=_metrics("serverLoad", 35.0)),
    Case("redis-memory-near-limit", "quota.exceeded", "usedmemorypercentage", [{"type": "Microsoft.Cache/Redis",
                                                                                 "name": "redis-shop"}],
         "Cached sessions disappear from Redis long before their TTL.", metrics=_metrics("usedmemorypercentage", 99.0),
         near_metrics=_metrics("usedmemorypercentage", 41.0)),
    Case("app-service-plan-cpu-saturated", "runtime.timeout", "CpuPercentage", [WEB],
         "The portal is slow and answers 502 at peak hours.", metrics=_metrics("CpuPercentage", 100.0),
         near_metrics=_metrics("CpuPercentage", 40.0)),
    Case("app-service-plan-memory-saturated", "runtime.out_of_memory", "MemoryPercentage", [WEB],
         "The app restarts several times a day with out of memory errors.",
         metrics=_metrics("MemoryPercentage", 98.0), near_metrics=_metrics("MemoryPercentage", 55.0)),
    Case("app-service-plan-at-max-instances", "quota.exceeded", "maximumNumberOfWorkers", [WEB, PLAN],
         "Autoscale does not add instances any more although CPU is high.",
         near_reads=[WEB, {**PLAN, "numberOfWorkers": 4}]),
    Case("keyvault-tenant-not-identity-tenant", "auth.keyvault_access_denied", "tenantId", [WEB, VAULT],
         "Since the subscription moved to the new directory the app gets 401 AKV10032: Invalid issuer from Key Vault.",
         near_reads=[WEB, {**VAULT, "tenantId": "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}]),
    Case("apim-named-value-keyvault-refresh-failed", "auth.keyvault_access_denied", "named value",
         [APIM, NAMED_VALUES], "Calls through API Management return 500 since the secret rotation.",
         near_reads=[APIM, {**NAMED_VALUES, "namedValues": [{**NAMED_VALUES["namedValues"][0],
                                                            "keyVault.lastStatus": {"code": "Success"}}]}]),
    Case("apim-internal-vnet-from-outside", "network.nsg_blocked", "virtualNetworkType", [APIM],
         "Partners calling apim-shop.azure-api.net get could not resolve host.",
         near_reads=[{**APIM, "virtualNetworkType": "External"}]),
    Case("app-gateway-keyvault-certificate-version-pinned", "auth.credential_invalid", "versioned", [GATEWAY],
         "We renewed the certificate in Key Vault but the gateway still serves the old one; browsers say the "
         "certificate has expired.",
         near_reads=[{**GATEWAY, "sslKeyVaultSecretIds": ["https://kv-shop.vault.azure.net/secrets/shop-tls"]}]),
    Case("static-web-app-free-plan-feature", "quota.sku_not_available", "Free", [STATIC],
         "Linking our existing function app as the backend of the static web app fails.",
         near_reads=[{**STATIC, "sku": {"name": "Standard", "tier": "Standard"}}]),
    Case("app-web-sockets-disabled", "config.missing_app_setting", "webSocketsEnabled",
         [WEB, {**CONFIG, "webSocketsEnabled": False}],
         "The SignalR hub connection fails: WebSocket connection to 'wss://app-portal.azurewebsites.net/hub' failed.",
         near_reads=[WEB, {**CONFIG, "webSocketsEnabled": True}]),
    Case("platform-cors-origin-not-allowed", "config.missing_app_setting", "allowed origins",
         [WEB, {**CONFIG, "cors": {"allowedOrigins": ["https://shop.contoso.com"]}}],
         "Access to fetch at 'https://app-portal.azurewebsites.net/api/cart' from origin 'https://new.contoso.com' "
         "has been blocked by CORS policy.",
         near_reads=[WEB, {**CONFIG, "cors": {"allowedOrigins": ["https://shop.contoso.com",
                                                                 "https://new.contoso.com"]}}]),
    Case("storage-hierarchical-namespace-required", "quota.sku_not_available", "isHnsEnabled", [STORAGE],
         "Spark fails to write to abfss://raw@stlake.dfs.core.windows.net/events.",
         near_reads=[{**STORAGE, "isHnsEnabled": True}]),
    Case("cosmos-serverless-account-limits", "quota.sku_not_available", "serverless", [COSMOS],
         "Setting the container's throughput to 4000 RU/s fails with BadRequest.",
         near_reads=[{**COSMOS, "capabilities": ["EnableNoSQLVectorSearch"]}]),
    Case("event-grid-subscription-not-validated", "config.invalid_connection_string", "validation",
         [SUBSCRIPTIONS], "Our webhook never receives the order events from Event Grid.",
         near_reads=[{**SUBSCRIPTIONS, "subscriptions": [{**SUBSCRIPTIONS["subscriptions"][0],
                                                          "provisioningState": "Succeeded"}]}]),
    Case("logic-app-standard-content-settings-missing", "functions.host_misconfigured", "WEBSITE_CONTENTSHARE",
         [LOGIC], "After the redeploy the portal says the runtime is unreachable and shows no workflows.",
         names=[n for n in LOGIC_NAMES if n != "WEBSITE_CONTENTSHARE"], near_names=LOGIC_NAMES),
    Case("logic-app-standard-app-kind-missing", "config.missing_app_setting", "APP_KIND", [LOGIC],
         "The workflows are deployed but the Workflows blade is empty.",
         names=[n for n in LOGIC_NAMES if n != "APP_KIND"], near_names=LOGIC_NAMES),
]


def _state(report: str, case: Case, reads: list[dict[str, Any]], names: list[str] | None,
           metrics: dict[str, Any] | None) -> SessionState:
    return reads_state(report, reads, names, metrics, case.events)


@pytest.mark.parametrize("case", CASES, ids=[c.rule_id for c in CASES])
def test_a_round_20_finding_explains_its_symptom(case: Case) -> None:
    state = _state(case.report, case, case.reads, case.names, case.metrics)
    check_round_finding(state, case.rule_id, case.category, case.word, ("`az ", "`Set-Az"))


@pytest.mark.parametrize("case", CASES, ids=[c.rule_id for c in CASES])
def test_a_round_20_finding_stays_silent_for_its_near_miss(case: Case) -> None:
    assert finding_id(_state(UNRELATED, case, case.reads, case.names, case.metrics)) != case.rule_id
    near = _state(case.near_report or case.report, case,
                  case.near_reads if case.near_reads is not None else case.reads,
                  case.near_names if case.near_names is not None else case.names,
                  case.near_metrics if case.near_metrics is not None else case.metrics)
    assert finding_id(near) != case.rule_id


def test_a_recreated_zone_in_the_activity_log_explains_servfail_without_the_registrar_set():
    events = [{"time": "2026-09-11T15:02:10Z", "operation": "Microsoft.Network/dnszones/delete", "status": "Succeeded",
               "caller": "sp-terraform", "resource_id": f"{SUB}/Microsoft.Network/dnszones/contoso-bikes.com"}]
    case = Case("dns-zone-name-servers-not-delegated", "", "", [ZONE], "", events=events)
    state = _state("contoso-bikes.com returns SERVFAIL for every resolver since Friday.", case, [ZONE], None, None)
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == "dns-zone-name-servers-not-delegated" and "deleted" in facts["evidence"]
    quiet = Case("", "", "", [ZONE], "", events=[{**events[0], "operation": "Microsoft.Network/dnszones/A/write"}])
    assert finding_id(_state("contoso-bikes.com returns SERVFAIL.", quiet, [ZONE], None, None)) != \
        "dns-zone-name-servers-not-delegated"


def test_a_job_stopped_after_twenty_minutes_is_no_fair_share_stop():
    short = {**JOBS, "jobs": [_job("Stopped", "2026-06-09T01:00:07+00:00", "2026-06-09T01:20:00+00:00")]}
    case = Case("", "", "", [short], "")
    assert finding_id(_state("The runbook job ended Stopped.", case, [short], None, None)) != \
        "automation-job-stopped-by-fair-share"


def test_an_nsg_that_allows_the_port_first_or_names_a_service_tag_gives_no_verdict():
    allowed_first = {**NSG, "securityRules": [
        {"name": "allow-sql", "priority": 150, "direction": "Outbound", "access": "Allow", "protocol": "Tcp",
         "sourceAddressPrefix": "*", "destinationAddressPrefix": "Sql", "destinationPortRange": "1433"},
        *NSG["securityRules"]]}
    report = "The app cannot connect to sql-shop.database.windows.net:1433, the connection times out."
    case = Case("", "", "", [], "")
    assert finding_id(_state(report, case, [WEB, allowed_first], None, None)) != "subnet-nsg-denies-port"
    other_subnet = {**NSG, "subnets": [SUBNET.replace("snet-apps", "snet-data")]}
    assert finding_id(_state(report, case, [WEB, other_subnet], None, None)) != "subnet-nsg-denies-port"


def test_a_container_app_allow_list_with_no_caller_address_in_the_report_is_still_named():
    case = Case("", "", "", [], "")
    rule, facts = finding(_state("Webhook calls get 403 Forbidden.", case, [CONTAINER_APP], None, None)) or ({}, {})
    assert rule.get("id") == "container-app-ip-restrictions-exclude-caller"
    assert "203.0.113.0/24" in facts["rules"]


def test_a_wildcard_or_empty_platform_cors_list_is_no_cause():
    report = "from origin 'https://new.contoso.com' has been blocked by CORS policy"
    case = Case("", "", "", [], "")
    for cors in ({"allowedOrigins": ["*"]}, {"allowedOrigins": []}):
        assert finding_id(_state(report, case, [WEB, {**CONFIG, "cors": cors}], None, None)) != \
            "platform-cors-origin-not-allowed"


def test_sql_cpu_of_a_mysql_server_is_not_an_azure_sql_finding():
    mysql = {"type": "Microsoft.DBforMySQL/flexibleServers", "name": "mysql-shop"}
    case = Case("", "", "", [], "")
    assert finding_id(_state("Queries time out at peak.", case, [mysql], None, _metrics("cpu_percent", 100.0))) != \
        "sql-database-cpu-saturated"


def test_a_full_cache_is_no_cause_for_a_redis_failure_that_is_not_about_memory():
    cache = {"type": "Microsoft.Cache/Redis", "name": "redis-shop"}
    case = Case("", "", "", [], "")
    state = _state("Redis calls fail with NOAUTH Authentication required.", case, [cache], None,
                   _metrics("usedmemorypercentage", 99.0))
    assert finding_id(state) != "redis-memory-near-limit"  # a cache that evicts by design sits near its limit
