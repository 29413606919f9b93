"""Round 35 F2: failing development cases made to pass by their class. Engine behaviour (an `each` read whose
collection cannot be listed reads the items the client names; a text conclusion takes Azure's finding of its own
category when another category's finding fires first; the storage firewall compares a VM caller's subnet; SQL bulk
copy's colid is named from the pasted table) and the catalog entries added, each with a near miss that stays silent."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from evals.playback import PlaybackServer
from shared.engines.catalog_hits import bulk_copy_column
from shared.engines.computed_findings.data import storage_nearly_full
from shared.session.state import Conclude, Evidence, SessionState
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine
from tests.helpers.finding_checks import state_with

ROB = {s["id"]: s for s in load_scenarios(Path(__file__).resolve().parents[1] / "scenarios" / "rob282")}
HUB = ROB["rob282-eventhubs-functions-dotnet-consumer-group-typo-hub-listing-refused"]
QUEUE = ROB["rob282-servicebus-python-invoice-queue-full-receive-disabled"]
VM = ROB["rob282-vm-linux-customscript-blob-403-storage-allows-other-subnet"]


# --- an each-step whose collection cannot be listed reads the item the client names ---------------------------

def test_consumer_groups_are_read_for_the_named_hub_when_the_hubs_cannot_be_listed(azure: PlaybackServer) -> None:
    azure.load(HUB["azure"])
    outcome = run_engine(HUB["request"], azure_access=True)
    assert isinstance(outcome.final, Conclude) and not outcome.requests
    report = outcome.final.report
    assert report.category == "config.wrong_resource_name"
    assert "alerts-fn" in report.root_cause and "'alerts'" in report.root_cause
    assert any(c["path"].endswith("/eventhubs/vehicle-telemetry/consumergroups") for c in azure.calls)


def test_without_a_named_hub_nothing_is_guessed_under_the_unlisted_collection(azure: PlaybackServer) -> None:
    request = copy.deepcopy(HUB["request"])
    del request["context"]["environment_info"]["eventhub_name"]
    request["error_description"] = request["error_description"].replace("vehicle-telemetry", "telemetry-x")
    azure.load(HUB["azure"])
    outcome = run_engine(request, azure_access=True)
    assert not any(c["path"].endswith("/consumergroups") for c in azure.calls)
    assert isinstance(outcome.final, Conclude) and "alerts-fn" not in outcome.final.report.root_cause


# --- a finding of the text's own category when another category's fires first --------------------------------

def test_a_full_receive_disabled_queue_is_the_quota_finding_with_its_status(azure: PlaybackServer) -> None:
    azure.load(QUEUE["azure"])
    report = run_engine(QUEUE["request"], azure_access=True).final.report
    assert report.category == "quota.exceeded"
    assert "ReceiveDisabled" in report.root_cause and "'invoices'" in report.root_cause


def test_a_full_active_queue_names_no_status(azure: PlaybackServer) -> None:
    entries = copy.deepcopy(QUEUE["azure"])
    for entry in entries:
        for item in (entry.get("body") or {}).get("value") or []:
            if isinstance(item, dict) and item.get("name") == "invoices":
                item["properties"]["status"] = "Active"
    azure.load(entries)
    report = run_engine(QUEUE["request"], azure_access=True).final.report
    assert report.category == "quota.exceeded" and "ReceiveDisabled" not in report.root_cause


# --- the storage firewall with a VM as the caller ---------------------------------------------------------------

def test_a_vm_outside_the_allowed_subnets_is_named_with_its_subnet(azure: PlaybackServer) -> None:
    azure.load(VM["azure"])
    report = run_engine(VM["request"], azure_access=True).final.report
    assert report.category == "network.storage_firewall"
    assert "snet-reporting" in report.root_cause and "rpt-vm-02" in report.root_cause


def test_a_vm_in_an_allowed_subnet_rules_the_firewall_out(azure: PlaybackServer) -> None:
    entries = copy.deepcopy(VM["azure"])
    for entry in entries:
        rules = ((entry.get("body") or {}).get("properties") or {}).get("networkAcls")
        if rules:
            rules["virtualNetworkRules"][0]["id"] = rules["virtualNetworkRules"][0]["id"].replace("snet-jumpbox",
                                                                                                 "snet-reporting")
    azure.load(entries)
    report = run_engine(VM["request"], azure_access=True).final.report
    assert report.category != "network.storage_firewall"


# --- SQL bulk copy's colid named from the pasted table ---------------------------------------------------------

def test_colid_names_the_column_of_the_pasted_definition() -> None:
    text = ("Received an invalid column length from the bcp client for colid 3.\n"
            "CREATE TABLE t ([Id] int NOT NULL, [Day] date NULL, [City] varchar(30) NULL, [Total] decimal(12,2))")
    assert bulk_copy_column([text]) == {"colid": "3", "colid_column": "City", "colid_type": "varchar(30)"}


@pytest.mark.parametrize("text", [
    "Received an invalid column length from the bcp client for colid 7.\nId INT, Code NVARCHAR(10), Name NVARCHAR(50)",
    "Received an invalid column length from the bcp client for colid 2.\nthe table has a few nvarchar columns",
    "Id INT, Code NVARCHAR(10), Name NVARCHAR(50) and no ordinal in the error"])
def test_colid_without_a_matching_definition_names_nothing(text: str) -> None:
    assert bulk_copy_column([text]) == {}


# --- catalog entries --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "entry"), [
    ("Error: UserErrorKeyVaultPermissionsNotConfigured Backup doesn't have sufficient permissions on the key vault "
     "for backup of encrypted VMs.", "compute-backup-encrypted-vm-keyvault-permissions"),
    ("LOAD DATA LOCAL INFILE 'x.csv' INTO TABLE t;\nERROR 1148 (42000): The used command is not allowed with this "
     "MySQL version", "databases-mysql-local-infile-off"),
    ("terraform apply\nBadRequest: Requests for API gremlin are not supported for this account.",
     "cosmos-api-capability-missing-on-account"),
    ("Gremlin.Net 3.6.2: error CS0117: 'GremlinClient' does not contain a definition for 'GraphSON2MimeType'",
     "cosmos-gremlin-net-graphson2-removed"),
    ("[SQL Server]Login failed for user ''. (18456) (SQLDriverConnect)", "sql-login-failed-empty-user-no-token"),
    ("Add-AzVmssExtension -Type CustomScriptExtension -TypeHandlerVersion 1.8\nFailed to download all specified "
     "files. Exiting. Error Message: The request was aborted: Could not create SSL/TLS secure channel.",
     "compute-cse-windows-old-handler-tls-download"),
    ("│ Error: rdb_backup_enabled and rdb_storage_connection_string are only available for Premium SKUs\n"
     "with azurerm_redis_cache.this", "tooling-tf-azurerm-premium-only-setting-on-lower-sku"),
    ("gsutil ls gs://lab-images/\nAccessDeniedException: 403 You need the storage.objects.list permission to list "
     "objects in this bucket.", "other-clouds-gcs-bucket-permission-missing"),
])
def test_catalog_entry_for_the_case(text: str, entry: str) -> None:
    assert best_entry_id(text) == entry


@pytest.mark.parametrize(("text", "entry"), [
    ("ERROR 1148 (42000): The used command is not allowed with this MySQL version",  # no LOAD DATA: not local_infile
     "databases-mysql-local-infile-off"),
    ("BadRequest: Requests for API sql are not supported for this account.",
     "cosmos-api-capability-missing-on-account"),
    ("[SQL Server]Login failed for user 'etl_reader'. (18456)", "sql-login-failed-empty-user-no-token"),
    ("Invoke-WebRequest : The request was aborted: Could not create SSL/TLS secure channel.",
     "compute-cse-windows-old-handler-tls-download"),
    ("BadRequest: The property 'rdb-backup-enabled' is not supported for this cache.",
     "tooling-tf-azurerm-premium-only-setting-on-lower-sku"),
    ("does not contain a definition for 'GraphSON2MimeType'", "cosmos-gremlin-net-graphson2-removed"),
])
def test_near_misses_keep_other_entries(text: str, entry: str) -> None:
    assert best_entry_id(text) != entry


# --- a flexible server's storage finding stays off an Azure SQL database's metrics -----------------------------

def _metrics_state(resource_id: str) -> SessionState:
    state = state_with("Insert failed: the database has reached its size quota (40544)", [])
    state.add_evidence(Evidence(tool="query_metrics", arguments={"resource_id": resource_id}, status="success",
                                summary="storage", data={"metrics": [{"name": "storage_percent", "max": 100.0}]}))
    return state


def test_storage_percent_of_a_flexible_server_is_the_read_only_finding() -> None:
    state = _metrics_state("/subscriptions/s/resourceGroups/g/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg")
    assert storage_nearly_full(state) is not None


def test_storage_percent_of_an_azure_sql_database_is_not() -> None:
    state = _metrics_state("/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/sq/databases/visitlog")
    assert storage_nearly_full(state) is None
