"""The twenty-second round of findings (knowledge/evidence_findings.yaml and shared/engines/computed_findings.py):
child resources that are missing or unusable (Service Bus entities, storage queues and shares, Cosmos DB databases
and containers, regional endpoints), identities of slots and Key Vault references, properties that limit a client
(storage endpoints, copy scope, SFTP local users, secondary reads, read replicas, Redis clustering, Logic Apps
caller IPs, Event Grid input schemas, AKS add-ons) and limits reached (container app replicas, pods per node,
Service Bus time to live and delivery count). Each fires on recorded-like reads with the symptom it explains and
stays silent for its near miss; the playbook steps that read what they need run for their resource type."""

from __future__ import annotations

import pytest

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    playbook_reads,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"
UAMI = f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-shop"

SITE = {"type": "Microsoft.Web/sites", "name": "app-shop", "kind": "app", "sku": "Standard",
        "keyVaultReferenceIdentity": UAMI, "identity": {"type": "UserAssigned", "principalId": None,
                                                        "userAssigned": []}}
SLOTS = {"type": "Microsoft.Web/sites/slots", "name": None,
         "slots": [{"name": "app-shop/staging", "state": "Running"}]}
SYSTEM_SITE = {**SITE, "keyVaultReferenceIdentity": "SystemAssigned",
               "identity": {"type": "SystemAssigned", "principalId": "p1", "userAssigned": []}}
QUEUES = {"type": "Microsoft.ServiceBus/namespaces/queues", "name": None, "entities": [
    {"name": "orders", "status": "Active", "forwardTo": "orders-archive", "defaultMessageTimeToLive": "PT5M",
     "deadLetteringOnMessageExpiration": False, "maxDeliveryCount": 1}]}
CALM_QUEUES = {**QUEUES, "entities": [{"name": "orders", "status": "Active", "defaultMessageTimeToLive": "P14D",
                                       "maxDeliveryCount": 10}]}
TOPICS = {"type": "Microsoft.ServiceBus/namespaces/topics", "name": None, "ids": [], "entities": [
    {"name": "events", "status": "Active"}]}
STORAGE_QUEUES = {"type": "Microsoft.Storage/storageAccounts/queueServices/queues", "name": None,
                  "id": f"{SUB}/Microsoft.Storage/storageAccounts/stshop/queueServices/default/queues",
                  "queues": ["orders-in", "poison"]}
DATABASES = {"type": "Microsoft.DocumentDB/databaseAccounts/sqlDatabases", "name": None,
             "ids": [f"{SUB}/Microsoft.DocumentDB/databaseAccounts/cosmos-shop/sqlDatabases/shop"],
             "databases": ["shop"]}
CONTAINERS = {"type": "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers", "name": None,
              "id": f"{SUB}/Microsoft.DocumentDB/databaseAccounts/cosmos-shop/sqlDatabases/shop/containers",
              "containers": [{"name": "orders"}, {"name": "customers"}]}
COSMOS = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-shop",
          "locations": ["North Europe"], "backupPolicy": "Periodic"}
SUBNET_ID = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-shop/subnets/snet-apps"
NAT_SITE = {**SYSTEM_SITE, "virtualNetworkSubnetId": SUBNET_ID, "vnetRouteAllEnabled": True}
SUBNET = {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "snet-apps", "id": SUBNET_ID,
          "delegations": ["Microsoft.Web/serverFarms"]}
CONTAINER_APP = {"type": "Microsoft.App/containerApps", "name": "ca-api", "scale": {"minReplicas": 1,
                                                                                   "maxReplicas": 5}}
REPLICAS = {"metrics": [{"name": "Replicas", "max": 5, "avg": 4.2, "total": None}]}
AKS = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-shop", "powerState": "Running",
       "workloadIdentity": None, "keyVaultSecretsProvider": False,
       "agentPoolProfiles": [{"name": "apps", "mode": "User", "count": 3, "maxPods": 30}]}
TOPIC = {"type": "Microsoft.EventGrid/topics", "name": "egt-orders", "inputSchema": "EventGridSchema"}
STORAGE = {"type": "Microsoft.Storage/storageAccounts", "name": "stshop", "dnsEndpointType": "AzureDnsZone",
           "allowedCopyScope": "AAD", "isSftpEnabled": True, "isLocalUserEnabled": False, "sku": "Standard_GRS"}
VAULT = {"type": "Microsoft.KeyVault/vaults", "name": "kv-certs", "enabledForDeployment": False}
REPLICA = {"type": "Microsoft.DBforPostgreSQL/flexibleServers", "name": "psql-shop-ro", "state": "Ready",
           "replicationRole": "AsyncReplica"}
REDIS = {"type": "Microsoft.Cache/Redis", "name": "redis-shop", "shardCount": 3}
LOGIC = {"type": "Microsoft.Logic/workflows", "name": "la-intake", "state": "Enabled",
         "triggerCallerIps": ["203.0.113.0/24"]}
CONFIG = {"type": "Microsoft.Web/sites/config", "name": "app-shop", "alwaysOn": False}

CASES = [
    Case("keyvault-reference-identity-not-assigned", "auth.managed_identity_missing", "id-shop", [SITE],
         "All settings with @Microsoft.KeyVault references show the literal reference text since Tuesday.",
         near_reads=[{**SITE, "identity": {"type": "UserAssigned", "userAssigned": [{"id": UAMI}]}}]),
    Case("app-slot-without-identity", "auth.managed_identity_missing", "staging", [SYSTEM_SITE, SLOTS],
         "In the staging slot the app fails with ManagedIdentityCredential authentication unavailable; "
         "production works.",
         near_reads=[SYSTEM_SITE, {**SLOTS, "slots": [{**SLOTS["slots"][0], "identity.type": "SystemAssigned"}]}]),
    Case("service-bus-entity-not-in-namespace", "config.wrong_resource_name", "order-events", [CALM_QUEUES, TOPICS],
         "Sending fails: The messaging entity 'sb://sb-shop.servicebus.windows.net/order-events' could not be "
         "found. MessagingEntityNotFound.",
         near_report="Sending fails: The messaging entity 'sb://sb-shop.servicebus.windows.net/orders' could "
                     "not be found. MessagingEntityNotFound."),
    Case("storage-queue-or-share-not-found", "config.wrong_resource_name", "orders-incoming", [STORAGE_QUEUES],
         "PUT https://stshop.queue.core.windows.net/orders-incoming/messages returns 404 QueueNotFound: The "
         "specified queue does not exist.",
         near_report="PUT https://stshop.queue.core.windows.net/orders-in/messages returns 404 QueueNotFound."),
    Case("cosmos-database-or-container-not-found", "config.wrong_resource_name", "carts",
         [COSMOS, DATABASES, CONTAINERS],
         "Reads fail with 404 NotFound Resource Not Found; RequestUri: /dbs/shop/colls/carts/docs/42",
         near_report="Reads fail with 404 NotFound Resource Not Found; RequestUri: /dbs/shop/colls/orders/docs/42"),
    Case("cosmos-regional-endpoint-region-removed", "config.invalid_connection_string", "westeurope", [COSMOS],
         "The API cannot reach https://cosmos-shop-westeurope.documents.azure.com:443/ since yesterday: name or "
         "service not known.",
         near_reads=[{**COSMOS, "locations": ["North Europe", "West Europe"]}]),
    Case("app-outbound-without-nat-gateway", "network.nsg_blocked", "NAT gateway", [NAT_SITE, SUBNET],
         "Our partner allowlisted one static outbound IP for us, but half of our calls to their API get 403.",
         near_reads=[NAT_SITE, {**SUBNET, "natGateway": f"{SUB}/Microsoft.Network/natGateways/ng-shop"}]),
    Case("container-app-at-max-replicas", "quota.exceeded", "maxReplicas", [CONTAINER_APP],
         "At peak the API gets slow and returns 503 for a third of the requests.", metrics=REPLICAS,
         near_metrics={"metrics": [{"name": "Replicas", "max": 3, "avg": 2.0, "total": None}]}),
    Case("service-bus-auto-forward-source-empty", "config.wrong_resource_name", "forwardTo", [QUEUES],
         "Our receiver on the orders queue never gets any messages although the senders succeed.",
         near_reads=[CALM_QUEUES]),
    Case("service-bus-message-ttl-expires-unprocessed", "config.missing_app_setting", "time to live",
         [{**QUEUES, "entities": [{**QUEUES["entities"][0], "forwardTo": None}]}],
         "After the two-hour deployment window the messages in orders were gone; nobody received them.",
         near_reads=[CALM_QUEUES]),
    Case("service-bus-max-delivery-count-low", "config.missing_app_setting", "maxDeliveryCount",
         [{**QUEUES, "entities": [{**QUEUES["entities"][0], "forwardTo": None, "defaultMessageTimeToLive": "P14D"}]}],
         "Most messages of orders end up in the dead-letter queue with MaxDeliveryCountExceeded.",
         near_reads=[CALM_QUEUES]),
    Case("aks-node-pool-max-pods-low", "quota.exceeded", "maxPods", [AKS],
         "New pods stay Pending: 0/3 nodes are available: 3 Too many pods.",
         near_reads=[{**AKS, "agentPoolProfiles": [{**AKS["agentPoolProfiles"][0], "maxPods": 110}]}]),
    Case("event-grid-topic-input-schema-mismatch", "config.invalid_connection_string", "CloudEvents", [TOPIC],
         "Publishing CloudEvents to egt-orders fails with 400 Bad Request.",
         near_reads=[{**TOPIC, "inputSchema": "CloudEventSchemaV1_0"}]),
    Case("storage-dns-zone-endpoint-name-guessed", "config.invalid_connection_string", "AzureDnsZone", [STORAGE],
         "Uploads fail: dial tcp: lookup stshop.blob.core.windows.net: no such host.",
         near_reads=[{**STORAGE, "dnsEndpointType": "Standard"}]),
    Case("storage-copy-scope-restricted", "network.storage_firewall", "allowedCopyScope", [STORAGE],
         "azcopy copy from the partner's account into stshop fails with 403 CannotVerifyCopySource.",
         near_reads=[{**STORAGE, "allowedCopyScope": None}]),
    Case("storage-sftp-local-users-disabled", "auth.credential_invalid", "isLocalUserEnabled", [STORAGE],
         "The supplier's SFTP upload to stshop fails with Permission denied (publickey,password).",
         near_reads=[{**STORAGE, "isLocalUserEnabled": True}]),
    Case("storage-secondary-read-without-ra-sku", "config.invalid_connection_string", "Standard_GRS",
         [{**STORAGE, "dnsEndpointType": "Standard"}],
         "The read fallback to https://stshop-secondary.blob.core.windows.net fails with no such host.",
         near_reads=[{**STORAGE, "dnsEndpointType": "Standard", "sku": "Standard_RAGRS"}]),
    Case("keyvault-vm-deployment-disabled", "auth.keyvault_access_denied", "enabledForDeployment", [VAULT],
         "Deploying vm-web fails with KeyVaultAccessForbidden: Key Vault kv-certs is not enabled for deployment.",
         near_reads=[{**VAULT, "enabledForDeployment": True}]),
    Case("flexible-server-replica-read-only", "config.invalid_connection_string", "AsyncReplica", [REPLICA],
         "Checkout fails: ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006).",
         near_reads=[{**REPLICA, "replicationRole": "Primary"}]),
    Case("redis-cluster-client-not-cluster-aware", "runtime.code_defect", "shards", [REDIS],
         "Our redis-py calls fail with MOVED 5612 10.0.0.5:15000.",
         near_reads=[{**REDIS, "shardCount": 0}]),
    Case("logic-app-trigger-caller-ip-restricted", "network.nsg_blocked", "203.0.113.0/24", [LOGIC],
         "The ERP's call to the logic app's trigger callback URL returns 403 Forbidden since the ERP moved.",
         near_reads=[{**LOGIC, "triggerCallerIps": []}]),
    Case("aks-workload-identity-disabled", "auth.managed_identity_missing", "workload identity", [AKS],
         "The pod labelled azure.workload.identity/use has no AZURE_FEDERATED_TOKEN_FILE and "
         "DefaultAzureCredential fails.",
         near_reads=[{**AKS, "workloadIdentity": True}]),
    Case("aks-keyvault-csi-addon-disabled", "config.missing_app_setting", "azureKeyvaultSecretsProvider", [AKS],
         "MountVolume.SetUp failed: driver name secrets-store.csi.k8s.io not found in the list of registered CSI "
         "drivers.", near_reads=[{**AKS, "keyVaultSecretsProvider": True}]),
    Case("cosmos-periodic-backup-no-point-in-time-restore", "quota.sku_not_available", "periodic", [COSMOS],
         "We need a point-in-time restore of cosmos-shop to yesterday 14:00 but the restore option is missing.",
         near_reads=[{**COSMOS, "backupPolicy": "Continuous"}]),
    Case("app-always-on-off-continuous-webjob", "functions.host_misconfigured", "Always On", [SITE, CONFIG],
         "Our continuous WebJob stops every night and only runs again when someone opens the site.",
         near_reads=[SITE, {**CONFIG, "alwaysOn": True}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_missing_entity_needs_both_the_queues_and_the_topics_read() -> None:
    report = "The messaging entity 'sb://sb-shop.servicebus.windows.net/events' could not be found."
    assert finding_id(reads_state(report, [CALM_QUEUES])) != "service-bus-entity-not-in-namespace"
    assert finding_id(reads_state(report, [CALM_QUEUES, TOPICS])) != "service-bus-entity-not-in-namespace"


def test_a_missing_cosmos_database_is_named_as_a_database() -> None:
    report = "404 NotFound Resource Not Found; RequestUri: /dbs/shop-eu/colls/orders/docs/1"
    state = reads_state(report, [COSMOS, DATABASES, CONTAINERS])
    assert finding_id(state) == "cosmos-database-or-container-not-found"


def test_an_app_outside_any_subnet_gets_no_nat_gateway_verdict() -> None:
    report = "Our partner allowlisted one static outbound IP for us, but our calls get 403."
    assert finding_id(reads_state(report, [SYSTEM_SITE, SUBNET])) != "app-outbound-without-nat-gateway"


def _reads_of(resource_id: str, report: str) -> list[str]:
    """The resource ids (or tools) the playbook reads, in order, for a report that names the resource by its id;
    every read answers an empty success."""
    return [f"{tool}:{target}" for tool, target in playbook_reads(resource_id, report)]


@pytest.mark.parametrize(("resource_id", "report", "expected"), [
    (f"{SUB}/Microsoft.Web/sites/app-shop", "The staging slot cannot get a token",
     "get_resource:{id}/slots"),
    (f"{SUB}/Microsoft.Storage/storageAccounts/stshop", "Sending fails with 404 QueueNotFound",
     "get_resource:{id}/queueServices/default/queues"),
    (f"{SUB}/Microsoft.Storage/storageAccounts/stshop", "Mounting fails with ShareNotFound",
     "get_resource:{id}/fileServices/default/shares"),
    (f"{SUB}/Microsoft.DocumentDB/databaseAccounts/cosmos-shop", "Reads fail with 404 NotFound",
     "get_resource:{id}/sqlDatabases"),
    (f"{SUB}/Microsoft.App/containerApps/ca-api", "The API is slow at peak", "query_metrics:{id}"),
])
def test_the_playbook_reads_what_round_22_needs(resource_id: str, report: str, expected: str) -> None:
    assert expected.format(id=resource_id) in _reads_of(resource_id, report)


def test_the_round_22_steps_wait_for_their_symptom() -> None:
    site = f"{SUB}/Microsoft.Web/sites/app-shop"
    assert f"get_resource:{site}/slots" not in _reads_of(site, "Uploads get 403 Forbidden")
    storage = f"{SUB}/Microsoft.Storage/storageAccounts/stshop"
    assert f"get_resource:{storage}/queueServices/default/queues" not in _reads_of(storage, "Uploads get 403")
