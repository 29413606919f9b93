"""Round 37 docsW: mechanisms added for docs-style cases with recorded Azure answers. A finding that explains a
reading of the error's words (`overrules`) answers even when a more general finding fired first (the app's subnet
NSG denying the Redis port, behind StackExchange.Redis's misleading "authentication failure" text); a registry pull
refused because the pulling identity is not the one holding AcrPull stays an image-pull failure; a polling blob
trigger on a Flex Consumption app. Each check has a near miss, built from the docsW recordings."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from evals.playback import PlaybackServer
from tests.helpers.engine_loop import run_engine

CASES = Path(__file__).resolve().parents[1] / "scenarios" / "docsW"


def _case(stem: str) -> dict[str, Any]:
    return yaml.safe_load((CASES / f"{stem}.yaml").read_text(encoding="utf-8"))


def _run(azure: PlaybackServer, case: dict[str, Any]) -> dict[str, Any]:
    azure.load(case["azure"])
    envelope = run_engine(case["request"], [], azure_access=True).envelope()
    assert envelope["status"] == "done", envelope
    return envelope["report"]


def _body(case: dict[str, Any], path_end: str) -> dict[str, Any]:
    entry = next(e for e in case["azure"] if str(e["match"].get("path", "")).endswith(path_end))
    return entry["body"]


REDIS = "docs30w-appservice-redis-timeouts-integration-subnet-nsg-denies-6380"


def test_subnet_nsg_denying_the_port_overrules_the_redis_authentication_text(azure: PlaybackServer) -> None:
    report = _run(azure, _case(REDIS))
    assert report["category"] == "network.nsg_blocked"
    assert "6380" in report["root_cause"] and "deny-all-other-out" in report["root_cause"]


def test_an_nsg_that_allows_the_port_leaves_the_redis_reading(azure: PlaybackServer) -> None:
    case = copy.deepcopy(_case(REDIS))
    rules = _body(case, "/networkSecurityGroups/nsg-webapp-int")["properties"]["securityRules"]
    rules.insert(0, {"name": "allow-redis-out", "properties": {
        "priority": 90, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*",
        "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "6380"}})
    report = _run(azure, case)
    assert report["category"] != "network.nsg_blocked" or "deny-all-other-out" not in report["root_cause"]


ACR = "docs30w-containerapp-acr-pull-registry-uses-system-identity-acrpull-on-user-assigned"


def test_pull_with_the_identity_that_lacks_acrpull_stays_an_image_pull_failure(azure: PlaybackServer) -> None:
    report = _run(azure, _case(ACR))
    assert report["category"] == "container.image_pull_failed"
    assert "id-routing-pull" in report["root_cause"]
    assert any("registry set" in action for action in report["actions"])


FLEX = "docs30w-flex-consumption-blob-trigger-polling-never-fires"


def test_polling_blob_trigger_on_flex_consumption(azure: PlaybackServer) -> None:
    report = _run(azure, _case(FLEX))
    assert report["category"] == "functions.host_misconfigured"
    assert "EventGrid" in report["root_cause"]


def test_event_grid_source_declared_is_not_the_polling_finding(azure: PlaybackServer) -> None:
    case = copy.deepcopy(_case(FLEX))
    case["request"]["error_description"] = case["request"]["error_description"].replace(
        'connection="MediaStorage")', 'connection="MediaStorage", source=func.BlobSource.EVENT_GRID)')
    report = _run(azure, case)
    assert "Event Grid-based blob trigger (source EventGrid)" not in report["root_cause"]


def test_polling_blob_trigger_on_a_premium_app_is_not_the_flex_finding(azure: PlaybackServer) -> None:
    case = copy.deepcopy(_case(FLEX))
    del _body(case, "/sites/func-thumbs-flex")["properties"]["sku"]
    report = _run(azure, case)
    assert "Flex Consumption plan" not in report["root_cause"]
