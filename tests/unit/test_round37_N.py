"""Round 37, helper N (neg30): four general changes found by the neg30 negative scenarios.

1. "That one went away after we gave ...", "this error disappeared once ...": the writer's account that the error
   above ended is a resolved mark too (`_RESOLVED_MARK` in shared/catalog/index.py, through `superseded`).
2. "The 403s stopped on Dec 1 when we assigned ...": the lines that quote that HTTP status are history when another
   error, on a line without it, is in the material (`_status_history`, part of `resolved_entries`).
3. SQL error 40197 whose inner code is 4815 is the bulk copy's invalid column length, not a failover
   (catalog entry `sql-bulk-copy-invalid-column-length-40197-4815`).
4. A connection timeout whose host resolves to a public address, in a report that names no private endpoint, is no
   private-endpoint DNS gap: the network path is suspected at low confidence
   (knowledge/network_path_outcomes.yaml `public-address-no-private-endpoint`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.catalog.index import catalog_index, negated, normalize, resolved_entries
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "negative"

OLD_MISMATCH = ("  azure.core.exceptions.HttpResponseError: This request is not authorized to perform this operation "
                "using this permission.\n  ErrorCode:AuthorizationPermissionMismatch\n\n")
NEW_NOT_FOUND = ("  azure.core.exceptions.ResourceNotFoundError: The specified container does not exist.\n"
                 "  ErrorCode:ContainerNotFound\n")


def _negated_at(text: str, word: str) -> bool:
    start = text.index(word)
    return negated(text, start, start + len(word))


def _entries(text: str) -> list[str]:
    return [hit.entry.id for hit in catalog_index().hits([(text, "error")])]


def _outcome(case_id: str) -> tuple[str | None, str | None]:
    case = next(s for s in load_scenarios(FOLDER) if s["id"] == case_id)
    report = run_engine(case["request"], case.get("client", [])).envelope().get("report") or {}
    return report.get("category"), report.get("confidence")


# --- 1. "that one went away after ..." ----------------------------------------------------------------------------

@pytest.mark.parametrize("mark", [
    "That one went away after we gave the app's identity Storage Blob Data Contributor.",
    "This error disappeared once the role was assigned.",
    "It was gone after the role assignment propagated.",
    "That one stopped after we assigned the data role.",
])
def test_an_error_the_writer_says_went_away_is_history_before_a_later_error(mark: str):
    text = ("Last week the exporter failed with this:\n\n" + OLD_MISMATCH + mark + " Since this morning:\n\n"
            + NEW_NOT_FOUND)
    assert _negated_at(text, "AuthorizationPermissionMismatch")
    assert not _negated_at(text, "ContainerNotFound")
    assert "storage-authorization-permission-mismatch" not in _entries(text)[:1]


@pytest.mark.parametrize("mark", [
    "That one went away for a while after we gave the app's identity the role.",  # it came back
    "It went away but came back this morning.",
    "It stopped working after the deployment.",  # "stopped working" is the failure, not its end
    "We hoped it went away after the role assignment.",  # no "that/this/it" before: only a hope
])
def test_a_mark_that_is_no_end_keeps_the_error(mark: str):
    text = "The exporter fails with this:\n\n" + OLD_MISMATCH + mark + " Then:\n\n" + NEW_NOT_FOUND
    assert not _negated_at(text, "AuthorizationPermissionMismatch")


def test_an_error_that_went_away_with_no_later_error_still_counts():
    text = "The exporter failed with this:\n\n" + OLD_MISMATCH + "That one went away after the role assignment."
    assert not _negated_at(text, "AuthorizationPermissionMismatch")


# --- 2. "the 403s stopped ..." ------------------------------------------------------------------------------------

TABLE = (
    "exceptions | summarize count(), last_seen=max(timestamp) by problemId, outerMessage\n"
    "Azure.RequestFailedException  37  2026-12-01T14:22:05Z  Caller is not authorized to perform action on resource. "
    "Status: 403 (Forbidden) ErrorCode: Forbidden InnerError: ForbiddenByRbac\n"
    "System.InvalidOperationException  5120  2026-12-07T09:41:57Z  Unable to resolve service for type "
    "'Contoso.IInvoiceRepository' while attempting to activate 'Contoso.InvoicesController'.\n\n")


@pytest.mark.parametrize("said", [
    "The 403s stopped on Dec 1 when we assigned Key Vault Secrets User.",
    "Those 403 errors went away after the role assignment.",
    "All the 403s are gone since Monday.",
])
def test_the_lines_of_a_status_the_writer_says_stopped_are_history(said: str):
    text = TABLE + said
    assert resolved_entries(text)
    assert _negated_at(text, "ForbiddenByRbac")
    assert not _negated_at(text, "Unable to resolve service for type")
    assert "keyvault-forbidden-by-rbac" not in _entries(text)
    assert not _negated_at(normalize(text), "ForbiddenByRbac")  # the folded text alone has no lines


@pytest.mark.parametrize("said", [
    "The 403s stopped for a while on Dec 1 when we assigned Key Vault Secrets User.",  # paused only
    "The 404s stopped on Dec 1.",  # another status: the 403 line stays
    "The 403s haven't stopped since Dec 1.",  # no end
])
def test_a_status_that_did_not_end_keeps_its_lines(said: str):
    text = TABLE + said
    assert not _negated_at(text, "ForbiddenByRbac")


def test_a_stopped_status_with_no_other_error_is_not_history():
    text = TABLE.split("System.InvalidOperationException")[0] + "\nThe 403s stopped on Dec 1."
    assert not _negated_at(text, "ForbiddenByRbac")


def test_a_status_number_inside_a_time_or_an_id_is_no_quote_of_it():
    text = ("Run 403 ok\nRequestId:0e3b-403-9a61 failed with Unable to resolve service for type 'X'.\n"
            "2026-12-07T10:40:03Z worker error: Unable to resolve service for type 'Y'.\nThe 403s stopped yesterday.")
    assert resolved_entries(text) == ()


# --- 3. SQL 40197 with inner 4815 ---------------------------------------------------------------------------------

def test_40197_with_inner_4815_is_the_bulk_copy_column_length():
    text = ("Microsoft.Data.SqlClient.SqlException (0x80131904): The service has encountered an error processing your "
            "request. Please try again. Error code 4815.\nError Number:40197,State:1,Class:20")
    assert best_entry_id(text) == "sql-bulk-copy-invalid-column-length-40197-4815"


def test_40197_with_a_failover_inner_code_stays_transient():
    text = ("Microsoft.Data.SqlClient.SqlException (0x80131904): The service has encountered an error processing your "
            "request. Please try again. Error code 40540.\nError Number:40197,State:1,Class:20")
    assert best_entry_id(text) == "sql-service-error-40197"


# --- 4. a public DNS answer with no private endpoint named -----------------------------------------------------------

SQL_TIMEOUT = (
    "The ledger job fails after 30 s:\n\n"
    "Microsoft.Data.SqlClient.SqlException (0x80131904): A network-related or instance-specific error occurred while "
    "establishing a connection to SQL Server. (provider: TCP Provider, error: 0 - A connection attempt failed because "
    "the connected party did not properly respond after a period of time, or established connection failed because "
    "connected host has failed to respond.)\n\n"
    "> nslookup sql-ledger-prod.database.windows.net\n"
    "Non-authoritative answer:\n"
    "Name:    dataslice4.westeurope.database.windows.net\n"
    "Address:  198.51.100.45\n"
    "Aliases:  sql-ledger-prod.database.windows.net\n")


def test_a_public_answer_without_a_private_endpoint_is_no_dns_gap():
    report = run_engine({"error_description": SQL_TIMEOUT}).envelope().get("report") or {}
    assert (report.get("category"), report.get("confidence")) == ("network.nsg_blocked", "low")


def test_a_public_answer_for_a_service_with_a_private_endpoint_is_still_the_dns_gap():
    text = SQL_TIMEOUT.replace("The ledger job fails",
                               "The server has a private endpoint in vnet-ledger; the job fails")
    answer = ("Run on vm-ledger-01 (the failing machine): nslookup sql-ledger-prod.database.windows.net -> "
              "Address: 198.51.100.45, no privatelink alias.")
    report = run_engine({"error_description": text},
                        [{"when_asked_contains": "private", "answer": answer}]).envelope().get("report") or {}
    assert report.get("category") == "network.private_endpoint_dns"


# --- the neg30 scenarios these changes mended -----------------------------------------------------------------------

@pytest.mark.parametrize(("case_id", "category"), [
    ("neg30-old-log-went-away-permission-mismatch-now-container-not-found", "config.wrong_resource_name"),
    ("neg30-old-log-kql-last-seen-forbidden-now-di-error", "runtime.code_defect"),
    ("neg30-near-miss-sql-40197-4815-not-40501", "runtime.code_defect"),
    ("neg30-not-dns-resolves-sql-connect-timeout-nsg-outbound", "network.nsg_blocked"),
])
def test_the_neg30_cases_now_name_their_cause_without_high_confidence(case_id: str, category: str):
    found, confidence = _outcome(case_id)
    assert found == category
    assert confidence != "high"


# --- 5. Resolve-DnsName's table: the CNAME target, not the TTL ------------------------------------------------------

def test_resolve_dnsname_table_gives_the_cname_target_not_the_ttl():
    from shared.session.state import Material
    from shared.tools.catalog import run_tool

    text = ("PS> Resolve-DnsName sql-ledger-prod.database.windows.net\n"
            "Name                                  Type   TTL   Section    NameHost\n"
            "sql-ledger-prod.database.windows.net  CNAME  300   Answer     dataslice4.westeurope.database.windows.net\n"
            "dataslice4.westeurope.database.windows.net  A  300  Answer   198.51.100.45\n")
    evidence = run_tool("get_dns_answer", {"host": "sql-ledger-prod.database.windows.net"},
                        Material(error_description=text))
    assert evidence.data["aliases"] == ["dataslice4.westeurope.database.windows.net"]
    dig = ("$ dig sql-ledger-prod.database.windows.net\n;; ANSWER SECTION:\n"
           "sql-ledger-prod.database.windows.net. 300 IN CNAME dataslice4.westeurope.database.windows.net.\n"
           "dataslice4.westeurope.database.windows.net. 300 IN A 198.51.100.45\n")
    evidence = run_tool("get_dns_answer", {"host": "sql-ledger-prod.database.windows.net"},
                        Material(error_description=dig))
    assert "dataslice4.westeurope.database.windows.net" in evidence.data["aliases"]
    assert "300" not in evidence.data["aliases"]
