"""A resource the report seeks that Resource Manager does not hold is set against the resource group listings the
session read (shared/engines/listed_in_azure.py): the listed resource of the same type with a near name is named,
through the whole rules engine on recorded Azure answers; near misses stay silent."""

from __future__ import annotations

from typing import Any

from evals.playback import PlaybackServer
from shared.engines.listed_in_azure import Sought, nearest_listed, read_missing, said_missing
from shared.session.state import Evidence, SessionState
from tests.helpers.engine_loop import run_engine

SUB = "4d2f7f1e-6f0c-5a55-9d38-2b1f0a7e9c11"


def _group(group: str, resources: list[tuple[str, str]]) -> list[dict[str, Any]]:
    base = f"/subscriptions/{SUB}/resourceGroups/{group}"
    return [
        {"match": {"method": "GET", "path": f"/subscriptions/{SUB}"}, "status": 200,
         "body": {"id": f"/subscriptions/{SUB}", "subscriptionId": SUB, "displayName": "sub", "state": "Enabled"}},
        {"match": {"method": "GET", "path": base}, "status": 200,
         "body": {"id": base, "name": group, "location": "westeurope",
                  "properties": {"provisioningState": "Succeeded"}}},
        {"match": {"method": "GET", "path_contains": f"/resourcegroups/{group}/resources"}, "status": 200,
         "body": {"value": [{"id": f"{base}/providers/{kind}/{name}", "name": name, "type": kind,
                             "location": "westeurope"} for name, kind in resources]}},
    ]


def _deploy_failure(app: str, group: str) -> dict[str, Any]:
    return {"error_description": f"Run Azure/functions-action@v1\n##[error]Error: Resource '{app}' doesn't exist."
                                 " Resource should exist before deployment.\nThe name comes from our variable group.",
            "context": {"environment_info": {"azure_subscription": SUB, "resource_group": group, "function_app": app}}}


def test_a_deploy_target_missing_names_the_listed_app_of_that_type(azure: PlaybackServer) -> None:
    azure.load(_group("rg-ledger-prod", [("func-ledger-prod-neu", "Microsoft.Web/sites"),
                                         ("asp-ledger-prod-neu", "Microsoft.Web/serverFarms")]))
    report = run_engine(_deploy_failure("func-ledger-prod", "rg-ledger-prod"), azure_access=True).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name"
    assert "'func-ledger-prod-neu'" in report["root_cause"] and "Microsoft.Web/sites" in report["root_cause"]


def test_a_near_name_of_another_type_is_not_the_app_meant(azure: PlaybackServer) -> None:
    azure.load(_group("rg-ledger-prod", [("func-ledger-prod-plan", "Microsoft.Web/serverFarms"),
                                         ("stledgerprod", "Microsoft.Storage/storageAccounts")]))
    report = run_engine(_deploy_failure("func-ledger-prod", "rg-ledger-prod"), azure_access=True).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name"
    assert "func-ledger-prod-plan" not in report["root_cause"]


def test_an_unresolved_app_host_whose_app_was_rebuilt_under_another_name_is_the_url(azure: PlaybackServer) -> None:
    azure.load(_group("rg-shop-api", [("app-shop-api-02", "Microsoft.Web/sites"),
                                      ("asp-shop", "Microsoft.Web/serverFarms")]))
    start = {"error_description": "Our gateway's calls fail since Monday:\nSystem.Net.Http.HttpRequestException: "
                                  "No such host is known. (app-shop-api.azurewebsites.net:443)\nThe API team says "
                                  "their app answers fine.",
             "context": {"environment_info": {"azure_subscription": SUB, "resource_group": "rg-shop-api",
                                              "web_app": "app-shop-api"}}}
    report = run_engine(start, azure_access=True).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name"
    assert "'app-shop-api-02'" in report["root_cause"] and report["confidence"] == "medium"


def test_an_unresolved_host_of_an_app_that_exists_stays_a_name_resolution_problem(azure: PlaybackServer) -> None:
    azure.load(_group("rg-shop-api", [("app-shop-api", "Microsoft.Web/sites"),
                                      ("app-shop-api-02", "Microsoft.Web/sites")]))
    start = {"error_description": "System.Net.Http.HttpRequestException: No such host is known. "
                                  "(app-shop-api.azurewebsites.net:443)",
             "context": {"environment_info": {"azure_subscription": SUB, "resource_group": "rg-shop-api",
                                              "web_app": "app-shop-api"}}}
    report = run_engine(start, azure_access=True).envelope()["report"]
    assert report.get("category") != "config.wrong_resource_name"
    assert "app-shop-api-02" not in report.get("root_cause", "")


def _host_storage_failure() -> dict[str, Any]:
    return {"error_description": "[Error] A host error has occurred during startup operation 'a1'.\n"
                                 "Azure.RequestFailedException: No such host is known. (stledgerjobs.blob.core."
                                 "windows.net:443)\nNo VNet on this app. Nothing deployed since Thursday.",
            "context": {"environment_info": {"azure_subscription": SUB, "resource_group": "rg-ledger-jobs",
                                             "function_app": "func-ledger-jobs"}}}


def test_an_unresolved_storage_host_whose_account_is_gone_names_the_listed_account(azure: PlaybackServer) -> None:
    azure.load(_group("rg-ledger-jobs", [("func-ledger-jobs", "Microsoft.Web/sites"),
                                         ("stledgerjobsneu", "Microsoft.Storage/storageAccounts")]))
    report = run_engine(_host_storage_failure(), azure_access=True).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name"
    assert "'stledgerjobsneu'" in report["root_cause"]


def test_a_private_endpoint_in_the_group_keeps_the_private_dns_reading(azure: PlaybackServer) -> None:
    azure.load(_group("rg-ledger-jobs", [("func-ledger-jobs", "Microsoft.Web/sites"),
                                         ("stledgerjobsneu", "Microsoft.Storage/storageAccounts"),
                                         ("pe-stledgerjobs-blob", "Microsoft.Network/privateEndpoints")]))
    report = run_engine(_host_storage_failure(), azure_access=True).envelope()["report"]
    assert "stledgerjobsneu" not in report.get("root_cause", "")


def _state(*evidence: Evidence, text: str = "") -> SessionState:
    state = run_engine({"error_description": text or "x"}).state
    state.ledger = list(evidence)
    return state


def test_only_a_resource_read_counts_as_missing_not_its_settings_or_a_collection() -> None:
    base = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/app-a"
    reads = [Evidence(tool="get_resource", arguments={"resource_id": rid}, status="no_data", summary="not found")
             for rid in (f"{base}/config/web", f"{base}/slots/blue", base,
                         f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments")]
    assert read_missing(_state(*reads)) == [Sought("app-a/blue", "Microsoft.Web/sites/slots"),
                                            Sought("app-a", "Microsoft.Web/sites")]


def test_the_deploy_tasks_words_give_the_slot_and_its_type() -> None:
    text = "Error: Deployment Failed, Error: Resource app-a/staging of type Microsoft.Web/Sites/Slots doesn't exist."
    assert said_missing(_state(text=text)) == [Sought("app-a/staging", "Microsoft.Web/Sites/Slots")]


def test_a_far_name_is_not_read_as_the_one_meant() -> None:
    rows = [("app-billing-ui", "Microsoft.Web/sites", "rg")]
    assert nearest_listed([Sought("func-orders", "Microsoft.Web/sites")], rows) is None
    assert nearest_listed([Sought("app-billing", "Microsoft.Web/sites")], rows) == (
        "app-billing", "app-billing-ui", "Microsoft.Web/sites", "rg")
