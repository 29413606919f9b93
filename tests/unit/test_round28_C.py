"""Round 28, audit C (Microsoft Learn troubleshooting pages for networking, Container Apps, ACR, AKS and ARM): symptoms
told in words that decide when the report states the deciding fact (ingress IP restrictions, a probe on a port nothing
listens on, a private endpoint awaiting approval or behind an NSG, only the default NSG rules, a registry limited to
selected networks, an integration subnet out of addresses or denying outbound, custom DNS not picked up, an internal
ingress called from outside, a privatelink host in a connection string), a service principal's refused secret at the
registry, and Key Vault's ForbiddenByConnection as the cause behind a reference's AccessToKeyVaultDenied. Each with a
near miss that must stay silent."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.catalog.loader import all_entries
from shared.engines.clues import clue_in
from tests.helpers.clue_checks import concludes


def _clue_id(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


ACA_403 = ("Calls to https://ca-gw.kindmoss-12ab34cd.westeurope.azurecontainerapps.io/api return 403 Forbidden for our "
           "partner since we added ingress IP security restrictions allowing only our office range.")


def test_a_container_app_403_behind_ingress_ip_restrictions_is_the_restriction() -> None:
    assert _clue_id(ACA_403) == "container-app-403-outside-ingress-ip-restrictions"
    assert concludes(ACA_403, "network.nsg_blocked")


def test_a_container_app_403_without_restrictions_is_not_that_clue() -> None:
    said = ("Calls to https://ca-gw.kindmoss-12ab34cd.westeurope.azurecontainerapps.io/api return 403 Forbidden from "
            "the downstream storage call.")
    assert _clue_id(said) != "container-app-403-outside-ingress-ip-restrictions"


PROBE = ("The new container app revision stays Degraded. System log: Probe of Readiness failed with status code: "
         "connection refused. Console: Now listening on: http://[::]:8080; the readiness probe uses port 80.")


def test_a_refused_probe_while_the_app_listens_elsewhere_is_the_probe() -> None:
    assert _clue_id(PROBE) == "container-app-probe-refused-replica-never-ready"
    assert concludes(PROBE, "config.invalid_connection_string")


def test_a_probe_failing_on_a_500_is_not_a_refused_port() -> None:
    said = ("The new container app revision stays Degraded. Probe of Readiness failed with status code: 500. "
            "Console: Now listening on: http://[::]:8080.")
    assert _clue_id(said) != "container-app-probe-refused-replica-never-ready"


def test_a_private_endpoint_connection_pending_approval_decides() -> None:
    said = ("The function app still times out on the blob endpoint; the private endpoint we created to the other "
            "team's storage account shows Connection status: Pending, awaiting approval.")
    assert _clue_id(said) == "private-endpoint-connection-awaiting-approval"
    assert concludes(said, "network.private_endpoint_dns")


def test_an_approved_private_endpoint_is_not_pending() -> None:
    said = "The private endpoint to the storage account shows Connection status: Approved, yet the app times out."
    assert _clue_id(said) != "private-endpoint-connection-awaiting-approval"


PE_NSG = ("The app can't connect to Azure SQL through its private endpoint: Connection Timeout Expired. nslookup gives "
          "10.40.2.4 (the private endpoint), so DNS is fine. Network policies are enabled on the private endpoint "
          "subnet with an NSG: 100 Allow 443 from VirtualNetwork, 4096 DenyAll inbound.")


def test_an_nsg_on_the_private_endpoint_subnet_with_dns_fine_is_the_nsg() -> None:
    assert _clue_id(PE_NSG) == "private-endpoint-subnet-nsg-denies-service-port"
    assert concludes(PE_NSG, "network.nsg_blocked")


def test_a_private_endpoint_resolving_publicly_is_not_the_nsg_clue() -> None:
    said = ("The app can't connect to Azure SQL through its private endpoint: Connection Timeout Expired. nslookup "
            "returns 20.61.99.1. An NSG with DenyAll inbound is on the subnet.")
    assert _clue_id(said) != "private-endpoint-subnet-nsg-denies-service-port"


def test_only_the_default_nsg_rules_drop_rdp() -> None:
    said = ("RDP to the VM times out. Effective security rules on the NIC show only the default rules: "
            "AllowVnetInBound, AllowAzureLoadBalancerInBound, DenyAllInBound.")
    assert _clue_id(said) == "nsg-only-default-rules-inbound-denied"
    assert concludes(said, "network.nsg_blocked")


def test_an_nsg_mentioned_without_its_rules_is_not_the_default_deny() -> None:
    said = "RDP to the VM times out. There is an NSG on the subnet."
    assert _clue_id(said) != "nsg-only-default-rules-inbound-denied"


def test_a_registry_403_after_selected_networks_is_the_registry_firewall() -> None:
    said = ('Failed to pull image "crfin.azurecr.io/ledger:1.0": failed to fetch oauth token: unexpected status: '
            '403 Forbidden. The registry team set Public network access: Selected networks yesterday.')
    assert _clue_id(said) == "acr-pull-403-registry-selected-networks"
    assert concludes(said, "network.nsg_blocked")


def test_a_registry_401_is_not_the_selected_networks_clue() -> None:
    said = 'Failed to pull image "crfin.azurecr.io/ledger:1.0": unexpected status: 401 Unauthorized.'
    assert _clue_id(said) != "acr-pull-403-registry-selected-networks"


def test_an_integration_subnet_out_of_addresses_is_a_quota() -> None:
    said = ("Scale out of our VNet integrated plan fails: Subnet 'snet-int' doesn't have enough free IP addresses. "
            "It is a /28.")
    assert _clue_id(said) == "app-service-integration-subnet-out-of-addresses"
    assert concludes(said, "quota.exceeded")


def test_a_scale_out_that_fails_for_another_reason_is_not_the_subnet() -> None:
    said = "Scale out of our VNet integrated plan fails: the subnet is delegated to Microsoft.Web/serverFarms."
    assert _clue_id(said) != "app-service-integration-subnet-out-of-addresses"


def test_custom_dns_servers_not_used_by_an_integrated_app_is_dns() -> None:
    said = ("Our web app is VNet integrated. nameresolver api.corp.local gives Server: 168.63.129.16, "
            "*** Can't find api.corp.local: Non-existent domain. We set custom DNS servers on the VNet last week.")
    assert _clue_id(said) == "app-service-vnet-dns-changed-not-restarted"
    assert concludes(said, "network.dns_resolution")


def test_an_integrated_app_resolving_through_its_own_dns_is_not_that_clue() -> None:
    said = ("Our web app is VNet integrated. nameresolver api.corp.local gives Server: 10.1.0.4, "
            "*** Can't find api.corp.local: Non-existent domain.")
    assert _clue_id(said) != "app-service-vnet-dns-changed-not-restarted"


def test_an_internal_ingress_called_from_the_internet_is_the_ingress() -> None:
    said = ("Calling https://api.internal.bluesky-9f3e21.northeurope.azurecontainerapps.io from a laptop returns 404. "
            "Ingress shows Ingress traffic: Limited to Container Apps Environment.")
    assert _clue_id(said) == "container-app-internal-ingress-called-from-outside"
    assert concludes(said, "network.nsg_blocked")


def test_an_internal_ingress_called_from_its_own_environment_is_not_that_clue() -> None:
    said = ("The frontend app in the same environment gets 404 from api; its ingress is Limited to Container Apps "
            "Environment.")
    assert _clue_id(said) != "container-app-internal-ingress-called-from-outside"


def test_a_privatelink_host_in_the_connection_string_fails_tls() -> None:
    said = ("BlobEndpoint=https://stord.privatelink.blob.core.windows.net/ now fails: The remote certificate is "
            "invalid according to the validation procedure: RemoteCertificateNameMismatch")
    assert _clue_id(said) == "private-endpoint-privatelink-host-in-connection-string"
    assert concludes(said, "config.invalid_connection_string")


def test_a_certificate_error_on_the_normal_host_is_not_the_privatelink_clue() -> None:
    said = ("BlobEndpoint=https://stord.blob.core.windows.net/ fails: The remote certificate is invalid according "
            "to the validation procedure: RemoteCertificateNameMismatch")
    assert _clue_id(said) != "private-endpoint-privatelink-host-in-connection-string"


def test_an_integration_subnet_nsg_denying_outbound_is_the_nsg() -> None:
    said = ("Our web app is integrated with snet-int. tcpping 10.5.2.10:8080: Connection attempt failed: Connection "
            "timed out. The NSG on snet-int has an outbound rule Deny-All-Outbound with no allow above it.")
    assert _clue_id(said) == "vnet-integration-subnet-nsg-denies-outbound"
    assert concludes(said, "network.nsg_blocked")


def test_an_integration_subnet_nsg_allowing_outbound_is_not_that_clue() -> None:
    said = ("Our web app is integrated with snet-int. tcpping 10.5.2.10:8080 timed out. The NSG on snet-int allows "
            "all outbound traffic.")
    assert _clue_id(said) != "vnet-integration-subnet-nsg-denies-outbound"


def _matched_ids(text: str) -> set[str]:
    return {m.entry.id for m in catalog_index().scan(text, "error") if not m.negated}


def test_a_registry_refusing_a_service_principal_secret_is_a_credential() -> None:
    said = ('Error response from daemon: Get "https://crb.azurecr.io/v2/": unauthorized: Invalid clientid or '
            'client secret.')
    assert "containers-acr-login-invalid-client-secret" in _matched_ids(said)
    assert concludes(said, "auth.credential_invalid")


def test_a_registry_unauthorized_without_the_secret_words_is_not_that_entry() -> None:
    said = 'Error response from daemon: Get "https://crb.azurecr.io/v2/": unauthorized: authentication required'
    assert "containers-acr-login-invalid-client-secret" not in _matched_ids(said)


def test_forbidden_by_connection_explains_a_references_access_denied() -> None:
    entry = next(e for e in all_entries() if e.id == "keyvault-forbidden-by-connection")
    assert "auth.keyvault_access_denied" in entry.explains
    said = ("Key Vault references show AccessToKeyVaultDenied. The function logs: Public network access is disabled "
            "and request is not from a trusted service nor via an approved private link. Status: 403 (Forbidden) "
            "ErrorCode: ForbiddenByConnection")
    assert not concludes(said, "auth.keyvault_access_denied")


def test_access_to_key_vault_denied_alone_stays_an_access_problem() -> None:
    said = "Key Vault references show AccessToKeyVaultDenied for the app's settings since the identity was changed."
    assert not concludes(said, "network.private_endpoint_dns")
