"""Round 27 (T): a storage account's blob, queue and table data roles do not cover each other, so the role
assignments read for an access-denied conclusion are judged against the sub-service the client's error names
(knowledge/data_access_roles.yaml `services`, shared/engines/access_evidence.py)."""

from __future__ import annotations

from typing import Any

from shared.catalog.index import catalog_index
from shared.engines.access_evidence import with_role_assignments
from shared.models import Options, Report
from shared.session.state import Conclude, Evidence, Material, RunTool, SessionState

GROUP = "/subscriptions/8f2c6a40-d3b9-4e17-a5f8-0c4e7b1d9a62/resourceGroups/rg-audit"
ACCOUNT = f"{GROUP}/providers/Microsoft.Storage/storageAccounts/staudit"
PRINCIPAL = "7a9c1e3f-5b2d-4d60-8f4a-c6e8a0b2d419"
CAUSE = "The identity has no data role on storage account 'staudit' (AuthorizationPermissionMismatch, 403)."
BLOB_AND_QUEUE = [{"role": "Storage Blob Data Owner", "scope": ACCOUNT, "relation": "at"},
                  {"role": "Storage Queue Data Contributor", "scope": ACCOUNT, "relation": "at"}]


def _said(error: str, assignments: list[dict[str, Any]]) -> str:
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=error))
    site = {"id": f"{GROUP}/providers/Microsoft.Web/sites/func-audit", "name": "func-audit",
            "type": "Microsoft.Web/sites", "identity": {"type": "SystemAssigned", "principalId": PRINCIPAL}}
    for resource in (site, {"id": ACCOUNT, "name": "staudit", "type": "Microsoft.Storage/storageAccounts"}):
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=resource["name"], data=resource))

    def concluded() -> Conclude:
        return Conclude(message=CAUSE, report=Report(category="auth.rbac_missing", root_cause=CAUSE,
                                                     confidence="high"))
    asked = with_role_assignments(state, concluded())
    assert isinstance(asked, RunTool) and asked.tool == "list_role_assignments"
    state.add_evidence(Evidence(tool="list_role_assignments", status="success", summary="roles",
                                arguments=asked.arguments, data={"assignments": assignments, "count": 2}))
    decision = with_role_assignments(state, concluded())
    assert isinstance(decision, Conclude) and decision.report.category == "auth.rbac_missing"
    return decision.report.root_cause


def test_blob_and_queue_roles_do_not_cover_a_table_client_refused():
    said = _said("Azure.RequestFailedException: ... ErrorCode: AuthorizationPermissionMismatch\n"
                 "   at Azure.Data.Tables.TableClient.AddEntityAsync(...)", BLOB_AND_QUEUE)
    assert "grants data access on the whole resource" not in said
    assert "it needs Storage Table Data Contributor" in said


def test_a_blob_client_refused_with_a_blob_role_held_is_still_covered():
    said = _said("azure.core.exceptions.HttpResponseError: AuthorizationPermissionMismatch from "
                 "BlobServiceClient at https://staudit.blob.core.windows.net", BLOB_AND_QUEUE)
    assert "One of them grants data access on the whole resource." in said


def test_no_sub_service_or_several_named_keeps_every_storage_data_role():
    # near misses: no SDK or endpoint named, or both blob and queue (the Functions host uses both)
    for error in ("This request is not authorized to perform this operation using this permission.",
                  "Azure.Storage.Blobs and Azure.Storage.Queues refused: AuthorizationPermissionMismatch"):
        tables = [{"role": "Storage Table Data Contributor", "scope": ACCOUNT, "relation": "at"}]
        assert "One of them grants data access on the whole resource." in _said(error, tables)


SQL_TIMEOUT = ("Microsoft.Data.SqlClient.SqlException (0x80131904): Execution Timeout Expired.  The timeout period "
               "elapsed prior to completion of the operation or the server is not responding.\n")


def _sql_entries(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_a_query_said_to_run_longer_than_30_seconds_elsewhere_names_the_default_command_timeout():
    said = SQL_TIMEOUT + "Connect Timeout=60. In SSMS the same proc runs 68-75 seconds and returns fine."
    assert "sql-execution-timeout-default-30-seconds" in _sql_entries(said)
    assert "sql-execution-timeout-default-30-seconds" in _sql_entries(SQL_TIMEOUT + "It takes about 2 minutes.")


def test_an_explicit_command_timeout_or_a_short_query_keeps_the_default_entry_silent():
    for said in (SQL_TIMEOUT + "cmd.CommandTimeout = 120; in SSMS it runs 180 seconds.",
                 SQL_TIMEOUT + "In SSMS it runs 5 seconds.", SQL_TIMEOUT):
        assert "sql-execution-timeout-default-30-seconds" not in _sql_entries(said)
