"""Mends after the thirty-first session's merges: new breadth entries and clues that outranked more specific readings
in earlier scenarios (a pasted WAF log's rule, an office network's own block, a registry push's route, a firewall
forced through an appliance without a management subnet, a tool's check of the workload identity variables)."""

from __future__ import annotations

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

WAF_PAGE = ("HTTP/1.1 403 Forbidden\nServer: Microsoft-Azure-Application-Gateway/v2\n<html><head><title>403 Forbidden"
            "</title></head><body><center><h1>403 Forbidden</h1></center></body></html>")
ACR_TIMEOUT = ('$ docker pull crshop.azurecr.io/api:1.0\nError response from daemon: Get '
               '"https://crshop.azurecr.io/v2/": net/http: request canceled while waiting for connection '
               "(Client.Timeout exceeded while awaiting headers)")


def _report(text: str) -> dict:
    return dict(run_engine({"error_description": text}).envelope().get("report") or {})


def test_the_waf_403_page_alone_is_the_page_entry_but_a_pasted_rule_id_is_not() -> None:
    assert best_entry_id(WAF_PAGE) == "compute-appgw-waf-403-page"
    with_log = WAF_PAGE + "\nThe firewall log: ruleId: 913101 action: Matched, then ruleId 949110 action: Blocked"
    assert best_entry_id(with_log) != "compute-appgw-waf-403-page"


def test_a_registry_timeout_that_works_from_a_hotspot_is_not_read_as_azures_path() -> None:
    assert best_entry_id(ACR_TIMEOUT) == "containers-acr-login-server-connection-timeout"
    office = ACR_TIMEOUT + "\nFrom the office only: on my phone's hotspot docker pull works immediately."
    assert best_entry_id(office) != "containers-acr-login-server-connection-timeout"


def test_a_firewall_forced_through_an_appliance_without_a_management_subnet_is_named() -> None:
    report = _report("We added a 0.0.0.0/0 UDR on the AzureFirewallSubnet pointing to our on-premises NVA and the "
                     "firewall lost its own internet connectivity. There is no AzureFirewallManagementSubnet.")
    assert report["category"] == "network.nsg_blocked" and "AzureFirewallManagementSubnet" in report["root_cause"]


def test_a_tools_check_of_the_federated_token_file_is_the_workload_identity_injection() -> None:
    text = ("invalid configuration: entra federated token authentication is enabled, but AZURE_FEDERATED_TOKEN_FILE "
            "variable is not set, check your workload identity configuration")
    assert best_entry_id(text) == "entra-workloadidentity-not-configured"


def test_default_nsg_rules_do_not_explain_an_outbound_registry_push() -> None:
    text = ("docker push crshop.azurecr.io/api:1.0 times out from our build VM: Get "
            '"https://crshop.azurecr.io/v2/": net/http: request canceled while waiting for connection. '
            "The NSG has only the default rules, no rule of ours.")
    assert "DenyAllInBound" not in (_report(text).get("root_cause") or "")
