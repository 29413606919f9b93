"""The twenty-sixth round of findings, area q (knowledge/evidence_findings.yaml): App Configuration data in template
deployments (the ARM authentication mode against disabled access keys, ARM private access of a private-only store)
and customer-managed key and geo-replication requirements (a vault without purge protection, a Free tier store).
Each fires on recorded-like reads with the symptom it explains and stays silent for its near miss; two older findings
no longer claim these symptoms, and get_resource keeps the store's ARM data-plane proxy settings."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, extracted, finding_id, reads_state

UNRELATED = "The nightly export job writes an empty CSV since Monday."
STORE = {"type": "Microsoft.AppConfiguration/configurationStores", "name": "appcs-shop", "sku": "standard",
         "disableLocalAuth": True, "publicNetworkAccess": "Enabled",
         "dataPlaneProxy": {"authenticationMode": "Local", "privateLinkDelegation": "Disabled"}}
PRIVATE_STORE = {**STORE, "disableLocalAuth": False, "publicNetworkAccess": "Disabled",
                 "dataPlaneProxy": {"authenticationMode": "Pass-through", "privateLinkDelegation": "Disabled"}}
FREE_STORE = {**STORE, "sku": "free", "disableLocalAuth": False}
VAULT = {"type": "Microsoft.KeyVault/vaults", "name": "kv-shop-cmk", "enableSoftDelete": True,
         "enablePurgeProtection": None, "enableRbacAuthorization": False}

BICEP_403 = ("Our Bicep deployment of Microsoft.AppConfiguration/configurationStores/keyValues resources fails with "
             "The request is forbidden. (Code: Forbidden) since access keys were turned off on the store.")
ARM_PRIVATE = ("The ARM template deployment that seeds the key-values of our App Configuration store fails with "
               "Forbidden: access to the configuration store is denied from a public network.")
CMK = ("az appconfig update --encryption-key-name appcs-cmk --encryption-key-vault https://kv-shop-cmk.vault.azure.net "
       "fails: our App Configuration store cannot enable the customer-managed key.")
CMK_FREE = ("Enabling a customer-managed key on our App Configuration store fails with BadRequest; the Encryption "
            "blade is greyed out.")

REPLICA_FREE = "az appconfig replica create --store-name appcs-shop --location northeurope fails with BadRequest."

CASES = [
    Case("app-configuration-arm-local-mode-access-keys-disabled", "auth.credential_invalid", "authenticationMode",
         [STORE], BICEP_403, near_reads=[{**STORE, "dataPlaneProxy": {"authenticationMode": "Pass-through"}}]),
    Case("app-configuration-private-store-arm-private-access-off", "network.nsg_blocked", "privateLinkDelegation",
         [PRIVATE_STORE], ARM_PRIVATE,
         near_reads=[{**PRIVATE_STORE, "dataPlaneProxy": {"authenticationMode": "Pass-through",
                                                          "privateLinkDelegation": "Enabled"}}]),
    Case("app-configuration-cmk-vault-without-purge-protection", "deployment.template_invalid", "enablePurgeProtection",
         [VAULT], CMK, near_reads=[{**VAULT, "enablePurgeProtection": True}]),
    Case("app-configuration-free-tier-feature", "quota.sku_not_available", "free", [FREE_STORE], CMK_FREE,
         near_reads=[{**FREE_STORE, "sku": "standard"}]),
    Case("app-configuration-free-tier-feature", "quota.sku_not_available", "free", [FREE_STORE], REPLICA_FREE,
         near_reads=[{**FREE_STORE, "sku": "standard"}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_local_mode_with_access_keys_allowed_is_not_the_cause() -> None:
    state = reads_state(BICEP_403, [{**STORE, "disableLocalAuth": False}])
    assert finding_id(state) != "app-configuration-arm-local-mode-access-keys-disabled"


def test_a_public_store_is_not_blocked_by_its_arm_private_access() -> None:
    state = reads_state(ARM_PRIVATE, [{**PRIVATE_STORE, "publicNetworkAccess": "Enabled"}])
    assert finding_id(state) != "app-configuration-private-store-arm-private-access-off"


def test_an_app_reading_with_a_connection_string_still_gets_the_access_key_finding() -> None:
    report = "Our app's connection string to App Configuration is refused with 401 Unauthorized since Monday."
    assert finding_id(reads_state(report, [STORE])) == "app-configuration-access-keys-disabled"


def test_an_app_outside_the_private_endpoint_still_gets_the_public_access_finding() -> None:
    report = "Loading App Configuration from my laptop fails with 403 Forbidden."
    assert finding_id(reads_state(report, [PRIVATE_STORE])) == "service-public-network-access-disabled"


def test_naming_purge_protection_is_not_a_failed_purge() -> None:
    vault = {**VAULT, "enablePurgeProtection": True}
    named = "The vault has soft delete and purge protection on, but enabling the encryption key fails."
    assert finding_id(reads_state(named, [vault])) != "keyvault-purge-protection-blocks-purge"
    purge = "az keyvault secret purge fails: Operation 'DeletedSecretPurge' is not allowed."
    assert finding_id(reads_state(purge, [vault])) == "keyvault-purge-protection-blocks-purge"


def test_get_resource_keeps_the_store_arm_data_plane_proxy_settings() -> None:
    body = {"properties": {"disableLocalAuth": True, "dataPlaneProxy": {"authenticationMode": "Local",
                                                                        "privateLinkDelegation": "Disabled"}}}
    kept = extracted("Microsoft.AppConfiguration", "configurationStores", body)
    assert kept["dataPlaneProxy"] == {"authenticationMode": "Local", "privateLinkDelegation": "Disabled"}
