"""Round 37 (realV): the mechanisms added for fourteen real reports, each shown working and, on a near miss, silent."""

from __future__ import annotations

from shared.engines.listed_names import affix
from shared.engines.shared_limit import shared_resources
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import out_of_scope_report, run_engine, settled_report

# --- another cloud's own error words ------------------------------------------------------------------------------

AWS_OLD_CLI = ("Our copy script on the Azure build agent fails:\n"
               "upload failed: ./app.zip to s3://contoso-downloads/app.zip A client error (AccessDenied) occurred when"
               " calling the PutObject operation: Access Denied")


def test_older_aws_cli_client_error_wording_is_out_of_scope() -> None:
    report = out_of_scope_report(AWS_OLD_CLI)
    assert "AWS" in report["root_cause"] or "Amazon" in report["root_cause"]


def test_bigquery_permission_name_is_out_of_scope() -> None:
    report = out_of_scope_report(
        "The Dataflow job fails before the copy to Azure Data Lake: PERMISSION_DENIED: request failed: the user does"
        " not have 'bigquery.readsessions.create' permission for 'projects/contoso-analytics'")
    assert report["category"] == "out_of_scope"


def test_an_azure_storage_error_beside_a_bigquery_plan_stays_in_scope() -> None:
    report = settled_report(
        "We plan to move the reports to BigQuery later. Today the upload to Azure Blob fails with"
        " ErrorCode: AuthorizationPermissionMismatch - This request is not authorized to perform this operation"
        " using this permission.")
    assert report["category"] != "out_of_scope"


# --- Cosmos DB: the signed payload's resource link -----------------------------------------------------------------

_COSMOS_401 = ("{\"code\":\"Unauthorized\",\"message\":\"The input authorization token can't serve the request."
               " Please check that the expected payload is built as per the protocol, and check the key being used."
               " Server used the following payload to sign: '%s\\n%s\\n%s\\ntue, 13 dec 2016 10:12:44 gmt\\n\\n'\"}")


def test_a_resource_link_ending_in_docs_is_a_malformed_link() -> None:
    text = _COSMOS_401 % ("post", "docs", "dbs/telemetry/colls/readings/docs")
    assert best_entry_id(text) == "cosmos-signed-payload-resource-link-ends-in-docs"
    report = settled_report(text)
    assert report["category"] == "config.wrong_resource_name" and "/docs" in report["root_cause"]


def test_a_container_or_item_link_keeps_the_key_reading() -> None:
    for verb, link in (("post", "dbs/telemetry/colls/readings"), ("get", "dbs/telemetry/colls/readings/docs/r-17")):
        assert best_entry_id(_COSMOS_401 % (verb, "docs", link)) == "cosmos-input-authorization-token-invalid"


# --- not-found names: the name that exists, with a prefix ----------------------------------------------------------

_SECRET_NOT_FOUND = ("ERROR: (SecretNotFound) A secret with (name/id) tenant-id was not found in this key vault."
                     " If you recently deleted this secret you may be able to recover it using the correct recovery"
                     " command.\n")


def test_the_existing_name_with_a_prefix_is_named() -> None:
    report = settled_report(_SECRET_NOT_FOUND + "The vault has it, it's called \"lz-tenant-id\" in the portal.")
    assert report["category"] == "config.wrong_resource_name"
    assert "prefix 'lz-'" in report["root_cause"]


def test_without_an_existing_name_no_prefix_is_claimed() -> None:
    report = settled_report(_SECRET_NOT_FOUND + "The identity has get and list on secrets.")
    assert "prefix" not in report["root_cause"]


def test_affix_reads_prefix_suffix_and_neither() -> None:
    assert affix("tenant-id", "lz-tenant-id") == " (the same name with the prefix 'lz-')"
    assert affix("orders", "orders-v2") == " (the same name with the suffix '-v2')"
    assert affix("orders", "ordres") == ""
    assert affix("orders", "orders") == ""


# --- throttling: what the parallel callers share -------------------------------------------------------------------

_TOO_MANY = "##[error]TooManyRequests: Too many requests received. Retry after some time.\n"


def test_the_shared_storage_account_is_named_when_throttled() -> None:
    outcome = run_engine({"error_description": _TOO_MANY + "We deploy 14 services in parallel. All tasks use the same"
                                                            " \"Storage account\" input (stdeploypkgs01)."})
    report = outcome.envelope()["report"]
    assert report["category"] == "throttling.rate_limited"
    assert "storage account 'stdeploypkgs01'" in report["root_cause"]


def test_one_caller_using_a_storage_account_is_not_a_shared_limit() -> None:
    assert shared_resources("We use the same storage account for logs and packages.") == []
    outcome = run_engine({"error_description": _TOO_MANY + "The task uses the storage account stdeploypkgs01."})
    assert "parallel callers" not in outcome.envelope()["report"]["root_cause"]
