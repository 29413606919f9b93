"""The storage firewall investigated in Azure: real tools and SDK clients against the playback server."""

from __future__ import annotations

import copy

from evals.playback import PlaybackServer
from shared.session.state import AskClient, Conclude
from tests.helpers.engine_loop import load_scenarios, run_engine

WITH_AZURE = next(s for s in load_scenarios() if s["id"] == "storage-firewall-with-azure")


def test_the_firewall_is_found_in_azure_without_asking(azure: PlaybackServer):
    azure.load(WITH_AZURE["azure"])
    outcome = run_engine(WITH_AZURE["request"], azure_access=True)
    assert isinstance(outcome.final, Conclude) and not outcome.requests
    report = outcome.final.report
    assert (report.category, report.confidence) == ("network.storage_firewall", "high")
    # the function's real outbound addresses, the allowed range, and who changed the account
    assert "198.51.100.17" in report.root_cause and "203.0.113.0/24" in report.root_cause
    assert "j.alvarez@contoso.com" in report.root_cause
    assert ("az storage account network-rule add --account-name mystorageaccount --resource-group functions-rg "
            "--ip-address 198.51.100.17") in report.actions[0]
    paths = [c["path"].lower() for c in azure.calls]
    assert len(paths) == len(set(paths)), "an Azure call was made twice"


def test_a_firewall_that_allows_all_is_ruled_out_from_azure(azure: PlaybackServer):
    entries = copy.deepcopy(WITH_AZURE["azure"])
    for entry in entries:
        acls = (entry.get("body") or {}).get("properties", {}).get("networkAcls")
        if acls:
            acls["defaultAction"] = "Allow"
    azure.load(entries)
    outcome = run_engine(WITH_AZURE["request"], azure_access=True)
    assert outcome.final.kind == "fail"
    assert outcome.final.report.category != "network.storage_firewall"


def test_denied_everywhere_asks_the_client_and_names_the_missing_role(azure: PlaybackServer):
    denied = {"error": {"code": "AuthorizationFailed", "message": (
        "The client 'x' with object id '0f4b8a52-3c1d-4e7f-9a26-8b5c3d1e7f90' does not have authorization to "
        "perform action 'Microsoft.Resources/subscriptions/resources/read' over scope "
        "'/subscriptions/3f2a8c1e-5b7d-4e9a-9c61-2d8e4f7a0b13/resourceGroups/functions-rg' or the scope is invalid.")}}
    azure.load([{"match": {"method": "GET", "path_contains": "/"}, "status": 403, "body": denied}])
    outcome = run_engine(WITH_AZURE["request"], azure_access=True)
    assert isinstance(outcome.final, AskClient)
    question = outcome.final.request.question
    assert "networkRuleSet" in question and "Reader" in question and "functions-rg" in question
    assert outcome.final.request.suggested_commands[0].startswith("az storage account show --name mystorageaccount")


def test_no_access_makes_no_call_and_asks(azure: PlaybackServer):
    azure.load(WITH_AZURE["azure"])
    outcome = run_engine(WITH_AZURE["request"], azure_access=False)
    assert isinstance(outcome.final, AskClient)
    assert azure.calls == []


def test_an_app_integrated_with_a_subnet_the_rules_do_not_list_is_named_by_its_subnet(azure: PlaybackServer):
    subnet = ("/subscriptions/3f2a8c1e-5b7d-4e9a-9c61-2d8e4f7a0b13/resourceGroups/functions-rg/providers/"
              "Microsoft.Network/virtualNetworks/vnet-apps/subnets/snet-func-integration")
    entries = copy.deepcopy(WITH_AZURE["azure"])
    for entry in entries:
        if entry["match"].get("path", "").endswith("/sites/func-deploy-dev"):
            entry["body"]["properties"]["virtualNetworkSubnetId"] = subnet
    azure.load(entries)
    outcome = run_engine(WITH_AZURE["request"], azure_access=True)
    assert isinstance(outcome.final, Conclude)
    report = outcome.final.report
    assert report.category == "network.storage_firewall"
    assert "integration subnet 'snet-func-integration'" in report.root_cause
    assert f"--subnet {subnet}" in report.actions[0]
    assert not any("integrate the app with a virtual network" in a for a in report.actions)  # it already is
