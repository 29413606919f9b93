"""The twenty-third round of findings, data and messaging services (knowledge/evidence_findings.yaml): properties
that Microsoft's troubleshooting pages name as the cause of one symptom - storage public network access, legacy
v1 accounts, NFS 3.0 and cross-tenant replication; Key Vault public network access, purge protection and its tier;
a SQL server without a Microsoft Entra admin; the Cosmos DB total throughput limit and minimum TLS; flexible servers
without geo-redundant backup or in the Burstable tier; Redis without Microsoft Entra authentication; Event Hubs
without auto-inflate; Event Grid inbound IP rules. Each fires on recorded-like reads with the symptom it explains and
stays silent for its near miss and for an unrelated report; the fields they read are taken from ARM bodies."""

from __future__ import annotations

import pytest

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)
from tests.helpers.finding_checks import extracted as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."

STORAGE = {"type": "Microsoft.Storage/storageAccounts", "name": "stdata", "kind": "StorageV2",
           "publicNetworkAccess": "Disabled", "networkAcls": {"defaultAction": "Allow", "bypass": "AzureServices"},
           "allowSharedKeyAccess": True, "isNfsV3Enabled": False, "allowCrossTenantReplication": False,
           "supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2", "sku": "Standard_LRS"}
OPEN_STORAGE = {**STORAGE, "publicNetworkAccess": "Enabled"}
VAULT = {"type": "Microsoft.KeyVault/vaults", "name": "kv-data", "enableRbacAuthorization": True,
         "publicNetworkAccess": "Disabled", "enablePurgeProtection": True, "skuName": "standard",
         "networkAcls": {"defaultAction": "Allow"}}
SQL = {"type": "Microsoft.Sql/servers", "name": "sql-data", "publicNetworkAccess": "Enabled",
       "minimalTlsVersion": "1.2", "state": "Ready"}
SQL_ADMIN = {"administratorType": "ActiveDirectory", "principalType": "Group", "login": "sql-admins",
             "azureADOnlyAuthentication": False}
COSMOS = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-data", "publicNetworkAccess": "Enabled",
          "disableLocalAuth": False, "totalThroughputLimit": 1000, "minimalTlsVersion": "Tls12",
          "capabilities": [], "backupPolicy": "Continuous", "consistency": "Session"}
MYSQL = {"type": "Microsoft.DBforMySQL/flexibleServers", "name": "mysql-data", "state": "Ready", "tier": "Burstable",
         "sku": "Standard_B2ms", "replicationRole": "None",
         "backup": {"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"}}
POSTGRES = {**MYSQL, "type": "Microsoft.DBforPostgreSQL/flexibleServers", "name": "psql-data",
            "tier": "GeneralPurpose", "sku": "Standard_D2ds_v5"}
REDIS = {"type": "Microsoft.Cache/Redis", "name": "redis-data", "sku": {"name": "Standard", "family": "C",
                                                                      "capacity": 1},
         "enableNonSslPort": False, "minimumTlsVersion": "1.2", "disableAccessKeyAuthentication": False,
         "aadEnabled": "false"}
EVENT_HUBS = {"type": "Microsoft.EventHub/namespaces", "name": "evhns-data", "status": "Active",
              "sku": {"name": "Standard", "capacity": 1}, "isAutoInflateEnabled": False,
              "maximumThroughputUnits": 0, "disableLocalAuth": False}
TOPIC = {"type": "Microsoft.EventGrid/topics", "name": "egt-data", "publicNetworkAccess": "Enabled",
         "ipRules": ["203.0.113.10"], "disableLocalAuth": False, "inputSchema": "EventGridSchema"}

CASES = [
    Case("storage-public-network-access-disabled", "network.storage_firewall", "publicNetworkAccess", [STORAGE],
         "Uploads from our build agent to stdata fail with 403 AuthorizationFailure: This request is not "
         "authorized to perform this operation.",
         near_reads=[OPEN_STORAGE]),
    Case("storage-legacy-gpv1-no-access-tiers", "quota.sku_not_available", "general-purpose v1",
         [{**OPEN_STORAGE, "kind": "Storage"}],
         "Moving old invoices to the archive tier fails: Set Blob Tier returns 400 for every blob in stdata.",
         near_reads=[OPEN_STORAGE]),
    Case("storage-blob-nfs-v3-disabled", "quota.sku_not_available", "isNfsV3Enabled", [OPEN_STORAGE],
         "mount -t nfs -o sec=sys,vers=3,nolock,proto=tcp stdata.blob.core.windows.net:/stdata/exports /mnt/exports "
         "fails with access denied by server.",
         near_reads=[{**OPEN_STORAGE, "isNfsV3Enabled": True}]),
    Case("storage-cross-tenant-replication-disallowed", "quota.sku_not_available", "allowCrossTenantReplication",
         [OPEN_STORAGE],
         "Creating the object replication policy from stdata to the partner's account in another tenant fails.",
         near_reads=[{**OPEN_STORAGE, "allowCrossTenantReplication": True}]),
    Case("keyvault-public-network-access-disabled", "network.nsg_blocked", "publicNetworkAccess", [VAULT],
         "GetSecret fails with 403: Public network access is disabled and request is not from a trusted service "
         "nor via an approved private link.",
         near_reads=[{**VAULT, "publicNetworkAccess": "Enabled"}]),
    Case("keyvault-purge-protection-blocks-purge", "deployment.name_conflict", "enablePurgeProtection",
         [{**VAULT, "publicNetworkAccess": "Enabled"}],
         "terraform destroy fails: purging the deleted secret db-password is not allowed (403).",
         near_reads=[{**VAULT, "publicNetworkAccess": "Enabled", "enablePurgeProtection": None}]),
    Case("keyvault-standard-sku-hsm-keys", "quota.sku_not_available", "standard",
         [{**VAULT, "publicNetworkAccess": "Enabled", "enablePurgeProtection": None}],
         "az keyvault key create --vault-name kv-data --name cmk --kty RSA-HSM fails with BadParameter.",
         near_reads=[{**VAULT, "publicNetworkAccess": "Enabled", "enablePurgeProtection": None,
                      "skuName": "premium"}]),
    Case("sql-server-without-entra-admin", "auth.credential_invalid", "Microsoft Entra admin", [SQL],
         "The API's managed identity cannot connect: Login failed for user '<token-identified principal>'. "
         "The server is not currently configured to accept this token.",
         near_reads=[{**SQL, "administrators": SQL_ADMIN}]),
    Case("cosmos-total-throughput-limit-reached", "quota.exceeded", "totalThroughputLimit", [COSMOS],
         "Creating the audit container fails: Your account is currently configured with a total throughput limit "
         "of 1000 RU/s. This operation failed because it would have increased the total throughput to 1400 RU/s.",
         near_reads=[{**COSMOS, "totalThroughputLimit": -1}]),
    Case("cosmos-minimal-tls-above-client", "config.invalid_connection_string", "minimalTlsVersion", [COSMOS],
         "Our .NET Framework 4.5 service cannot reach cosmos-data: The client and server cannot communicate, "
         "because they do not possess a common algorithm.",
         near_reads=[{**COSMOS, "minimalTlsVersion": "Tls"}]),
    Case("flexible-server-geo-restore-without-geo-backup", "quota.sku_not_available", "geoRedundantBackup",
         [POSTGRES], "West Europe is down and the geo-restore option for psql-data is missing in the portal.",
         near_reads=[{**POSTGRES, "backup": {"backupRetentionDays": 7, "geoRedundantBackup": "Enabled"}}]),
    Case("flexible-server-burstable-without-high-availability", "quota.sku_not_available", "Burstable",
         [{**MYSQL, "backup": {"geoRedundantBackup": "Enabled"}}],
         "Enabling zone-redundant high availability on mysql-data is greyed out in the portal.",
         near_reads=[{**MYSQL, "backup": {"geoRedundantBackup": "Enabled"}, "tier": "GeneralPurpose"}]),
    Case("redis-entra-auth-disabled", "auth.credential_invalid", "aad-enabled", [REDIS],
         "With DefaultAzureCredential the app's connection to redis-data fails: WRONGPASS invalid "
         "username-password pair or user is disabled.",
         near_reads=[{**REDIS, "aadEnabled": "true"}]),
    Case("event-hubs-auto-inflate-off-throttled", "throttling.rate_limited", "isAutoInflateEnabled", [EVENT_HUBS],
         "Since the campaign started our producers get ServerBusyException from evhns-data.",
         near_reads=[{**EVENT_HUBS, "isAutoInflateEnabled": True, "maximumThroughputUnits": 10}]),
    Case("event-grid-topic-ip-filter-rejects-publisher", "network.nsg_blocked", "203.0.113.10", [TOPIC],
         "Publishing fails: Publishing to egt-data.westeurope-1.eventgrid.azure.net by client 198.51.100.7 is "
         "rejected due to IpAddress filtering rules.",
         near_reads=[{**TOPIC, "ipRules": []}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_an_unrelated_storage_403_is_not_blamed_on_public_network_access() -> None:
    report = "Uploads fail with 403 AuthorizationPermissionMismatch: This request is not authorized to perform " \
             "this operation using this permission."
    assert finding_id(reads_state(report, [STORAGE])) != "storage-public-network-access-disabled"


def test_replication_between_accounts_of_one_tenant_is_not_blamed_on_the_tenant_setting() -> None:
    report = ("The object replication policy to the DR account fails; both accounts are in the same tenant, "
              "not another tenant.")
    assert finding_id(reads_state(report, [OPEN_STORAGE])) != "storage-cross-tenant-replication-disallowed"


def test_a_premium_event_hubs_namespace_has_no_auto_inflate_verdict() -> None:
    premium = {**EVENT_HUBS, "sku": {"name": "Premium", "capacity": 1}}
    report = "Our producers get ServerBusyException from evhns-data."
    assert finding_id(reads_state(report, [premium])) != "event-hubs-auto-inflate-off-throttled"



def test_storage_nfs_and_cross_tenant_replication_are_read() -> None:
    body = {"kind": "StorageV2", "sku": {"name": "Standard_LRS"},
            "properties": {"isNfsV3Enabled": True, "isHnsEnabled": True, "allowCrossTenantReplication": False}}
    data = _fields("Microsoft.Storage", "storageAccounts", body)
    assert data["isNfsV3Enabled"] is True
    assert data["allowCrossTenantReplication"] is False


def test_key_vault_sku_name_is_read() -> None:
    body = {"properties": {"sku": {"family": "A", "name": "standard"}, "tenantId": "t1"}}
    assert _fields("Microsoft.KeyVault", "vaults", body)["skuName"] == "standard"


def test_cosmos_throughput_limit_and_minimal_tls_are_read() -> None:
    body = {"kind": "GlobalDocumentDB", "properties": {"capacity": {"totalThroughputLimit": 4000},
                                                       "minimalTlsVersion": "Tls12"}}
    data = _fields("Microsoft.DocumentDB", "databaseAccounts", body)
    assert data["totalThroughputLimit"] == 4000
    assert data["minimalTlsVersion"] == "Tls12"


@pytest.mark.parametrize("namespace", ["Microsoft.DBforMySQL", "Microsoft.DBforPostgreSQL"])
def test_flexible_server_backup_is_read(namespace: str) -> None:
    body = {"sku": {"name": "Standard_B1ms", "tier": "Burstable"},
            "properties": {"backup": {"backupRetentionDays": 7, "geoRedundantBackup": "Disabled",
                                      "earliestRestoreDate": "2026-11-28T10:00:00Z"}}}
    data = _fields(namespace, "flexibleServers", body)
    assert data["backup"] == {"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"}


def test_redis_entra_setting_is_read() -> None:
    body = {"properties": {"redisConfiguration": {"maxmemory-policy": "volatile-lru", "aad-enabled": "true"}}}
    assert _fields("Microsoft.Cache", "Redis", body)["aadEnabled"] == "true"
    assert "aadEnabled" not in _fields("Microsoft.Cache", "Redis", {"properties": {"redisConfiguration": {}}})
