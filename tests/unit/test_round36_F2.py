"""Round 36 F2: failing development cases made to pass by their class. Catalog entries (a Container Apps job's
completion count above its parallelism, private link on a registry tier without it, a Graph user on an unverified
domain, a secret reference naming an identity the app lacks), the subscription's deleted vaults read for a held vault
name, a misnamed registry in a pulled image, and three findings (API Management outside a VNet with a private backend
name, a setting that names a deleted resource whose replacement exists, diagnostic settings that send to another
workspace than the one queried), each with a near miss that stays silent."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from evals.playback import PlaybackServer
from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import load_scenarios, run_engine

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
ROB = {s["id"]: s for s in load_scenarios(SCENARIOS / "rob292")}
DOCS = {s["id"]: s for s in load_scenarios(SCENARIOS / "docs")}
KV_PURGE = {s["id"]: s for s in load_scenarios(SCENARIOS / "docs61")}[
    "docs61-bicep-redeploy-payroll-key-vault-conflict-deleted-vault-has-purge-protection"]
PULL = ROB["rob292-containerapp-cli-revision-image-registry-host-typo-no-such-host"]
APIM = ROB["rob292-apim-gateway-logs-backend-local-name-unresolved-instance-outside-vnet"]
DELETED = ROB["rob292-function-python-host-storage-account-removed-by-cost-cleanup"]
NO_REPLACEMENT = DOCS["docs-az-function-runtime-unreachable-storage-account-deleted"]
DIAGNOSTICS = ROB["rob292-key-vault-azkvauditlogs-empty-in-central-workspace-setting-sends-elsewhere"]


def _report(scenario: dict[str, Any], azure: PlaybackServer, entries: list[dict[str, Any]] | None = None,
            request: dict[str, Any] | None = None) -> Any:
    azure.load(entries if entries is not None else scenario["azure"])
    outcome = run_engine(request or scenario["request"], azure_access=True)
    assert isinstance(outcome.final, Conclude) and not outcome.requests
    return outcome.final.report


def _bodies(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["body"] for e in entries if isinstance(e.get("body"), dict)]


# --- catalog entries ---------------------------------------------------------------------------------------------

def test_a_job_completion_count_above_parallelism_is_its_own_template_error() -> None:
    text = ("ContainerAppJobInvalidTemplate: Invalid job configuration for 'job-a': ReplicaCompletionCount '6' must be "
            "less than or equal to Parallelism '3'.")
    assert best_entry_id(text) == "containers-aca-job-replica-completion-count-above-parallelism"


def test_another_job_template_fault_is_not_read_as_the_completion_count() -> None:
    text = "ContainerAppJobInvalidTemplate: Invalid job configuration for 'job-a': container image is required."
    assert best_entry_id(text) != "containers-aca-job-replica-completion-count-above-parallelism"


def test_registry_private_link_refused_for_its_sku_needs_premium() -> None:
    text = "The private link resource acrshop does not support group id 'registry' for the current SKU."
    assert best_entry_id(text) == "containers-acr-private-link-needs-premium-sku"


def test_a_misspelt_group_id_is_not_the_registry_tier() -> None:
    assert best_entry_id("Call to Microsoft.Network/privateEndpoints failed. Error message: Invalid groupId") \
        != "containers-acr-private-link-needs-premium-sku"


def test_graph_user_principal_name_refused_is_the_unverified_domain() -> None:
    assert best_entry_id("New-MgUser_CreateExpanded: Property userPrincipalName is invalid.") == \
        "entra-graph-user-principal-name-domain-not-verified"


def test_another_invalid_graph_property_is_not_the_domain() -> None:
    assert best_entry_id("New-MgUser_CreateExpanded: Property mailNickname is invalid.") != \
        "entra-graph-user-principal-name-domain-not-verified"


def test_a_secret_reference_naming_an_absent_identity_is_the_identity_not_the_url() -> None:
    text = ("(ContainerAppSecretKeyVaultUrlInvalid) Failed to provision revision for container app 'ca-x'. Error "
            "details: The identity '/subscriptions/0/resourcegroups/rg/providers/Microsoft.ManagedIdentity/"
            "userAssignedIdentities/id-x' for secret 'db' was not found or is not valid.")
    assert best_entry_id(text) == "containers-aca-secret-identity-not-assigned-to-app"


def test_a_malformed_key_vault_url_stays_the_url_entry() -> None:
    text = ("(ContainerAppSecretKeyVaultUrlInvalid) Invalid keyVaultUrl value for container app secret 'db': "
            "https://kv-x.vault.azure.net/")
    assert best_entry_id(text) == "containers-aca-secret-keyvault-url-invalid"


# --- a vault name held by a soft-deleted vault: the deleted vault's record ----------------------------------------

def test_the_deleted_vault_read_names_purge_protection_and_the_purge_date(azure: PlaybackServer) -> None:
    report = _report(KV_PURGE, azure)
    assert report.category == "deployment.name_conflict"
    assert "purge protection on" in report.root_cause and "2027-03-04" in report.root_cause
    assert "'kv-payroll-weu-test'" in report.root_cause
    assert any(c["path"].endswith("/providers/Microsoft.KeyVault/deletedVaults") for c in azure.calls)


def test_a_deleted_vault_without_purge_protection_is_said_to_be_purgeable(azure: PlaybackServer) -> None:
    entries = copy.deepcopy(KV_PURGE["azure"])
    for body in _bodies(entries):
        for item in [body, *(body.get("value") or [])]:
            if isinstance(item, dict) and "purgeProtectionEnabled" in (item.get("properties") or {}):
                item["properties"]["purgeProtectionEnabled"] = False
    request = copy.deepcopy(KV_PURGE["request"])
    request["error_description"] = request["error_description"].replace(
        "I tried az keyvault purge --name kv-payroll-weu-test and that failed as well.", "")
    report = _report(KV_PURGE, azure, entries, request)
    assert "purge protection off" in report.root_cause and "purge protection on" not in report.root_cause


# --- a misnamed registry in an image being pulled ----------------------------------------------------------------

def test_a_misnamed_registry_in_a_pulled_image_is_the_image_pull_failure(azure: PlaybackServer) -> None:
    report = _report(PULL, azure)
    assert report.category == "container.image_pull_failed" and "acrmenuprod" in report.root_cause


def test_a_misnamed_registry_outside_a_pull_stays_a_wrong_name(azure: PlaybackServer) -> None:
    request = copy.deepcopy(PULL["request"])
    request["error_description"] = ("the release job's docker push acrmenuprd.azurecr.io/menu/api:1.14.0 fails: Get "
                                    "\"https://acrmenuprd.azurecr.io/v2/\": dial tcp: lookup acrmenuprd.azurecr.io: no "
                                    "such host")
    azure.load(PULL["azure"])
    outcome = run_engine(request, azure_access=True)
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category != "container.image_pull_failed"


# --- API Management outside any VNet, asked for a private backend name -------------------------------------------

def test_an_instance_outside_a_vnet_cannot_resolve_a_private_backend_name(azure: PlaybackServer) -> None:
    report = _report(APIM, azure)
    assert report.category == "network.dns_resolution"
    assert "not in a virtual network (virtualNetworkType None)" in report.root_cause and "VNet" in report.root_cause


def test_an_instance_in_a_vnet_is_not_told_to_join_one(azure: PlaybackServer) -> None:
    entries = copy.deepcopy(APIM["azure"])
    for body in _bodies(entries):
        if body.get("type") == "Microsoft.ApiManagement/service":
            body["properties"]["virtualNetworkType"] = "External"
    report = _report(APIM, azure, entries)
    assert "not in a virtual network" not in report.root_cause


# --- a setting that names a deleted resource whose replacement exists ---------------------------------------------

def test_a_setting_naming_a_deleted_account_with_a_replacement_is_a_wrong_name(azure: PlaybackServer) -> None:
    report = _report(DELETED, azure)
    assert report.category == "config.wrong_resource_name"
    assert "'stinvoicesfnweu'" in report.root_cause and "deleted" in report.root_cause
    assert "stinvoicesfnweu2" in report.root_cause


def test_a_deleted_host_account_without_a_replacement_stays_the_host_finding(azure: PlaybackServer) -> None:
    report = _report(NO_REPLACEMENT, azure)
    assert report.category == "functions.host_misconfigured"


# --- diagnostic settings that send to another workspace than the one queried -------------------------------------

def test_logs_sent_to_another_workspace_name_it(azure: PlaybackServer) -> None:
    report = _report(DIAGNOSTICS, azure)
    assert report.category == "config.wrong_resource_name"
    assert "'law-dev-shared'" in report.root_cause and "'law-central-sec'" in report.root_cause


def test_a_setting_that_sends_to_the_queried_workspace_is_not_blamed(azure: PlaybackServer) -> None:
    entries = copy.deepcopy(DIAGNOSTICS["azure"])
    for body in _bodies(entries):
        for item in body.get("value") or []:
            if isinstance(item, dict) and "workspaceId" in (item.get("properties") or {}):
                item["properties"]["workspaceId"] = item["properties"]["workspaceId"].replace(
                    "rg-dev-shared", "rg-central-logging").replace("law-dev-shared", "law-central-sec")
    azure.load(entries)
    outcome = run_engine(DIAGNOSTICS["request"], azure_access=True)
    report = getattr(outcome.final, "report", None)
    assert report is None or "law-dev-shared" not in report.root_cause
