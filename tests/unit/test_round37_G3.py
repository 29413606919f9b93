"""Round 37 brief G3 (blind cases with the right category but without the deciding detail): the answer names the value
the Azure read shows and the client must change - the IP-firewall property (inboundIpRules), the storage account's
resource instance rules, a Log Analytics workspace's access control mode, MySQL's aad_auth_only parameter, the role
the refused principal holds now, a logic app created as a plain function app, a Front Door origin on a removed app,
and NSG priority order. Each mechanism has a near miss that must stay silent."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from evals.playback import PlaybackServer
from shared.engines.analyzers.common import table_entry
from tests.helpers.engine_loop import recorded_report, scenario_case

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "rob30G3"


def _case(prefix: str) -> dict[str, Any]:
    return scenario_case(FOLDER, prefix)


def _recording(case: dict[str, Any], marker: str) -> dict[str, Any]:
    return next(a for a in case["azure"] if marker in json.dumps(a))


# --- IP firewall of Event Grid / Cosmos DB names its property -------------------------------------------------------

def test_event_grid_ip_firewall_names_inbound_ip_rules(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob30g3-eventgrid-topic-ip-filter"))
    assert report["category"] == "network.nsg_blocked"
    assert "inboundIpRules: 52.142.80.0/27" in report["root_cause"]


def test_event_grid_rules_that_admit_the_app_name_no_firewall(azure: PlaybackServer) -> None:
    case = _case("rob30g3-eventgrid-topic-ip-filter")
    topic = _recording(case, '"inboundIpRules"')
    topic["body"]["properties"]["inboundIpRules"].append({"ipMask": "51.104.0.0/16", "action": "Allow"})
    assert "inboundIpRules" not in recorded_report(azure, case).get("root_cause", "")


# --- storage resource instance rules ---------------------------------------------------------------------------------

def test_resource_instance_rule_for_another_factory_names_the_refused_one(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob30g3-storage-adf-second-factory"))
    assert report["category"] == "network.storage_firewall"
    assert "resourceAccessRules" in report["root_cause"] and "not 'adf-sales-uat'" in report["root_cause"]
    assert any("--resource-id" in a and "adf-sales-uat" in a for a in report["actions"])


def test_resource_instance_rule_that_admits_the_named_factory_says_nothing_of_it(azure: PlaybackServer) -> None:
    case = _case("rob30g3-storage-adf-second-factory")
    account = _recording(case, '"resourceAccessRules"')
    rules = account["body"]["properties"]["networkAcls"]["resourceAccessRules"]
    rules.append({"tenantId": rules[0]["tenantId"], "resourceId": rules[0]["resourceId"].replace("prod", "uat")})
    assert "resourceAccessRules" not in recorded_report(azure, case).get("root_cause", "")


# --- Log Analytics access control mode -------------------------------------------------------------------------------

def test_workspace_requiring_workspace_permissions_explains_resource_context_refusal(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob30g3-log-analytics-aks-team"))
    assert report["category"] == "auth.rbac_missing"
    assert "enableLogAccessUsingOnlyResourcePermissions" in report["root_cause"]


def test_workspace_that_allows_resource_permissions_is_not_blamed(azure: PlaybackServer) -> None:
    case = _case("rob30g3-log-analytics-aks-team")
    workspace = _recording(case, '"enableLogAccessUsingOnlyResourcePermissions": false')
    workspace["body"]["properties"]["features"]["enableLogAccessUsingOnlyResourcePermissions"] = True
    assert "requires workspace permissions" not in recorded_report(azure, case).get("root_cause", "")


def test_workspace_mode_needs_a_query_from_a_resource() -> None:
    rule = table_entry("evidence_findings", "log-analytics-workspace-requires-workspace-permissions")
    pattern = re.compile(rule["report_matches"])
    assert pattern.search("From the VM vm-a -> Logs: InsufficientAccessError - The provided credentials have "
                          "insufficient access to perform the requested operation")
    # a script that queries the workspace itself (workspace context) with no role: the mode does not matter
    assert not pattern.search("LogsQueryClient.query_workspace fails: InsufficientAccessError - The provided "
                              "credentials have insufficient access to perform the requested operation")


# --- MySQL aad_auth_only ---------------------------------------------------------------------------------------------

def test_mysql_aad_auth_only_on_explains_password_logins_refused(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob30g3-mysql-django-1045"))
    assert report["category"] == "auth.credential_invalid" and "aad_auth_only is ON" in report["root_cause"]


def test_mysql_aad_auth_only_off_is_not_the_cause(azure: PlaybackServer) -> None:
    case = _case("rob30g3-mysql-django-1045")
    _recording(case, '"allowedValues": "ON,OFF"')["body"]["properties"]["value"] = "OFF"
    assert "aad_auth_only is ON" not in recorded_report(azure, case).get("root_cause", "")


# --- the role the refused principal holds now ------------------------------------------------------------------------

def test_authorization_failed_names_the_reader_role_held_on_the_group(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob30g3-github-actions-appsettings"))
    assert report["category"] == "auth.rbac_missing"
    assert "holds there now: Reader at" in report["root_cause"]


def test_a_held_role_that_grants_the_action_is_not_named_as_the_gap(azure: PlaybackServer) -> None:
    case = _case("rob30g3-github-actions-appsettings")
    listing = _recording(case, 'roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7')
    for row in listing["body"]["value"]:  # Reader becomes Website Contributor, which lists the app's settings
        row["properties"]["roleDefinitionId"] = row["properties"]["roleDefinitionId"].replace(
            "acdd72a7-3385-48ef-bd42-f606fba81ae7", "de139f84-1756-47ae-9be6-808fbbe84772")
    assert "holds there now" not in recorded_report(azure, case).get("root_cause", "")


# --- logic app created as a plain function app -----------------------------------------------------------------------

def test_logic_app_created_as_function_app_names_app_kind(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob30g3-logic-app-standard-bicep"))
    assert report["category"] == "functions.host_misconfigured" and "APP_KIND" in report["root_cause"]


def test_plain_function_app_without_logic_app_words_is_not_told_of_app_kind(azure: PlaybackServer) -> None:
    case = _case("rob30g3-logic-app-standard-bicep")
    case["request"]["error_description"] = ("Our .NET function app la-invmatch-prod deploys fine but the log stream "
                                            "says: 0 functions loaded. No job functions found.")
    case["request"]["context"]["environment_info"] = {
        k: v for k, v in case["request"]["context"]["environment_info"].items() if k != "logic_app"} | {
        "function_app": "la-invmatch-prod"}
    assert "APP_KIND" not in recorded_report(azure, case).get("root_cause", "")


# --- Front Door origin on a removed app ------------------------------------------------------------------------------

def test_front_door_origin_on_a_deleted_app_names_its_host(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob30g3-front-door-404"))
    assert report["category"] == "config.wrong_resource_name"
    assert "app-booking-blue.azurewebsites.net" in report["root_cause"]
    assert "app-booking-green.azurewebsites.net" in report["root_cause"]


def test_front_door_origin_on_a_live_app_is_not_called_removed(azure: PlaybackServer) -> None:
    case = _case("rob30g3-front-door-404")
    for recording in case["azure"]:
        text = json.dumps(recording)
        if '"origins"' in text or "/origins" in str(recording["match"]):
            recording.update(json.loads(text.replace("app-booking-blue", "app-booking-green")))
    assert "still sends requests" not in recorded_report(azure, case).get("root_cause", "")


# --- NSG priority order ----------------------------------------------------------------------------------------------

def test_nsg_rule_change_actions_give_the_priority_order(azure: PlaybackServer) -> None:
    report = recorded_report(azure, _case("rob30g3-webapp-npgsql"))
    assert report["category"] == "network.nsg_blocked"
    assert any("priority" in a and "--priority" in a for a in report["actions"])
