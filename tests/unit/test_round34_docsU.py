"""Round 34, helper docsU: a storage virtual network rule whose subnet was deleted (NetworkSourceDeleted) admits
nothing; a private registry's user name without its password setting; a function app's content share not mounted
through its virtual network; a route to an appliance that explains a client's own timeout (and a private endpoint the
report names as still working is no reason to stay silent); a Cosmos DB id the report quotes in another letter case;
a failover group's failover that leaves server-level firewall rules behind."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from evals.playback import PlaybackServer
from shared.engines.analyzers.common import table
from shared.engines.playbooks import FINDINGS, _satisfied
from shared.session.state import Conclude
from tests.helpers.engine_loop import load_scenarios, run_engine

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "docsU"
CASES = {s["id"]: s for s in load_scenarios(FOLDER)}


def _case(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(next(s for i, s in CASES.items() if i.startswith(prefix)))


def _entry(case: dict[str, Any], fragment: str) -> dict[str, Any]:
    """The recorded answer whose path (exact or fragment) contains this text."""
    return next(e for e in case["azure"]
                if fragment.lower() in str(e["match"].get("path") or e["match"].get("path_contains")).lower())


def _run(azure: PlaybackServer, case: dict[str, Any]) -> Any:
    azure.load(case["azure"])
    return run_engine(case["request"], azure_access=True)


def _rule(rule_id: str) -> dict[str, Any]:
    return next(r for r in table(FINDINGS) if r["id"] == rule_id)


# --- a virtual network rule whose subnet was deleted -----------------------------------------------------------------

ORPHANED = "docs27u-storage-webapp-403-after-subnet-recreated"


def test_an_orphaned_virtual_network_rule_does_not_admit_the_apps_subnet(azure: PlaybackServer):
    outcome = _run(azure, _case(ORPHANED))
    assert isinstance(outcome.final, Conclude)
    report = outcome.final.report
    assert report.category == "network.storage_firewall" and "NetworkSourceDeleted" in report.root_cause
    assert any("network-rule remove" in a for a in report.actions)


def test_a_live_rule_for_the_apps_subnet_still_rules_the_firewall_out(azure: PlaybackServer):
    case = _case(ORPHANED)
    account = _entry(case, "/storageAccounts/stmediaingest01")["body"]["properties"]["networkAcls"]
    account["virtualNetworkRules"][0]["state"] = "Succeeded"
    report = _run(azure, case).final.report
    assert "NetworkSourceDeleted" not in report.root_cause and report.category != "network.storage_firewall"


# --- a private registry's user name without its password -------------------------------------------------------------

REGISTRY = "docs27u-appservice-linux-container-private-docker-hub"


def test_a_registry_user_name_without_its_password_setting_is_the_pull_failure(azure: PlaybackServer):
    report = _run(azure, _case(REGISTRY)).final.report
    assert report.category == "container.image_pull_failed"
    assert "no DOCKER_REGISTRY_SERVER_PASSWORD setting" in report.root_cause


def test_with_the_password_setting_present_the_finding_stays_silent(azure: PlaybackServer):
    case = _case(REGISTRY)
    _entry(case, "/config/appsettings/list")["body"]["properties"]["DOCKER_REGISTRY_SERVER_PASSWORD"] = "<redacted>"
    report = _run(azure, case).final.report
    assert "no DOCKER_REGISTRY_SERVER_PASSWORD setting" not in report.root_cause


@pytest.mark.parametrize(("names", "fires"), [
    (["DOCKER_REGISTRY_SERVER_URL", "DOCKER_REGISTRY_SERVER_USERNAME"], True),
    (["DOCKER_REGISTRY_SERVER_URL"], False),   # no registry user: an anonymous pull is what the app asks for
    (["DOCKER_REGISTRY_SERVER_USERNAME", "docker_registry_server_password"], False),
])
def test_present_all_requires_the_setup_the_missing_setting_belongs_to(names: list[str], fires: bool):
    facts = _satisfied(_rule("container-registry-password-setting-missing"), {"names": names})
    assert (facts is not None) is fires


# --- a content share not mounted through the virtual network ---------------------------------------------------------

SHARE = "docs27u-functions-premium-host-down-after-storage-firewall"


def test_a_content_share_outside_the_vnet_is_named_when_the_host_storage_denies(azure: PlaybackServer):
    report = _run(azure, _case(SHARE)).final.report
    assert report.category == "network.storage_firewall"
    assert "vnetContentShareEnabled is off" in report.root_cause


@pytest.mark.parametrize("change", ["setting", "property"])
def test_a_content_share_routed_through_the_vnet_is_not_blamed(azure: PlaybackServer, change: str):
    case = _case(SHARE)
    if change == "setting":
        _entry(case, "/config/appsettings/list")["body"]["properties"]["WEBSITE_CONTENTOVERVNET"] = "1"
    else:
        _entry(case, "/sites/func-payroll-export")["body"]["properties"]["vnetContentShareEnabled"] = True
    report = _run(azure, case).final.report
    assert "vnetContentShareEnabled is off" not in report.root_cause


# --- a route to an appliance behind a client's own timeout -----------------------------------------------------------

ROUTE = "docs27u-network-func-partner-api-timeouts"


def test_a_default_route_to_an_appliance_overrules_the_clients_timeout_reading(azure: PlaybackServer):
    report = _run(azure, _case(ROUTE)).final.report
    assert report.category == "network.nsg_blocked" and "0.0.0.0/0" in report.root_cause


def test_without_the_route_the_timeout_reading_stands(azure: PlaybackServer):
    case = _case(ROUTE)
    _entry(case, "/routeTables/rt-fx-spoke-default")["body"]["properties"]["routes"][0]["properties"].update(
        {"addressPrefix": "10.99.0.0/16"})
    report = _run(azure, case).final.report
    assert report.category != "network.nsg_blocked" and "0.0.0.0/0" not in report.root_cause


@pytest.mark.parametrize(("said", "excluded"), [
    ("Calls to our SQL database through the private endpoint in the same VNet still work.", False),
    ("The private endpoint is fine, only the partner API fails.", False),
    ("Calls to the storage private endpoint time out since this morning.", True),
    ("The app resolves stfx.privatelink.blob.core.windows.net and then times out.", True),
])
def test_a_private_endpoint_named_as_working_does_not_silence_the_route(said: str, excluded: bool):
    unless = _rule("app-subnet-default-route-to-appliance")["unless_report"]
    assert bool(re.search(unless, said)) is excluded


# --- a Cosmos DB id quoted in another letter case ---------------------------------------------------------------------

CASE_ID = "docs27u-cosmos-python-container-404"


def test_a_container_id_quoted_in_another_case_is_the_cause():
    case = _case(CASE_ID)
    report = run_engine(case["request"]).final.report
    assert report.category == "config.wrong_resource_name"
    assert "case-sensitive" in report.root_cause and "'Shipments'" in report.root_cause


def test_a_capitalised_word_that_is_not_quoted_is_no_case_variant():
    case = _case(CASE_ID)
    text = case["request"]["error_description"].replace("'Shipments'", "Shipments").replace(
        "containers Shipments", "containers for Shipments")
    case["request"]["error_description"] = text + "\nShipments are late this month, so the report matters."
    report = run_engine(case["request"]).final.report
    assert report.category == "config.wrong_resource_name" and "case-sensitive" not in report.root_cause


# --- a failover group's failover and server-level firewall rules -----------------------------------------------------

FAILOVER = "docs27u-sql-40615-after-failover-group-failover"


def test_a_failover_names_the_new_primary_whose_firewall_lacks_the_rule(azure: PlaybackServer):
    report = _run(azure, _case(FAILOVER)).final.report
    assert report.category == "network.nsg_blocked"
    assert "sql-ticketing-neu" in report.root_cause and "not replicated" in report.root_cause


def test_without_a_failover_in_the_log_the_plain_firewall_answer_stands(azure: PlaybackServer):
    case = _case(FAILOVER)
    log = _entry(case, "/eventtypes/management/values")["body"]["value"]
    log[:] = [e for e in log if "failover" not in e["operationName"]["value"].lower()]
    report = _run(azure, case).final.report
    assert report.category == "network.nsg_blocked" and "failed over" not in report.root_cause
