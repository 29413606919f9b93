"""Round 27 O (the robO variants: known failures in other tools' wording): the Always On conflict met while making a
timer fire, Azure Firewall's resource-specific rule tables, Google's sign-in page for a redirect mismatch and the
Windows resolver's words for SERVFAIL beside a re-created Azure DNS zone."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.session.state import Conclude, GiveUp
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import extracted, finding_id, reads_state

ALWAYS_ON = ("(Conflict) There was a conflict. AlwaysOn cannot be set for this site as the plan does not allow it. "
             "For more information on pricing and features, please see: https://aka.ms/appservicepricingdetails")


def _first_entry(text: str) -> str | None:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else None


def test_the_always_on_conflict_beside_a_timer_that_never_fires_is_the_functions_host() -> None:
    text = ("My timer trigger never runs by itself, a manual run works. I tried to switch Always On on:\n"
            "$ az functionapp config set -g rg -n func-nightly --always-on true\n" + ALWAYS_ON)
    assert _first_entry(text) == "functions-timer-always-on-refused-by-plan"
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert "Always On" in final.report.root_cause


def test_the_always_on_conflict_in_a_plain_deployment_stays_a_template_mismatch() -> None:
    text = "az deployment group create -g rg -f site.bicep fails on the web app:\n" + ALWAYS_ON
    assert _first_entry(text) == "appservice-always-on-not-allowed-by-plan"


DENIED_ROWS = (
    "kubectl logs fails: error dialing backend: dial tcp 10.60.2.7:10250: i/o timeout\n"
    "AZFWNetworkRule | where Action == \"Deny\" | take 2\n"
    "TimeGenerated            Protocol SourceIp     SourcePort DestinationIp  DestinationPort Action\n"
    "2026-11-30T08:14:02Z     TCP      10.60.2.33   40112      20.61.15.92    22              Deny\n")


def test_denied_rows_of_the_firewall_rule_table_name_the_port() -> None:
    assert _first_entry(DENIED_ROWS) == "compute-azure-firewall-structured-log-deny"
    final = run_engine({"error_description": DENIED_ROWS}).final
    assert isinstance(final, Conclude) and final.report.category == "network.nsg_blocked"
    assert "port 22" in final.report.root_cause


def test_allowed_rows_of_the_firewall_rule_table_blame_no_firewall() -> None:
    allowed = DENIED_ROWS.replace("Deny", "Allow")
    hits = catalog_index().hits([(allowed, "error")])
    assert all(h.entry.id != "compute-azure-firewall-structured-log-deny" for h in hits)


def test_the_kubelet_clue_gives_way_to_denied_firewall_rows_only() -> None:
    assert (clue_in([DENIED_ROWS]) or {}).get("id") != "aks-kubelet-port-10250-timeout"
    assert (clue_in([DENIED_ROWS.replace("Deny", "Allow")]) or {}).get("id") == "aks-kubelet-port-10250-timeout"


def test_googles_sign_in_page_for_a_redirect_mismatch_is_out_of_scope() -> None:
    final = run_engine({"error_description": (
        "node quickstart for the drive api, the browser says\nAccess blocked: This app's request is invalid\n"
        "You can't sign in because this app sent an invalid request.\nError 400: redirect_uri_mismatch")}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"


def test_an_entra_redirect_mismatch_is_not_sent_out_of_scope() -> None:
    text = ("AADSTS50011: The redirect URI 'http://localhost:5000/signin-oidc' specified in the request does not "
            "match the redirect URIs configured for the application 'a1b2c3d4-0000-4000-8000-000000000001'.")
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.category != "out_of_scope"


def _zone() -> dict:
    body = {"location": "global", "properties": {"zoneType": "Public", "numberOfRecordSets": 7, "nameServers": [
        "ns1-08.azure-dns.com.", "ns2-08.azure-dns.net.", "ns3-08.azure-dns.org.", "ns4-08.azure-dns.info."]}}
    return {"type": "Microsoft.Network/dnszones", "name": "fabrikam.example",
            **extracted("Microsoft.Network", "dnszones", body)}


def test_windows_dns_server_failure_beside_another_name_server_set_is_the_delegation() -> None:
    said = ("Resolve-DnsName : fabrikam.example : DNS server failure\nat the domain provider the NS are still "
            "ns1-03.azure-dns.com / ns2-03.azure-dns.net")
    assert finding_id(reads_state(said, [_zone()])) == "dns-zone-name-servers-not-delegated"


def test_a_zone_question_without_a_resolution_failure_is_no_delegation_verdict() -> None:
    said = "Our zone once listed ns1-03.azure-dns.com; how do I add a TXT record for the mail provider?"
    assert finding_id(reads_state(said, [_zone()])) != "dns-zone-name-servers-not-delegated"
