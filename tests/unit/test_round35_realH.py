"""Round 35 realH: the mechanisms added for twenty real reports - the Blob API on a hierarchical-namespace directory
(OperationNotSupportedOnDirectory, a recursive delete through the blob endpoint), Service Bus's partitioned entity with
duplicate detection (a message without MessageId), Event Hubs checkpoints of a re-created hub, AADSTS500131's audience,
a local run whose connection forces the managed identity credential, an expired Entra token used as a PostgreSQL
password, MySQL's generated invisible primary keys, a PFX loaded without a user profile on App Service, DigitalOcean's
and Heroku's own database limits (out of scope), the delete-then-recreate clue, and the entries whose category or
meaning changed (AADSTS7000114, features not offered on HNS accounts, snapshots, customer-provided keys). Each check
has a near miss that must stay silent."""

from __future__ import annotations

import pytest

from shared.engines.clues import clue_in
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import out_of_scope_report, run_engine


def _report(text: str) -> dict:
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] == "done", envelope
    return dict(envelope["report"])


ON_DIRECTORY = ("Azure.RequestFailedException: The requested operation is not supported on a directory.\n"
                "Status: 400 (The requested operation is not supported on a directory.)\n"
                "ErrorCode: OperationNotSupportedOnDirectory")


def test_blob_api_on_an_hns_directory_points_to_the_data_lake_api() -> None:
    assert best_entry_id(ON_DIRECTORY) == "storage-hns-blob-api-operation-on-directory"
    report = _report("await _container.GetBlobClient(\"staging/batch-7\").DeleteAsync();\n" + ON_DIRECTORY)
    assert report["category"] == "runtime.code_defect" and "Data Lake API" in report["root_cause"]


def test_data_lake_recursive_flag_message_is_not_the_blob_api_entry() -> None:
    text = "DirectoryNotEmpty: The recursive query parameter value must be true to delete a non-empty directory."
    assert best_entry_id(text) == "storage-dfs-directory-not-empty"


def test_non_empty_directory_through_the_blob_endpoint_is_the_endpoint() -> None:
    text = ("ERR: [P#0-T#0] https://stlanding01.blob.core.windows.net/landing/2026-11: 409: DELETE ERROR -409 This "
            "operation is not permitted on a non-empty directory.. X-Ms-Request-Id:0efba423")
    assert best_entry_id(text) == "storage-hns-blob-endpoint-directory-not-empty"
    report = _report("azcopy rm \"https://stlanding01.blob.core.windows.net/landing/2026-11\" --recursive\n" + text)
    assert report["category"] == "config.invalid_connection_string" and "dfs" in report["root_cause"]


def test_azure_files_directory_not_empty_is_not_the_hns_entry() -> None:
    text = "Status: 409 (The specified directory is not empty.) ErrorCode: DirectoryNotEmpty"
    assert best_entry_id(text) != "storage-hns-blob-endpoint-directory-not-empty"


BATCHING = ("System.InvalidOperationException: Batching brokered messages with distinct SessionId, PartitionKey, or "
            "MessageId  is not supported for an entity with partitioning and duplicate detection enabled.")


def test_partitioned_duplicate_detection_send_needs_a_message_id() -> None:
    assert best_entry_id(BATCHING) == "messaging-servicebus-partitioned-dupdetect-batch-needs-messageid"
    report = _report("var message = new Message(body);\nawait _sender.SendAsync(message);\n" + BATCHING)
    assert report["category"] == "runtime.code_defect" and "MessageId" in report["root_cause"]


def test_lock_token_batches_are_not_the_message_id_entry() -> None:
    text = ("status code 400 and description: Batching lock tokens for different partitions is not supported for an "
            "entity")
    assert best_entry_id(text) != "messaging-servicebus-partitioned-dupdetect-batch-needs-messageid"


OFFSET = "The supplied offset '25789595200' is invalid. The last offset in the system is '-1' TrackingId:6b1d"
STORE = "checkpoint_store = BlobCheckpointStore.from_connection_string(conn, 'ckpt')\n"


def test_supplied_offset_from_the_checkpoint_store_is_a_store_of_another_hub() -> None:
    assert best_entry_id(STORE + OFFSET) == "messaging-eventhubs-supplied-offset-invalid"
    report = _report(STORE + OFFSET)
    assert report["category"] == "config.wrong_resource_name" and "checkpoint" in report["root_cause"]


@pytest.mark.parametrize("text", [
    OFFSET,  # a position the code built itself: the general entry
    "The supplied sequence number '488' is invalid. The last sequence number in the system is '482' TrackingId:02c8",
])
def test_position_without_the_checkpoint_store_keeps_the_general_entry(text: str) -> None:
    assert best_entry_id(text) == "messaging-eh-position-beyond-end"


def test_epoch_receiver_is_not_the_supplied_offset_entry() -> None:
    text = ("ReceiverDisconnectedException: New receiver with higher epoch of '0' is created hence current receiver "
            "with epoch '0' is getting disconnected.")
    assert best_entry_id(text) != "messaging-eventhubs-supplied-offset-invalid"


def test_aadsts500131_names_the_audience_and_the_application_id_uri() -> None:
    text = ("MsalUiRequiredException: AADSTS500131: Assertion audience does not match the Client app presenting the "
            "assertion. The audience in the assertion was 'api://contoso-comms.azurefd.net' and the expected audience "
            "is '8d2f4b1e-3c5a-5e7f-9a1b-2c3d4e5f6a7b' or one of the Application Uris of this application.")
    assert best_entry_id(text) == "entra-aadsts500131-obo-assertion-audience-mismatch"
    report = _report(text)
    assert report["category"] == "auth.credential_invalid"
    assert "Application ID URI" in report["root_cause"] and "api://contoso-comms.azurefd.net" in report["root_cause"]


def test_obo_signature_failure_is_not_the_audience_entry() -> None:
    text = "AADSTS50013: Assertion failed signature validation. [Reason - The provided signature value did not match]"
    assert best_entry_id(text) != "entra-aadsts500131-obo-assertion-audience-mismatch"


MI_UNAVAILABLE = ("Azure.Identity: ManagedIdentityCredential authentication unavailable. Multiple attempts failed to "
                  "obtain a token from the managed identity endpoint. Azure.Core: Retry failed after 6 tries.")


def test_local_run_with_credential_managedidentity_is_the_setting() -> None:
    text = ("Running with func start, local.settings.json has \"OrdersQueue__credential\": \"managedidentity\".\n"
            + MI_UNAVAILABLE)
    assert best_entry_id(text) == "entra-functions-local-credential-managedidentity"
    report = _report(text)
    assert report["category"] == "auth.managed_identity_missing" and "__credential" in report["root_cause"]


def test_the_same_error_in_azure_without_the_setting_keeps_the_generic_entry() -> None:
    text = "The function app in Azure logs:\n" + MI_UNAVAILABLE
    assert best_entry_id(text) == "entra-mi-multiple-attempts-failed"


def test_expired_entra_token_as_postgres_password() -> None:
    text = "FATAL:  The access token has expired. Please acquire a new token and retry."
    assert best_entry_id(text) == "databases-entra-token-password-expired"
    report = _report("psql with a password from az account get-access-token --resource-type oss-rdbms\n" + text)
    assert report["category"] == "auth.credential_invalid" and "expired" in report["root_cause"]


def test_graph_token_lifetime_message_is_not_the_database_entry() -> None:
    assert best_entry_id("Access token has expired or is not yet valid.") != "databases-entra-token-password-expired"


def test_mysql_gipk_names_the_server_parameter() -> None:
    text = ("Error 1235: This version of MySQL doesn't yet support 'existing primary key drop without adding a new "
            "primary key. In @@sql_generate_invisible_primary_key=ON mode table should have a primary key. Please add "
            "a new primary key to be able to drop existing primary key.'")
    assert best_entry_id(text) == "databases-mysql-gipk-blocks-primary-key-change"
    report = _report(text)
    assert report["category"] == "config.missing_app_setting"
    assert "sql_generate_invisible_primary_key" in report["root_cause"]


def test_require_primary_key_is_not_the_gipk_entry() -> None:
    text = ("ERROR 3750 (HY000): Unable to create or change a table without a primary key, when the system variable "
            "'sql_require_primary_key' is set.")
    assert best_entry_id(text) == "databases-mysql-require-primary-key"


PFX_ERROR = ("System.Security.Cryptography.CryptographicException: The system cannot find the file specified.\n"
             "   at System.Security.Cryptography.X509Certificates.CertificatePal.FilterPFXStore(ReadOnlySpan`1 data)")


def test_pfx_without_user_profile_on_app_service() -> None:
    text = "A WebJob on our App Service calls DownloadCertificateAsync from Key Vault:\n" + PFX_ERROR
    assert best_entry_id(text) == "keyvault-pfx-load-app-service-no-user-profile"
    report = _report(text)
    assert report["category"] == "runtime.code_defect" and "MachineKeySet" in report["root_cause"]


@pytest.mark.parametrize("text", [
    # a missing file with no certificate in sight
    "Our function app fails at start: System.IO.FileNotFoundException: The system cannot find the file specified",
    # a certificate loaded on a developer machine, no App Service or Functions
    "On my laptop the console app fails:\n" + PFX_ERROR,
])
def test_file_not_found_without_pfx_on_app_service_stays_silent(text: str) -> None:
    assert best_entry_id(text) != "keyvault-pfx-load-app-service-no-user-profile"


REQUIRE_PK = ("SQLSTATE[HY000]: General error: 3750 Unable to create or change a table without a primary key, when the "
              "system variable 'sql_require_primary_key' is set. Add a primary key to the table or unset it.")


def test_digitalocean_managed_mysql_is_out_of_scope() -> None:
    report = out_of_scope_report("We moved the database to a DigitalOcean managed MySQL cluster; migrate fails:\n"
                                 + REQUIRE_PK)
    assert "DigitalOcean" in report["root_cause"]


def test_the_same_message_without_digitalocean_is_azure_mysql() -> None:
    assert best_entry_id("Azure Database for MySQL flexible server, php artisan migrate:\n" + REQUIRE_PK) \
        == "databases-mysql-require-primary-key"


def test_heroku_redis_database_index_is_out_of_scope() -> None:
    report = out_of_scope_report("Our cache now points at the Heroku Redis Mini add-on:\n"
                                 "redis.exceptions.ResponseError: DB index is out of range")
    assert "Heroku" in report["root_cause"]


def test_database_index_error_without_heroku_is_not_the_heroku_entry() -> None:
    assert best_entry_id("Azure Cache for Redis: redis.exceptions.ResponseError: DB index is out of range") \
        != "other-clouds-heroku-redis-db-index-out-of-range"


DELETE_THEN_CREATE = ("CloudTable table = tableClient.GetTableReference(\"auditevents\");\n"
                      "await table.DeleteIfExistsAsync();\nawait table.CreateIfNotExistsAsync();\n"
                      "System.AggregateException: One or more errors occurred. (Conflict)")


def test_delete_then_recreate_of_a_table_is_the_name_still_being_deleted() -> None:
    found = clue_in([DELETE_THEN_CREATE])
    assert found is not None and found["id"] == "storage-delete-then-recreate-same-name-conflict"
    report = _report(DELETE_THEN_CREATE)
    assert report["category"] == "deployment.name_conflict" and "being deleted" in report["root_cause"]


def test_create_before_a_later_delete_is_not_the_recreate_clue() -> None:
    text = ("await table.CreateIfNotExistsAsync();\n// ... at the end of the run\nawait table.DeleteIfExistsAsync();\n"
            "Microsoft.WindowsAzure.Storage.StorageException: Conflict")
    found = clue_in([text])
    assert found is None or found["id"] != "storage-delete-then-recreate-same-name-conflict"


def test_aadsts7000114_is_an_app_only_token_used_for_obo() -> None:
    text = ("AADSTS7000114: Application '5b0c7f7e-1d2a-5f3b-8c4d-6e7f8a9b0c1d' is not allowed to make application "
            "on-behalf-of calls.")
    report = _report(text)
    assert report["category"] == "runtime.code_defect" and "user" in report["root_cause"]


def test_feature_not_supported_on_hns_names_the_data_lake_api() -> None:
    report = _report("await blob.appendBlock(contents, contents.length);\n"
                     "RestError: FeatureNotYetSupportedForHierarchicalNamespaceAccounts")
    assert report["category"] == "runtime.code_defect" and "Data Lake API" in report["root_cause"]


def test_snapshots_present_wording_and_the_include_option() -> None:
    text = ("Status code 409, <Code>SnapshotsPresent</Code><Message>This operation is not permitted because the blob "
            "has snapshots.")
    assert best_entry_id(text) == "storage-snapshots-present"
    assert best_entry_id("This operation is not permitted because the blob has snapshots.") \
        == "storage-snapshots-present"
    assert "INCLUDE" in _report(text)["root_cause"]


def test_customer_provided_key_names_the_client_option() -> None:
    report = _report("ErrorCode: BlobUsesCustomerSpecifiedEncryption The blob is encrypted with customer specified "
                     "encryption, but it was not provided in the request.")
    assert report["category"] == "runtime.code_defect" and "CustomerProvidedKey" in report["root_cause"]
