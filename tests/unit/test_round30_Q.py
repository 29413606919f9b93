"""Round 30 (Q): App Service's import of a vault certificate refused for its resource provider, AzureCliCredential
built by the code on an Azure host, an ACR task's user-assigned identity refused by a locked registry, a client
credentials scope filed as the code's defect, and the roles an ARM-denied identity holds read before concluding."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers import rbac_missing
from shared.engines.signatures import Hit, classify
from shared.models import Options
from shared.session.state import Conclude, Evidence, Material, RunTool, SessionState
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine


def _first(text: str) -> str:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else ""


KV_IMPORT = ("Import-AzWebAppKeyVaultCertificate : The service does not have access to '/subscriptions/0000"
             "/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv-certs' Key Vault. Please make sure that you "
             "have granted necessary permissions to the service to perform the request operation.")


def test_a_refused_certificate_import_names_the_app_service_resource_provider() -> None:
    final = run_engine({"error_description": KV_IMPORT}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.keyvault_access_denied"
    assert "Microsoft.Azure.WebSites" in final.report.root_cause
    assert any("Key Vault Secrets User" in a for a in final.report.actions)


def test_the_same_closing_sentence_without_a_key_vault_is_not_the_import() -> None:
    assert _first("The service does not have access to '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Sql"
                  "/servers/sql1'. Please make sure that you have granted necessary permissions to the service to "
                  "perform the request operation.") != "keyvault-appservice-cert-import-rp-no-access"


CLI_ON_HOST = ("Deployed to our function app, every run fails:\nResult: Failure Exception: CredentialUnavailableError: "
               "Azure CLI not found on path\nStack: File \"/home/site/wwwroot/fn/__init__.py\", line 18\n\n"
               "credential = AzureCliCredential()")


def test_azure_cli_credential_built_by_code_on_an_azure_host_is_the_code() -> None:
    assert _first(CLI_ON_HOST) == "entra-azureclicredential-built-in-code-on-azure-host"
    assert concludes(CLI_ON_HOST, "runtime.code_defect")


def test_a_missing_cli_through_default_azure_credential_is_not_blamed_on_the_code() -> None:
    text = ("DefaultAzureCredential failed: CredentialUnavailableError: Azure CLI not found on path; deployed to the "
            "function app")
    assert _first(text) != "entra-azureclicredential-built-in-code-on-azure-host"


ACR_TASK = ("Registry public network access Disabled, trusted Microsoft services allowed.\n$ az acr task run -n build "
            "-r crprod\nfailed to resolve secrets: failed to get ACR refresh token, exchange API response code: 403 "
            "Forbidden\nidentity: {\"type\": \"UserAssigned\", \"userAssignedIdentities\": {}}")


def test_an_acr_task_with_a_user_assigned_identity_needs_its_system_identity() -> None:
    final = run_engine({"error_description": ACR_TASK}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.managed_identity_missing"
    assert "system-assigned" in final.report.root_cause


def test_the_refresh_token_refusal_without_a_user_assigned_identity_stays_the_network() -> None:
    text = ACR_TASK.replace("\"UserAssigned\"", "\"SystemAssigned\"")
    assert _first(text) == "containers-acr-task-refresh-token-forbidden"


@pytest.mark.parametrize("text", [
    "ClientAuthenticationError: Authentication failed: AADSTS1002012: The provided value for scope User.Read is not "
    "valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
])
def test_a_named_scope_in_client_credentials_is_the_code(text: str) -> None:
    assert concludes(text, "runtime.code_defect")


GROUP = "/subscriptions/5d1f0c2a-7b3e-4f61-9a8d-2c4e6b8f0a13/resourceGroups/rg-vms"
SCOPE = f"{GROUP}/providers/Microsoft.Compute/virtualMachines/vm1"
PRINCIPAL = "ca9b94e1-1b7a-57bc-af50-b2557cb8bc33"
DENIED = (f"AuthorizationFailed: The client '{PRINCIPAL}' with object id '{PRINCIPAL}' does not have authorization "
          f"to perform action "
          f"'Microsoft.Compute/virtualMachines/start/action' over scope '{SCOPE}' or the scope is invalid.")


def _state(azure: bool, assignments: list[dict[str, Any]] | None) -> SessionState:
    state = SessionState(trace_id="q" * 32, options=Options(), ttl_seconds=60, azure_access=azure,
                         material=Material(error_description=DENIED))
    if assignments is not None:
        state.add_evidence(Evidence(tool="list_role_assignments", status="success", summary="",
                                    arguments={"scope": SCOPE, "principal_id": PRINCIPAL},
                                    data={"assignments": assignments}))
    return state


def _hit() -> Hit:
    hits = classify(Material(error_description=DENIED))
    return next(h for h in hits if h.signature.category == "auth.rbac_missing")


def test_an_arm_denial_reads_and_names_the_roles_the_identity_holds() -> None:
    hit = _hit()
    assert isinstance(rbac_missing.analyze(_state(True, None), hit), RunTool)
    done = rbac_missing.analyze(_state(True, [{"role": "Reader", "scope": GROUP, "relation": "inherited"}]), hit)
    assert isinstance(done, Conclude) and f"Reader at {GROUP}" in done.report.root_cause


def test_without_azure_access_or_with_only_roles_elsewhere_nothing_is_added() -> None:
    hit = _hit()
    offline = rbac_missing.analyze(_state(False, None), hit)
    assert isinstance(offline, Conclude) and "holds there now" not in offline.report.root_cause
    elsewhere = {"role": "Owner", "scope": GROUP.replace("rg-vms", "other"), "relation": "elsewhere"}
    other = rbac_missing.analyze(_state(True, [elsewhere]), hit)
    assert isinstance(other, Conclude) and "holds there now" not in other.report.root_cause


AOAI = ("Error code: 400 - {'error': {'code': 400, 'message': 'Invalid AzureCognitiveSearch configuration detected: "
        "Call to get Azure Search index failed. Azure Search Error: 403, Authorization failed.'}}\n"
        "Public network access disabled on the search service srch-docs.")


def test_a_search_service_behind_private_endpoints_needs_openai_s_own_private_link() -> None:
    text = AOAI + "\nWe created private endpoints for the OpenAI account and the search service srch-docs."
    assert _first(text) == "openai-on-your-data-search-private-no-shared-link"
    assert concludes(text, "network.private_endpoint_dns")


@pytest.mark.parametrize("extra", ["", "\nWe do not use private endpoints for the search service."])
def test_without_private_endpoints_on_search_it_stays_the_trusted_services_exception(extra: str) -> None:
    assert _first(AOAI + extra) == "openai-on-your-data-search-public-access-off"
