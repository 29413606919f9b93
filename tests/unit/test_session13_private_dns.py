"""Thirteenth session: the private DNS chain of a service reached over a private endpoint
(shared/engines/private_dns.py) and the resource groups a report names (environment_info's `resource_groups` list)."""

from __future__ import annotations

from typing import Any

from evals.playback import PlaybackServer
from shared.engines import private_dns
from shared.engines.analyzers.azure_scope import resource_group, resource_groups
from shared.engines.playbooks import Target, _stated_targets, find_target
from shared.models import Options
from shared.session.state import Evidence, Material, RunTool, SessionState
from shared.tools.catalog import run_tool
from tests.helpers.finding_checks import finding_id, finding_report

SUB = "6e2a9d48-1f73-4b05-9c86-a4d0e7b2f519"
NET = f"/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network"
ZONE = f"{NET}/privateDnsZones/privatelink.azconfig.io"
ENDPOINT = f"{NET}/privateEndpoints/pe-appcs"
IN_SCOPE = Material(error_description="test", environment={"azure_subscription": SUB})
SYMPTOM = "ca-orders gets 403 Forbidden from App Configuration since the move; the store has a private endpoint."


def state_of(report: str, reads: list[dict[str, Any]], environment: dict[str, Any] | None = None) -> SessionState:
    state = SessionState(trace_id="e" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=report, environment=environment or {}))
    for data in reads:
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=str(data)[:200], data=data,
                                    arguments={"resource_id": data["id"]} if "id" in data else {}))
    return state


def vnet_id(name: str) -> str:
    return f"{NET}/virtualNetworks/{name}"


def links(*vnets: str) -> dict[str, Any]:
    return {"id": f"{ZONE}/virtualNetworkLinks", "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            "linkedNetworks": [vnet_id(v) for v in vnets]}


def environment_in(vnet: str) -> dict[str, Any]:
    return {"id": f"{NET}/managedEnvironments/cae", "name": "cae", "type": "Microsoft.App/managedEnvironments",
            "infrastructureSubnetId": f"{vnet_id(vnet)}/subnets/snet-apps"}


def endpoint(*names: tuple[str, str]) -> dict[str, Any]:
    return {"id": ENDPOINT, "name": "pe-appcs", "type": "Microsoft.Network/privateEndpoints",
            "customDnsConfigs": [{"fqdn": fqdn, "ipAddresses": [ip]} for fqdn, ip in names]}


def records(zone: str, *entries: tuple[str, str]) -> dict[str, Any]:
    return {"id": f"{NET}/privateDnsZones/{zone}/A", "type": "Microsoft.Network/privateDnsZones/A",
            "records": [{"name": name, "aRecords": [{"ipv4Address": ip}]} for name, ip in entries]}


# --- the reads: real get_resource answers through the field specs ---------------------------------------------------

def test_the_chain_reads_keep_the_links_records_and_zone_groups(azure: PlaybackServer):
    link = {"name": "link-v1", "properties": {"virtualNetwork": {"id": vnet_id("vnet-v1")}}}
    record = {"name": "appcs-prd", "properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.61.2.4"}]}}
    group = {"name": "default", "properties": {"privateDnsZoneConfigs": [{"properties": {"privateDnsZoneId": ZONE}}]}}
    azure.load([{"match": {"method": "GET", "path": f"{ZONE}/virtualNetworkLinks"}, "body": {"value": [link]}},
                {"match": {"method": "GET", "path": f"{ZONE}/A"}, "body": {"value": [record]}},
                {"match": {"method": "GET", "path": f"{ENDPOINT}/privateDnsZoneGroups"}, "body": {"value": [group]}}])
    read = {suffix: run_tool("get_resource", {"resource_id": resource_id}, IN_SCOPE)
            for suffix, resource_id in (("links", f"{ZONE}/virtualNetworkLinks"), ("a", f"{ZONE}/A"),
                                        ("groups", f"{ENDPOINT}/privateDnsZoneGroups"))}
    assert read["links"].data["linkedNetworks"] == [vnet_id("vnet-v1")]
    assert read["a"].data["records"] == [{"name": "appcs-prd", "aRecords": [{"ipv4Address": "10.61.2.4"}]}]
    assert read["groups"].data["zoneIds"] == [[ZONE]]


def test_the_chain_is_read_endpoint_first_then_the_zone_its_group_names():
    environment = {"azure_subscription": SUB, "resource_group": "rg-net"}
    state = state_of(SYMPTOM, [endpoint(("appcs-prd.azconfig.io", "10.61.2.4"))], environment)
    step = private_dns.next_read(state)
    assert isinstance(step, RunTool) and step.arguments["resource_id"] == f"{ENDPOINT}/privateDnsZoneGroups"
    state.add_evidence(Evidence(tool="get_resource", status="success", summary="groups", arguments=step.arguments,
                                data={"id": f"{ENDPOINT}/privateDnsZoneGroups", "zoneIds": [[ZONE]],
                                      "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"}))
    step = private_dns.next_read(state)
    assert isinstance(step, RunTool) and step.arguments["resource_id"] == f"{ZONE}/virtualNetworkLinks"


def test_without_a_zone_group_the_zone_is_looked_up_by_the_name_its_host_maps_to():
    environment = {"azure_subscription": SUB, "resource_group": "rg-net"}
    state = state_of(SYMPTOM, [endpoint(("appcs-prd.azconfig.io", "10.61.2.4")),
                               {"id": f"{ENDPOINT}/privateDnsZoneGroups", "zoneIds": [],
                                "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"}], environment)
    step = private_dns.next_read(state)
    assert isinstance(step, RunTool) and step.arguments["resource_id"] == ZONE


def test_a_report_that_is_not_about_a_private_path_reads_no_chain():
    state = state_of("The function times out calling the orders API", [endpoint(("appcs-prd.azconfig.io", "10.6.2.4"))],
                     {"azure_subscription": SUB, "resource_group": "rg-net"})
    assert private_dns.next_read(state) is None


# --- the judgements -------------------------------------------------------------------------------------------

def test_the_zone_not_linked_to_the_network_the_caller_sits_in_is_the_cause():
    state = state_of(SYMPTOM, [environment_in("vnet-v2"), links("vnet-v1", "vnet-hub")])
    assert finding_id(state) == "private-dns-zone-not-linked-to-caller-network"
    report = finding_report(state)
    assert report.category == "network.private_endpoint_dns" and report.confidence == "high"
    assert "vnet-v2" in report.root_cause and "privatelink.azconfig.io" in report.root_cause
    assert "vnet-v1, vnet-hub" in report.root_cause


def test_a_linked_caller_or_one_that_resolves_through_its_own_dns_servers_is_not_that_finding():
    linked = state_of(SYMPTOM, [environment_in("vnet-v1"), links("vnet-v1")])
    assert private_dns.zone_not_linked_to_caller(linked) is None
    custom = state_of(SYMPTOM, [{"name": "vnet-v2", "type": "Microsoft.Network/virtualNetworks",
                                 "dnsServers": ["10.0.0.4"]}, environment_in("vnet-v2"), links("vnet-v1")])
    assert private_dns.zone_not_linked_to_caller(custom) is None


def test_a_network_the_client_names_counts_at_medium_and_the_plain_word_vnet_names_none():
    named = state_of(SYMPTOM + " The new environment sits in vnet-spoke2.", [links("vnet-hub", "vnet-spoke")])
    assert finding_id(named) == "private-dns-zone-not-linked-to-named-network"
    assert finding_report(named).confidence == "medium" and "vnet-spoke2" in finding_report(named).root_cause
    plain = state_of(SYMPTOM + " Both VNets are peered; VNet-integration is on.", [links("vnet-hub")])
    assert private_dns.zone_not_linked_to_named_network(plain) is None


def test_a_name_of_the_endpoint_without_a_record_in_the_zone_is_the_cause():
    pe = endpoint(("cr1.azurecr.io", "10.4.3.4"), ("cr1.westeurope.data.azurecr.io", "10.4.3.5"))
    state = state_of("New nodes fail to pull from the registry with 403 since private endpoint went in",
                     [pe, records("privatelink.azurecr.io", ("cr1", "10.4.3.4"))])
    assert finding_id(state) == "private-endpoint-name-without-dns-record"
    root = finding_report(state).root_cause
    assert "cr1.westeurope.data.azurecr.io" in root and "'cr1.westeurope.data'" in root
    complete = state_of("403 through the private endpoint", [pe, records("privatelink.azurecr.io", ("cr1", "10.4.3.4"),
                                                                         ("cr1.westeurope.data", "10.4.3.5"))])
    assert private_dns.endpoint_name_without_record(complete) is None


def test_a_record_that_points_at_an_address_the_endpoint_does_not_have_is_stale():
    pe = endpoint(("st1.blob.core.windows.net", "10.60.2.5"))
    stale = state_of("Timeouts to blob since the private endpoint was recreated",
                     [pe, records("privatelink.blob.core.windows.net", ("st1", "10.60.1.4"))])
    assert finding_id(stale) == "private-dns-record-points-elsewhere"
    assert "10.60.2.5" in finding_report(stale).root_cause and "10.60.1.4" in finding_report(stale).root_cause
    fresh = state_of("Timeouts to blob via private endpoint", [pe, records("privatelink.blob.core.windows.net",
                                                                            ("st1", "10.60.2.5"))])
    assert private_dns.record_points_elsewhere(fresh) is None


# --- the resource groups a report names --------------------------------------------------------------------------

def test_resource_groups_come_from_either_key_as_a_list_or_text_in_the_clients_order():
    listed = state_of("x", [], {"resource_groups": ["rg-data", "rg-apps", "RG-DATA"]})
    assert resource_groups(listed) == ["rg-data", "rg-apps"] and resource_group(listed) == "rg-data"
    both = state_of("x", [], {"resource_group": "rg-app", "resource_groups": "rg-data, rg-hub"})
    assert resource_groups(both) == ["rg-app", "rg-data", "rg-hub"]
    from_text = state_of(f"/subscriptions/{SUB}/resourceGroups/rg-text/providers/Microsoft.Web/sites/a", [])
    assert resource_groups(from_text) == ["rg-text"]
    assert resource_groups(state_of("no group anywhere", [])) == []


def test_a_named_resource_is_found_in_the_second_group_the_client_lists():
    state = state_of("ca-orders fails", [], {"azure_subscription": SUB, "resource_groups": ["rg-data", "rg-apps"],
                                             "container_app": "ca-orders"})
    app = f"/subscriptions/{SUB}/resourceGroups/rg-apps/providers/Microsoft.App/containerApps/ca-orders"
    guessed = f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.App/containerApps/ca-orders"
    state.add_evidence(Evidence(tool="get_resource", status="no_data", summary="404", data={"http_status": 404},
                                arguments={"resource_id": guessed}))
    for group, resources in (("rg-data", []), ("rg-apps", [{"id": app, "name": "ca-orders",
                                                            "type": "Microsoft.App/containerApps"}])):
        step = find_target(state)
        assert isinstance(step, RunTool) and step.arguments["resource_group"] == group
        state.add_evidence(Evidence(tool="list_resources_in_group", status="success", summary=group,
                                    arguments=step.arguments, data={"resources": resources}))
    target = find_target(state)
    assert not isinstance(target, RunTool) and target is not None and target.resource_id == app


def test_a_resource_is_looked_for_in_the_group_environment_info_pairs_with_it():
    state = state_of("publish fails", [], {"azure_subscription": SUB, "event_grid_topic": "evgt-orders",
                                           "topic_resource_group": "rg-events", "web_app": "app-orders",
                                           "web_app_resource_group": "rg-web"})
    step = find_target(state)
    assert isinstance(step, Target)
    assert step.resource_id == f"/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Web/sites/app-orders"


def test_resources_named_under_a_kind_key_are_read_in_their_own_group():
    environment = {"azure_subscription": SUB, "sql_server": "sql-fin", "sql_resource_group": "rg-sql",
                   "audit_storage_account": "stfinaudit", "storage_resource_group": "rg-sec", "organization": "fin"}
    state = state_of("audit files stopped", [], environment)
    server = Target(f"/subscriptions/{SUB}/resourceGroups/rg-sql/providers/Microsoft.Sql/servers/sql-fin",
                    "Microsoft.Sql/servers", "sql-fin")
    stated = _stated_targets(state, server)
    assert [(t.type, t.group, t.name) for t in stated] == [
        ("Microsoft.Storage/storageAccounts", "rg-sec", "stfinaudit")]


def test_a_group_value_that_is_no_group_name_is_not_used_in_a_path():
    state = state_of("x", [], {"resource_groups": ["rg-ok", "../../providers/Microsoft.Web", "rg two"]})
    assert resource_groups(state) == ["rg-ok"]
    assert resource_groups(state_of("x", [], {"resource_group": "rg/../../evil"})) == []
