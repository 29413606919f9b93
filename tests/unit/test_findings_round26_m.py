"""The twenty-sixth round of findings, area m (knowledge/evidence_findings.yaml, '# round 26 m'): messaging pages no
knowledge cited yet. An IoT hub on the basic tier has no cloud-to-device features, a hub whose fallback route is off
drops unrouted messages, a hub whose routes name no 'events' endpoint starves the built-in endpoint, a Standard
Service Bus namespace takes no virtual network rules, and a Standard Event Hubs namespace cannot add partitions. Each
fires on recorded-like reads with the symptom it explains and stays silent for its near miss; the IoT hub read keeps
the fields they need. A hub with no storage container for file upload, or with file upload notifications
off, explains failing uploads and a silent notification receiver."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    extracted,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."

ARCHIVE_ROUTE = {"name": "archive-all", "source": "DeviceMessages", "endpointNames": ["turbine-archive"],
                 "isEnabled": True}
BUILTIN_ROUTE = {"name": "to-builtin", "source": "DeviceMessages", "endpointNames": ["events"], "isEnabled": True}
BASIC_HUB = {"type": "Microsoft.Devices/IotHubs", "name": "iot-fleet", "state": "Active", "sku": "B1",
             "routes": [], "fallbackRouteEnabled": True}
STANDARD_HUB = {**BASIC_HUB, "sku": "S1"}
ROUTED_HUB = {**STANDARD_HUB, "routes": [ARCHIVE_ROUTE]}
NO_FALLBACK_HUB = {**STANDARD_HUB, "routes": [ARCHIVE_ROUTE], "fallbackRouteEnabled": False}
UPLOAD_HUB = {**STANDARD_HUB, "fileUploadContainer": "", "fileUploadSasTtl": "PT1H",
              "enableFileUploadNotifications": False}
SB_STANDARD = {"type": "Microsoft.ServiceBus/namespaces", "name": "sb-claims", "sku": "Standard", "status": "Active"}
EH_STANDARD = {"type": "Microsoft.EventHub/namespaces", "name": "evhns-clicks", "sku": {"name": "Standard",
                                                                                      "capacity": 4}}

DIRECT_METHOD = ("InvokeDeviceMethodAsync for the 'reboot' direct method fails with an IotHubException; telemetry "
                 "from the device arrives fine.")
BUILTIN_SILENT = ("Since yesterday the Stream Analytics job reading the hub's built-in endpoint gets zero events; "
                  "the archive container fills up.")
DROPPED = ("Our Event Hub trigger on the built-in endpoint has received nothing since Monday; Routing Deliveries shows "
           "the messages as dropped.")
VNET_RULE = ("Our Bicep adds networkRuleSets with a virtualNetworkRules entry for the function subnet and it fails "
             "with 400 BadRequest.")
UPLOAD_FAILS = ("GetFileUploadSasUriAsync fails with IotHubException: BadRequest on the new hub; telemetry works.")
NO_NOTIFICATIONS = ("Uploads land in the container, but GetFileNotificationReceiver never receives a notification; "
                    "ReceiveAsync returns null.")
PARTITIONS = ("az eventhubs eventhub update --name clicks --partition-count 16 fails with BadRequest and the count "
              "stays 4.")

CASES = [
    Case("iothub-basic-tier-no-cloud-to-device-features", "quota.sku_not_available", "B1", [BASIC_HUB],
         DIRECT_METHOD, near_reads=[STANDARD_HUB]),
    Case("iothub-fallback-route-disabled", "config.wrong_resource_name", "fallback", [NO_FALLBACK_HUB], DROPPED,
         near_reads=[{**NO_FALLBACK_HUB, "fallbackRouteEnabled": True, "routes": [ARCHIVE_ROUTE, BUILTIN_ROUTE]}]),
    Case("iothub-route-bypasses-built-in-endpoint", "config.wrong_resource_name", "'events'", [ROUTED_HUB],
         BUILTIN_SILENT, near_reads=[{**ROUTED_HUB, "routes": [ARCHIVE_ROUTE, BUILTIN_ROUTE]}]),
    Case("iothub-file-upload-storage-not-associated", "config.missing_app_setting", "containerName", [UPLOAD_HUB],
         UPLOAD_FAILS, near_reads=[{**UPLOAD_HUB, "fileUploadContainer": "clips"}]),
    Case("iothub-file-upload-notifications-disabled", "config.missing_app_setting", "enableFileUploadNotifications",
         [{**UPLOAD_HUB, "fileUploadContainer": "clips"}], NO_NOTIFICATIONS,
         near_reads=[{**UPLOAD_HUB, "fileUploadContainer": "clips", "enableFileUploadNotifications": True}]),
    Case("service-bus-virtual-network-rules-need-premium", "quota.sku_not_available", "Premium", [SB_STANDARD],
         VNET_RULE, near_reads=[{**SB_STANDARD, "sku": "Premium"}]),
    Case("event-hubs-partition-count-fixed-below-premium", "quota.sku_not_available", "Standard", [EH_STANDARD],
         PARTITIONS, near_reads=[{**EH_STANDARD, "sku": {"name": "Premium", "capacity": 1}}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_hub_without_routes_is_not_blamed_for_a_silent_built_in_endpoint() -> None:
    assert finding_id(reads_state(BUILTIN_SILENT, [STANDARD_HUB])) != "iothub-route-bypasses-built-in-endpoint"


def test_basic_tier_telemetry_alone_is_no_cloud_to_device_failure() -> None:
    report = "Device-to-cloud telemetry is delayed by several minutes at peak hours."
    assert finding_id(reads_state(report, [BASIC_HUB])) != "iothub-basic-tier-no-cloud-to-device-features"


def test_an_ip_firewall_question_on_standard_is_not_a_virtual_network_rule() -> None:
    report = "Clients from 203.0.113.9 get 401 since we added an IP firewall rule to the namespace."
    assert finding_id(reads_state(report, [SB_STANDARD])) != "service-bus-virtual-network-rules-need-premium"


def test_a_hub_read_without_its_storage_endpoint_shows_no_missing_container() -> None:
    assert finding_id(reads_state(UPLOAD_FAILS, [STANDARD_HUB])) != "iothub-file-upload-storage-not-associated"


def test_the_iot_hub_read_keeps_its_file_upload_settings() -> None:
    body = {"properties": {"storageEndpoints": {"$default": {"sasTtlAsIso8601": "PT1H", "connectionString": "",
                                                             "containerName": ""}},
                           "enableFileUploadNotifications": False}}
    kept = extracted("Microsoft.Devices", "IotHubs", body)
    assert kept["fileUploadContainer"] == ""
    assert kept["fileUploadSasTtl"] == "PT1H"
    assert kept["enableFileUploadNotifications"] is False
    assert "connectionString" not in str(kept)


def test_the_iot_hub_read_keeps_its_tier_routes_and_fallback_route() -> None:
    body = {"sku": {"name": "B2", "tier": "Basic", "capacity": 1},
            "properties": {"routing": {"routes": [{"name": "archive-all", "source": "DeviceMessages",
                                                   "condition": "true", "endpointNames": ["turbine-archive"],
                                                   "isEnabled": True}],
                                       "fallbackRoute": {"name": "$fallback", "endpointNames": ["events"],
                                                         "isEnabled": False}}}}
    kept = extracted("Microsoft.Devices", "IotHubs", body)
    assert kept["sku"] == "B2"
    assert kept["routes"] == [ARCHIVE_ROUTE]
    assert kept["fallbackRouteEnabled"] is False


def test_an_unhealthy_custom_endpoint_is_not_read_as_a_disabled_fallback_route() -> None:
    report = "Routing to our storage endpoint stopped: EndpointUnhealthy with error 403004, the container is full."
    assert finding_id(reads_state(report, [NO_FALLBACK_HUB])) != "iothub-fallback-route-disabled"
