"""Round 31 H (docs-style cases of deployment errors, networking, API Management and Azure Monitor, docsH): a private
endpoint with no DNS zone group and no privatelink zone anywhere it was looked for (its name resolves publicly), the
NSG on an Application Gateway backend's subnet that denies the gateway's subnet (502, "Cannot connect to backend
server"), the forms users paste of the five-diagnostic-settings limit and the retired diagnostic-settings retention,
a parent VNet "under" another resource group, and nginx on a rented server whose upstream is down (out of scope)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines import gateway_backend
from shared.engines.playbooks import conclude_finding
from shared.engines.rules import finding
from shared.session.state import Evidence, RunTool
from tests.helpers.finding_checks import extracted, finding_id, reads_state, state_with
from tests.helpers.scope_checks import in_scope
from tests.helpers.scope_checks import out_of_scope as _out_of_scope

SUB = "/subscriptions/00000000-0000-0000-0000-000000000031/resourceGroups/rg-h"
NET = f"{SUB}/providers/Microsoft.Network"

# --- a private endpoint whose name nothing answers privately --------------------------------------------------------

SB_REFUSED = ("Since the namespace was locked down every send fails: ServiceBusException: Put token failed. "
              "status-code: 401, status-description: Ip has been prevented to connect to the endpoint. A private "
              "endpoint was added for the namespace.")
NO_ZONE = "private-endpoint-without-dns-zone"


def _endpoint() -> dict[str, Any]:
    body = {"properties": {"subnet": {"id": f"{NET}/virtualNetworks/vnet-h/subnets/snet-pe"},
                           "customDnsConfigs": [{"fqdn": "sb-orders-h.servicebus.windows.net",
                                                 "ipAddresses": ["10.61.4.5"]}]}}
    return {"id": f"{NET}/privateEndpoints/pe-sb", "type": "Microsoft.Network/privateEndpoints", "name": "pe-sb",
            **extracted("Microsoft.Network", "privateEndpoints", body)}


def _zone_groups(zones: list[str]) -> dict[str, Any]:
    body = {"value": [{"name": "default", "properties": {"privateDnsZoneConfigs": [
        {"properties": {"privateDnsZoneId": z}} for z in zones]}}]} if zones else {"value": []}
    return {"id": f"{NET}/privateEndpoints/pe-sb/privateDnsZoneGroups",
            "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            **extracted("Microsoft.Network/privateEndpoints", "privateDnsZoneGroups", body)}


def _network(dns_servers: list[str]) -> dict[str, Any]:
    body = {"properties": {"dhcpOptions": {"dnsServers": dns_servers}, "subnets": []}}
    return {"id": f"{NET}/virtualNetworks/vnet-h", "type": "Microsoft.Network/virtualNetworks", "name": "vnet-h",
            **extracted("Microsoft.Network", "virtualNetworks", body)}


def test_an_endpoint_without_zone_group_or_zone_resolves_publicly_and_overrules_the_ip_firewall() -> None:
    state = reads_state(SB_REFUSED, [_endpoint(), _zone_groups([]), _network([])])
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == NO_ZONE and "network.nsg_blocked" in rule.get("overrules", [])
    report = conclude_finding(state, rule, facts).report
    assert report.category == "network.private_endpoint_dns" and report.confidence == "high"
    assert "privatelink.servicebus.windows.net" in report.root_cause and "10.61.4.5" in report.root_cause
    assert "{" not in report.root_cause


def test_a_zone_group_that_holds_the_zone_or_a_network_with_its_own_dns_is_no_missing_zone() -> None:
    grouped = [_endpoint(), _zone_groups([f"{NET}/privateDnsZones/privatelink.servicebus.windows.net"]), _network([])]
    assert finding_id(reads_state(SB_REFUSED, grouped)) != NO_ZONE
    custom_dns = [_endpoint(), _zone_groups([]), _network(["10.0.0.4"])]
    assert finding_id(reads_state(SB_REFUSED, custom_dns)) != NO_ZONE
    assert finding_id(reads_state("How do I rename the namespace?", [_endpoint(), _zone_groups([]), _network([])])
                      ) != NO_ZONE  # no private path in the report


# --- an Application Gateway whose backend subnet's NSG drops the gateway --------------------------------------------

GW_502 = "Every request to the shop behind Application Gateway returns 502 Bad Gateway since last night."
NSG_RULE = "app-gateway-backend-subnet-nsg-denies-gateway"
CANNOT = ("Cannot connect to backend server. Check whether any NSG/UDR/Firewall is blocking access to the server. "
          "Check if application is running on correct port.")


def _gateway() -> dict[str, Any]:
    body = {"properties": {"gatewayIPConfigurations": [{"properties": {"subnet": {
        "id": f"{NET}/virtualNetworks/vnet-shop/subnets/snet-agw"}}}],
        "backendAddressPools": [{"name": "pool", "properties": {"backendAddresses": [{"ipAddress": "10.50.2.4"}]}}],
        "backendHttpSettingsCollection": [{"name": "https", "properties": {"port": 443, "protocol": "Https"}}]}}
    return {"id": f"{NET}/applicationGateways/agw-shop", "type": "Microsoft.Network/applicationGateways",
            "name": "agw-shop", **extracted("Microsoft.Network", "applicationGateways", body)}


def _shop_network() -> dict[str, Any]:
    body = {"properties": {"subnets": [
        {"name": "snet-agw", "id": f"{NET}/virtualNetworks/vnet-shop/subnets/snet-agw",
         "properties": {"addressPrefix": "10.50.0.0/24"}},
        {"name": "snet-web", "id": f"{NET}/virtualNetworks/vnet-shop/subnets/snet-web",
         "properties": {"addressPrefix": "10.50.2.0/24",
                        "networkSecurityGroup": {"id": f"{NET}/networkSecurityGroups/nsg-web"}}}]}}
    return {"id": f"{NET}/virtualNetworks/vnet-shop", "type": "Microsoft.Network/virtualNetworks",
            "name": "vnet-shop", **extracted("Microsoft.Network", "virtualNetworks", body)}


def _rule(name: str, priority: int, access: str, source: str, port: str = "*") -> dict[str, Any]:
    return {"name": name, "properties": {"priority": priority, "direction": "Inbound", "access": access,
                                         "protocol": "*", "sourceAddressPrefix": source, "sourcePortRange": "*",
                                         "destinationAddressPrefix": "*", "destinationPortRange": port}}


def _web_nsg(*rules: dict[str, Any]) -> dict[str, Any]:
    body = {"properties": {"securityRules": list(rules)}}
    return {"id": f"{NET}/networkSecurityGroups/nsg-web", "type": "Microsoft.Network/networkSecurityGroups",
            "name": "nsg-web", **extracted("Microsoft.Network", "networkSecurityGroups", body)}


def _gateway_state(nsg: dict[str, Any] | None, log: str = CANNOT) -> Any:
    health = {"servers": [{"pool": "pool", "address": "10.50.2.4", "health": "Unhealthy", "log": log}],
              "unhealthy": 1}
    reads = [("get_resource", _gateway()), ("get_backend_health", health), ("get_resource", _shop_network())]
    return state_with(GW_502, reads + ([("get_resource", nsg)] if nsg is not None else []))


FRONT_DOOR_ONLY = (_rule("Allow-FrontDoor", 200, "Allow", "AzureFrontDoor.Backend", "443"),
                   _rule("Deny-All-Inbound", 4000, "Deny", "*"))


def test_a_deny_all_before_any_rule_for_the_gateway_subnet_blocks_the_backend() -> None:
    state = _gateway_state(_web_nsg(*FRONT_DOOR_ONLY))
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == NSG_RULE
    report = conclude_finding(state, rule, facts).report
    assert report.category == "network.nsg_blocked" and "Deny-All-Inbound" in report.root_cause
    assert "nsg-web" in report.root_cause and "10.50.0.0/24" in report.root_cause and "{" not in report.root_cause


def test_an_allow_for_the_gateway_subnet_first_or_a_probe_answered_with_a_status_is_no_nsg_verdict() -> None:
    allowed = _web_nsg(_rule("Allow-AppGw", 150, "Allow", "10.50.0.0/24", "443"), *FRONT_DOOR_ONLY)
    assert finding_id(_gateway_state(allowed)) != NSG_RULE
    vnet_wide = _web_nsg(_rule("Allow-VNet", 150, "Allow", "VirtualNetwork"), *FRONT_DOOR_ONLY)
    assert finding_id(_gateway_state(vnet_wide)) != NSG_RULE
    answered = "Received invalid status code: 404 in the backend server's HTTP response. As per the health probe..."
    assert finding_id(_gateway_state(_web_nsg(*FRONT_DOOR_ONLY), log=answered)) != NSG_RULE


def test_the_gateway_path_reads_the_network_then_the_backend_subnets_nsg() -> None:
    health = {"servers": [{"pool": "pool", "address": "10.50.2.4", "health": "Unhealthy", "log": CANNOT}]}
    state = state_with(GW_502, [("get_resource", _gateway()), ("get_backend_health", health)])
    step = gateway_backend.next_read(state)
    assert isinstance(step, RunTool) and step.arguments["resource_id"] == f"{NET}/virtualNetworks/vnet-shop"
    network = _shop_network()
    state.add_evidence(Evidence(tool="get_resource", arguments={"resource_id": network["id"]}, status="success",
                                summary="vnet-shop", data=network))
    step = gateway_backend.next_read(state)
    assert isinstance(step, RunTool) and step.arguments["resource_id"] == f"{NET}/networkSecurityGroups/nsg-web"
    nsg = _web_nsg(*FRONT_DOOR_ONLY)
    state.add_evidence(Evidence(tool="get_resource", arguments={"resource_id": nsg["id"]}, status="success",
                                summary="nsg-web", data=nsg))
    assert gateway_backend.next_read(state) is None


# --- catalog forms --------------------------------------------------------------------------------------------------

CATALOG_CASES = {
    "compute-monitor-diagnostic-settings-limit":
        '{"code": "BadRequest", "message": "Diagnostic settings count exceeds the max limit of 5. Please delete '
        'existing settings or use existing ones."}',
    "compute-monitor-diagnostic-settings-retention-retired":
        "Diagnostic settings does not support retention for new diagnostic settings. (Code: BadRequest, Target: "
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip/providers/"
        "Microsoft.Insights/diagnosticSettings/diag)",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_monitor_entries_rank_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


def test_a_diagnostic_setting_without_a_count_or_retention_matches_neither() -> None:
    hits = catalog_index().hits([("The diagnostic settings of the vault send AuditEvent to the workspace.", "error")])
    assert not any(h.entry.id.startswith("compute-monitor-diagnostic-settings") for h in hits)


PARENT = ("resource hubVnet 'Microsoft.Network/virtualNetworks@2023-09-01' existing = {\n  name: 'vnet-hub'\n}\n"
          '{"code":"ParentResourceNotFound","message":"Can not perform requested operation on nested resource. '
          "Parent resource 'vnet-hub' not found.\"}\n")


def test_a_parent_seen_under_another_resource_group_is_named_in_the_answer() -> None:
    text = PARENT + "It exists - I can see it in the portal under rg-network-hub."
    hits = catalog_index().hits([(text, "error")], [text])
    assert hits[0].entry.id == "arm-parent-not-found-existing-without-scope"
    assert hits[0].facts.get("parent_group") == "rg-network-hub"
    plain = PARENT + "It exists in the portal, under the networking team's care."
    assert "parent_group" not in catalog_index().hits([(plain, "error")], [plain])[0].facts


# --- nginx on a rented server ---------------------------------------------------------------------------------------

UPSTREAM = ('2026/12/06 07:02:11 [error] 812#812: *14 connect() failed (111: Connection refused) while connecting '
            'to upstream, client: 198.51.100.23, server: shop.example.org, request: "GET / HTTP/1.1", upstream: '
            '"http://127.0.0.1:8000/"')


def test_nginx_on_a_rented_vps_whose_upstream_is_down_is_out_of_scope() -> None:
    text = "After the hosting provider rebooted our VPS the site returns 502 Bad Gateway.\n" + UPSTREAM
    assert "self-managed" in _out_of_scope(text, ["nginx", "gunicorn"])


def test_the_same_nginx_line_from_an_app_service_container_stays_in_scope() -> None:
    in_scope("Our custom container on App Service runs nginx in front of gunicorn; the VPS we left last year "
             "never did this. Log stream:\n" + UPSTREAM, ["app-service", "docker"])
