"""Round 38 brief B5: knowledge breadth from Microsoft's troubleshooting articles for data and messaging (Storage,
Azure File Sync, BlobFuse2, Cosmos DB, PostgreSQL/MySQL flexible servers, Redis, Event Hubs). Each new or extended
catalog entry gets a realistic paste (a CLI error, a log line, a stack trace) that must rank it first, a few of them
run through the engine for the category and the deciding detail, and near misses (the same words in another
product's context) that must not reach the entry. Windows HRESULTs (0x80c8305f, -2134364065) are catalog codes now."""

from __future__ import annotations

import os

import pytest

from shared.catalog.schema import CatalogEntry
from shared.security.rate_limit import NO_LIMITS_ENV
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

for _key, _value in NO_LIMITS_ENV.items():
    os.environ.setdefault(_key, _value)


# --- pastes that must rank the entry first -------------------------------------------------------------------------

RANKED = [
    # Azure File Sync: the agent's event 9102 prints the decimal HRESULT, the portal the hex one and the symbolic name
    ("Azure File Sync server endpoint FS01 D:\\Shares shows Error.\nReplica Sync session completed.\n"
     "SyncDirection: Upload,\nHResult: -2134364065,\nPerItemErrorCount: 0",
     "storage-files-sync-cloud-endpoint-share-unreachable"),
    ("Sync group finance, cloud endpoint health: Error 0x80C8305F "
     "(ECS_E_EXTERNAL_STORAGE_ACCOUNT_AUTHORIZATION_FAILED)",
     "storage-files-sync-cloud-endpoint-share-unreachable"),
    ("Portal: server endpoint error 0x80c86044 ECS_E_AZURE_AUTHORIZATION_FAILED for stfin01.file.core.windows.net",
     "storage-files-sync-azure-authorization-failed"),
    ("file sync stopped after networking locked the account down: 0x80c8033e ECS_E_SERVER_BLOCKED_BY_NETWORK_ACL",
     "storage-files-sync-blocked-by-network-acl"),
    ("Sync failed: ECS_E_MGMT_STORAGEACLSBYPASSNOTSET (0x80c83096)", "storage-files-sync-blocked-by-network-acl"),
    ("FileSyncErrorsReport.ps1: 0x80C83060 ECS_E_STORAGE_ACCOUNT_NAME_UNRESOLVED for stsync.file.core.windows.net",
     "storage-files-sync-storage-account-name-unresolved"),
    ("Azure File Sync on FS03: sync sessions fail with 0x80072ee7 (WININET_E_NAME_NOT_RESOLVED)",
     "storage-files-sync-service-unreachable"),
    ("File Sync server endpoint error: ECS_E_STORAGE_ACCOUNT_LOCKED (0x80c83092)",
     "storage-files-sync-storage-account-locked"),
    ("Replica Sync session completed.\nSyncDirection: Upload,\nHResult: -2134351810,\nPerItemErrorCount: 0",
     "storage-files-sync-share-size-limit"),
    ("Sync failed with ECS_E_SYNC_REPLICA_ROOT_CHANGED 0x80c8027e after we recreated the share",
     "storage-files-sync-share-not-found-or-recreated"),
    ("server endpoint D:\\Data: ECS_E_SYNC_ROOT_DIRECTORY_NOT_FOUND (0x80c8027a)",
     "storage-files-sync-server-endpoint-path-missing"),
    ("Sync failed: ECS_E_AUTH_SRV_CERT_EXPIRED 0x80c83078 on the registered server FS05",
     "storage-files-sync-server-certificate"),
    ("Event 9301: GetNextJob completed with status: -2134347764", "storage-files-sync-server-certificate"),
    ("Sync failed due to a problem with authentication: ECS_E_SERVER_CREDENTIAL_NEEDED (0x80c80300)",
     "storage-files-sync-server-credential-needed"),
    ("Sync session error 0x80c8004c ECS_E_USER_REQUEST_THROTTLED", "storage-files-sync-throttled-or-unavailable"),
    ("Sync failed: ECS_E_INVALID_AAD_TENANT 0x80c83088 after the subscription moved tenants",
     "storage-files-sync-invalid-aad-tenant"),
    ("New-AzStorageSyncCloudEndpoint : Cloud endpoint creation failed: MgmtStorageAccountInaccessible",
     "storage-files-sync-cloud-endpoint-storage-inaccessible"),
    ("Create cloud endpoint failed: The specified Azure FileShare is already in use by a different CloudEndpoint.",
     "storage-files-sync-share-in-use-by-other-cloud-endpoint"),
    ("Server endpoint creation fails: MgmtServerJobFailed (Error code: -2134375898 or 0x80c80226)",
     "storage-files-sync-server-endpoint-path-not-supported"),
    ("server endpoint creation failed. The server endpoints per server limit has been reached (-2134376345)",
     "storage-files-sync-server-endpoint-limits"),
    ("Server endpoint deletion fails with MgmtFileShareSnapshotCountExceeded (0x80c87038)",
     "storage-files-sync-server-endpoint-limits"),
    ("Event 9301: GetNextJob completed with status: -2134347756. Server FS07 shows Appears offline.",
     "storage-files-sync-getnextjob-connectivity"),
    ("Files fail to sync with error 0x80c86063 (ECS_E_AZURE_AUTHORIZATION_PERMISSION_MISMATCH) after we moved "
     "File Sync to managed identities", "storage-files-sync-server-identity-permission-mismatch"),
    ("AfsAgentInstall log: Exception occurred while configuring MitigationRedirection policy. This could indicate "
     "that required windows updates not installed on the computer.", "storage-files-sync-agent-needs-windows-updates"),
    # BlobFuse2 (its troubleshooting guide)
    ("$ blobfuse2 mount /mnt/data --config-file=./config.yaml\nError: failed to mount : failed to authenticate "
     "credentials for azstorage", "storage-blobfuse2-authenticate-credentials-failed"),
    ("blobfuse2 mount ~/mnt --config-file=config.yaml\nlog: LOG_ERR [libfuse_handler.go] Failed to init fuse\n"
     "config has allow-other: true", "storage-blobfuse2-allow-other-needs-user-allow-other"),
    ("blobfuse2 mount hangs; config azstorage account-name: privatelink.stdata01.blob.core.windows.net",
     "storage-blobfuse2-privatelink-account-name"),
    ("mkdir: cannot create directory '/mnt/blob/reports': Input/output error\nblobfuse2 mounted a container of our "
     "premium page blob account", "storage-blobfuse2-premium-page-blob-account"),
    # Storage availability metrics
    ("Azure Monitor: storage account stqueue01 Availability 91%, ResponseType ClientThrottlingError and "
     "ServerBusyError rising since all orders go to one queue", "storage-metrics-throttling-response-types"),
    # Cosmos DB
    ("Microsoft.Azure.Cosmos.CosmosException : Response status code does not indicate success: BadRequest (400); "
     "Substatus: 0; Reason: (Request header too large. Request header size 65535 exceeds the limit);",
     "cosmos-request-header-too-large"),
    ("com.microsoft.azure.cosmosdb.rx.internal.PoolExhaustedException: Connection pool exhausted",
     "cosmos-async-java-pool-exhausted"),
    ("Exception in thread \"main\" java.lang.NoSuchMethodError: rx.Observable.toSingle()Lrx/Single;\n"
     "    at com.microsoft.azure.cosmosdb.rx.internal.RxDocumentClientImpl", "cosmos-async-java-old-rxjava"),
    ("MongoServerSelectionError: Server selection timed out after 30000 ms\nmongodb+srv://app:***@orders."
     "mongocluster.cosmos.azure.com/?tls=true", "cosmos-mongo-vcore-connect-timeout-firewall"),
    ("DnsClient.DnsResponseException: Header indicates error: RefusedQuery\nconnection string mongodb+srv://admin:"
     "***@c.orders.mongocluster.cosmos.azure.com", "cosmos-mongo-vcore-srv-dns-response"),
    ("Microsoft.Azure.Documents.DocumentClientException: Request is being made with a forbidden encryption in "
     "transit protocol or cipher. https://localhost:8081/", "cosmos-emulator-tls13-refused"),
    ("CosmosException: Forbidden (403); Reason: (Request is being made with a forbidden encryption in transit "
     "protocol or cipher.) https://orders-prod.documents.azure.com:443/", "cosmos-forbidden-tls-protocol"),
    ("Faulting application name: Microsoft.Azure.Cosmos.ComputeServiceStartupEntryPoint.exe - the emulator crashes",
     "cosmos-emulator-crash-perf-counters"),
    # SQL Server on Azure VMs
    ("{\"status\": \"Failed\", \"error\": {\"code\": "
     "\"Ext_StorageConfigurationSettings_ApplyNewTempDbSettingsError\", "
     "\"message\": \"Error: 'System Drive returned status not ready for use '\"}}",
     "sql-vm-tempdb-on-raw-nvme-temp-disk"),
    ("Unable to open the physical file \"D:\\SQLTemp\\tempdb.mdf\". Operating system error 3.\n"
     "Could not create tempdb. You may not have enough disk space available.\nSQL Server on an Azure VM, after it "
     "was deallocated", "sql-vm-tempdb-path-missing-after-restart"),
    ("Cannot use file 'E:\\SQLData\\master.mdf' because it was originally formatted with sector size 4096 and is now "
     "on a volume with sector size 8192.", "sql-vm-disk-sector-size-8k"),
    ("System.Collections.Generic.KeyNotFoundException: The given key was not present in the dictionary.\n   at "
     "Microsoft.SqlServer.Configuration.ClusterConfiguration.FailoverClusterNamePrivateConfigObject."
     "CreateFailoverClusterNameResource(FailoverClusterNamePublicConfigObject pubConfig)",
     "sql-vm-fci-install-distributed-network-name"),
    # PostgreSQL / MySQL flexible servers
    ("$ az postgres flexible-server create -g rg -n pg-orders --admin-user pgadmin --admin-password 'short1'\n"
     "(PasswordTooShort) The password must contain between 8 and 128 characters.", "sql-password-not-complex"),
    ("$ az mysql flexible-server create -g rg -n mysql-shop --admin-user admin\n(InvalidUserName) Enter a valid "
     "username.\nCode: InvalidUserName", "databases-flex-admin-username-not-allowed"),
    ("$ az postgres flexible-server create -g rg -n pg-orders --admin-user azure_superuser\n(BlockedUserName) The "
     "administrator login name is blocked.", "databases-flex-admin-username-not-allowed"),
    ("$ az postgres flexible-server create -g rg -n PG_Orders\n(InvalidServerName) The server name 'PG_Orders' is "
     "invalid.", "databases-flex-invalid-server-name"),
    ("Premigration validation failed (603000): Connection to the server 'pg-onprem' was unsuccessful. Ensure that "
     "the source server is reachable from the target or runtime server.", "databases-pg-migration-source-unreachable"),
    ("Migration failed: 603001 SSL Configuration Error. The server 'pg-old' doesn't support SSL. Check SSL settings.",
     "databases-pg-migration-source-no-ssl"),
    ("603100 Authentication failed. The password for server 'pg-source' is incorrect.",
     "databases-pg-migration-password-incorrect"),
    ("Migration failed: 603101 Database exists in target. Database 'orders' exists on the target server.",
     "databases-pg-migration-target-database-exists"),
    ("603102 Source Database Missing. Database 'ordrs' doesn't exist on the source server.",
     "databases-pg-migration-source-database-missing"),
    ("Error code 603104: Missing Replication Role. User 'migadmin' doesn't have the replication role on server "
     "'pg-source-01'.", "databases-pg-migration-user-privileges"),
    ("Migration failed: 603105 GUC Settings Error. Insufficient replication slots on the source server for "
     "migration.", "databases-pg-migration-replication-parameters"),
    ("603108: Extensions allowlist required. Extensions 'pg_cron' couldn't be installed on the target server because "
     "they're not allowlisted.", "databases-pg-migration-extensions-allowlist"),
    ("psycopg2.errors.IdleInTransactionSessionTimeout: terminating connection due to idle-in-transaction timeout",
     "databases-pg-idle-in-transaction-timeout"),
    ("pg_restore: error: could not execute query: ERROR:  out of shared memory\nHINT:  You might need to increase "
     "max_locks_per_transaction.", "databases-pg-out-of-shared-memory-locks"),
    ("ERROR 9009 (28000): Client with IP address '203.0.113.5' is not allowed to connect to this MySQL server.",
     "databases-mysql-client-ip-not-allowed-firewall"),
    ("psycopg2.errors.DiskFull: could not extend file \"base/16384/24601\": No space left on device\n"
     "server pg-orders.postgres.database.azure.com", "databases-pg-disk-full-could-not-extend"),
    # Redis
    ("Connection string in appsettings: orders-cache.privatelink.redis.cache.windows.net:6380,password=***,ssl=True"
     "\nStackExchange.Redis: UnableToConnect", "redis-connection-string-uses-privatelink-host"),
    # Event Hubs
    ("Azure.Messaging.EventHubs.EventHubsException: AMQP:link: detach-forced: The link 'G2:7223832:sender' is force "
     "detached by the broker because of errors occurred in publisher(link164614). Detach origin: "
     "AmqpMessagePublisher.IdleTimerExpired: Idle timeout: 00:30:00.", "messaging-sb-link-idle-detached"),
    ("System.ArgumentException: The connection string used for an Event Hub client must specify the Event Hubs "
     "namespace host and either a Shared Access Key (both the name and value) OR a Shared Access Signature to be "
     "valid. The path to an Event Hub must be included in the connection string or specified separately.\n"
     "connection string: HostName=iothub-prod.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=x",
     "messaging-eventhubs-client-given-iot-hub-connection-string"),
    ("Azure.Messaging.EventHubs.EventHubsException: The requested publishing rate exceeds the allowed throughput "
     "units. (ServiceBusy)", "messaging-eh-server-busy-throughput-units"),
    ("Microsoft.Azure.EventHubs.QuotaExceededException: Exceeded the maximum number of allowed receivers per "
     "partition in a consumer group which is 5.", "messaging-eh-max-receivers-per-partition"),
    ("Azure.Messaging.ServiceBus.ServiceBusException: Cannot allocate more handles. The maximum number of handles "
     "is 4999. (QuotaExceeded)", "messaging-sb-cannot-allocate-more-handles"),
    ("EventProcessorClient error handler: A load balancing cycle has taken too long to complete.  Cycle Duration: "
     "85.2 seconds.", "messaging-eh-processor-load-balancing-cycle-slow"),
    ("Warning: The 'PartitionOwnershipExpirationInterval' and 'LoadBalancingUpdateInterval' are configured using "
     "intervals that may cause stability issues with partition ownership",
     "messaging-eh-processor-ownership-intervals-too-close"),
]


@pytest.mark.parametrize(("text", "entry_id"), RANKED, ids=[e for _, e in RANKED])
def test_the_paste_ranks_the_entry_first(text: str, entry_id: str) -> None:
    assert best_entry_id(text) == entry_id


# --- near misses: the same words elsewhere must not reach these entries --------------------------------------------

OURS = {entry_id for _, entry_id in RANKED} - {"sql-password-not-complex", "messaging-sb-link-idle-detached"}

NEAR_MISSES = [
    "Windows Update failed to install KB5032189. Error 0x80072ee7 when contacting the update server.",
    "DISM failed with error 0x80c80226 while applying the image",
    "az webapp deploy failed: HResult: -2147024891 access denied while writing D:\\home\\site\\wwwroot",
    "nginx: 400 Bad Request - Request Header Or Cookie Too Large",
    "POST /api/users 400 {\"error\":{\"code\":\"InvalidUserName\",\"message\":\"User name must be at least 3 "
    "characters\"}} from our signup service",
    "MongoServerSelectionError: Server selection timed out after 30000 ms\nconnection string mongodb://app:***@"
    "10.0.0.12:27017/orders (self-hosted replica set on our VM)",
    "cp: cannot create regular file '/data/out.csv': Input/output error\nNFS mount from our on-prem NetApp",
    "java.lang.OutOfMemoryError: out of shared memory segment in our JNI library",
    "Our Azure file share fs-media on stmedia01 shows ClientThrottlingError in the Transactions metric; SMB clients "
    "see slow I/O.",
    "System.ArgumentException: The connection string used for an Event Hub client must specify the Event Hubs "
    "namespace host and either a Shared Access Key (both the name and value) OR a Shared Access Signature to be "
    "valid.\nEVENTHUB_CONNECTION=\"Endpoint=sb://ehns-prod.servicebus.windows.net/;SharedAccessKeyName=listen\"",
    "redis.exceptions.ConnectionError: Error 110 connecting to orders-cache.redis.cache.windows.net:6380.",
    "System.Collections.Generic.KeyNotFoundException: The given key was not present in the dictionary.\n   at "
    "MyApp.Services.PriceService.Lookup(String sku)",
    "ERROR 1130 (HY000): Host '10.0.0.7' is not allowed to connect to this MySQL server",
    "SQL Server 2019 on our own hardware in the office: Could not create tempdb. You may not have enough disk space "
    "available.",
    "psycopg2.errors.DiskFull: could not extend file \"base/16384/24601\": No space left on device\nself-hosted "
    "postgres 15 in a docker container on a laptop",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_a_near_miss_does_not_reach_the_new_entries(text: str) -> None:
    assert best_entry_id(text) not in OURS


# --- through the engine: the category and the deciding detail ------------------------------------------------------

ENGINE = [
    ("Our file sync server endpoint stopped syncing after networking locked the storage account down. Portal "
     "error: 0x80c8033e ECS_E_SERVER_BLOCKED_BY_NETWORK_ACL", "network.storage_firewall", "Allow trusted Microsoft"),
    ("Replica Sync session completed.\nSyncDirection: Upload,\nHResult: -2134351810,\nPerItemErrorCount: 0\n"
     "Server endpoint D:\\Data on FS02, Azure File Sync agent 18.0", "quota.exceeded", "quota"),
    ("Migration 'mig-orders' failed validation: Error code 603104: Missing Replication Role. User 'migadmin' "
     "doesn't have the replication role on server 'pg-source-01'.", "auth.rbac_missing", "REPLICATION"),
    ("$ az postgres flexible-server create -g rg-app -n PG_Orders --admin-user pgadmin\n(InvalidServerName) The "
     "server name 'PG_Orders' is invalid.\nCode: InvalidServerName", "deployment.template_invalid", "lower-case"),
    ("Unhandled exception. DnsClient.DnsResponseException: Header indicates error: RefusedQuery\n   at MongoDB.Driver"
     ".Core.Misc.DnsClientWrapper.ResolveSrvRecords(...)\nconnection string mongodb+srv://admin:***@c.orders-cluster"
     ".mongocluster.cosmos.azure.com", "config.invalid_connection_string", "portal"),
    ("redis.exceptions.ConnectionError: Error 110 connecting to orders-cache.privatelink.redis.cache.windows.net:"
     "10000. Connection timed out.", "config.invalid_connection_string", "privatelink alias"),
    ("System.Collections.Generic.KeyNotFoundException: The given key was not present in the dictionary.\n   at "
     "Microsoft.SqlServer.Configuration.ClusterConfiguration.FailoverClusterNamePrivateConfigObject."
     "CreateFailoverClusterNameResource(FailoverClusterNamePublicConfigObject pubConfig)\nSQL FCI setup on Azure VMs",
     "deployment.template_invalid", "Distributed Network Name"),
]


@pytest.mark.parametrize(("text", "category", "detail"), ENGINE, ids=[c for _, c, _ in ENGINE])
def test_the_engine_concludes_the_category_with_the_deciding_detail(text: str, category: str, detail: str) -> None:
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] == "done", envelope
    report = envelope["report"]
    assert report["category"] == category
    assert detail.lower() in report["root_cause"].lower()


# --- the schema: an HRESULT is a distinctive code, a bare short number is not --------------------------------------

def _entry(codes: list[str]) -> dict[str, object]:
    return {"id": "storage-files-sync-test", "service": "Azure File Sync", "category": "quota.exceeded",
            "codes": codes, "meaning": "a test entry that only checks the code rule", "fix": ["nothing to fix"],
            "check": {"azure": "nothing in Azure", "command": "echo test"},
            "source": "tests/unit/test_round38_B5.py"}


@pytest.mark.parametrize("code", ["0x80c8305f", "0x80C8305F", "-2134364065", "ECS_E_REPLICA_NOT_READY"])
def test_an_hresult_is_accepted_as_a_code(code: str) -> None:
    assert CatalogEntry.model_validate(_entry([code])).codes == (code,)


@pytest.mark.parametrize("code", ["0x80c830", "-213436", "12345", "0x80c8305fff"])
def test_a_short_or_odd_number_is_not_a_code(code: str) -> None:
    with pytest.raises(ValueError):
        CatalogEntry.model_validate(_entry([code]))
