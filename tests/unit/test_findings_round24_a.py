"""The twenty-fourth round of findings, helper A (knowledge/evidence_findings.yaml): App Service, Azure Functions and
Static Web Apps troubleshooting pages no knowledge cited before - a Functions runtime 4.x upgrade that left the
Windows netFrameworkVersion or the Linux language version behind, both Application Insights settings on one app, a
Monitor tab without Application Insights, a static web app's private endpoint refusing public callers, custom
domains on a Free or Shared tier, and a VNet-integrated app whose network uses non-RFC 1918 space with Route All
off. Each fires on recorded-like reads with the symptom it explains and stays silent for its near miss; the new
api_versions field is taken from a realistic Resource Manager body."""

from __future__ import annotations

from typing import Any

from shared.tools.azure_fields import extract_fields
from shared.tools.azure_resources import type_spec
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"

FUNC = {"id": f"{SUB}/Microsoft.Web/sites/func-shop", "type": "Microsoft.Web/sites", "name": "func-shop",
        "kind": "functionapp", "sku": "Standard"}
FUNC_LINUX = {**FUNC, "kind": "functionapp,linux", "sku": "ElasticPremium"}
WEB_CONFIG = {"type": "Microsoft.Web/sites/config", "name": "web", "netFrameworkVersion": "v4.0",
              "use32BitWorkerProcess": False, "alwaysOn": True}
LINUX_CONFIG = {"type": "Microsoft.Web/sites/config", "name": "web", "linuxFxVersion": "Node|12", "alwaysOn": False}
BASE_NAMES = ["AzureWebJobsStorage", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME"]
STATIC = {"id": f"{SUB}/Microsoft.Web/staticSites/stapp-shop", "type": "Microsoft.Web/staticSites",
          "name": "stapp-shop", "sku": {"name": "Standard", "tier": "Standard"}, "privateEndpointConnections": 1}
SITE = {"id": f"{SUB}/Microsoft.Web/sites/app-shop", "type": "Microsoft.Web/sites", "name": "app-shop",
        "kind": "app,linux", "sku": "Free"}
SUBNET_ID = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-plant/subnets/snet-apps"
INTEGRATED = {**SITE, "kind": "app", "sku": "PremiumV3", "virtualNetworkSubnetId": SUBNET_ID,
              "vnetRouteAllEnabled": False}
VNET = {"id": f"{SUB}/Microsoft.Network/virtualNetworks/vnet-plant", "type": "Microsoft.Network/virtualNetworks",
        "name": "vnet-plant", "addressPrefixes": ["100.72.0.0/16"], "dnsServers": []}

CASES = [
    Case("function-app-runtime-4-net-framework-version-old", "functions.host_misconfigured", "netFrameworkVersion",
         [FUNC, WEB_CONFIG],
         "I changed FUNCTIONS_EXTENSION_VERSION from ~3 to ~4 for our .NET 6 in-process app and now the portal "
         "lists no functions; HTTP calls get 503 Function host is not running.",
         near_reads=[FUNC, {**WEB_CONFIG, "netFrameworkVersion": "v6.0"}]),
    Case("function-app-linux-language-version-unsupported-on-runtime-4", "functions.host_misconfigured",
         "linuxFxVersion", [FUNC_LINUX, LINUX_CONFIG],
         "After setting FUNCTIONS_EXTENSION_VERSION=~4 every webhook gets 404 and the Functions tab shows no "
         "functions found.",
         near_reads=[FUNC_LINUX, {**LINUX_CONFIG, "linuxFxVersion": "Node|20"}]),
    Case("function-app-both-app-insights-settings-key-ignored", "config.invalid_connection_string",
         "APPLICATIONINSIGHTS_CONNECTION_STRING", [FUNC],
         "I replaced APPINSIGHTS_INSTRUMENTATIONKEY with the key of the shared resource, but the telemetry still "
         "lands in the old Application Insights resource.",
         names=[*BASE_NAMES, "APPINSIGHTS_INSTRUMENTATIONKEY", "APPLICATIONINSIGHTS_CONNECTION_STRING"],
         near_names=[*BASE_NAMES, "APPLICATIONINSIGHTS_CONNECTION_STRING"]),
    Case("function-monitor-without-app-insights", "config.missing_app_setting", "APPLICATIONINSIGHTS_CONNECTION_STRING",
         [FUNC], "Since the upgrade the Monitor tab of every function is empty: No invocations.",
         names=[*BASE_NAMES, "AzureWebJobsDashboard"],
         near_names=[*BASE_NAMES, "APPLICATIONINSIGHTS_CONNECTION_STRING"]),
    Case("static-web-app-private-endpoint-refuses-public-callers", "network.private_endpoint_dns", "private endpoint",
         [STATIC], "Since Tuesday everyone on the office network gets 403 Forbidden on the portal's "
                   "azurestaticapps.net address.",
         near_reads=[{**STATIC, "privateEndpointConnections": 0}]),
    Case("app-custom-domain-on-free-or-shared-tier", "quota.sku_not_available", "Basic", [SITE],
         "Adding the custom domain www.shop.example fails with 409 Conflict although the CNAME and asuid TXT "
         "records resolve.",
         near_reads=[{**SITE, "sku": "Basic"}]),
    Case("app-vnet-non-rfc1918-space-route-all-off", "network.nsg_blocked", "vnetRouteAllEnabled",
         [INTEGRATED, VNET],
         "Calls from the app to the historian VM at 100.72.10.4:8443 in our VNet time out after 21 seconds.",
         near_reads=[INTEGRATED, {**VNET, "addressPrefixes": ["10.72.0.0/16"]}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_linux_function_app_is_not_judged_by_its_net_framework_version() -> None:
    report = "After FUNCTIONS_EXTENSION_VERSION ~4 our .NET isolated app lists no functions."
    state = reads_state(report, [FUNC_LINUX, WEB_CONFIG])
    assert finding_id(state) != "function-app-runtime-4-net-framework-version-old"


def test_both_telemetry_settings_alone_are_no_verdict_without_a_changed_key() -> None:
    state = reads_state("Requests are slow since Monday and Application Insights shows no requests at all.", [FUNC],
                        names=[*BASE_NAMES, "APPINSIGHTS_INSTRUMENTATIONKEY", "APPLICATIONINSIGHTS_CONNECTION_STRING"])
    assert finding_id(state) != "function-app-both-app-insights-settings-key-ignored"


def test_an_app_outside_any_virtual_network_gets_no_route_all_verdict() -> None:
    outside = {**INTEGRATED, "virtualNetworkSubnetId": None}
    report = "Calls from the app to 100.72.10.4:8443 time out."
    assert finding_id(reads_state(report, [outside, VNET])) != "app-vnet-non-rfc1918-space-route-all-off"


def test_a_static_web_app_private_endpoint_count_is_read_from_the_resource() -> None:
    spec = type_spec("Microsoft.Web", "staticSites")
    assert spec is not None
    body: dict[str, Any] = {"properties": {"defaultHostname": "x.4.azurestaticapps.net", "privateEndpointConnections": [
        {"id": "pec-1", "properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}}]}}
    assert extract_fields(body, spec["fields"]).get("privateEndpointConnections") == 1
