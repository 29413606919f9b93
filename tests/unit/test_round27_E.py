"""Round 27 E (the twentieth session's development halves, docs36): a hierarchical partition key given only in part,
the one system topic an Event Grid source already has, an internal name from a network on Azure-provided DNS (an
API Management gateway's network read through its subnet), a short-lived process that never flushes Application
Insights, and a full disk in the developer's local Docker stack."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import table_entry
from shared.engines.clues import clue_in
from shared.engines.playbooks import conclude_finding, investigate, rule_facts
from shared.engines.session_reads import FINDINGS
from shared.models import Options
from shared.session.state import Evidence, GiveUp, Material, RunTool, SessionState
from tests.helpers.clue_checks import concludes, final_of
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import extracted, reads_state

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"

# --- Cosmos DB: the partition key's component count --------------------------------------------------------------

CATALOG_CASES = {
    "cosmos-partition-key-component-count": [
        'Response status code does not indicate success: BadRequest (400); Substatus: 1001; Reason: (Message: '
        '{"Errors":["The partition key supplied in x-ms-partitionkey header has fewer components than defined in '
        'the the collection."]}',
        "System.ArgumentException: PartitionKey has more components than defined the collection resource.",
    ],
    "cosmos-partition-key-mismatch": [
        "Message: {\"Errors\":[\"PartitionKey extracted from document doesn't match the one specified in the "
        "header\"]}",
    ],
}


@pytest.mark.parametrize(("entry_id", "text"), [(e, t) for e, texts in CATALOG_CASES.items() for t in texts])
def test_the_partition_key_errors_rank_their_own_entry(entry_id: str, text: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


def test_a_hierarchical_key_given_in_part_is_answered_with_the_full_key() -> None:
    final = run_engine({"error_description": CATALOG_CASES["cosmos-partition-key-component-count"][0]
                        + "\nvar resp = await container.ReadItemAsync<Session>(id, new PartitionKey(tenantId));"}).final
    assert final.report.category == "runtime.code_defect"
    assert any("PartitionKeyBuilder" in action for action in final.report.actions)


# --- Event Grid: the source's existing system topic ---------------------------------------------------------------

ONE_TOPIC = ('{"code":"BadRequest","target":"' + SUB + '/providers/Microsoft.EventGrid/systemTopics/evgt-new",'
             '"message":"Only one system topic is allowed per source."} The template creates a system topic for '
             "the storage account stinvoices.")
TOPIC_RULE = "eventgrid-system-topic-already-exists-for-source"


def _system_topic(source_account: str) -> dict[str, Any]:
    body = {"properties": {"source": f"{SUB}/providers/Microsoft.Storage/storageAccounts/{source_account}",
                           "topicType": "Microsoft.Storage.StorageAccounts", "provisioningState": "Succeeded"}}
    return {"type": "Microsoft.EventGrid/systemTopics", "name": f"{source_account}-7d0f",
            "id": f"{SUB}/providers/Microsoft.EventGrid/systemTopics/{source_account}-7d0f",
            **extracted("Microsoft.EventGrid", "systemTopics", body)}


def test_the_existing_system_topic_of_the_named_source_is_named() -> None:
    state = reads_state(ONE_TOPIC, [_system_topic("stinvoices"), {"type": "Microsoft.Web/sites", "name": "func"}])
    rule = table_entry(FINDINGS, TOPIC_RULE)
    facts = rule_facts(state, rule)
    assert facts is not None and facts["topic"] == "stinvoices-7d0f"
    report = conclude_finding(state, rule, facts).report
    assert report.category == "deployment.name_conflict" and "'stinvoices-7d0f'" in report.root_cause
    assert "{" not in report.root_cause
    assert "stinvoices-7d0f" in report.evidence[0].summary  # the topic's own read, not the newest read (the app)


def test_a_topic_of_another_source_or_another_error_names_nothing() -> None:
    rule = table_entry(FINDINGS, TOPIC_RULE)
    assert rule_facts(reads_state(ONE_TOPIC, [_system_topic("starchive")]), rule) is None
    assert rule_facts(reads_state("Events from stinvoices stopped arriving at the function.",
                                  [_system_topic("stinvoices")]), rule) is None


# --- an internal name from a network on Azure-provided DNS --------------------------------------------------------

DNS_RULE = "internal-name-with-azure-provided-dns"
BACKEND_FAILS = ('forward-request: "Error occured while calling backend service.", "The remote name could not be '
                 "resolved: 'orders.erp.corp.contoso.internal'\" - since the migration every call answers 500.")


def _apim(vnet: str = "vnet-apim2") -> dict[str, Any]:
    body = {"properties": {"virtualNetworkType": "External", "virtualNetworkConfiguration": {
        "subnetResourceId": f"{SUB}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/snet-apim"}}}
    return {"type": "Microsoft.ApiManagement/service", "name": "apim-prod",
            "id": f"{SUB}/providers/Microsoft.ApiManagement/service/apim-prod",
            **extracted("Microsoft.ApiManagement", "service", body)}


def _vnet(name: str, dns: list[str]) -> dict[str, Any]:
    body = {"properties": {"addressSpace": {"addressPrefixes": ["10.61.0.0/16"]}, "dhcpOptions": {"dnsServers": dns}}}
    return {"type": "Microsoft.Network/virtualNetworks", "name": name,
            **extracted("Microsoft.Network", "virtualNetworks", body)}


def _dns_facts(report: str, reads: list[dict[str, Any]]) -> dict[str, str] | None:
    return rule_facts(reads_state(report, reads), table_entry(FINDINGS, DNS_RULE))


def test_an_internal_name_from_the_gateways_network_on_azure_dns_is_that_dns() -> None:
    reads = [_apim(), _vnet("vnet-apim-old", ["10.10.0.4"]), _vnet("vnet-apim2", [])]
    state = reads_state(BACKEND_FAILS, reads)
    rule = table_entry(FINDINGS, DNS_RULE)
    facts = rule_facts(state, rule)
    assert facts is not None and facts["vnet"] == "vnet-apim2"
    report = conclude_finding(state, rule, facts).report
    assert report.category == "network.dns_resolution" and "Azure-provided DNS" in report.root_cause
    assert "orders.erp.corp.contoso.internal" in report.root_cause and "{" not in report.root_cause


def test_a_network_with_its_own_dns_servers_a_resolver_or_an_azure_name_is_no_azure_dns_gap() -> None:
    assert _dns_facts(BACKEND_FAILS, [_apim(), _vnet("vnet-apim2", ["10.10.0.4"])]) is None  # custom DNS servers
    assert _dns_facts(BACKEND_FAILS, [_apim("vnet-other"), _vnet("vnet-apim2", [])]) is None  # not the caller's
    resolver = {"type": "Microsoft.Network/dnsForwardingRulesets", "name": "rs-corp", "id": f"{SUB}/x"}
    assert _dns_facts(BACKEND_FAILS, [_apim(), _vnet("vnet-apim2", []), resolver]) is None
    azure_host = BACKEND_FAILS.replace("orders.erp.corp.contoso.internal", "func-orders.azurewebsites.net")
    assert _dns_facts(azure_host, [_apim(), _vnet("vnet-apim2", [])]) is None
    public_host = BACKEND_FAILS.replace("orders.erp.corp.contoso.internal", "api.partner-example.com")
    assert _dns_facts(public_host, [_apim(), _vnet("vnet-apim2", [])]) is None  # not said to be on premises
    assert _dns_facts(public_host + " The host is in our datacenter.", [_apim(), _vnet("vnet-apim2", [])])


def _gateway_reads(report: str) -> list[str]:
    """The resources the API Management playbook reads when the service's read names its subnet."""
    apim_id = f"{SUB}/providers/Microsoft.ApiManagement/service/apim-prod"
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=f"{report} ({apim_id})"))
    read: list[str] = []
    while len(read) < 20 and isinstance(step := investigate(state), RunTool):
        target = str(step.arguments.get("resource_id") or "")
        read.append(target)
        data = _apim() if target == apim_id else {"type": "/".join(target.split("/providers/")[-1].split("/")[:2])}
        state.add_evidence(Evidence(tool=step.tool, arguments=step.arguments, status="success", summary="read",
                                    data=data))
    return read


def test_the_gateway_playbook_reads_its_network_only_for_names_that_do_not_resolve() -> None:
    vnet = f"{SUB}/providers/Microsoft.Network/virtualNetworks/vnet-apim2"
    assert vnet in _gateway_reads(BACKEND_FAILS)
    assert vnet not in _gateway_reads("Every call answers 401 Access denied due to invalid subscription key.")


# --- Application Insights: a short-lived process that never flushes ----------------------------------------------

UNFLUSHED = ("Our nightly cron job (Node.js script) sends custom events to Application Insights, but the final "
             "'SyncDone' event never shows up.\n\nconst appInsights = require('applicationinsights');\n"
             "appInsights.setup(process.env.APPLICATIONINSIGHTS_CONNECTION_STRING).start();\n"
             "const client = appInsights.defaultClient;\nawait sync();\n"
             "client.trackEvent({ name: 'SyncDone' });\nprocess.exit(0);")


def test_a_short_lived_process_that_tracks_without_flushing_loses_its_last_telemetry() -> None:
    assert concludes(UNFLUSHED, "runtime.code_defect")
    assert "flush" in " ".join(final_of(UNFLUSHED).report.actions).lower()


def test_a_process_that_flushes_or_a_web_app_without_telemetry_is_not_called_unflushed() -> None:
    flushed = UNFLUSHED.replace("process.exit(0);", "client.flush();\nprocess.exit(0);")
    assert not concludes(flushed, "runtime.code_defect")
    web = ("Our web app stopped sending telemetry to Application Insights after the redeploy; no telemetry at all, "
           "the site itself serves requests fine.")
    assert clue_in([web]) is not None and clue_in([web])["id"] == "application-insights-no-telemetry-connection-string"


# --- a full disk in the developer's local Docker stack -----------------------------------------------------------

LOCAL_REDIS = ("Local dev stack with docker compose (api + redis:7). Production uses Azure Cache for Redis, but "
               "locally every SET fails:\nredis.exceptions.ResponseError: MISCONF Redis is configured to save RDB "
               "snapshots, but it's currently unable to persist to disk.\nredis log: Write error saving DB on disk: "
               "No space left on device\nDocker Desktop's disk is almost full.")


def test_a_full_disk_in_the_local_docker_stack_is_out_of_scope() -> None:
    final = final_of(LOCAL_REDIS)
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"
    # the reading's first sentence only: App Service's plan storage is beside the point on a laptop
    assert "App Service" not in final.report.root_cause


def test_a_docker_image_that_fails_in_azure_stays_in_scope() -> None:
    text = ("The image works fine locally in Docker Desktop, but deployed to App Service the container logs: "
            "Write error saving DB on disk: No space left on device")
    final = final_of(text)
    assert final.report is None or final.report.category != "out_of_scope"
