"""Round 27, robustness set M (known failures in other people's words): an IoT hub's built-in endpoint whose reader
is an EventHubTrigger that "does not trigger anymore", a validating resolver's failure as Resolve-DnsName and
nslookup print it, the JavaScript Event Hubs client refusing an EntityPath that differs from eventHubName, Java's
and Go's name resolution failures, and the AKS monitoring workspace whose resource group a clean-up deleted."""

from __future__ import annotations

from typing import Any

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import regex, table
from shared.engines.clues import clue_in
from shared.engines.signatures import signatures
from shared.session.state import Conclude
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import extracted, finding_id, reads_state


def _hub(routes: list[dict[str, Any]]) -> dict[str, Any]:
    body = {"properties": {"state": "Active", "routing": {
        "endpoints": {"storageContainers": [{"name": "archive", "containerName": "raw"}]},
        "routes": routes,
        "fallbackRoute": {"name": "$fallback", "source": "DeviceMessages", "condition": "true",
                          "endpointNames": ["events"], "isEnabled": True}}}}
    return {"type": "Microsoft.Devices/IotHubs", "name": "iot-plant",
            **extracted("Microsoft.Devices", "IotHubs", body)}


ARCHIVE = [{"name": "archive-all", "source": "DeviceMessages", "condition": "true", "endpointNames": ["archive"],
            "isEnabled": True}]
BUILT_IN = ARCHIVE + [{"name": "to-builtin", "source": "DeviceMessages", "condition": "true",
                       "endpointNames": ["events"], "isEnabled": True}]
TRIGGER = ("Our function (EventHubTrigger on the hub's builtin endpoint, consumer group fn) does not trigger anymore "
           "since the archive route was added; zero executions, the blobs arrive fine.")
ROUTE = "iothub-route-bypasses-built-in-endpoint"


def test_an_event_hub_trigger_that_stopped_firing_after_a_route_is_the_route() -> None:
    assert finding_id(reads_state(TRIGGER, [_hub(ARCHIVE)])) == ROUTE


def test_a_route_to_the_built_in_endpoint_or_an_unrelated_report_stays_silent() -> None:
    assert finding_id(reads_state(TRIGGER, [_hub(BUILT_IN)])) != ROUTE
    assert finding_id(reads_state("How do I add a consumer group for the archive job?", [_hub(ARCHIVE)])) != ROUTE


UNSIGNED = ("We removed DNSSEC from the zone with az network dns dnssec-config delete yesterday. The registrar still "
            "lists the DS record.\nPS> Resolve-DnsName www.example-shop.net -Server 8.8.8.8\n"
            "Resolve-DnsName : www.example-shop.net : DNS server failure")
DNSSEC = "dnssec-ds-record-without-matching-signed-zone"


def _dnssec() -> dict[str, Any]:
    return next(c for c in table("symptom_clues") if c["id"] == DNSSEC)


def test_a_windows_resolver_failure_after_unsigning_is_the_broken_chain_of_trust() -> None:
    clue = _dnssec()
    assert regex(clue["decides"]).search(UNSIGNED)
    nslookup = UNSIGNED.replace("Resolve-DnsName : www.example-shop.net : DNS server failure",
                                "*** dns.google can't find www.example-shop.net: Server failed")
    assert regex(clue["decides"]).search(nslookup)
    final = run_engine({"error_description": UNSIGNED}).final
    assert isinstance(final, Conclude) and final.report.category == "network.dns_resolution"
    assert "DS" in final.report.root_cause


def test_a_server_failure_without_dnssec_words_is_no_chain_of_trust_verdict() -> None:
    plain = "Resolve-DnsName : www.example-shop.net : DNS server failure\nOur VM's resolver is 10.0.0.4."
    assert not regex(_dnssec()["pattern"]).search(plain)
    found = clue_in([plain])
    assert found is None or found[0]["id"] != DNSSEC


JS_ENTITY = ('TypeError: The entity path "meter-readings" in connectionString: "Endpoint=sb://evhns.servicebus.'
             'windows.net/;SharedAccessKeyName=send;SharedAccessKey=x;EntityPath=meter-readings" doesn\'t match '
             'with eventHubName: "telemetry".')


def test_the_javascript_entity_path_mismatch_is_the_connection_string() -> None:
    hits = catalog_index().hits([(JS_ENTITY, "error")])
    assert hits[0].entry.id == "messaging-eh-entitypath-and-hub-name"
    assert hits[0].entry.category == "config.invalid_connection_string"


def test_a_missing_entity_path_is_not_the_mismatch() -> None:
    missing = ('TypeError: Either provide "eventHubName" or the "connectionString": "Endpoint=sb://evhns.servicebus.'
               'windows.net/", must contain "EntityPath=<your-event-hub-name>".')
    assert all(h.entry.id != "messaging-eh-entitypath-and-hub-name" for h in catalog_index().hits([(missing, "error")]))


def _resolver() -> dict[str, Any]:
    return next(e for e in table("network_dns_errors") if e["id"] == "resolver-failure")


def _hosts() -> list[str]:
    return next(e for e in table("network_dns_errors") if e["id"] == "hosts")["facts"]


def _host(text: str) -> str | None:
    for fact in _hosts():
        found = regex(fact).search(text)
        if found:
            return found.group("host")
    return None


def test_java_and_go_resolver_failures_name_their_host() -> None:
    java = ("WARN c.m.a.a.i.p.ExportErrorLogger - Sending telemetry to the ingestion service: "
            "java.net.UnknownHostException: westeurope-5.in.applicationinsights.azure.com")
    go = 'Get "https://kv-app.vault.azure.net/": dial tcp: lookup kv-app.vault.azure.net on 10.0.0.10:53: no such host'
    for text, host in ((java, "westeurope-5.in.applicationinsights.azure.com"), (go, "kv-app.vault.azure.net")):
        assert regex(_resolver()["match"]).search(text)
        assert _host(text) == host
    routed = next(s for s in signatures() if s.id == "network-dns-resolution")
    # Go's lookup line routes nothing by itself: an image pull or a cluster's own resolver prints it too, and their
    # more specific readings decide (the resolver table above still names its host)
    assert any(p.search(java) for p in routed.patterns) and not any(p.search(go) for p in routed.patterns)
    final = run_engine({"error_description": java + "\nThe cluster's VNet uses our own DNS servers."}).final
    assert isinstance(final, Conclude) and final.report.category == "network.dns_resolution"
    assert "westeurope-5.in.applicationinsights.azure.com" in final.report.root_cause


def test_an_unknown_host_exception_without_a_dotted_name_is_no_resolver_verdict() -> None:
    netty = "java.net.UnknownHostException: Failed to resolve 'kafka' after 2 queries"
    assert _host(netty) == "kafka"   # the name comes from Netty's own quote, never the word 'Failed'
    assert not regex(_resolver()["match"]).search("java.net.UnknownHostException: localhost")
    assert not regex(_resolver()["match"]).search("UnknownHostException handling was added in 2.3")


WORKSPACE = ("Error: updating Agent Pool: BadRequest: Unable to get log analytics workspace info. Resource ID: "
             "/subscriptions/0000/resourcegroups/defaultresourcegroup-weu/providers/microsoft.operationalinsights/"
             "workspaces/defaultworkspace-0000-weu. ...")


def test_a_workspace_whose_resource_group_a_cleanup_deleted_is_a_missing_dependency() -> None:
    text = WORKSPACE + "\nOur cost clean-up automation deletes resource groups without an owner tag every Sunday."
    hits = catalog_index().hits([(text, "error")])
    assert hits[0].entry.id == "containers-aks-log-analytics-workspace-resource-group-deleted"
    assert hits[0].entry.category == "deployment.parent_not_found"


def test_the_workspace_error_alone_keeps_its_wrong_name_reading() -> None:
    for text in (WORKSPACE, WORKSPACE + "\nThe resource group of the cluster is rg-ml-train."):
        hits = catalog_index().hits([(text, "error")])
        assert hits[0].entry.id == "containers-aks-log-analytics-workspace-missing"
        assert hits[0].entry.category == "config.wrong_resource_name"
