"""Round 41 S5: fixes from the session-34 S5 list, each with a near miss that stays silent.

- A Container Apps environment whose log destination (appLogsConfiguration customerId) is none of the workspaces read,
  while the workspace the report queries was read with another id: the logs go elsewhere (config.wrong_resource_name),
  naming a workspace the activity log shows deleted; an environment writing to the queried workspace stays silent.
- SQL 18456 for <token-identified principal> when the report says the identity was given a user in a named database:
  the connection names no database and goes to master (config.invalid_connection_string); the bare error keeps the
  missing contained user (auth.rbac_missing).
- A workspace-based Application Insights component whose linked workspace reads as not found: its store is gone
  (config.wrong_resource_name, as the linked-resource finding labels it); a linked workspace that answers stays silent.
- Storage AuthorizationProtocolMismatch: the SAS's signed protocol (spr=https) refuses an http request, the family
  of its signed IP, service and resource type refusals (auth.credential_invalid); a plain AuthorizationFailure is not.
- Resource Health answered in the collection's shape ({"value": [{"name": "current", ...}]}) gives its current item,
  so a platform-initiated Degraded state is read (platform.service_incident)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from evals.playback import PlaybackServer
from shared.catalog.index import catalog_index
from shared.tools.azure_activity import _current_status
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import recorded_report

ROB = Path(__file__).resolve().parents[1] / "scenarios" / "rob34s5"
LOGS_VARIANT = "rob34s5-container-apps-cli-log-query-sem0100-env-customer-id-of-deleted-workspace"
HEALTH_VARIANT = ("rob34s5-webapp-claims-portal-sporadic-502-and-resets-resource-health-degraded-platform-initiated-"
                  "list-shape")
SQL_ERROR = ("Cannot connect to fabrikam-dw-sql.database.windows.net.\nLogin failed for user '<token-identified "
             "principal>'. (.Net SqlClient Data Provider)\nError Number: 18456\nSeverity: 14\nState: 1\n")


def _scenario(name: str) -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load((ROB / f"{name}.yaml").read_text(encoding="utf-8")))


def test_an_environment_writing_to_another_workspace_id_is_a_wrong_target(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _scenario(LOGS_VARIANT))
    assert found["category"] == "config.wrong_resource_name"
    assert "log-orders-2023" in found["root_cause"] and "customerId" in found["root_cause"]


def test_an_environment_writing_to_the_queried_workspace_stays_silent(azure: PlaybackServer) -> None:
    case = _scenario(LOGS_VARIANT)
    environment = next(r for r in case["azure"] if str(r["match"].get("path", "")).endswith("/env-orders-weu"))
    workspace = next(r for r in case["azure"] if str(r["match"].get("path", "")).endswith("/log-shared-weu"))
    environment["body"]["properties"]["appLogsConfiguration"]["logAnalyticsConfiguration"]["customerId"] = (
        workspace["body"]["properties"]["customerId"])
    found = recorded_report(azure, case)
    assert found["category"] != "config.wrong_resource_name"
    assert "log-orders-2023" not in found["root_cause"]


def test_a_user_given_in_a_named_database_points_at_the_connection() -> None:
    text = SQL_ERROR + "Our DBA created my user in the finance-dw database yesterday."
    assert best_entry_id(text) == "sql-token-principal-user-in-database-connection-names-none"
    assert best_entry_id(SQL_ERROR + "Connect to database: <default>") == (
        "sql-token-principal-user-in-database-connection-names-none")


def test_the_bare_error_or_a_user_made_in_master_keeps_the_missing_user() -> None:
    assert best_entry_id(SQL_ERROR) == "sql-token-principal-no-user"
    assert best_entry_id(SQL_ERROR + "Do I need to create a user in the database?") == "sql-token-principal-no-user"
    text = SQL_ERROR + "The DBA created my user in master and gave access to the sales database."
    assert best_entry_id(text) != "sql-token-principal-user-in-database-connection-names-none"


def test_resource_health_in_the_collection_shape_gives_its_current_item() -> None:
    current = {"name": "current", "properties": {"availabilityState": "Degraded"}}
    older = {"name": "2026-12-01", "properties": {"availabilityState": "Available"}}
    assert _current_status({"value": [older, current]}) is current
    single = {"name": "current", "properties": {"availabilityState": "Available"}}
    assert _current_status(single) is single
    assert _current_status({}) == {}


def test_a_platform_degraded_web_app_read_in_the_collection_shape_is_an_incident(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _scenario(HEALTH_VARIANT))
    assert found["category"] == "platform.service_incident"
    assert "platform" in found["root_cause"].lower()


APPI_VARIANT = "rob34s5-appinsights-fleet-tracker-logs-blade-workspace-not-found-linked-workspace-deleted-by-runbook"


def test_a_component_whose_linked_workspace_is_gone_names_it(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _scenario(APPI_VARIANT))
    assert found["category"] == "config.wrong_resource_name"
    assert "log-fleet-weu" in found["root_cause"] and "deleted" in found["root_cause"]


def test_a_component_whose_linked_workspace_answers_stays_silent(azure: PlaybackServer) -> None:
    case = _scenario(APPI_VARIANT)
    workspace = next(r for r in case["azure"] if str(r["match"].get("path", "")).endswith("/log-fleet-weu"))
    workspace["status"] = 200
    workspace["body"] = {"id": workspace["match"]["path"], "name": "log-fleet-weu",
                         "type": "Microsoft.OperationalInsights/workspaces", "location": "westeurope",
                         "properties": {"customerId": "4e6a8c0e-2b4d-4f6a-8c0e-2b4d6f8a0c1e"}}
    found = recorded_report(azure, case)
    assert "and that workspace no longer exists" not in (found.get("root_cause") or "")


def test_a_sas_refused_for_its_protocol_is_a_credential_refusal() -> None:
    text = ("azure.core.exceptions.HttpResponseError: This request is not authorized to perform this operation using "
            "this protocol.\nErrorCode:AuthorizationProtocolMismatch")
    hits = catalog_index().hits([(text, "error")])
    assert hits[0].entry.id == "storage-authorization-protocol-mismatch"
    assert hits[0].entry.category == "auth.credential_invalid"
    assert "spr=https" in hits[0].entry.meaning


def test_a_plain_authorization_failure_is_not_read_as_the_protocol() -> None:
    text = "This request is not authorized to perform this operation.\nErrorCode:AuthorizationFailure"
    assert best_entry_id(text) != "storage-authorization-protocol-mismatch"
