"""The twenty-fifth round of findings, part e (knowledge/evidence_findings.yaml): IoT Hub and Device Provisioning
Service refusing clients because public network access is disabled, and an IoT hub whose IP filter denies by
default. Each fires on recorded-like reads with the symptom it explains and stays silent for its near miss; the
fields it needs are kept by get_resource."""

from __future__ import annotations

import pytest

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import check_case_fires, check_case_stays_silent, extracted

UNRELATED = "The nightly export job writes an empty CSV since Monday."

HUB = {"type": "Microsoft.Devices/IotHubs", "name": "iot-plants", "state": "Active",
       "publicNetworkAccess": "Disabled", "privateEndpointConnections": 1}
DPS = {"type": "Microsoft.Devices/provisioningServices", "name": "dps-fleet", "state": "Active",
       "publicNetworkAccess": "Disabled", "privateEndpointConnections": 1}
FILTERED_HUB = {"type": "Microsoft.Devices/IotHubs", "name": "iot-plants", "state": "Active",
                "publicNetworkAccess": "Enabled", "networkRuleSets": {"defaultAction": "Deny",
                                                                      "ipRules": ["198.51.100.0/26"]}}
FILTERED_DPS = {"type": "Microsoft.Devices/provisioningServices", "name": "dps-meters", "state": "Active",
                "publicNetworkAccess": "Enabled",
                "ipFilterRules": [{"action": "Accept", "ipMask": "198.51.100.0/24"},
                                  {"action": "Reject", "ipMask": "0.0.0.0/0"}]}

CASES = [
    Case("iot-public-network-access-disabled", "network.nsg_blocked", "publicNetworkAccess", [HUB],
         "All gateways went offline: MQTT CONNACK return code 5, not authorized, although the keys were not rotated.",
         near_reads=[{**HUB, "publicNetworkAccess": "Enabled"}]),
    Case("iot-public-network-access-disabled", "network.nsg_blocked", "Disabled", [DPS],
         "New sensors fail to register: ProvisioningTransportException, AMQP connection closed by remote host.",
         near_report="The enrollment group shows 40 registrations; how do we export them to CSV?"),
    Case("iothub-ip-filter-default-deny", "network.nsg_blocked", "defaultAction", [FILTERED_HUB],
         "Gateways at the new plant get 401 Unauthorized from the hub although the keys verify.",
         near_reads=[{**FILTERED_HUB, "networkRuleSets": {"defaultAction": "Allow", "ipRules": []}}]),
    Case("dps-ip-filter-rejects-all-other-addresses", "network.nsg_blocked", "0.0.0.0/0", [FILTERED_DPS],
         "Meters activated over installers' hotspots fail registration with HTTP 401 Unauthorized.",
         near_reads=[{**FILTERED_DPS, "ipFilterRules": [{"action": "Reject", "ipMask": "192.0.2.66/32"}]}]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule_id}-{c.word}")
def test_a_round_25_e_finding_explains_its_symptom(case: Case) -> None:
    check_case_fires(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule_id}-{c.word}")
def test_a_round_25_e_finding_stays_silent_for_its_near_miss(case: Case) -> None:
    check_case_stays_silent(case, UNRELATED)


def test_the_ip_filter_finding_leaves_a_closed_hub_to_the_public_access_one() -> None:
    closed = Case("iothub-ip-filter-default-deny", "network.nsg_blocked", "defaultAction",
                  [{**FILTERED_HUB, "publicNetworkAccess": "Disabled"}],
                  "Devices get 401 Unauthorized from the hub.")
    with pytest.raises(AssertionError):
        check_case_fires(closed)


def test_get_resource_keeps_the_iot_hub_network_fields() -> None:
    body = {"properties": {"state": "Active", "hostName": "iot-plants.azure-devices.net",
                           "publicNetworkAccess": "Disabled", "disableLocalAuth": False,
                           "privateEndpointConnections": [{"properties": {}}],
                           "networkRuleSets": {"defaultAction": "Deny", "applyToBuiltInEventHubEndpoint": True,
                                               "ipRules": [{"filterName": "lyon", "action": "Allow",
                                                            "ipMask": "198.51.100.0/26"}]}}}
    kept = extracted("Microsoft.Devices", "IotHubs", body)
    assert kept["publicNetworkAccess"] == "Disabled"
    assert kept["networkRuleSets"]["defaultAction"] == "Deny"
    assert kept["networkRuleSets"]["ipRules"] == ["198.51.100.0/26"]
    assert kept["privateEndpointConnections"] == 1


def test_get_resource_keeps_the_dps_public_network_access() -> None:
    body = {"properties": {"state": "Active", "publicNetworkAccess": "Disabled", "allocationPolicy": "Hashed",
                           "privateEndpointConnections": []}}
    kept = extracted("Microsoft.Devices", "provisioningServices", body)
    assert kept["publicNetworkAccess"] == "Disabled"
    assert kept["allocationPolicy"] == "Hashed"


def test_get_resource_keeps_the_dps_ip_filter_rules() -> None:
    body = {"properties": {"ipFilterRules": [{"filterName": "deny-all", "action": "Reject", "ipMask": "0.0.0.0/0",
                                              "target": "all"}]}}
    kept = extracted("Microsoft.Devices", "provisioningServices", body)
    assert kept["ipFilterRules"] == [{"action": "Reject", "ipMask": "0.0.0.0/0"}]
