"""Round 41 S3: the report (or what the session read) already states what decides; the engine no longer asks.

- A move whose target is named as a subscription ("into sub-shared-network") is a cross-subscription move: the
  move-validation findings (a subnet's resource navigation link, VNet integration) answer; a move into a resource
  group only does not get them.
- Azure ML: lookups written "host -> address" (or "=>") that show a workspace name answering a public address
  decide the private DNS clue; the same lookups answering private addresses do not.
- An NSG allow rule naming an application security group covers only member NICs: the NIC read that is not a member
  while a sibling in its subnet is, is named with the rule and the ASG; once it is a member the finding is silent.
- A PostgreSQL/MySQL flexible server on public access whose stated firewall rules hold no Azure-services rule,
  called from an app in Azure that times out, is the firewall (the rules quoted); a stated 0.0.0.0 rule keeps the
  clue silent."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from evals.playback import PlaybackServer
from tests.helpers.engine_loop import recorded_report, run_engine

ROB = Path(__file__).resolve().parents[1] / "scenarios" / "rob34s3"
MOVE = "rob34s3-portal-move-vnet-to-sub-shared-navigation-link"
AML = "rob34s3-aml-compute-instance-terminal-private-workspace-lookup-arrow-public"
ASG = "rob34s3-windows-vm-new-web-node-redis-vm-6379-timeout-nsg-source-asg-nic-not-member"
FLEX = "rob34s3-function-app-mysql-flexible-communications-link-failure-firewall-rules-office-only"


def _scenario(name: str) -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load((ROB / f"{name}.yaml").read_text(encoding="utf-8")))


def _text_report(case: dict[str, Any]) -> dict[str, Any]:
    return run_engine(case["request"]).envelope().get("report") or {}


def test_a_move_into_a_subscription_named_sub_is_cross_subscription(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _scenario(MOVE))
    assert found["category"] == "deployment.template_invalid"
    assert "navigation link" in found["root_cause"] and "vnet-orders-spoke" in found["root_cause"]


def test_a_move_into_a_resource_group_only_gets_no_cross_subscription_finding(azure: PlaybackServer) -> None:
    case = _scenario(MOVE)
    request = case["request"]
    request["error_description"] = request["error_description"].replace("into sub-shared-network / rg-spokes",
                                                                        "into rg-spokes")
    found = recorded_report(azure, case)
    assert "navigation link" not in found.get("root_cause", "")


def test_arrow_lookups_of_a_workspace_name_answering_public_decide_the_dns_clue() -> None:
    found = _text_report(_scenario(AML))
    assert found["category"] == "network.private_endpoint_dns"
    assert found["confidence"] == "medium"
    assert any("instances.azureml.ms" in action for action in found["actions"])


def test_arrow_lookups_answering_private_addresses_do_not_decide_it() -> None:
    case = _scenario(AML)
    request = case["request"]
    request["error_description"] = request["error_description"].replace("52.169.20.17", "10.31.6.9")
    assert "52.169" not in request["error_description"]
    outcome = run_engine(request)
    report = outcome.envelope().get("report") or {}
    assert outcome.requests or report.get("confidence") != "medium" or \
        report.get("category") != "network.private_endpoint_dns"


def test_a_nic_left_out_of_the_rules_asg_is_named(azure: PlaybackServer) -> None:
    found = recorded_report(azure, _scenario(ASG))
    assert found["category"] == "network.nsg_blocked"
    assert "web-vm-03-nic" in found["root_cause"] and "asg-shop-web" in found["root_cause"]
    assert "allow-web-redis" in found["root_cause"]


def test_a_nic_that_is_a_member_of_the_asg_is_not_blamed(azure: PlaybackServer) -> None:
    case = _scenario(ASG)
    nic = next(r for r in case["azure"] if str(r["match"].get("path", "")).endswith("/web-vm-03-nic"))
    asg = "/subscriptions/6d2e8f1a-3b4c-4d5e-9f60-718293a4b5c6/resourceGroups/rg-shop-backend/providers/" \
          "Microsoft.Network/applicationSecurityGroups/asg-shop-web"
    nic["body"]["properties"]["ipConfigurations"][0]["properties"]["applicationSecurityGroups"] = [{"id": asg}]
    found = recorded_report(azure, case)
    assert "is not in that group" not in found.get("root_cause", "")


def test_stated_flexible_server_rules_without_azure_services_decide_the_firewall() -> None:
    found = _text_report(_scenario(FLEX))
    assert found["category"] == "network.nsg_blocked"
    assert found["confidence"] == "medium"
    assert "no rule for Azure services" in found["root_cause"]
    assert any("office-berlin" in item["summary"] for item in found["evidence"])


def test_a_stated_allow_azure_services_rule_keeps_the_firewall_clue_silent() -> None:
    case = _scenario(FLEX)
    request = case["request"]
    request["error_description"] += "\n    AllowAllAzureServicesAndResourcesWithinAzureIps  0.0.0.0  0.0.0.0\n"
    found = _text_report(case)
    assert "no rule for Azure services" not in found.get("root_cause", "")


FLEX_VNET = "rob34s3-bicep-flex-consumption-vnet-sandbox-subscription-internal-server-error"
PG_ZONE = "rob34s3-terraform-postgres-flexible-dns-zone-in-connectivity-subscription-internal-error-after-hours"


def test_flex_vnet_internal_error_in_a_new_subscription_is_microsoft_app_unregistered() -> None:
    found = _text_report(_scenario(FLEX_VNET))
    assert found["category"] == "deployment.provider_not_registered"
    assert "Microsoft.App" in found["root_cause"]


def test_flex_vnet_internal_error_with_microsoft_app_registered_is_not_that_clue() -> None:
    case = _scenario(FLEX_VNET)
    case["request"]["error_description"] += "\n\naz provider show -n Microsoft.App says: Microsoft.App is Registered.\n"
    found = _text_report(case)
    assert "does not have the Microsoft.App resource provider registered" not in found.get("root_cause", "")


def test_a_dns_zone_in_another_subscription_names_the_postgres_provider() -> None:
    found = _text_report(_scenario(PG_ZONE))
    assert found["category"] == "deployment.provider_not_registered"
    assert "Microsoft.DBforPostgreSQL" in found["root_cause"]


def test_a_dns_zone_in_the_same_subscription_does_not_decide_it() -> None:
    case = _scenario(PG_ZONE)
    request = case["request"]
    request["error_description"] = (request["error_description"]
                                     .replace(" in the connectivity subscription, which the hub team keeps for DNS "
                                              "zones only", " in the same resource group")
                                     .replace("In the spoke subscription where we tested with a local zone it was "
                                              "created in 8 minutes.", ""))
    assert "subscription" not in request["error_description"].split("Error:")[0].lower()
    outcome = run_engine(request)
    report = outcome.envelope().get("report") or {}
    assert outcome.requests or "DBforPostgreSQL resource provider registered" not in report.get("root_cause", "")
