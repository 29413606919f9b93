"""Findings that read a resource's configuration (knowledge/evidence_findings.yaml): each fires on the recorded read
with the symptom it explains, and stays silent when the property is harmless or the report shows another symptom."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.engines.playbooks import Target, _each_call, _follow_call, conclude_finding, finding
from shared.models import Options
from shared.session.state import Evidence, Material, RunTool, SessionState
from tests.helpers.finding_checks import finding_id

SUB = "/subscriptions/2c5e8a91-7d36-4f04-b9e2-1a4d6c8f3b57/resourceGroups/rg-shop/providers"
FUNC = {"type": "Microsoft.Web/sites", "name": "func-orders", "kind": "functionapp", "state": "Running",
        "usageState": "Normal", "sku": "Standard"}
WEB = {"type": "Microsoft.Web/sites", "name": "app-portal", "kind": "app,linux", "state": "Running"}
STORAGE = {"type": "Microsoft.Storage/storageAccounts", "name": "stshop", "allowSharedKeyAccess": True}
COSMOS = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-shop", "publicNetworkAccess": "Enabled"}
REDIS = {"type": "Microsoft.Cache/Redis", "name": "redis-shop", "enableNonSslPort": False}
SQL = {"type": "Microsoft.Sql/servers", "name": "sql-shop", "publicNetworkAccess": "Enabled"}
ACR = {"type": "Microsoft.ContainerRegistry/registries", "name": "crshop", "publicNetworkAccess": "Enabled"}
APP = {"type": "Microsoft.App/containerApps", "name": "ca-api"}
QUEUES = {"type": "Microsoft.ServiceBus/namespaces/queues", "name": None}
UNRELATED = "The nightly export job writes an empty CSV since Monday."

# id, category, a word of its root cause, the reads, the report that shows its symptom, (read index, field,
# harmless value)
CASES: list[tuple[str, str, str, list[dict[str, Any]], str, tuple[int, str, Any]]] = [
    ("storage-shared-key-access-disabled", "auth.credential_invalid", "Shared Key",
     [{**STORAGE, "allowSharedKeyAccess": False}],
     "Since this morning the upload API fails with 403 when it writes blobs with the storage connection string.",
     (0, "allowSharedKeyAccess", True)),
    ("cosmos-local-auth-disabled", "auth.credential_invalid", "disableLocalAuth",
     [{**COSMOS, "disableLocalAuth": True}],
     "The orders API gets 401 Unauthorized from Cosmos DB with the primary key in its connection string.",
     (0, "disableLocalAuth", False)),
    ("cosmos-key-metadata-writes-disabled", "auth.rbac_missing", "metadata",
     [{**COSMOS, "disableKeyBasedMetadataWriteAccess": True}],
     "At start-up CreateContainerIfNotExistsAsync fails with 403 Forbidden.",
     (0, "disableKeyBasedMetadataWriteAccess", False)),
    ("messaging-local-auth-disabled", "auth.credential_invalid", "SAS",
     [{"type": "Microsoft.ServiceBus/namespaces", "name": "sb-shop", "disableLocalAuth": True}],
     "The sender fails with 401 Unauthorized using the Service Bus connection string (RootManageSharedAccessKey).",
     (0, "disableLocalAuth", False)),
    ("openai-local-auth-disabled", "auth.credential_invalid", "api-key",
     [{"type": "Microsoft.CognitiveServices/accounts", "name": "oai-shop", "disableLocalAuth": True}],
     "Chat completions return 401 with our api-key since Monday.",
     (0, "disableLocalAuth", False)),
    ("search-api-keys-disabled", "auth.credential_invalid", "API keys",
     [{"type": "Microsoft.Search/searchServices", "name": "srch-shop", "disableLocalAuth": True}],
     "Queries sent with the query key get 403 Forbidden from the search service.",
     (0, "disableLocalAuth", False)),
    ("app-configuration-access-keys-disabled", "auth.credential_invalid", "access-key",
     [{"type": "Microsoft.AppConfiguration/configurationStores", "name": "appcs-shop", "disableLocalAuth": True}],
     "The app fails at start-up: 401 Unauthorized loading App Configuration with the connection string.",
     (0, "disableLocalAuth", False)),
    ("redis-access-keys-disabled", "auth.credential_invalid", "access-key",
     [{**REDIS, "disableAccessKeyAuthentication": True}],
     "StackExchange.Redis.RedisServerException: WRONGPASS invalid username-password pair",
     (0, "disableAccessKeyAuthentication", False)),
    ("sql-entra-only-authentication", "auth.credential_invalid", "Entra",
     [{**SQL, "administrators": {"azureADOnlyAuthentication": True, "login": "sql-admins"}}],
     "Login failed for user 'appuser'. Our connection string uses User ID=appuser and a password.",
     (0, "administrators", {"azureADOnlyAuthentication": False, "login": "sql-admins"})),
    ("postgresql-password-auth-disabled", "auth.credential_invalid", "password authentication",
     [{"type": "Microsoft.DBforPostgreSQL/flexibleServers", "name": "psql-shop", "passwordAuth": "Disabled"}],
     'FATAL: password authentication failed for user "app"',
     (0, "passwordAuth", "Enabled")),
    ("storage-anonymous-access-disallowed", "auth.credential_invalid", "anonymous",
     [{**STORAGE, "allowBlobPublicAccess": False}],
     "Product images served from public blob URLs are broken since Tuesday: anonymous requests fail with 409.",
     (0, "allowBlobPublicAccess", True)),
    ("storage-https-only-with-http-client", "config.invalid_connection_string", "HTTP",
     [{**STORAGE, "supportsHttpsTrafficOnly": True}],
     "Our connection string is DefaultEndpointsProtocol=http;AccountName=stshop and every upload fails with 400.",
     (0, "supportsHttpsTrafficOnly", False)),
    ("service-minimum-tls-above-client", "config.invalid_connection_string", "TLS",
     [{**STORAGE, "minimumTlsVersion": "TLS1_2"}],
     "Our legacy .NET Framework 4.5 service cannot reach storage any more: The client and server cannot "
     "communicate, because they do not possess a common algorithm.",
     (0, "minimumTlsVersion", "TLS1_0")),
    ("sql-minimal-tls-above-client", "config.invalid_connection_string", "TLS",
     [{**SQL, "minimalTlsVersion": "1.2"}],
     "Error 47072: Login failed with invalid TLS version.",
     (0, "minimalTlsVersion", "1.0")),
    ("redis-non-tls-port-disabled", "config.invalid_connection_string", "6380",
     [REDIS],
     "The worker connects to redis-shop.redis.cache.windows.net:6379,ssl=False and times out.",
     (0, "enableNonSslPort", True)),
    ("app-gateway-waf-prevention-blocks", "network.nsg_blocked", "Prevention",
     [{"type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", "name": "waf-shop",
       "wafMode": "Prevention", "wafState": "Enabled"}],
     "Some POSTs to the checkout return 403 Forbidden through the gateway, others work.",
     (0, "wafMode", "Detection")),
    ("front-door-waf-prevention-blocks", "network.nsg_blocked", "Prevention",
     [{"type": "Microsoft.Network/frontdoorWebApplicationFirewallPolicies", "name": "wafshop",
       "wafMode": "Prevention", "wafState": "Enabled"}],
     "Some form posts through Front Door get 403, direct calls to the origin work.",
     (0, "wafState", "Disabled")),
    ("app-client-certificate-required", "auth.credential_invalid", "certificate",
     [{**WEB, "clientCertEnabled": True, "clientCertMode": "Required"}],
     "Every partner call to our API returns 403 Forbidden since yesterday.",
     (0, "clientCertMode", "Optional")),
    ("app-public-network-access-disabled", "network.nsg_blocked", "private endpoint",
     [{**WEB, "publicNetworkAccess": "Disabled"}],
     "Users get 403 Forbidden when they open the portal.",
     (0, "publicNetworkAccess", "Enabled")),
    ("function-app-stopped", "functions.host_misconfigured", "stopped",
     [{**FUNC, "state": "Stopped"}],
     "Our queue trigger stopped processing messages this morning.",
     (0, "state", "Running")),
    ("function-app-always-on-off", "functions.host_misconfigured", "Always On",
     [FUNC, {"type": "Microsoft.Web/sites/config", "name": "func-orders", "alwaysOn": False}],
     "The timer trigger stops firing overnight and only runs when I open the portal.",
     (1, "alwaysOn", True)),
    ("app-deployment-basic-auth-disabled", "auth.credential_invalid", "Basic authentication",
     [WEB, {"type": "Microsoft.Web/sites/basicPublishingCredentialsPolicies", "name": "scm", "allow": False}],
     "The GitHub Actions deploy with the publish profile fails with 401 Unauthorized.",
     (1, "allow", True)),
    ("app-scm-access-restrictions-deny", "network.nsg_blocked", "SCM",
     [WEB, {"type": "Microsoft.Web/sites/config", "name": "app-portal", "scmIpSecurityRestrictionsDefaultAction":
            "Deny", "scmIpSecurityRestrictionsUseMain": False}],
     "Zip deploy from our pipeline fails with 403 Forbidden since Friday.",
     (1, "scmIpSecurityRestrictionsUseMain", True)),
    ("container-app-ingress-internal-only", "network.nsg_blocked", "internal",
     [{**APP, "ingress": {"external": False, "targetPort": 8080}}],
     "From the internet ca-api.kindrock-1a2b3c.westeurope.azurecontainerapps.io returns 404.",
     (0, "ingress", {"external": True, "targetPort": 8080})),
    ("container-app-scales-to-zero-cold-start", "runtime.timeout", "zero",
     [{**APP, "scale": {"minReplicas": 0, "maxReplicas": 10}}],
     "The first request after a quiet night times out; after that the API is fast.",
     (0, "scale", {"minReplicas": 1, "maxReplicas": 10})),
    ("service-bus-entity-not-active", "config.wrong_resource_name", "SendDisabled",
     [{**QUEUES, "entities": [{"name": "orders", "status": "SendDisabled"}, {"name": "audit", "status": "Active"}]}],
     "Sending to the orders queue fails since 9:00.",
     (0, "entities", [{"name": "orders", "status": "Active"}])),
    ("service-bus-entity-requires-session", "runtime.code_defect", "session",
     [{**QUEUES, "entities": [{"name": "orders", "status": "Active", "requiresSession": True}]}],
     "Messages in the orders queue are never processed by our function.",
     (0, "entities", [{"name": "orders", "status": "Active", "requiresSession": False}])),
    ("service-bus-duplicate-detection", "runtime.code_defect", "MessageId",
     [{**QUEUES, "entities": [{"name": "orders", "status": "Active", "requiresDuplicateDetection": True,
                               "duplicateDetectionHistoryTimeWindow": "PT10M"}]}],
     "Some messages we send to orders disappear: the send succeeds but the consumer never sees them.",
     (0, "entities", [{"name": "orders", "status": "Active", "requiresDuplicateDetection": False}])),
    ("registry-public-network-access-disabled", "network.nsg_blocked", "private endpoints",
     [{**ACR, "publicNetworkAccess": "Disabled"}],
     "docker pull crshop.azurecr.io/api:1.4 from the build agent fails with 403 Forbidden.",
     (0, "publicNetworkAccess", "Enabled")),
    ("registry-network-rules-deny", "network.nsg_blocked", "IP rules",
     [{**ACR, "networkRuleSet": {"defaultAction": "Deny"}}],
     "docker pull crshop.azurecr.io/api:1.4 from the build agent fails with 403 Forbidden.",
     (0, "networkRuleSet", {"defaultAction": "Allow"})),
    ("app-vnet-route-all-off", "network.nsg_blocked", "NAT gateway",
     [{**WEB, "vnetRouteAllEnabled": False,
       "virtualNetworkSubnetId": f"{SUB}/Microsoft.Network/virtualNetworks/vnet-shop/subnets/snet-app"}],
     "The partner API refuses our calls: it allows only our NAT gateway's IP, but its log shows another address.",
     (0, "vnetRouteAllEnabled", True)),
    ("container-app-probe-port-not-target", "config.invalid_connection_string", "8081",
     [{**APP, "ingress": {"external": True, "targetPort": 8080},
       "containers": [{"name": "api", "probes": [{"type": "Readiness", "httpGet": {"path": "/health",
                                                                                     "port": 8081}}]}]}],
     "The new revision never becomes ready since the release.",
     (0, "containers", [{"name": "api", "probes": [{"type": "Readiness", "httpGet": {"path": "/health",
                                                                                      "port": 8080}}]}])),
    ("aks-local-accounts-disabled", "auth.credential_invalid", "local accounts",
     [{"type": "Microsoft.ContainerService/managedClusters", "name": "aks-shop", "disableLocalAccounts": True}],
     "az aks get-credentials --admin fails in the pipeline since Monday.",
     (0, "disableLocalAccounts", False)),
    ("registry-admin-user-disabled", "container.image_pull_failed", "admin user",
     [{**ACR, "adminUserEnabled": False}],
     "docker login crshop.azurecr.io --username crshop fails: unauthorized: incorrect username or password",
     (0, "adminUserEnabled", True)),
    ("container-app-ingress-disabled", "network.nsg_blocked", "no ingress",
     [{**APP, "scale": {"minReplicas": 1, "maxReplicas": 3}}],
     "Calling https://ca-api.kindrock-1a2b3c.westeurope.azurecontainerapps.io/orders times out.",
     (0, "ingress", {"external": True, "targetPort": 8080})),
    ("app-ftp-disabled", "network.nsg_blocked", "FTP",
     [WEB, {"type": "Microsoft.Web/sites/config", "name": "app-portal", "ftpsState": "Disabled"}],
     "Our FTP upload script fails since Monday: 530 Login incorrect.",
     (1, "ftpsState", "FtpsOnly")),
    ("app-32-bit-worker-out-of-memory", "runtime.out_of_memory", "32-bit",
     [{**WEB, "kind": "app"}, {"type": "Microsoft.Web/sites/config", "name": "app-portal",
                               "use32BitWorkerProcess": True}],
     "The report export throws System.OutOfMemoryException on a P2v3 plan with plenty of free memory.",
     (1, "use32BitWorkerProcess", False)),
    ("app-insights-local-auth-disabled", "auth.credential_invalid", "Entra",
     [{"type": "microsoft.insights/components", "name": "appi-portal", "DisableLocalAuth": True}],
     "Application Insights shows no requests since Monday although the app serves traffic.",
     (0, "DisableLocalAuth", False)),
    ("aks-private-cluster-from-outside", "network.private_endpoint_dns", "private cluster",
     [{"type": "Microsoft.ContainerService/managedClusters", "name": "aks-shop",
       "apiServerAccessProfile": {"enablePrivateCluster": True}}],
     "kubectl get nodes: dial tcp: lookup aks-shop-dns.privatelink.westeurope.azmk8s.io: no such host",
     (0, "apiServerAccessProfile", {"enablePrivateCluster": False})),
]


def _state(report: str, reads: list[dict[str, Any]]) -> SessionState:
    state = SessionState(trace_id="c" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=report))
    for data in reads:
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=str(data), data=data))
    return state


def _found_id(report: str, reads: list[dict[str, Any]]) -> str | None:
    return finding_id(_state(report, reads))


@pytest.mark.parametrize(("rule_id", "category", "word", "reads", "report", "harmless"), CASES,
                         ids=[c[0] for c in CASES])
def test_a_configuration_finding_explains_its_symptom(rule_id: str, category: str, word: str,
                                                      reads: list[dict[str, Any]], report: str,
                                                      harmless: tuple[int, str, Any]) -> None:
    state = _state(report, reads)
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == rule_id
    decision = conclude_finding(state, rule, facts)
    assert decision.report.category == category and word in decision.report.root_cause


@pytest.mark.parametrize(("rule_id", "category", "word", "reads", "report", "harmless"), CASES,
                         ids=[c[0] for c in CASES])
def test_a_configuration_finding_stays_silent_when_harmless_or_unrelated(rule_id: str, category: str, word: str,
                                                                         reads: list[dict[str, Any]], report: str,
                                                                         harmless: tuple[int, str, Any]) -> None:
    assert _found_id(UNRELATED, reads) != rule_id  # the state alone, without its symptom
    index, field, value = harmless
    safe = copy.deepcopy(reads)
    safe[index][field] = value
    assert _found_id(report, safe) != rule_id


def test_key_findings_leave_clients_that_say_they_use_an_identity_alone():
    cosmos = [{**COSMOS, "disableLocalAuth": True}]
    report = "DefaultAzureCredential calls to Cosmos DB fail with 403 Forbidden although a connection string exists."
    assert _found_id(report, cosmos) != "cosmos-local-auth-disabled"


def test_a_redis_cache_requiring_tls_12_is_named_for_an_old_client_too():
    redis = [{**REDIS, "enableNonSslPort": True, "minimumTlsVersion": "1.2"}]
    assert _found_id("The old agent fails the handshake: it only speaks TLS 1.0.", redis) == \
        "service-minimum-tls-above-client"


def test_a_legacy_gateway_waf_that_is_off_does_not_block():
    gateway = {"type": "Microsoft.Network/applicationGateways", "name": "agw-shop", "wafMode": "Prevention",
               "wafState": True}
    assert _found_id("Checkout posts get 403 Forbidden.", [gateway]) == "app-gateway-waf-prevention-blocks"
    assert _found_id("Checkout posts get 403 Forbidden.", [{**gateway, "wafState": False}]) is None


def test_an_app_403_is_not_the_client_certificate_when_the_403_comes_from_key_vault():
    web = [{**WEB, "clientCertEnabled": True, "clientCertMode": "Required"}]
    assert _found_id("The app gets 403 Forbidden from Key Vault when it reads its secret.", web) != \
        "app-client-certificate-required"


def test_always_on_is_no_cause_on_a_consumption_plan():
    reads = [{**FUNC, "sku": "Dynamic"}, {"type": "Microsoft.Web/sites/config", "name": "func-orders",
                                          "alwaysOn": False}]
    assert _found_id("The timer trigger stops firing overnight.", reads) != "function-app-always-on-off"


def test_a_disabled_entity_the_report_does_not_name_is_chosen_only_when_it_is_the_only_one():
    queues = {**QUEUES, "entities": [{"name": "orders", "status": "Disabled"}, {"name": "audit",
                                                                                "status": "ReceiveDisabled"}]}
    assert _found_id("Messages are not processed any more.", [queues]) != "service-bus-entity-not-active"
    assert _found_id("Messages on audit are not processed any more.", [queues]) == "service-bus-entity-not-active"


def test_the_gateway_playbook_reads_the_waf_policy_it_references():
    policy = f"{SUB}/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/waf-shop"
    gateway_id = f"{SUB}/Microsoft.Network/applicationGateways/agw-shop"
    state = _state("Checkout posts get 403.", [])
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="gateway",
                                arguments={"resource_id": gateway_id},
                                data={"type": "Microsoft.Network/applicationGateways", "firewallPolicy": policy}))
    call = _follow_call(state, Target(gateway_id, "Microsoft.Network/applicationGateways", "agw-shop"),
                        "firewallPolicy", "reading the WAF policy")
    assert isinstance(call, RunTool) and call.arguments["resource_id"] == policy


def test_the_front_door_playbook_reads_the_waf_policies_of_its_security_policies():
    profile = f"{SUB}/Microsoft.Cdn/profiles/afd-shop"
    waf = f"{SUB}/Microsoft.Network/frontdoorWebApplicationFirewallPolicies/wafshop"
    state = _state("Form posts get 403.", [])
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="security policies",
                                arguments={"resource_id": f"{profile}/securityPolicies"}, data={"ids": [waf]}))
    step = {"tool": "get_resource", "each": "{resource_id}/securityPolicies", "arguments": {"resource_id": "{item}"},
            "purpose": "reading the WAF policies"}
    call = _each_call(state, Target(profile, "Microsoft.Cdn/profiles", "afd-shop"), step)
    assert isinstance(call, RunTool) and call.arguments["resource_id"] == waf


def _with_settings(report: str, names: list[str], *reads: dict[str, Any]) -> SessionState:
    state = _state(report, list(reads))
    state.add_evidence(Evidence(tool="list_app_setting_names", status="success", summary="names",
                                data={"names": names, "count": len(names)}))
    return state


def test_host_storage_with_a_connection_string_fails_when_the_account_refuses_shared_key():
    storage = {**STORAGE, "allowSharedKeyAccess": False}
    names = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION"]
    down = "The portal says the Azure Functions runtime is unreachable since the security baseline was applied."
    rule, facts = finding(_with_settings(down, names, FUNC, storage)) or ({}, {})
    assert rule.get("id") == "function-host-storage-shared-key-disabled" and facts["setting"] == "AzureWebJobsStorage"
    assert rule["category"] == "auth.credential_invalid"
    identity = ["AzureWebJobsStorage__accountName", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION"]
    assert finding_id(_with_settings(down, identity, FUNC, storage)) != "function-host-storage-shared-key-disabled"
    assert finding_id(_with_settings(UNRELATED, names, FUNC, storage)) != "function-host-storage-shared-key-disabled"
    assert finding_id(_with_settings(down, names, FUNC, STORAGE)) != "function-host-storage-shared-key-disabled"


def test_route_all_is_no_cause_for_an_app_without_virtual_network_integration():
    web = [{**WEB, "vnetRouteAllEnabled": False}]
    assert _found_id("The partner allows only our NAT gateway IP and refuses us.", web) != "app-vnet-route-all-off"


def test_a_linux_app_has_no_32_bit_worker_whatever_its_config_says():
    reads = [WEB, {"type": "Microsoft.Web/sites/config", "name": "app-portal", "use32BitWorkerProcess": True}]
    assert _found_id("The export throws System.OutOfMemoryException.", reads) != "app-32-bit-worker-out-of-memory"


def test_a_registry_closed_to_the_public_with_private_endpoints_is_left_to_the_private_path():
    registry = {"type": "Microsoft.ContainerRegistry/registries", "name": "cr-a", "publicNetworkAccess": "Disabled",
                "privateEndpointConnections": 0}
    pulled = "New AKS nodes fail with ErrImagePull: pulling cr-a.azurecr.io/api:1.4 returns 403 Forbidden"
    state = _with_settings(pulled, [], registry)
    # a cluster's nodes pull from an Azure network: with no private endpoint at all, the private endpoint is missing
    assert finding_id(state) == "registry-closed-without-private-endpoint-cluster-pull"
    private = _with_settings(pulled, [], {**registry, "privateEndpointConnections": 1})
    assert finding_id(private) not in ("registry-public-network-access-disabled",
                                       "registry-closed-without-private-endpoint-cluster-pull")
