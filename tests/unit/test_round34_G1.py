"""Round 34 G1 (wrong categories of earlier blind sets, tests/scenarios/rob27G1): a catalog error that `explains` the
category of a signature's reading decides over it (API Management's soft-deleted name behind the deployment's
ResourceNotFound), a storage account reached privately whose private endpoint connections are none approved, MySQL 8's
caching_sha2_password plugin missing in an old client of a local container, and an Azure sign-in tool on a company
network that cannot resolve the endpoint it lists subscriptions from."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from evals.playback import PlaybackServer
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "rob27G1"
CASES = {s["id"]: s for s in load_scenarios(FOLDER)}


def _case(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(next(s for i, s in CASES.items() if i.startswith(prefix)))


def _report(outcome: Any) -> Any:
    return getattr(outcome.final, "report", None)


# --- an error that brings the signature's category about is the cause ----------------------------------------------

APIM = "rob27g1-apim-terraform-apply-soft-deleted-name-then-resource-not-found"


def test_a_soft_deleted_api_management_name_decides_over_the_follow_up_resource_not_found() -> None:
    outcome = run_engine(_case(APIM)["request"])
    report = _report(outcome)
    assert report is not None and report.category == "deployment.name_conflict"
    assert "soft-deleted" in report.root_cause and not outcome.requests


def test_without_the_soft_delete_error_the_resource_not_found_reading_stands() -> None:
    case = _case(APIM)
    text = case["request"]["error_description"]
    case["request"]["error_description"] = "\n".join(
        line for line in text.splitlines() if "ServiceAlreadyExistsInSoftDeletedState" not in line)
    report = _report(run_engine(case["request"]))
    assert report is None or report.category != "deployment.name_conflict"


# --- a storage account reached privately whose private endpoint connection is not approved --------------------------

PENDING = "rob27g1-webapp-blob-403-storage-private-endpoint-connection-pending"


def _account(case: dict[str, Any]) -> dict[str, Any]:
    return next(e["body"] for e in case["azure"] if str(e["match"].get("path", "")).endswith("stinvoicedocsne"))


def test_a_pending_private_endpoint_connection_answers_before_the_firewall(azure: PlaybackServer) -> None:
    case = _case(PENDING)
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is not None and report.category == "network.private_endpoint_dns"
    assert "is approved" in report.root_cause and "stinvoicedocsne" in report.root_cause


def test_an_approved_connection_is_not_called_unapproved(azure: PlaybackServer) -> None:
    case = _case(PENDING)
    for connection in _account(case)["properties"]["privateEndpointConnections"]:
        connection["properties"]["privateLinkServiceConnectionState"]["status"] = "Approved"
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is None or "no private endpoint connection to it is approved" not in report.root_cause


# --- MySQL 8's default authentication plugin and an old client, against a local container ---------------------------

SHA2 = ("SQLSTATE[HY000] [2059] Authentication plugin 'caching_sha2_password' cannot be loaded: "
        "/usr/lib/mysql/plugin/caching_sha2_password.so: cannot open shared object file: No such file or directory")


def test_an_old_client_against_a_local_mysql8_container_is_out_of_scope() -> None:
    text = f"docker run -d -p 3306:3306 mysql:8.0, then from the old client:\n{SHA2}"
    outcome = run_engine({"error_description": text})
    report = _report(outcome)
    assert report is not None and report.category == "out_of_scope" and not outcome.requests


def test_the_same_error_against_an_azure_server_stays_azure() -> None:
    text = f"Connecting to mydb-prod.mysql.database.azure.com from our App Service:\n{SHA2}"
    assert best_entry_id(text) != "third-party-local-mysql8-old-client-auth-plugin"
    report = _report(run_engine({"error_description": text}))
    assert report is None or report.category != "out_of_scope"


# --- an Azure sign-in tool that cannot resolve its endpoint from a company network ----------------------------------

SIGN_IN = "rob27g1-oos-vs-azure-resources-sign-in-enotfound-office-vpn"


def test_a_sign_in_tool_that_cannot_resolve_on_a_company_network_is_out_of_scope() -> None:
    report = _report(run_engine(_case(SIGN_IN)["request"]))
    assert report is not None and report.category == "out_of_scope"


def test_without_a_company_network_the_name_lookup_is_not_called_the_machines() -> None:
    case = _case(SIGN_IN)
    text = case["request"]["error_description"]
    case["request"]["error_description"] = text.replace(
        "windows 11 work laptop, on the office VPN (we have a proxy pac). ", "")
    assert "VPN" not in case["request"]["error_description"]
    report = _report(run_engine(case["request"]))
    assert report is None or report.category != "out_of_scope"


# --- throughput on a serverless Cosmos DB account: a deployment's definition or the application's code -------------

SERVERLESS = "rob27g1-terraform-cosmos-container-throughput-on-serverless-account"
REFUSAL = ('{"code":"BadRequest","message":"Setting offer throughput or autopilot on container is not supported for '
           'serverless accounts."}')


def test_a_deployment_that_sets_throughput_on_a_serverless_account_is_a_template_error() -> None:
    report = _report(run_engine(_case(SERVERLESS)["request"]))
    assert report is not None and report.category == "deployment.template_invalid" and "serverless" in report.root_cause


def test_application_code_that_sets_the_throughput_stays_a_code_defect() -> None:
    text = ("The app's start-up fails (our Bicep only creates the account):\n"
            f"Microsoft.Azure.Cosmos.CosmosException : BadRequest (400); Reason: {REFUSAL}\n"
            "   at Shop.Data.Init.EnsureAsync() in Init.cs:line 19\n"
            'await db.CreateContainerIfNotExistsAsync(new ContainerProperties("orders", "/id"), throughput: 400);')
    assert best_entry_id(text) == "cosmos-serverless-throughput-not-supported"
    report = _report(run_engine({"error_description": text}))
    assert report is not None and report.category == "runtime.code_defect"


# --- an IoT hub's daily message quota behind transient failures after the devices send more --------------------------

IOT = "rob27g1-ask-iothub-fleet-api-direct-method-transient-after-more-telemetry-daily-quota"


def _iot_rules(answer: str) -> list[dict[str, Any]]:
    return [{"when_asked_contains": "hub", "answer": answer}]


def test_an_answer_showing_the_daily_message_count_at_its_limit_decides_the_quota() -> None:
    case = _case(IOT)
    outcome = run_engine(case["request"], case["client"])
    assert len(outcome.requests) == 1 and "daily message quota" in outcome.requests[0].request.question
    report = _report(outcome)
    assert report is not None and report.category == "quota.exceeded" and report.confidence == "medium"
    assert "800,000" in report.root_cause


def test_a_count_below_the_limit_does_not_decide_it() -> None:
    case = _case(IOT)
    answer = "S1, 2 units. Total number of messages used today 310,000 of 800,000."
    outcome = run_engine(case["request"], _iot_rules(answer))
    report = _report(outcome)
    assert report is None or not (report.category == "quota.exceeded" and report.confidence == "medium")


def test_without_more_traffic_the_quota_question_is_not_asked() -> None:
    case = _case(IOT)
    case["request"]["error_description"] = case["request"]["error_description"].replace(
        "last friday we changed the trucks from 60 s to 10 s telemetry interval, 120 trucks.", "")
    outcome = run_engine(case["request"])
    assert not any("daily message quota" in r.request.question for r in outcome.requests)


# --- an event refused for its size on a Basic Event Hubs namespace ------------------------------------------------

BASIC = "rob27g1-eventhubs-python-send-messagesizeexceeded-namespace-basic-tier"


def test_a_size_refusal_on_a_basic_namespace_is_the_tiers_limit(azure: PlaybackServer) -> None:
    case = _case(BASIC)
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is not None and report.category == "quota.exceeded" and "Basic tier" in report.root_cause


def test_on_a_standard_namespace_the_payload_stays_the_cause(azure: PlaybackServer) -> None:
    case = _case(BASIC)
    for entry in case["azure"]:
        if isinstance(entry["body"].get("sku"), dict):
            entry["body"]["sku"].update(name="Standard", tier="Standard")
    azure.load(case["azure"])
    report = _report(run_engine(case["request"], azure_access=True))
    assert report is not None and report.category != "quota.exceeded"
