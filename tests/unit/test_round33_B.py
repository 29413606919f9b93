"""Round 33 B (real reports of data services and messaging): the SQL trigger's own state objects and the SQL output
binding's primary-key lookup, a Cosmos DB client built without a key (a MongoDB connection string), a binding whose
setting-name property resolves to nothing, a Python Event Hubs function given a batch, a queue message over 64 KiB
refused by the client, Blob events on a general-purpose v1 account, a model the region's AI catalog lacks, a
PostgreSQL connection string with no user, the embedding deployment a DeploymentNotFound configuration names, a Cosmos
DB trigger written for the 4.x extension on a 3.x bundle, and a self-hosted server in the client's own data center."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.engines.rules import _OUTSIDE_AZURE
from shared.session.state import Conclude, GiveUp
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine

SQL_TRIGGER = ("Failed to start SQL trigger listener for table: 'dbo.Orders', function ID: '8177f0a5d9a12cef'. "
               "Exception: Microsoft.Data.SqlClient.SqlException (0x80131904): User does not have permission to "
               "perform this action.\nCREATE SCHEMA failed due to previous errors.")
PG_NO_USER = ("MessageText: password authentication failed for user \"app\"\nThe app reads\n"
              "Host=pg-shop.postgres.database.azure.com;Database=catalogdb\n")

CATALOG_CASES = {
    "sql-functions-trigger-state-objects-permission-denied": SQL_TRIGGER,
    "sql-functions-output-binding-no-primary-keys":
        "Microsoft.Azure.WebJobs.Host: Error while handling parameter products after function returned:. SqlBinding: "
        "Did not retrieve any primary keys for 'Products' in schema 'SCHEMA_NAME().' Cannot generate upsert command "
        "without them.",
    "cosmos-auth-key-or-resource-token-null":
        "Exception binding parameter 'profile'. Microsoft.Azure.DocumentDB.Core: Value cannot be null.\n"
        "Parameter name: authKeyOrResourceToken.",
    "functions-binding-attribute-setting-unresolved":
        "Microsoft.Azure.WebJobs.Host: Unable to resolve the value for property "
        "'CosmosDBAttribute.ConnectionStringSetting'. Make sure the setting exists and has a valid value.",
    "functions-python-eventhub-list-no-get-body":
        "Exception: AttributeError: 'list' object has no attribute 'get_body'\n"
        '{ "type": "eventHubTrigger", "name": "event", "cardinality": "many" }',
    "storage-queue-message-too-large-client-check":
        "Exception while executing function: ProcessPartner Messages cannot be larger than 65536 bytes.",
    "integration-eventgrid-storage-notifications-gpv1-account":
        "Account kind: Storage (general purpose v1). The attempt to configure storage notifications for the provided "
        "storage account stlegacy failed. Please ensure that your storage account meets the requirements described at "
        "https://aka.ms/storageevents.",
    "openai-model-not-in-region-catalog":
        "azd ai agent init, selected the westus2 region\nERROR: model 'gpt-4o-mini' not found in AI model catalog",
    "databases-pg-connection-string-without-username": PG_NO_USER,
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


def _hit_ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_an_apps_own_permission_message_is_no_sql_permission() -> None:
    text = "POST /api/gifts returned 403: User does not have permission to perform this action."
    assert "sql-functions-trigger-state-objects-permission-denied" not in _hit_ids(text)


def test_a_general_purpose_v2_account_is_not_read_as_v1() -> None:
    text = CATALOG_CASES["integration-eventgrid-storage-notifications-gpv1-account"].replace(
        "Storage (general purpose v1)", "StorageV2 (general purpose v2)")
    ids = _hit_ids(text)
    assert "integration-eventgrid-storage-notifications-gpv1-account" not in ids
    assert ids and ids[0] == "integration-eventgrid-storage-notifications-failed"


def test_a_connection_string_that_names_its_user_is_not_blamed() -> None:
    text = PG_NO_USER.replace("Database=catalogdb", "Database=catalogdb;Username=mi-shop-api")
    assert "databases-pg-connection-string-without-username" not in _hit_ids(text)


def test_a_list_without_get_body_outside_event_hubs_is_not_the_cardinality() -> None:
    text = "Traceback ... rows = fetch(); rows.get_body()\nAttributeError: 'list' object has no attribute 'get_body'"
    assert "functions-python-eventhub-list-no-get-body" not in _hit_ids(text)


def _root_cause(text: str) -> str:
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude), final
    return final.report.root_cause


def test_a_mongodb_connection_string_is_named_as_the_missing_key() -> None:
    error = CATALOG_CASES["cosmos-auth-key-or-resource-token-null"]
    assert "MongoDB" in _root_cause(error + "\nCOSMOS_CONN = mongodb://acct:<redacted>@acct.mongo.cosmos.azure.com:10255/")
    assert "mongodb://" not in _root_cause(
        error + "\nCOSMOS_CONN = AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey=")


DEPLOYMENT_NOT_FOUND = ("openai.NotFoundError: Error code: 404 - {'error': {'code': 'DeploymentNotFound', 'message': "
                        "'The API deployment for this resource does not exist.'}}")


def test_the_embedding_deployment_a_configuration_names_is_told() -> None:
    config = "FAST_LLM=azure_openai:gpt-4o\nEMBEDDING=azure_openai:text-embedding-3-large\n"
    assert "'text-embedding-3-large'" in _root_cause(config + DEPLOYMENT_NOT_FOUND)
    assert "embedding deployment" not in _root_cause("FAST_LLM=azure_openai:gpt-4o\n" + DEPLOYMENT_NOT_FOUND)


COSMOS_V4_NAMES = ('@app.cosmos_db_trigger(arg_name="docs", container_name="readings", database_name="telemetry",\n'
                   '    connection="CosmosConn", lease_container_name="leases")\nhost.json:\n{\n  "version": "2.0",\n'
                   '  "extensionBundle": { "id": "Microsoft.Azure.Functions.ExtensionBundle",\n'
                   '    "version": "[3.*, 4.0.0)" }\n}\nThe function never fires when I insert items.')


def test_a_cosmos_trigger_with_4x_names_on_a_3x_bundle_is_the_bundle() -> None:
    found = clue_in([COSMOS_V4_NAMES])
    assert found and found["id"] == "functions-cosmos-trigger-v4-names-on-bundle-3"
    assert concludes(COSMOS_V4_NAMES, "functions.host_misconfigured")


def test_the_4x_bundle_or_the_3x_names_are_no_bundle_mismatch() -> None:
    bundle_4 = COSMOS_V4_NAMES.replace("[3.*, 4.0.0)", "[4.*, 5.0.0)")
    names_3 = COSMOS_V4_NAMES.replace("container_name", "collection_name")
    for text in (bundle_4, names_3):
        found = clue_in([text])
        assert not found or found["id"] != "functions-cosmos-trigger-v4-names-on-bundle-3"


def test_a_server_in_the_clients_own_office_data_center_is_outside_azure() -> None:
    said = "The Redis server is our own box in the office datacenter (redis 4.0 on Ubuntu)."
    assert _OUTSIDE_AZURE.search(said)
    assert not _OUTSIDE_AZURE.search("Our own box calls the office VPN gateway in Azure.")
    timeout = ("Timeout performing SET inventory:1 (1000ms), inst: 0, qu: 0, qs: 0, serverEndpoint: 10.20.4.17:6379, "
               "v: 2.0.571.20511. ")
    assert _out_of_scope(timeout + said)
    assert not _out_of_scope(timeout + said.replace(
        "(redis 4.0 on Ubuntu)", "and the app writes to stsessions.blob.core.windows.net too"))


def _out_of_scope(text: str) -> bool:
    final = run_engine({"error_description": text}).final
    return (isinstance(final, GiveUp) and final.reason == "out_of_scope") or (
        isinstance(final, Conclude) and final.report.category == "out_of_scope")
