"""The twenty-sixth round of findings, part e (knowledge/evidence_findings.yaml and catalog/integration.yaml):
API Management refused by Key Vault because the service has no managed identity or the vault's firewall lets no
trusted service through, an Event Grid topic whose subscription delivers with an identity the topic no longer has,
and Data Factory connector errors (an ADLS Gen2 sink timing out, a Dynamics service URI naming no organization, a
Dynamics Office365 sign-in that needs user interaction), and API Management gateways that never ask callers for
their client certificate (Request client certificate off in the Consumption tier, Negotiate client certificate off on
every host name). Each finding fires on recorded-like reads with the symptom
it explains and stays silent for its near miss; the fields it needs are kept by get_resource."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import check_case_fires, check_case_stays_silent, extracted

UNRELATED = "The nightly export job writes an empty CSV since Monday."
HOSTNAMES = ("Failed to update API Management service hostnames. Request to resource "
             "'https://kv-edge.vault.azure.net/secrets/api-cert/?api-version=7.0' failed with StatusCode: Forbidden.")

APIM = {"type": "Microsoft.ApiManagement/service", "name": "apim-edge", "sku": {"name": "Standard", "capacity": 1},
        "virtualNetworkType": "None", "identity": {"type": "None"}}
APIM_WITH_IDENTITY = {**APIM, "identity": {"type": "SystemAssigned", "principalId": "p-apim"}}
VAULT = {"type": "Microsoft.KeyVault/vaults", "name": "kv-edge", "enableRbacAuthorization": False,
         "accessPolicies": [{"objectId": "p-apim", "permissions": {"secrets": ["Get", "List"]}}],
         "networkAcls": {"defaultAction": "Deny", "bypass": "None", "ipRules": ["198.51.100.0/24"]}}
TOPIC = {"type": "Microsoft.EventGrid/topics", "name": "egt-orders", "identity": {"type": "None"},
         "inputSchema": "EventGridSchema"}
SUBSCRIPTIONS = {"type": "Microsoft.EventGrid/topics/eventSubscriptions", "name": None,
                 "subscriptions": [{"name": "to-sb-orders", "provisioningState": "Succeeded"}],
                 "deliveryIdentities": ["SystemAssigned"]}

CASES = [
    Case("apim-keyvault-identity-not-enabled", "auth.managed_identity_missing", "no managed identity", [APIM],
         HOSTNAMES, near_reads=[APIM_WITH_IDENTITY]),
    Case("apim-keyvault-firewall-without-trusted-bypass", "network.nsg_blocked", "bypass",
         [VAULT, APIM_WITH_IDENTITY], HOSTNAMES,
         near_reads=[{**VAULT, "networkAcls": {**VAULT["networkAcls"], "bypass": "AzureServices"}},
                     APIM_WITH_IDENTITY]),
    Case("event-grid-delivery-identity-not-enabled", "auth.managed_identity_missing", "deliveryWithResourceIdentity",
         [TOPIC, SUBSCRIPTIONS],
         "Publishing to egt-orders works but Delivery Failed Events rise and nothing arrives in the queue.",
         near_reads=[{**TOPIC, "identity": {"type": "SystemAssigned", "principalId": "p-topic"}}, SUBSCRIPTIONS]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_a_round_26_e_finding_explains_its_symptom(case: Case) -> None:
    check_case_fires(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_a_round_26_e_finding_stays_silent_for_its_near_miss(case: Case) -> None:
    check_case_stays_silent(case, UNRELATED)


def test_the_vault_firewall_finding_needs_an_api_management_service_read() -> None:
    alone = Case("apim-keyvault-firewall-without-trusted-bypass", "network.nsg_blocked", "bypass", [VAULT], HOSTNAMES)
    with pytest.raises(AssertionError):
        check_case_fires(alone)


def test_the_delivery_identity_finding_needs_a_subscription_that_delivers_with_it() -> None:
    plain = {**SUBSCRIPTIONS, "deliveryIdentities": []}
    case = Case("event-grid-delivery-identity-not-enabled", "auth.managed_identity_missing", "identity",
                [TOPIC, plain], "Delivery Failed Events rise and nothing arrives in the queue.")
    with pytest.raises(AssertionError):
        check_case_fires(case)


def test_get_resource_keeps_the_subscriptions_delivery_identities() -> None:
    body = {"value": [
        {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.EventGrid/topics/t/providers/"
               "Microsoft.EventGrid/eventSubscriptions/to-sb", "name": "to-sb",
         "properties": {"provisioningState": "Succeeded",
                        "deliveryWithResourceIdentity": {"identity": {"type": "SystemAssigned"},
                                                         "destination": {"endpointType": "ServiceBusQueue"}}}},
        {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.EventGrid/topics/t/providers/"
               "Microsoft.EventGrid/eventSubscriptions/to-fn", "name": "to-fn",
         "properties": {"provisioningState": "Succeeded", "destination": {"endpointType": "AzureFunction"}}}]}
    kept = extracted("Microsoft.EventGrid", "topics/eventSubscriptions", body)
    assert kept["deliveryIdentities"] == ["SystemAssigned"]
    assert extracted("Microsoft.EventGrid", "systemTopics/eventSubscriptions", body)["deliveryIdentities"] == [
        "SystemAssigned"]


@pytest.mark.parametrize(("text", "entry_id"), [
    ("ErrorCode=UserErrorFailedBlobFSOperation,'Type=Microsoft.DataTransfer.Common.Shared.HybridDeliveryException,"
     "Message=BlobFS operation failed for: A task was canceled.,Source=Microsoft.DataTransfer.ClientLibrary'",
     "integration-adf-blobfs-task-canceled"),
    ("ErrorCode=DynamicsFailedToConnect,Message=Failed to connect to Dynamics: Unable to Login to Dynamics CRM, "
     "message:No Organizations Found.", "integration-adf-dynamics-no-organizations-found"),
    ("Failed to connect to Dynamics: Unable to Login to Dynamics CRM, message:ERROR REQUESTING Token FROM THE "
     "Authentication context - USER intervention required but not permitted by prompt behavior",
     "integration-adf-dynamics-office365-auth-interaction-required"),
])
def test_a_round_26_e_catalog_entry_names_its_error(text: str, entry_id: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry_id


@pytest.mark.parametrize("text", [
    "ErrorCode=UserErrorFailedBlobFSOperation,Message=BlobFS operation failed for: Operation returned 'Forbidden'.",
    "Failed to connect to Dynamics: Unable to retrieve authentication parameters from the serviceUri.",
])
def test_a_round_26_e_catalog_entry_stays_out_of_other_errors(text: str) -> None:
    ids = {hit.entry.id for hit in catalog_index().hits([(text, "error")])}
    assert not ids & {"integration-adf-blobfs-task-canceled", "integration-adf-dynamics-no-organizations-found",
                      "integration-adf-dynamics-office365-auth-interaction-required"}


CONSUMPTION = {"type": "Microsoft.ApiManagement/service", "name": "apim-partner", "sku": {"name": "Consumption",
                                                                                          "capacity": 0},
               "enableClientCertificate": False,
               "hostnameConfigurations": [{"hostName": "apim-partner.azure-api.net", "type": "Proxy",
                                           "negotiateClientCertificate": False}]}
STANDARD = {**CONSUMPTION, "sku": {"name": "Standard", "capacity": 1}, "enableClientCertificate": None,
            "hostnameConfigurations": [{"hostName": "apim-partner.azure-api.net", "type": "Proxy",
                                        "negotiateClientCertificate": False},
                                       {"hostName": "api.fabrikam.com", "type": "Proxy",
                                        "negotiateClientCertificate": False}]}
NULL_CERTIFICATE = ("Every partner call gets 403 Invalid client certificate; the trace shows "
                    "context.Request.Certificate null.")

CERTIFICATE_CASES = [
    Case("apim-consumption-client-certificate-not-requested", "config.missing_app_setting", "enableClientCertificate",
         [CONSUMPTION], NULL_CERTIFICATE, near_reads=[{**CONSUMPTION, "enableClientCertificate": True}]),
    Case("apim-negotiate-client-certificate-off", "config.missing_app_setting", "negotiateClientCertificate",
         [STANDARD], "Large POSTs hang and end in 403 while the client certificate check passes small ones; "
                     "context.Request.Certificate is null for them.",
         near_reads=[{**STANDARD, "hostnameConfigurations": [
             {**STANDARD["hostnameConfigurations"][1], "negotiateClientCertificate": True}]}]),
]


@pytest.mark.parametrize("case", CERTIFICATE_CASES, ids=lambda c: c.rule_id)
def test_a_round_26_e_certificate_finding_explains_its_symptom(case: Case) -> None:
    check_case_fires(case)


@pytest.mark.parametrize("case", CERTIFICATE_CASES, ids=lambda c: c.rule_id)
def test_a_round_26_e_certificate_finding_stays_silent_for_its_near_miss(case: Case) -> None:
    check_case_stays_silent(case, UNRELATED)


def test_the_consumption_setting_is_not_read_on_other_tiers() -> None:
    standard = Case("apim-consumption-client-certificate-not-requested", "config.missing_app_setting",
                    "enableClientCertificate", [{**CONSUMPTION, "sku": {"name": "Premium", "capacity": 1}}],
                    NULL_CERTIFICATE)
    with pytest.raises(AssertionError):
        check_case_fires(standard)


def test_get_resource_keeps_the_api_management_client_certificate_settings() -> None:
    body = {"sku": {"name": "Consumption", "capacity": 0},
            "properties": {"enableClientCertificate": False, "gatewayUrl": "https://apim-partner.azure-api.net",
                           "hostnameConfigurations": [{"type": "Proxy", "hostName": "apim-partner.azure-api.net",
                                                       "negotiateClientCertificate": False,
                                                       "certificateSource": "BuiltIn"}]}}
    kept = extracted("Microsoft.ApiManagement", "service", body)
    assert kept["enableClientCertificate"] is False
    assert kept["hostnameConfigurations"] == [{"hostName": "apim-partner.azure-api.net", "type": "Proxy",
                                               "negotiateClientCertificate": False, "certificateSource": "BuiltIn"}]
