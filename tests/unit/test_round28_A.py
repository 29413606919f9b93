"""Round 28, audit A (Azure Functions and App Service troubleshooting pages): the causes
functions-recover-storage-account.md gives for "Azure Functions runtime is unreachable" told next to the banner
(regenerated storage keys, storage settings gone, inbound access blocked, the host storage behind a firewall,
a port taken inside the container), the host ID collision in words, a Key Vault reference denied by the vault's
network rules, identity-based host storage without Storage Blob Data Owner, and "after about four minutes" as the
front end's cut. Each with a near miss that must stay silent."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers import request_duration
from shared.session.state import Conclude
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine

BANNER = 'The portal says "Azure Functions runtime is unreachable" for func-orders. '


def _top(text: str) -> str | None:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else None


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


@pytest.mark.parametrize(("text", "entry_id"), [
    (BANNER + "Last night the runbook regenerated key1 and key2 of the storage account stordersfunc; "
     "AzureWebJobsStorage still has the old connection string.",
     "functions-runtime-unreachable-host-storage-key-regenerated"),
    (BANNER + "After the slot swap AzureWebJobsStorage and WEBSITE_CONTENTSHARE are no longer there in production.",
     "functions-runtime-unreachable-host-storage-settings-removed"),
    (BANNER + "Functions still run. We added access restrictions so only Front Door may call the app.",
     "functions-runtime-unreachable-inbound-access-blocked"),
    (BANNER + "The storage account in AzureWebJobsStorage now allows selected networks only.",
     "functions-runtime-unreachable-host-storage-firewall"),
    ("Function app custom container: nginx also runs in the container. "
     "Failed to bind to address http://[::]:80: address already in use.", "functions-container-port-conflict"),
    ("[Error] Host ID collision detected for host id 'func-inventory-reconciliation-e'.",
     "functions-azfd0004-host-id-collision"),
])
def test_the_runtime_unreachable_causes_are_named(text: str, entry_id: str) -> None:
    assert entry_id in _ids(text), _ids(text)[:4]


@pytest.mark.parametrize(("text", "entry_id"), [
    # the keys were rotated and the settings were updated with the new key: not the stale key
    (BANNER + "We rotated the storage keys and updated AzureWebJobsStorage with the new key right away.",
     "functions-runtime-unreachable-host-storage-key-regenerated"),
    # a Key Vault reference rotation is another story (pinned versions, references)
    (BANNER + "We rotated the storage key in Key Vault; AzureWebJobsStorage is a Key Vault reference.",
     "functions-runtime-unreachable-host-storage-key-regenerated"),
    # the settings are named but present
    (BANNER + "AzureWebJobsStorage and WEBSITE_CONTENTSHARE are set and look right.",
     "functions-runtime-unreachable-host-storage-settings-removed"),
    # the storage firewall, not the app's inbound rules
    (BANNER + "The storage account has a firewall with selected networks; we also use access restrictions.",
     "functions-runtime-unreachable-inbound-access-blocked"),
    # storage over private endpoints is a private path question, not the public firewall
    (BANNER + "The storage account in AzureWebJobsStorage has public network access disabled and private endpoints.",
     "functions-runtime-unreachable-host-storage-firewall"),
    # a web app (no Functions host) with a port taken is the code's own binding
    ("Node web app on App Service: Error: listen EADDRINUSE: address already in use :::8080",
     "functions-container-port-conflict"),
])
def test_near_misses_stay_silent(text: str, entry_id: str) -> None:
    assert entry_id not in _ids(text)


def test_a_key_vault_reference_denied_after_the_vault_firewall_change_is_the_network() -> None:
    text = ("All Key Vault references of app-orders-api show AccessToKeyVaultDenied since we set kv-orders-prod to "
            "selected networks; the identity has Key Vault Secrets User.")
    assert _top(text) == "appservice-keyvault-reference-denied-by-vault-firewall"
    no_role = ("Key Vault references show AccessToKeyVaultDenied; kv-orders-prod uses selected networks and the "
               "identity has no role on the vault.")
    assert "appservice-keyvault-reference-denied-by-vault-firewall" not in _ids(no_role)


def test_identity_based_host_storage_names_storage_blob_data_owner() -> None:
    final = run_engine({"error_description": (
        "AzureWebJobsStorage__accountName = stordersfunc02, identity has Storage Account Contributor. Host fails:\n"
        "Status: 403 (This request is not authorized to perform this operation using this permission.)\n"
        "ErrorCode: AuthorizationPermissionMismatch on container azure-webjobs-hosts")}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
    assert "Storage Blob Data Owner" in final.report.root_cause
    other = run_engine({"error_description": (
        "Uploading to container invoices fails:\nStatus: 403 (This request is not authorized to perform this "
        "operation using this permission.)\nErrorCode: AuthorizationPermissionMismatch")}).final
    assert isinstance(other, Conclude) and "Storage Blob Data Owner" not in other.report.root_cause


@pytest.mark.parametrize(("said", "expected"), [
    ("Users get 502 Bad Gateway after almost exactly 4 minutes.", 240.0),
    ("It returns 504 after about four minutes.", 240.0),
    ("It takes 4 minutes and 30 seconds, then 502.", None),
    ("The job took 14 minutes and then failed with 500.", None),
    ("We set a limit of 4 minutes on the client.", None),
])
def test_about_four_minutes_is_the_front_end_window(said: str, expected: float | None) -> None:
    shown = request_duration._duration(said)
    assert (shown[0] if shown else None) == expected


def test_an_unclosed_key_vault_reference_is_its_syntax() -> None:
    unclosed = ("SqlConn = @Microsoft.KeyVault(SecretUri=https://kv-inv.vault.azure.net/secrets/sql-conn/\n"
                "The app gets the literal text; the setting shows no Key Vault reference status.")
    assert _top(unclosed) == "appservice-keyvault-reference-unclosed-syntax"
    assert "appservice-keyvault-reference-unresolved-literal" not in _ids(unclosed)
    closed = unclosed.replace("sql-conn/\n", "sql-conn/)\n")
    assert "appservice-keyvault-reference-unclosed-syntax" not in _ids(closed)
    assert "appservice-keyvault-reference-unresolved-literal" in _ids(closed)


def test_app_service_5xx_with_memory_at_the_limit_is_out_of_memory() -> None:
    report = ("Our App Service web app returns 503 Service Unavailable most afternoons; the worker process requested a "
              "recycle because it reached its private bytes memory limit.")
    assert concludes(report, "runtime.out_of_memory")
    # memory named without being at any limit is no verdict
    assert not concludes("Our App Service web app returns 503 Service Unavailable; memory working set is about 40%.",
                         "runtime.out_of_memory")


def test_a_storage_account_open_to_all_networks_is_not_the_firewall() -> None:
    text = (BANNER + "Terraform moved the host storage to a new account. The new account's firewall is open to all "
            "networks and shared keys are enabled, we checked.")
    assert "functions-runtime-unreachable-host-storage-firewall" not in _ids(text)
