"""Round 31, helper G (realG: real reports on data services): an Azurite that answers the SDK's x-ms-version with
InvalidHeaderValue, an ACL-only Data Lake caller without Execute on the parent folders, blobfuse given a SAS without
list, Event Grid writing plain JSON into a queue that a trigger decodes as Base64, the Event Grid system key asked for
before any Event Grid function exists, a deployment slot's own identity refused by Service Bus, a PHP CA file named by
a relative path, the old Baltimore CA file after the server moved to DigiCert; the emulator-in-Azure reading yields to
the emulator's own answer (a table entry's `unless`), and two machines outside Azure: a local database container and an
old on-premises SQL Server. Each fires on its own report and stays silent for its near miss."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.session.state import Conclude, GiveUp
from tests.helpers.engine_loop import run_engine

AZURITE = ("Azure.RequestFailedException: The value for one of the HTTP headers is not in the correct format.\n"
           "Status: 400 (The value for one of the HTTP headers is not in the correct format.)\n"
           "ErrorCode: InvalidHeaderValue\nHeaderName: x-ms-version\nHeaderValue: 2019-12-12\n"
           "Headers:\nServer: Azurite-Blob/3.7.0\n"
           "Request was GET http://127.0.0.1:10000/devstoreaccount1/data?restype=container&comp=list")
ADLS = ("We granted the service principal rwx ACLs on /raw/sales only, no RBAC role on purpose. Writing "
        "raw/sales/2020/orders.parquet fails: ErrorCode: 'AuthorizationPermissionMismatch'. Message: 'This request is "
        "not authorized to perform this operation using this permission.'")
BLOBFUSE = ("fuse_connection.cfg has accountName stdrop01 and sasToken ?sv=2018-03-28&sr=c&sp=rw&sig=<redacted>\n"
            "Failed to connect to the storage container. There might be something wrong about the storage config, "
            "please double check the storage account name, account key/sas token/OAuth access token and container "
            "name. errno = 403")
BASE64 = ("Event Grid delivers the blob events to the storage queue incoming-files as destination, and the "
          "QueueTrigger fails: Exception binding parameter 'input'. System.Private.CoreLib: The input is not a valid "
          "Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal "
          "character among the padding characters.")
SYSTEM_KEY = ("The pipeline creates the empty function app, then reads the key before it deploys the code:\n"
              "curl https://func-ingest.azurewebsites.net/admin/host/systemkeys/eventgrid_extension?code=$KEY -> 404")
SLOT = ("The function app's system-assigned identity has Azure Service Bus Data Receiver; a rollback deployment slot "
        "runs the same code. Sometimes: System.UnauthorizedAccessException: Unauthorized access. 'Listen' claim(s) "
        "are required to perform this operation. Resource: 'sb://sb-orders.servicebus.windows.net/orders'.")
PHP_CA = ("config.php: $db['ssl_ca'] = 'cert/BaltimoreCyberTrustRoot.crt.pem'; the web app shows "
          "Could not connect to database! SQLSTATE[HY000] [2002]")
DIGICERT = ("PHP app to Azure Database for MySQL with PDO::MYSQL_ATTR_SSL_CA => "
            "'/home/site/wwwroot/certs/BaltimoreCyberTrustRoot.crt.pem' fails since yesterday: "
            "error:0A000086:SSL routines::certificate verify failed")

CATALOG_CASES = {
    "storage-azurite-invalid-header-x-ms-version": AZURITE,
    "storage-adls-acl-only-access-missing-execute-on-parents": ADLS,
    "storage-blobfuse-mount-403-sas-without-list": BLOBFUSE,
    "functions-queue-message-not-base64-event-grid-producer": BASE64,
    "functions-eventgrid-system-key-missing-before-trigger-deployed": SYSTEM_KEY,
    "messaging-claims-required-deployment-slot-own-identity": SLOT,
    "databases-mysql-php-ssl-ca-relative-path-not-found": PHP_CA,
    "databases-mysql-old-root-ca-self-signed-chain": DIGICERT,
}

NEAR_MISSES = {
    # the real service refused the header (no Azurite answered): the generic InvalidHeaderValue reading stays
    "storage-azurite-invalid-header-x-ms-version": AZURITE.replace("Server: Azurite-Blob/3.7.0",
                                                                   "Server: Windows-Azure-Blob/1.0").replace(
        "http://127.0.0.1:10000/devstoreaccount1/", "https://stdata.blob.core.windows.net/"),
    # a caller with a data role and no ACL story is the plain missing role
    "storage-adls-acl-only-access-missing-execute-on-parents": (
        "The uploader's managed identity writes raw/orders.parquet and gets ErrorCode: "
        "'AuthorizationPermissionMismatch'. Message: 'This request is not authorized to perform this operation "
        "using this permission.'"),
    # a SAS that does carry list
    "storage-blobfuse-mount-403-sas-without-list": BLOBFUSE.replace("sp=rw&", "sp=rwl&"),
    # a producer the team controls, not Event Grid
    "functions-queue-message-not-base64-event-grid-producer": BASE64.replace(
        "Event Grid delivers the blob events to the storage queue incoming-files as destination",
        "Our PHP intake site writes to the storage queue incoming-files"),
    # the key read succeeds
    "functions-eventgrid-system-key-missing-before-trigger-deployed": SYSTEM_KEY.replace("-> 404", "-> 200"),
    # no slot: the app's own identity lacks the role
    "messaging-claims-required-deployment-slot-own-identity": SLOT.replace(
        "; a rollback deployment slot runs the same code", ""),
    # an absolute CA path
    "databases-mysql-php-ssl-ca-relative-path-not-found": PHP_CA.replace(
        "'cert/BaltimoreCyberTrustRoot.crt.pem'", "'/home/site/wwwroot/cert/DigiCertGlobalRootG2.crt.pem'"),
    # not a managed MySQL or PostgreSQL server
    "databases-mysql-old-root-ca-self-signed-chain": DIGICERT.replace("Azure Database for MySQL", "our own MySQL box"),
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


@pytest.mark.parametrize("entry_id", list(NEAR_MISSES))
def test_the_new_entry_stays_silent_for_its_near_miss(entry_id: str) -> None:
    hits = catalog_index().hits([(NEAR_MISSES[entry_id], "error")])
    assert all(h.entry.id != entry_id for h in hits), [h.entry.id for h in hits[:3]]


def test_the_sql_keyword_entry_names_the_driver_that_supports_the_keyword() -> None:
    final = run_engine({"error_description": (
        "Azure SQL with Authentication=Active Directory Password fails: System.Data.SqlClient: Keyword not "
        "supported: 'authentication'.")}).final
    assert isinstance(final, Conclude) and "Microsoft.Data.SqlClient" in final.report.root_cause


def test_the_emulator_answering_is_no_emulator_setting_in_azure() -> None:
    final = run_engine({"error_description": AZURITE}).final
    assert isinstance(final, Conclude) and final.report.category == "runtime.dependency_missing"


def test_an_app_in_azure_refused_at_the_emulator_port_still_reads_the_emulator_setting() -> None:
    final = run_engine({"error_description": (
        "The function app in Azure logs: Azure.RequestFailedException: Connection refused (127.0.0.1:10000) "
        "while listing devstoreaccount1 containers.")}).final
    assert isinstance(final, Conclude) and final.report.category == "config.invalid_connection_string"


DDEV = ("I exported the database from Azure Database for MySQL and imported it into our local ddev setup:\n"
        "$ ddev import-db --src=prod.sql.gz\nERROR 1273 (HY000) at line 923: Unknown collation: 'utf8mb4_0900_ai_ci'\n"
        "ddev describe shows the db container is mariadb:10.4.")
OLD_SQL = ("The focal container talks to the legacy ERP database, an on-prem SQL Server 2008 R2 (SP2):\n"
           "Microsoft.Data.SqlClient.SqlException (0x80131904): A connection was successfully established with the "
           "server, but then an error occurred during the pre-login handshake. (provider: TCP Provider, error: 35 - "
           "An internal exception was caught)")


@pytest.mark.parametrize("text", [DDEV, OLD_SQL], ids=["local-database-container", "old-on-premises-sql-server"])
def test_a_database_outside_azure_ends_out_of_scope(text: str) -> None:
    final = run_engine({"error_description": text}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


def test_the_same_import_against_the_azure_server_is_not_out_of_scope() -> None:
    text = ("$ mysql -h mysql-shop.mysql.database.azure.com -u admin -p shop < prod.sql\n"
            "ERROR 1273 (HY000) at line 923: Unknown collation: 'utf8mb4_0900_ai_ci'")
    final = run_engine({"error_description": text}).final
    assert not (isinstance(final, GiveUp) and final.report.category == "out_of_scope")


def test_a_pre_login_failure_against_azure_sql_is_not_out_of_scope() -> None:
    text = OLD_SQL.replace("an on-prem SQL Server 2008 R2 (SP2)", "sql-erp.database.windows.net (Azure SQL)")
    final = run_engine({"error_description": text}).final
    assert not (isinstance(final, GiveUp) and final.report.category == "out_of_scope")
