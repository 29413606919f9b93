"""Round 34 realD (twenty real reports): catalog entries for errors whose case decides the cause. Each test shows the
entry the index ranks first for a case's own words, and a near miss where it must stay silent (another case of the
same code, another platform's server, a one-segment name that is not Docker Hub's)."""

from __future__ import annotations

import pytest

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

UNAUTH = ('Invalid message Unauthorized Unauthorized {"errors":[{"code":"UNAUTHORIZED",'
          '"message":"authentication required","detail":[{"Type":"repository","Class":"","Name":"nats",'
          '"Action":"pull"}]}]}')


def test_acr_import_of_a_one_segment_docker_hub_source_is_the_missing_library_namespace() -> None:
    text = f"az acr import --name acrx --source docker.io/nats:2.1.8 -t nats:2.1.8\n{UNAUTH}"
    assert best_entry_id(text) == "containers-acr-import-dockerhub-library"


@pytest.mark.parametrize("source", ["docker.io/library/nats:2.1.8", "docker.io/bitnami/redis:7.2",
                                    "srcacr.azurecr.io/nats:2.1.8"])
def test_acr_import_with_a_namespaced_or_azure_source_keeps_the_credential_reading(source: str) -> None:
    text = f"az acr import --name acrx --source {source} -t nats:2.1.8\n{UNAUTH}"
    assert best_entry_id(text) == "containers-acr-import-source-registry-unauthorized"


def test_cannot_taint_all_agent_pools() -> None:
    text = ('Code="CanNotTaintAllAgentPools" Message="Operation failed due to insufficient nodes for system pod '
            'scheduling. Placing custom taints on all node pools is not supported."')
    assert best_entry_id(text) == "containers-aks-cannot-taint-all-agent-pools"


LOCK = ("The lock supplied is invalid. Either the lock expired, or the message has already been removed from the "
        "queue. (MessageLockLost)")


def test_lock_lost_with_auto_complete_on_is_a_double_settlement() -> None:
    assert best_entry_id(f"{LOCK}\nAutoCompleteMessages = true in our options") == \
        "messaging-sb-lock-lost-auto-complete-double-settle"


@pytest.mark.parametrize("said", ["", "AutoCompleteMessages = false", "processing takes 8 minutes, lock is 1 minute"])
def test_lock_lost_without_auto_complete_on_stays_the_lock_expiry(said: str) -> None:
    assert best_entry_id(f"{LOCK}\n{said}") == "messaging-sb-message-lock-lost"


def test_kafka_transactions_on_a_standard_event_hubs_namespace() -> None:
    text = ("FindCoordinator asked for coordinator with type code 1 which is not supported. type code 1 is only "
            "supported in Premium or Dedicated sku.")
    assert best_entry_id(text) == "messaging-eh-kafka-transactions-premium-only"


FORMAT = "UNSUPPORTED_FOR_MESSAGE_FORMAT: The message format version on the broker does not support the request."


def test_unsupported_message_format_from_event_hubs_is_the_compression_tier() -> None:
    text = f"producing to evh-x.servicebus.windows.net:9093\n{FORMAT}"
    assert best_entry_id(text) == "messaging-eh-kafka-unsupported-message-format-compression"


def test_unsupported_message_format_from_a_plain_kafka_broker_is_not_event_hubs() -> None:
    assert best_entry_id(f"broker kafka-0.internal:9092\n{FORMAT}") != \
        "messaging-eh-kafka-unsupported-message-format-compression"


def test_sendbatch_partition_options_mismatch() -> None:
    text = "Error: The partitionId (1) set on sendBatch does not match the partitionId (1) set when creating the batch."
    assert best_entry_id(text) == "messaging-eh-sendbatch-partition-options-mismatch"


def test_cluster_script_non_local_key() -> None:
    text = ("ERR Error running script (call to f_1): @user_script:1: @user_script: 1: Lua script attempted to access a "
            "non local key in a cluster node")
    assert best_entry_id(text) == "redis-cluster-script-non-local-key"


def test_myisam_storage_engine_error_on_azure_mysql() -> None:
    text = "server mysql-shop.mysql.database.azure.com\nGot error 1 from storage engine"
    assert best_entry_id(text) == "databases-mysql-myisam-not-supported"


def test_storage_engine_error_of_a_server_that_is_not_azure_stays_silent() -> None:
    assert best_entry_id("db.internal:3306\nGot error 1 from storage engine") != "databases-mysql-myisam-not-supported"


PG_AUTHID = "pg_dumpall: error: query failed: ERROR:  permission denied for table pg_authid"


def test_pg_authid_on_an_azure_server_is_the_missing_superuser() -> None:
    text = f"--host=pg-x.postgres.database.azure.com\n{PG_AUTHID}"
    assert best_entry_id(text) == "databases-pg-dumpall-pg-authid-denied"


def test_pg_authid_on_another_providers_server_is_not_the_azure_entry() -> None:
    text = f"--dbname postgres://a@billing.c7xq.eu-west-1.rds.amazonaws.com:5432/b\n{PG_AUTHID}"
    assert best_entry_id(text) != "databases-pg-dumpall-pg-authid-denied"


def test_default_database_outranks_the_cross_database_reference_it_leads_to() -> None:
    text = ("[SQL Server]Cannot open user default database. Login failed. (4064)\n[SQL Server]Reference to database "
            "and/or server name in 'master.sys.databases' is not supported in this version of SQL Server. (40515)")
    assert best_entry_id(text) == "sql-cannot-open-user-default-database"


def test_a_cross_database_reference_alone_stays_a_code_defect() -> None:
    text = ("Reference to database and/or server name in 'otherdb.dbo.t' is not supported in this version of SQL "
            "Server.")
    assert best_entry_id(text) == "sql-cross-database-reference"


def test_malformed_continuation_token() -> None:
    text = ('Message: {"Errors":["The continuation token specified in the request is malformed. Please re-run '
            'the query"]}')
    assert best_entry_id(text) == "cosmos-continuation-token-malformed"


COPY = "ErrorCode:CannotVerifyCopySource\nThe specified resource does not exist."


def test_copy_from_url_without_a_source_sas_is_the_credential() -> None:
    text = f'dst.upload_blob_from_url("https://acct.blob.core.windows.net/in/a.pdf")\n{COPY}'
    assert best_entry_id(text) == "storage-copy-from-url-source-without-sas"


@pytest.mark.parametrize("said", [
    'dst.upload_blob_from_url("https://acct.blob.core.windows.net/in/a.pdf?sv=2024-05-04&sr=b&sig=abc")',
    'dst.upload_blob_from_url(src)  # the source account has a firewall with selected networks',
    "azcopy copy https://a.blob.core.windows.net/c https://b.blob.core.windows.net/c",
])
def test_copy_source_with_a_sas_a_firewall_or_no_from_url_call_keeps_the_network_reading(said: str) -> None:
    assert best_entry_id(f"{said}\n{COPY}") == "storage-cannot-verify-copy-source"


def _envelope(text: str, technologies: list[str]) -> dict:
    start = {"error_description": text, "context": {"environment_info": {"technologies": technologies}}}
    return run_engine(start).envelope()


def test_engine_concludes_the_azure_pg_authid_case_with_the_superuser_fact() -> None:
    env = _envelope(f"pg_dumpall -r --host=pg-hr.postgres.database.azure.com --username=hradmin\n{PG_AUTHID}",
                    ["azure-database-for-postgresql-flexible-server"])
    assert env["status"] == "done"
    assert env["report"]["category"] == "auth.rbac_missing"
    assert "superuser" in env["report"]["root_cause"].lower()


def test_engine_keeps_another_providers_pg_authid_out_of_scope() -> None:
    env = _envelope("Copying from Amazon RDS; nothing is on Azure yet.\n/usr/bin/pg_dumpall --roles-only --dbname "
                    "'postgres://app@billing.c7xq.eu-west-1.rds.amazonaws.com:5432/billing'\n"
                    "pg_dumpall: error: query failed: ERROR:  permission denied for relation pg_authid",
                    ["aws-rds-postgresql"])
    assert env["status"] == "fail"
    assert env["report"]["category"] == "out_of_scope"
