"""Round 32 Z (docs-style ARM / networking / API Management / Application Insights cases, tests/scenarios/docsZ): a
storage account closed to public traffic whose private endpoint has no DNS record, an API Management subnet NSG
read for the outbound dependency it blocks (a rule naming another service's tag does not apply to the call),
Application Insights' refused transmission as the SDK logs it, and Google Cloud load balancing's own words."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from evals.playback import PlaybackServer
from shared.engines.computed_findings.network import nsg_denies_port
from shared.session.state import Conclude
from tests.helpers.engine_loop import load_scenarios, out_of_scope_report, run_engine
from tests.helpers.finding_checks import check_round_finding, finding_id, reads_state

FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "docsZ"
CASES = {s["id"]: s for s in load_scenarios(FOLDER)}


def _case(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(next(s for i, s in CASES.items() if i.startswith(prefix)))


# --- a private endpoint without a DNS record: the chain, not the firewall ------------------------------------------

BLOB = "docsZ-function-python-blob-403-authorizationfailure-private-endpoint"


def test_a_closed_account_whose_endpoint_name_has_no_record_is_a_private_dns_gap(azure: PlaybackServer) -> None:
    case = _case(BLOB)
    azure.load(case["azure"])
    outcome = run_engine(case["request"], azure_access=True)
    assert isinstance(outcome.final, Conclude) and not outcome.requests
    report = outcome.final.report
    assert report.category == "network.private_endpoint_dns" and "A record" in report.root_cause
    assert "stdocsingest01" in report.root_cause


def test_with_the_record_in_the_zone_no_dns_gap_is_claimed(azure: PlaybackServer) -> None:
    case = _case(BLOB)
    for entry in case["azure"]:
        if str(entry["match"].get("path", "")).endswith("privatelink.blob.core.windows.net/A"):
            entry["body"]["value"].append({"name": "stdocsingest01",
                                           "properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.60.3.5"}]}})
    azure.load(case["azure"])
    outcome = run_engine(case["request"], azure_access=True)
    report = getattr(outcome.final, "report", None)
    assert report is None or "has no A record" not in report.root_cause


# --- an API Management subnet's NSG and the service tags of its rules ----------------------------------------------

SUBNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-apim/subnets/snet-apim"
APIM = {"type": "Microsoft.ApiManagement/service", "name": "apim-prod", "virtualNetworkType": "External",
        "subnetResourceId": SUBNET}


def _rule(name: str, priority: int, access: str, destination: str, port: str) -> dict[str, Any]:
    return {"name": name, "priority": priority, "direction": "Outbound", "access": access, "protocol": "Tcp",
            "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": destination,
            "destinationPortRange": port}


NSG = {"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg-apim", "subnets": [SUBNET], "securityRules": [
    _rule("allow-sql-out", 100, "Allow", "Sql", "1433"),
    _rule("allow-keyvault-out", 110, "Allow", "AzureKeyVault", "443"),
    _rule("deny-internet-outbound", 200, "Deny", "Internet", "*")]}
STORAGE_FAILS = ("API Management network status: Azure Storage - Failure: Failed to connect to "
                 "stapimprod.blob.core.windows.net:443, connection attempt timed out.")


def test_an_apim_subnet_nsg_denying_the_storage_dependency_is_found() -> None:
    facts = nsg_denies_port(reads_state(STORAGE_FAILS, [APIM, NSG]))
    assert facts == {"nsg": "nsg-apim", "rule": "deny-internet-outbound", "priority": "200", "port": "443"}
    check_round_finding(reads_state(STORAGE_FAILS, [APIM, NSG]), "subnet-nsg-denies-port", "network.nsg_blocked",
                        "deny-internet-outbound")


def test_a_call_to_the_service_the_allow_rule_names_gets_no_deny_verdict() -> None:
    vault_fails = STORAGE_FAILS.replace("Azure Storage", "Azure Key Vault").replace(
        "stapimprod.blob.core.windows.net", "kv-apim.vault.azure.net")
    assert nsg_denies_port(reads_state(vault_fails, [APIM, NSG])) is None
    # a host of no known tag: the allow rule may cover it, so no verdict either
    other = STORAGE_FAILS.replace("stapimprod.blob.core.windows.net", "partner.example.com")
    assert nsg_denies_port(reads_state(other, [APIM, NSG])) is None


# --- Application Insights: the SDK's refused transmission ---------------------------------------------------------

COMPONENT = {"type": "Microsoft.Insights/components", "name": "appi-claims",
             "publicNetworkAccessForIngestion": "Disabled", "publicNetworkAccessForQuery": "Enabled"}
REFUSED = ("SDK self-diagnostics: Failed to send telemetry to https://germanywestcentral-1.in.applicationinsights."
           "azure.com/v2.1/track. StatusCode: 403 - Forbidden")


def test_the_sdks_refused_transmission_reaches_the_ingestion_access_finding() -> None:
    check_round_finding(reads_state(REFUSED, [COMPONENT]), "app-insights-ingestion-public-access-disabled",
                        "network.nsg_blocked", "publicNetworkAccessForIngestion")


def test_another_status_or_public_ingestion_on_stays_silent() -> None:
    rule = "app-insights-ingestion-public-access-disabled"
    assert finding_id(reads_state(REFUSED.replace("403 - Forbidden", "400 - Bad Request"), [COMPONENT])) != rule
    assert finding_id(reads_state(REFUSED, [{**COMPONENT, "publicNetworkAccessForIngestion": "Enabled"}])) != rule


# --- Google Cloud load balancing is not Azure ---------------------------------------------------------------------

def test_a_google_load_balancer_request_log_is_out_of_scope() -> None:
    report = out_of_scope_report(
        'Our new load balancer answers 502.\njsonPayload.statusDetails: "failed_to_pick_backend"\n'
        "httpRequest.status: 502\ngcloud compute backend-services get-health web-bes --global: UNHEALTHY")
    assert "Google Cloud" in report["root_cause"]


def test_an_azure_gateway_502_is_not_sent_to_google() -> None:
    envelope = run_engine({"error_description": (
        "Application Gateway agw-shop answers 502 Bad Gateway for every request; backend health shows both "
        "backends Unhealthy. az network application-gateway show-backend-health -g rg -n agw-shop")}).envelope()
    assert (envelope.get("report") or {}).get("category") != "out_of_scope"
