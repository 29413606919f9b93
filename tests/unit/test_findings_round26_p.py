"""Round 26 p: Cosmos DB pages not cited before (customer-managed keys, continuous backup restore permissions, the
Java SDK's service unavailable page, the error codes of the API for Cassandra). Each finding fires on recorded-like
reads with the symptom it explains and stays silent for its near miss; the older periodic-backup and analytical-store
findings leave a refused switch on a customer-managed-key account to them; the clues and the catalog entry conclude
their reports and leave near misses alone."""

from __future__ import annotations

from shared.engines.clues import clue_in
from shared.session.state import Conclude
from tests.helpers.clue_checks import concludes, final_of
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, finding_id, reads_state

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"
CMK = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-shop", "backupPolicy": "Periodic",
       "enableAnalyticalStorage": False, "keyVaultKeyUri": "https://kv-shop.vault.azure.net/keys/cmk",
       "defaultIdentity": "FirstPartyIdentity", "publicNetworkAccess": "Enabled", "privateEndpointConnections": 0}
UAMI_CMK = {**CMK, "defaultIdentity": f"UserAssignedIdentity={SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id"}
PLAIN = {**CMK, "keyVaultKeyUri": None}
VAULT = {"type": "Microsoft.KeyVault/vaults", "name": "kv-shop", "enableSoftDelete": True,
         "enablePurgeProtection": None, "publicNetworkAccess": "Enabled"}
CLOSED = {**PLAIN, "publicNetworkAccess": "Disabled"}

CONTINUOUS = "az cosmosdb update --backup-policy-type Continuous fails on our account with customer-managed keys."
SYNAPSE = "Enabling Synapse Link (analytical store) on cosmos-shop fails; the account uses our own key."
CASES = [
    Case("cosmos-cmk-continuous-backup-first-party-identity", "auth.managed_identity_missing", "FirstPartyIdentity",
         [CMK], CONTINUOUS, near_reads=[UAMI_CMK]),
    Case("cosmos-cmk-synapse-link-first-party-identity", "auth.managed_identity_missing", "defaultIdentity",
         [CMK], SYNAPSE, near_reads=[UAMI_CMK]),
    Case("cosmos-cmk-vault-without-purge-protection", "deployment.template_invalid", "enablePurgeProtection",
         [VAULT], "Creating the Cosmos DB account with a customer-managed key (keyVaultKeyUri on kv-shop) fails.",
         near_reads=[{**VAULT, "enablePurgeProtection": True}]),
    Case("cosmos-public-network-disabled-client-init-failed", "network.nsg_blocked", "publicNetworkAccess",
         [CLOSED], "java.lang.RuntimeException: Client initialization failed. Check if the endpoint is reachable "
         "and if your auth token is valid", near_reads=[{**CLOSED, "privateEndpointConnections": 1}]),
    Case("cosmos-cmk-enable-on-continuous-account-first-party-identity", "auth.managed_identity_missing",
         "FirstPartyIdentity", [{**PLAIN, "backupPolicy": "Continuous"}],
         "az cosmosdb update --key-uri https://kv-shop.vault.azure.net/keys/cmk is rejected for cosmos-shop.",
         near_reads=[{**PLAIN, "backupPolicy": "Continuous", "defaultIdentity": "SystemAssignedIdentity"}]),
    Case("cosmos-cmk-enable-on-existing-cassandra-account", "quota.sku_not_available", "EnableCassandra",
         [{**PLAIN, "capabilities": ["EnableCassandra"]}],
         "Adding our customer-managed key to cosmos-shop with az cosmosdb update --key-uri fails.",
         near_reads=[{**PLAIN, "capabilities": ["EnableServerless"]}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_an_account_without_a_customer_managed_key_keeps_the_older_findings() -> None:
    assert finding_id(reads_state("az cosmosdb restore finds nothing: point-in-time restore is not available.",
                                  [PLAIN])) == "cosmos-periodic-backup-no-point-in-time-restore"
    assert finding_id(reads_state("Synapse Link queries with cosmos.olap find nothing.", [PLAIN])
                      ) == "cosmos-analytical-store-disabled"


def test_a_vault_without_purge_protection_needs_a_cosmos_key_report() -> None:
    assert finding_id(reads_state("Our web app cannot read its Key Vault secret.", [VAULT])
                      ) != "cosmos-cmk-vault-without-purge-protection"


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_a_direct_mode_replica_port_timeout_is_a_blocked_port_range() -> None:
    report = ("failed to establish connection to cosmos-pay-westeurope.documents.azure.com/<unresolved>:14332 due to "
              "io.netty.channel.ConnectTimeoutException")
    assert _clue(report) == "cosmos-direct-mode-replica-ports-blocked"
    assert concludes(report, "network.nsg_blocked")
    assert _clue("ConnectTimeoutException to cosmos-pay.documents.azure.com:443") != \
        "cosmos-direct-mode-replica-ports-blocked"


def test_cassandra_413_5376_is_the_row_size_limit() -> None:
    report = "Cosmos DB for Apache Cassandra inserts fail; CDBCassandraRequests shows StatusCode 413, ErrorCode 5376."
    assert _clue(report) == "cosmos-cassandra-row-above-2mb-413"
    assert concludes(report, "quota.exceeded")
    assert _clue("Our App Service upload returns 413 Request Entity Too Large.") != "cosmos-cassandra-row-above-2mb-413"


def test_cassandra_already_exists_is_a_non_idempotent_schema_script() -> None:
    report = ("Startup fails against our Cassandra API account: AlreadyExistsException: Object telemetry.readings "
              "already exists")
    assert _clue(report) == "cosmos-cassandra-create-existing-keyspace-or-table-409"
    assert concludes(report, "deployment.name_conflict")
    assert _clue("Creating the storage account fails: StorageAccountAlreadyTaken.") != \
        "cosmos-cassandra-create-existing-keyspace-or-table-409"


def test_a_refused_restore_names_the_restore_role_and_its_scopes() -> None:
    final = final_of("(AuthorizationFailed) The client 'ops@contoso.com' does not have authorization to perform action "
                     "'Microsoft.DocumentDB/locations/restorableDatabaseAccounts/restore/action' over scope "
                     "'/subscriptions/1/providers/Microsoft.DocumentDB/locations/West Europe/"
                     "restorableDatabaseAccounts/23e99a35-cd36-4df4-9614-f767a03b9995' or the scope is invalid.")
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
    assert "CosmosRestoreOperator" in final.report.root_cause


def test_a_throttled_cmk_migration_scan_is_rate_limiting() -> None:
    final = final_of("az cosmosdb update --key-uri fails: ERROR: (InternalServerError) Unexpected error on document "
                     "scan for CMK Migration. Please retry the operation.")
    assert isinstance(final, Conclude) and final.report.category == "throttling.rate_limited"
