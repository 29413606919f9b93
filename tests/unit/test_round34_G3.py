"""Round 34 G3: the deciding detail of a right-category answer, read from Azure. A Front Door WAF policy's custom
rules (the rate-limit rule and the GeoMatch allow-list rule that block); the existing, nearest-named queue or event
hub beside the one an error names; the roles an ARM-denied principal holds at the scope where roles are assigned
(a role assignment's own scope is its parent; a role held only on a resource group does not reach the subscription);
and the roles a principal the client states holds on a refused data resource (a Reader data role does not grant a
write). Each mechanism has a near miss that must stay silent. The scenarios are tests/scenarios/rob27G3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.playback import PlaybackServer
from shared.engines.analyzers.rbac_missing import _assignable_scope
from shared.engines.computed_findings.messaging import _nearest
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import recorded_report, run_engine, scenario_case

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "rob27G3"


def _case(prefix: str) -> dict[str, Any]:
    return scenario_case(FOLDER, prefix)


def _recording(case: dict[str, Any], marker: str) -> dict[str, Any]:
    return next(a for a in case["azure"] if marker in json.dumps(a))


# Front Door WAF custom rules

def test_a_rate_limit_custom_rule_is_named_for_a_429_through_front_door(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob27g3-frontdoor-waf-rate-limit"))
    assert report["category"] == "throttling.rate_limited"
    assert "ThrottleCheckout" in report["root_cause"] and "egress" in report["root_cause"]


def test_a_waf_policy_in_detection_mode_names_no_rate_limit_rule(azure: PlaybackServer) -> None:
    case = _case("rob27g3-frontdoor-waf-rate-limit")
    policy = _recording(case, '"customRules"')
    policy["body"]["properties"]["policySettings"]["mode"] = "Detection"
    assert "ThrottleCheckout" not in recorded_report(azure, case).get("root_cause", "")


def test_a_negated_geo_match_rule_is_named_for_a_new_market_refused(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob27g3-frontdoor-waf-geo"))
    assert report["category"] == "network.nsg_blocked"
    assert "NordicsOnly" in report["root_cause"] and "GeoMatch" in report["root_cause"]
    assert "except SE, NO, DK" in report["root_cause"]


def test_a_policy_without_a_geo_rule_keeps_the_general_waf_answer(azure: PlaybackServer) -> None:
    case = _case("rob27g3-frontdoor-waf-geo")
    rules = _recording(case, '"customRules"')["body"]["properties"]["customRules"]["rules"]
    rules[:] = [r for r in rules if r["name"] != "NordicsOnly"]
    report = recorded_report(azure, case)
    assert "GeoMatch" not in report.get("root_cause", "") and "Prevention" in report.get("root_cause", "")


# Messaging entities that do not exist

def test_nearest_name_is_a_near_spelling_only() -> None:
    assert _nearest("order-created", ["orders-created", "orders-shipped"]) == "orders-created"
    assert _nearest("vehicle-telemetry", ["vehicletelemetry", "alerts"]) == "vehicletelemetry"
    assert _nearest("billing", ["orders-created", "orders-shipped"]) == ""


def test_a_missing_queue_names_the_near_named_queue_when_topics_cannot_be_read(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob27g3-logicapp-servicebus"))
    assert report["category"] == "config.wrong_resource_name" and "'invoices-ready'" in report["root_cause"]


def test_without_a_near_name_and_without_topics_no_entity_is_declared_missing(azure: PlaybackServer) -> None:
    case = _case("rob27g3-logicapp-servicebus")
    queues = _recording(case, '"invoices-ready"')
    text = json.dumps(queues).replace("invoices-ready", "payroll-batches")
    case["azure"][case["azure"].index(queues)] = json.loads(text)
    assert "payroll-batches" not in recorded_report(azure, case).get("root_cause", "")


def test_a_missing_event_hub_names_the_namespace_hubs(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob27g3-eventhubs-python"))
    assert report["category"] == "config.wrong_resource_name"
    assert "event hub 'clickstream_raw'" in report["root_cause"] and "'clickstream-raw'" in report["root_cause"]


def test_an_event_hub_that_exists_is_not_declared_missing(azure: PlaybackServer) -> None:
    case = _case("rob27g3-eventhubs-python")
    hubs = _recording(case, '"clickstream-bots"')
    case["azure"][case["azure"].index(hubs)] = json.loads(json.dumps(hubs).replace('"clickstream-raw"',
                                                                                  '"clickstream_raw"'))
    assert "which the Event Hubs namespace does not have" not in recorded_report(azure, case).get("root_cause", "")


# ARM AuthorizationFailed: the roles held where roles are assigned

def test_assignable_scope_of_a_role_assignment_and_a_subscription_extension_resource() -> None:
    sub = "/subscriptions/4e7a1b93-c2d8-5f06-a1b4-9d3e6f8c0a25"
    assert _assignable_scope(f"{sub}/providers/Microsoft.Authorization/roleAssignments/1b9e") == sub
    assert _assignable_scope(f"{sub}/providers/microsoft.insights/diagnosticSettings/export") == sub
    account = f"{sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1"
    assert _assignable_scope(account) == account  # a resource is a scope of its own
    assert _assignable_scope(f"{account}/providers/Microsoft.Authorization/roleAssignments/9") == account


def test_the_contributor_held_is_named_for_a_role_assignment_write(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob27g3-terraform-azurerm-role-assignment"))
    assert report["category"] == "auth.rbac_missing" and "Contributor at /subscriptions/" in report["root_cause"]


def test_a_role_held_only_on_a_resource_group_does_not_reach_the_subscription(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob27g3-bicep-sub-deployment"))
    assert "only at narrower scopes" in report["root_cause"] and "rg-observability" in report["root_cause"]


def test_no_narrower_scope_sentence_without_an_assignment_below(azure: PlaybackServer) -> None:
    case = _case("rob27g3-bicep-sub-deployment")
    listing = _recording(case, '"roleDefinitionId"')
    listing["body"]["value"] = [a for a in listing["body"]["value"]
                                if "/resourceGroups/" not in a["properties"]["scope"]]
    assert "narrower scopes" not in recorded_report(azure, case).get("root_cause", "")


# Data access refused: the roles of the principal the client states

def test_a_stated_users_reader_role_is_named_for_a_refused_delete(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob27g3-storage-dotnet-delete"))
    assert report["category"] == "auth.rbac_missing"
    assert "Storage Blob Data Reader allows reading data only" in report["root_cause"]


def test_a_refused_read_with_a_reader_role_makes_no_write_claim(azure: PlaybackServer) -> None:
    case = _case("rob27g3-storage-dotnet-delete")
    case["request"]["error_description"] = (
        "Listing the exports container from my dev box (az login, DefaultAzureCredential) fails:\n"
        "Azure.RequestFailedException: This request is not authorized to perform this operation using this "
        "permission.\nStatus: 403\nErrorCode: AuthorizationPermissionMismatch\n"
        "   at Azure.Storage.Blobs.BlobContainerClient.GetBlobsAsync(...)\nAccount stexportsfc01.")
    assert "allows reading data only" not in recorded_report(azure, case).get("root_cause", "")


# Application Insights: the setting that holds the refused key; the codeless agent is not what is missing

def test_invalid_instrumentation_key_names_the_connection_string_setting() -> None:
    text = ('{"itemsReceived":3,"itemsAccepted":0,"errors":[{"index":0,"statusCode":400,'
            '"message":"Invalid instrumentation key"}]}')
    assert best_entry_id(text) == "integration-appinsights-invalid-ikey"
    report = run_engine({"error_description": "Exporter log:\n" + text}).envelope()["report"]
    assert "APPLICATIONINSIGHTS_CONNECTION_STRING" in report["root_cause"]


def test_a_refused_key_is_not_answered_as_the_missing_agent_setting(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob27g3-appinsights-python-otel"))
    assert report["category"] == "config.invalid_connection_string"


def test_empty_live_metrics_without_a_refused_key_keeps_the_agent_setting_reading(azure: PlaybackServer) -> None:
    case = _case("rob27g3-appinsights-python-otel")
    case["request"]["error_description"] = (
        "Application Map and Live Metrics for appi-bookings-prod have been empty since the Bicep redeploy on Monday; "
        "the web app app-bookings-api relies on the portal-enabled Application Insights integration, no SDK in code.")
    assert recorded_report(azure, case).get("category") == "config.missing_app_setting"
