"""The twenty-first round of findings (knowledge/evidence_findings.yaml and shared/engines/computed_findings.py):
failure modes that a resource's own properties show, across Redis, Key Vault, Storage, Cosmos DB, AKS, the
flexible database servers, Container Registry, App Service, Container Apps, App Configuration, AI Search, Logic
Apps, Azure OpenAI, Service Bus, Event Hubs and SQL. Each fires on recorded-like reads with the symptom it
explains, and stays silent for its near miss; the playbook steps that read the collections they need run for
their resource type."""

from __future__ import annotations

from typing import Any

import pytest

from shared.engines.playbooks import finding, investigate
from shared.models import Options
from shared.session.state import Evidence, Material, RunTool, SessionState
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."

REDIS = {"type": "Microsoft.Cache/Redis", "name": "redis-cart", "maxmemoryPolicy": "noeviction"}
VAULT = {"type": "Microsoft.KeyVault/vaults", "name": "kv-deploy", "enabledForTemplateDeployment": False,
         "enabledForDiskEncryption": False}
BLOB_ACCOUNT = {"type": "Microsoft.Storage/storageAccounts", "name": "stlegacyblobs", "kind": "BlobStorage"}
COSMOS = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-orders", "enableAnalyticalStorage": False,
          "consistency": "Eventual"}
AKS = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-shop", "powerState": "Running",
       "agentPoolProfiles": [
           {"name": "system", "mode": "System", "count": 3, "powerState.code": "Running", "enableAutoScaling": False},
           {"name": "gpu", "mode": "User", "count": 5, "powerState.code": "Running", "enableAutoScaling": True,
            "minCount": 1, "maxCount": 5}]}
AKS_CALM = {**AKS, "agentPoolProfiles": [AKS["agentPoolProfiles"][0], {**AKS["agentPoolProfiles"][1], "count": 2}]}
AKS_POOL_STOPPED = {**AKS, "agentPoolProfiles": [AKS["agentPoolProfiles"][0],
                                                 {**AKS_CALM["agentPoolProfiles"][1], "powerState.code": "Stopped"}]}
POSTGRES = {"type": "Microsoft.DBforPostgreSQL/flexibleServers", "name": "psql-orders", "state": "Stopped"}
REGISTRY = {"type": "Microsoft.ContainerRegistry/registries", "name": "crshop", "sku": "Standard"}
REGISTRY_RETAINS = {"type": "Microsoft.ContainerRegistry/registries", "name": "crshop", "sku": "Premium",
                    "retentionPolicy": {"status": "enabled", "days": 7}}
WEB = {"type": "Microsoft.Web/sites", "name": "app-grpc", "kind": "app,linux", "state": "Running",
       "siteConfig": {"linuxFxVersion": "DOTNETCORE|6.0"}}
CONFIG = {"type": "Microsoft.Web/sites/config", "name": "app-grpc", "http20Enabled": False}
APPCONFIG = {"type": "Microsoft.AppConfiguration/configurationStores", "name": "appcs-shop", "sku": "free"}
SEARCH = {"type": "Microsoft.Search/searchServices", "name": "srch-shop", "sku": "free"}
LOGIC = {"type": "Microsoft.Logic/workflows", "name": "la-invoices", "state": "Disabled"}
WORKER = {"type": "Microsoft.App/containerApps", "name": "ca-worker", "scale": {"maxReplicas": 10}, "scaleRules": []}
SCALED = {"type": "Microsoft.App/containerApps", "name": "ca-orders", "ingress": None, "scale": {"minReplicas": 0},
          "scaleRules": [{"name": "orders-queue", "custom.type": "azure-servicebus"}]}
REVISIONS = {"type": "Microsoft.App/containerApps", "name": "ca-web", "activeRevisionsMode": "Multiple",
             "latestRevisionName": "ca-web--v7", "ingress": {"external": True, "targetPort": 8080},
             "traffic": [{"revisionName": "ca-web--v6", "weight": 100}]}
DEPLOYMENTS = {"type": "Microsoft.CognitiveServices/accounts/deployments", "name": None, "deployments": [
    {"name": "gpt-4o-chat", "sku.name": "Standard", "sku.capacity": 10, "model.name": "gpt-4o"}]}
OPENAI = {"type": "Microsoft.CognitiveServices/accounts", "name": "oai-shop"}
QUEUES = {"type": "Microsoft.ServiceBus/namespaces/queues", "name": None, "entities": [
    {"name": "orders", "status": "Active", "lockDuration": "PT30S", "maxSizeInMegabytes": 1024,
     "sizeInBytes": 1073000000}]}
HUBS = {"type": "Microsoft.EventHub/namespaces/eventhubs", "name": None, "entities": [
    {"name": "telemetry", "status": "SendDisabled", "partitionCount": 4, "messageRetentionInDays": 1}]}
CONTAINERS = {"type": "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers", "name": None, "containers": [
    {"name": "carts", "resource.defaultTtl": 3600,
     "resource.uniqueKeyPolicy": {"uniqueKeys": [{"paths": ["/email"]}]}}]}
BLOB_CONTAINERS = {"type": "Microsoft.Storage/storageAccounts/blobServices/containers", "name": None, "containers": [
    {"name": "audit", "hasLegalHold": True, "hasImmutabilityPolicy": False}]}
DATABASES = {"type": "Microsoft.Sql/servers/databases", "name": None, "ids": [], "databases": [
    {"name": "sqldb-ledger", "sku.name": "GP_Gen5_2", "status": "Inaccessible"}]}
SQL = {"type": "Microsoft.Sql/servers", "name": "sql-ledger"}


CASES = [
    Case("redis-noeviction-out-of-memory", "quota.exceeded", "noeviction", [REDIS],
         "SET calls fail with: OOM command not allowed when used memory > 'maxmemory'.",
         near_reads=[{**REDIS, "maxmemoryPolicy": "volatile-lru"}]),
    Case("keyvault-template-deployment-disabled", "auth.keyvault_access_denied", "enabledForTemplateDeployment",
         [VAULT], "The Bicep deployment fails: KeyVaultParameterReferenceSecretRetrieveFailed for the sql password.",
         near_reads=[{**VAULT, "enabledForTemplateDeployment": True}]),
    Case("keyvault-disk-encryption-disabled", "auth.keyvault_access_denied", "enabledForDiskEncryption", [VAULT],
         "Enabling Azure Disk Encryption on vm-build fails with the key vault kv-deploy.",
         near_reads=[{**VAULT, "enabledForDiskEncryption": True}]),
    Case("storage-legacy-blob-account-without-queues-tables", "quota.sku_not_available", "BlobStorage",
         [BLOB_ACCOUNT], "The worker cannot reach https://stlegacyblobs.queue.core.windows.net: no such host.",
         near_reads=[{**BLOB_ACCOUNT, "kind": "StorageV2"}]),
    Case("cosmos-analytical-store-disabled", "quota.sku_not_available", "enableAnalyticalStorage", [COSMOS],
         "Our Synapse Link query on cosmos.olap finds no container for orders.",
         near_reads=[{**COSMOS, "enableAnalyticalStorage": True}]),
    Case("cosmos-weak-consistency-stale-reads", "runtime.code_defect", "Eventual", [COSMOS],
         "After an update the profile page sometimes shows stale data for a few seconds.",
         near_reads=[{**COSMOS, "consistency": "Session"}]),
    Case("aks-autoscaler-at-max-count", "quota.exceeded", "maxCount", [AKS],
         "The training pods stay Pending: 0/8 nodes are available: 5 Insufficient nvidia.com/gpu, max node group "
         "size reached.", near_reads=[AKS_CALM]),
    Case("aks-node-pool-stopped", "deployment.resource_locked", "stopped", [AKS_POOL_STOPPED],
         "The inference pods stay Pending with 0/3 nodes are available: 3 node(s) didn't match Pod's node "
         "affinity/selector.", near_reads=[AKS_CALM]),
    Case("flexible-server-stopped", "deployment.resource_locked", "Stopped", [POSTGRES],
         "The API cannot connect to psql-orders.postgres.database.azure.com: connection timed out.",
         near_reads=[{**POSTGRES, "state": "Ready"}]),
    Case("registry-feature-needs-premium", "quota.sku_not_available", "Premium", [REGISTRY],
         "Adding a private endpoint to crshop fails with BadRequest.",
         near_reads=[{**REGISTRY, "sku": "Premium"}]),
    Case("registry-retention-purged-untagged", "container.image_pull_failed", "retention", [REGISTRY_RETAINS],
         "The rollback fails: pulling crshop.azurecr.io/api@sha256:4f1c9e returns manifest unknown.",
         near_reads=[{**REGISTRY_RETAINS, "retentionPolicy": {"status": "disabled", "days": 7}}]),
    Case("app-grpc-http2-disabled", "config.missing_app_setting", "http20Enabled", [WEB, CONFIG],
         "gRPC calls to app-grpc.azurewebsites.net fail with StatusCode=Internal, HTTP/1.1 is not supported.",
         near_reads=[WEB, {**CONFIG, "http20Enabled": True}]),
    Case("app-grpc-port-setting-missing", "config.missing_app_setting", "HTTP20_ONLY_PORT", [WEB],
         "Our gRPC clients get Unavailable from the Linux web app while the REST endpoints work.",
         names=["APPLICATIONINSIGHTS_CONNECTION_STRING"],
         near_names=["APPLICATIONINSIGHTS_CONNECTION_STRING", "HTTP20_ONLY_PORT"]),
    Case("app-dotnet-runtime-older-than-app", "runtime.dependency_missing", "DOTNETCORE", [WEB],
         "The site shows an application error. Log: You must install or update .NET to run this application. "
         "Framework: 'Microsoft.AspNetCore.App', version '8.0.0' (x64).",
         near_reads=[{**WEB, "siteConfig": {"linuxFxVersion": "DOTNETCORE|8.0"}}]),
    Case("container-app-no-ingress-cannot-wake", "config.missing_app_setting", "ingress disabled", [WORKER],
         "The ca-worker container app stopped processing the nightly batches; no logs since Tuesday.",
         near_reads=[{**WORKER, "scale": {"minReplicas": 1, "maxReplicas": 10}}]),
    Case("container-app-scale-rule-without-credentials", "config.missing_app_setting", "credentials", [SCALED],
         "Messages pile up in the orders queue and the container app stays at 0 replicas.",
         near_reads=[{**SCALED, "scaleRules": [{**SCALED["scaleRules"][0], "custom.identity": "system"}]}]),
    Case("container-app-latest-revision-without-traffic", "config.invalid_connection_string", "multiple-revision",
         [REVISIONS], "We deployed the new image an hour ago but the site still serves the old version.",
         near_reads=[{**REVISIONS, "traffic": [{"latestRevision": True, "weight": 100}]}]),
    Case("openai-deployment-capacity-small", "throttling.rate_limited", "capacity", [OPENAI, DEPLOYMENTS],
         "Chat completions on gpt-4o-chat return 429 Too Many Requests at lunch time.",
         near_reads=[OPENAI, {**DEPLOYMENTS, "deployments": [{**DEPLOYMENTS["deployments"][0], "sku.capacity": 450}]}]),
    Case("openai-deployment-name-not-found", "config.wrong_resource_name", "DeploymentNotFound", [OPENAI, DEPLOYMENTS],
         "POST https://oai-shop.openai.azure.com/openai/deployments/gpt4o/chat/completions returns 404 "
         "DeploymentNotFound.",
         near_report="POST https://oai-shop.openai.azure.com/openai/deployments/gpt-4o-chat/chat/completions "
                     "returns 404 DeploymentNotFound."),
    Case("service-bus-entity-size-limit-reached", "quota.exceeded", "maxSizeInMegabytes", [QUEUES],
         "Sending to the orders queue fails with QuotaExceededException.",
         near_reads=[{**QUEUES, "entities": [{**QUEUES["entities"][0], "sizeInBytes": 20480}]}]),
    Case("service-bus-lock-shorter-than-processing", "runtime.timeout", "MessageLockLost", [QUEUES],
         "Completing messages from orders fails with MessageLockLostException: the lock supplied is invalid.",
         near_reads=[{**QUEUES, "entities": [{**QUEUES["entities"][0], "lockDuration": "PT5M"}]}]),
    Case("event-hub-not-active", "config.wrong_resource_name", "SendDisabled", [HUBS],
         "Producers sending to the telemetry event hub fail since this morning.",
         near_reads=[{**HUBS, "entities": [{**HUBS["entities"][0], "status": "Active"}]}]),
    Case("event-hub-partitions-fewer-than-consumers", "quota.exceeded", "partitions",
         [{**HUBS, "entities": [{**HUBS["entities"][0], "status": "Active"}]}],
         "We run 10 consumer instances on telemetry, but 6 of them stay idle and never receive events.",
         near_report="We run 3 consumer instances on telemetry, but one of them stays idle and never receives "
                     "events."),
    Case("cosmos-container-ttl-expires-items", "runtime.code_defect", "time to live", [COSMOS, CONTAINERS],
         "Cart items disappear from the carts container after about an hour; nobody deletes them.",
         near_reads=[COSMOS, {**CONTAINERS, "containers": [{**CONTAINERS["containers"][0],
                                                            "resource.defaultTtl": -1}]}]),
    Case("cosmos-container-unique-key-conflict", "runtime.code_defect", "unique key", [COSMOS, CONTAINERS],
         "Creating a new customer in carts fails with 409 Conflict although the id is a fresh GUID.",
         near_reads=[COSMOS, {**CONTAINERS, "containers": [{"name": "carts", "resource.defaultTtl": -1}]}]),
    Case("storage-container-immutability-blocks-change", "deployment.resource_locked", "legal hold",
         [BLOB_ACCOUNT, BLOB_CONTAINERS], "The cleanup job cannot delete blobs in audit: 409 Conflict.",
         near_reads=[BLOB_ACCOUNT, {**BLOB_CONTAINERS, "containers": [{"name": "audit", "hasLegalHold": False}]}]),
    Case("sql-database-inaccessible-encryption-key", "auth.keyvault_access_denied", "Inaccessible", [SQL, DATABASES],
         "Since last night every login to sqldb-ledger fails; someone cleaned up old keys in Key Vault.",
         near_reads=[SQL, {**DATABASES, "databases": [{**DATABASES["databases"][0], "status": "Online"}]}]),
    Case("app-configuration-free-tier-request-quota", "throttling.rate_limited", "Free", [APPCONFIG],
         "Config refresh fails with 429: Resource utilization has surpassed the assigned quota.",
         near_reads=[{**APPCONFIG, "sku": "standard"}]),
    Case("search-free-tier-limits", "quota.exceeded", "Free", [SEARCH],
         "Creating the fourth index fails: the maximum number of indexes has been reached for this service.",
         near_reads=[{**SEARCH, "sku": "basic"}]),
    Case("logic-app-workflow-disabled", "deployment.resource_locked", "Disabled", [LOGIC],
         "The invoice workflow is not triggered any more; the run history has no runs since Friday.",
         near_reads=[{**LOGIC, "state": "Enabled"}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_stopped_cluster_is_not_read_as_a_stopped_node_pool() -> None:
    stopped = {**AKS_POOL_STOPPED, "powerState": "Stopped"}
    report = "The pods stay Pending and kubectl hangs."
    assert finding_id(reads_state(report, [stopped], None)) == "aks-cluster-stopped"


def test_a_dotnet_framework_4_stack_is_not_an_older_dotnet() -> None:
    windows = {**WEB, "kind": "app", "siteConfig": {"netFrameworkVersion": "v4.0"}}
    report = "The framework 'Microsoft.NETCore.App', version '8.0.0' was not found."
    assert finding_id(reads_state(report, [windows], None)) != "app-dotnet-runtime-older-than-app"
    older = {**WEB, "kind": "app", "siteConfig": {"netFrameworkVersion": "v6.0"}}
    rule, facts = finding(reads_state(report, [older], None)) or ({}, {})
    assert rule.get("id") == "app-dotnet-runtime-older-than-app" and facts["setting"] == "netFrameworkVersion"


def test_a_container_app_read_without_its_scale_settings_gives_no_wake_verdict() -> None:
    bare = {"type": "Microsoft.App/containerApps", "name": "ca-worker"}
    report = "The ca-worker container app stopped processing the nightly batches."
    assert finding_id(reads_state(report, [bare], None)) != "container-app-no-ingress-cannot-wake"


def test_the_named_queue_decides_among_several() -> None:
    queues = {**QUEUES, "entities": [QUEUES["entities"][0], {**QUEUES["entities"][0], "name": "invoices",
                                                              "lockDuration": "PT5M"}]}
    said = "Completing messages from invoices fails with MessageLockLostException."
    assert finding_id(reads_state(said, [queues], None)) != "service-bus-lock-shorter-than-processing"
    said = "Completing messages from orders fails with MessageLockLostException."
    assert finding_id(reads_state(said, [queues], None)) == "service-bus-lock-shorter-than-processing"


RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"


def _reads_of(resource_id: str, report: str, collections: dict[str, dict[str, Any]]) -> list[str]:
    """The resource ids the playbook reads, in order, for a report that names the resource by its id; a read of one
    of `collections` answers that data, every other read an empty success."""
    state = SessionState(trace_id="r" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=f"{report} ({resource_id})"))
    read: list[str] = []
    while len(read) < 25 and isinstance(step := investigate(state), RunTool):
        target = str(step.arguments.get("resource_id") or "")
        read.append(target if step.tool == "get_resource" else step.tool)
        data = collections.get(target, {"type": "/".join(target.split("/providers/")[-1].split("/")[:2])}
                               if step.tool == "get_resource" else {})
        state.add_evidence(Evidence(tool=step.tool, arguments=step.arguments, status="success", summary="read",
                                    data=data))
    return read


@pytest.mark.parametrize(("resource_id", "report", "collection", "item_read"), [
    (f"{RG}/Microsoft.DocumentDB/databaseAccounts/cosmos-orders",
     "Cart items disappear from the carts container after an hour", "/sqlDatabases", "/sqlDatabases/shop/containers"),
    (f"{RG}/Microsoft.CognitiveServices/accounts/oai-shop", "Chat completions return 429 Too Many Requests",
     "/deployments", ""),
    (f"{RG}/Microsoft.EventHub/namespaces/evhns-shop", "Sending to the telemetry event hub fails", "/eventhubs", ""),
    (f"{RG}/Microsoft.Storage/storageAccounts/staudit", "Deleting blobs in audit fails with 409 Conflict",
     "/blobServices/default/containers", ""),
])
def test_the_playbook_reads_the_collection_its_findings_need(resource_id: str, report: str, collection: str,
                                                             item_read: str) -> None:
    ids = {f"{resource_id}/sqlDatabases": {"type": "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
                                           "ids": [f"{resource_id}/sqlDatabases/shop"]}}
    reads = _reads_of(resource_id, report, ids)
    assert f"{resource_id}{collection}" in reads
    if item_read:
        assert f"{resource_id}{item_read}" in reads


def test_the_collection_steps_wait_for_their_symptom() -> None:
    cosmos = f"{RG}/Microsoft.DocumentDB/databaseAccounts/cosmos-orders"
    assert f"{cosmos}/sqlDatabases" not in _reads_of(cosmos, "Queries are slow at peak", {})
    storage = f"{RG}/Microsoft.Storage/storageAccounts/staudit"
    assert f"{storage}/blobServices/default/containers" not in _reads_of(storage, "Uploads get 403 Forbidden", {})
