"""Round 31, helper B (this session's development halves, real73 / docs44): Azure CLI's removed `--username` for a
managed identity login, an Azure OpenAI 404 whose API version setting has another name (AZURE_OPENAI_API_VER), a
Key Vault reference to a misspelt vault, an app with only user-assigned identities and no client id, the private DNS
chain read behind a public answer before the generic DNS verdict, and a Key Vault data role granted on the other
environment's vault. Each fires on its case and stays silent for its near miss."""

from __future__ import annotations

from typing import Any

from shared.catalog.index import catalog_index
from shared.engines.analyzers.network_path import private_chain
from shared.engines.clues import clue_decided, decide_from_clue, matching_clue
from shared.engines.playbooks import finding
from shared.engines.session_reads import one_edit_apart
from shared.models import Options
from shared.session.state import AskClient, Conclude, Evidence, Material, RunTool, SessionState
from tests.helpers.finding_checks import check_round_finding, finding_id, finding_report, reads_state, state_with

UNRELATED = "The nightly export job writes an empty CSV since Monday."

# --- Azure CLI: the managed identity ID no longer goes in --username --------------------------------------------

CLI_REMOVED = ("Run az login --identity -u 8e9b7b87-d21b-535a-bfb8-b377882995e4 --allow-no-subscriptions\n"
               "ERROR: Passing the managed identity ID with --username is no longer supported. Use --client-id, "
               "--object-id or --resource-id instead.")


def test_the_removed_username_option_of_a_managed_identity_login_is_the_scripts_defect() -> None:
    hits = catalog_index().hits([(CLI_REMOVED, "error")])
    assert hits and hits[0].entry.id == "tooling-az-login-identity-username-removed"
    assert hits[0].entry.category == "runtime.code_defect"


def test_the_earlier_deprecation_warning_or_another_login_error_is_not_that_entry() -> None:
    warning = ("WARNING: Passing the managed identity ID with --username is deprecated and will be removed in a "
               "future release. Please use --client-id, --object-id or --resource-id instead.")
    for text in (warning, UNRELATED, "ERROR: Failed to connect to MSI. Please make sure MSI is configured correctly."):
        assert "tooling-az-login-identity-username-removed" not in [h.entry.id
                                                                    for h in catalog_index().hits([(text, "error")])]


# --- Azure OpenAI 404: the app's API version setting against a request by hand that works -------------------------

COMPOSE_404 = """ChatGPT error 404: {"error":{"code":"404","message": "Resource not found"}}
    environment:
      AZURE_OPENAI_ENDPOINT: https://aoai-demo.openai.azure.com/
      AZURE_OPENAI_API_VER: 2023-05-15
A curl to https://aoai-demo.openai.azure.com/openai/deployments/gpt-35/chat/completions?api-version=2023-05-15 with \
the same key works."""


def _text_state(text: str) -> SessionState:
    return SessionState(trace_id="b" * 32, options=Options(), ttl_seconds=60,
                        material=Material(error_description=text))


def test_an_api_version_setting_under_a_short_name_decides_the_openai_404_and_is_named() -> None:
    state = _text_state(COMPOSE_404)
    clue = matching_clue(state)
    assert clue is not None and clue["id"] == "openai-404-resource-not-found-request-url"
    assert clue_decided(state, clue)
    decided = decide_from_clue(state, clue)
    assert isinstance(decided, Conclude) and decided.report.category == "config.invalid_connection_string"
    assert "AZURE_OPENAI_API_VER" in decided.report.root_cause and "2023-05-15" in decided.report.root_cause
    assert any('"2023-05-15"' in action for action in decided.report.actions)


def test_without_a_request_that_works_the_openai_404_still_asks() -> None:
    state = _text_state(COMPOSE_404.split("A curl")[0])
    clue = matching_clue(state)
    assert clue is not None and not clue_decided(state, clue)
    assert isinstance(decide_from_clue(state, clue), AskClient)


# --- a Key Vault reference to a misspelt vault --------------------------------------------------------------------

GROUP = "/subscriptions/6e2a9d48-1f73-4b05-9c86-a4d0e7b2f519/resourceGroups/rg"
SITE = f"{GROUP}/providers/Microsoft.Web/sites/app-pay"


def _reference_state(targets: dict[str, str], group: list[tuple[str, str]]) -> SessionState:
    return state_with("The API fails at startup since the release moved its connection string into Key Vault", [
        ("get_resource", {"id": SITE, "name": "app-pay", "type": "Microsoft.Web/sites", "kind": "app"}),
        ("list_app_setting_names", {"names": sorted(targets), "count": len(targets), "targets": targets}),
        ("list_resources_in_group", {"resources": [{"id": f"{GROUP}/providers/{t}/{n}", "name": n, "type": t}
                                                   for n, t in group]})])


def test_a_reference_to_a_vault_one_letter_off_names_the_groups_vault() -> None:
    state = _reference_state({"ConnectionStrings__Db": "kv-paymnts-prod.vault.azure.net/secrets/Db"},
                             [("kv-payments-prod", "Microsoft.KeyVault/vaults")])
    found = finding(state)
    assert found is not None and found[0]["id"] == "app-keyvault-reference-names-replaced-vault"
    assert found[1]["pointed"] == "kv-paymnts-prod" and found[1]["sibling"] == "kv-payments-prod"
    assert "misspelt" in finding_report(state).root_cause


def test_a_vault_two_letters_off_or_a_misspelt_storage_host_is_not_blamed_on_a_sibling() -> None:
    far = _reference_state({"Db": "kv-pymnts-prod.vault.azure.net/secrets/Db"},
                           [("kv-payments-prod", "Microsoft.KeyVault/vaults")])
    assert finding_id(far) != "app-keyvault-reference-names-replaced-vault"
    # a host one letter off another environment's account is no evidence of another environment
    storage = _reference_state({"Storage": "stpaymnts.blob.core.windows.net"},
                               [("stpayments", "Microsoft.Storage/storageAccounts")])
    assert finding_id(storage) != "app-setting-points-at-other-environment"


def test_one_edit_apart_is_a_typo_and_a_digit_is_another_resource() -> None:
    assert one_edit_apart("kv-paymnts-prod", "kv-payments-prod")
    assert one_edit_apart("kv-payments-prd", "kv-payments-prod")
    assert not one_edit_apart("kv-app-01", "kv-app-02")
    assert not one_edit_apart("kv-pymnts-prod", "kv-payments-prod")
    assert not one_edit_apart("KV-Payments", "kv-payments")


# --- an app with only user-assigned identities and nothing naming one ---------------------------------------------

NO_IDENTITY = ("AggregateAuthenticationError: ChainedTokenCredential authentication failed.\nAuthenticationError: "
               "ManagedIdentityCredential authentication failed. Status code: 400\n{\"statusCode\":400,\"message\":"
               "\"No User Assigned or Delegated Managed Identity found for specified "
               "ClientId/ResourceId/PrincipalId.\"}"
               "\nThe code does new BlobServiceClient(url, new DefaultAzureCredential()).")
UAMI = f"{GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-thumbs"


def _site(identity_type: str) -> dict[str, Any]:
    return {"id": SITE, "name": "app-thumbs", "type": "Microsoft.Web/sites", "kind": "app,linux",
            "identity": {"type": identity_type, "userAssigned": [
                {"id": UAMI, "principalId": "p-1", "clientId": "6a8ec0b3-e12e-5dfd-b167-1ea96f8ca1c1"}]}}


NAMES = ["APPLICATIONINSIGHTS_CONNECTION_STRING", "STORAGE_ACCOUNT_URL", "WEBSITE_RUN_FROM_PACKAGE"]


def test_only_user_assigned_identities_and_no_client_id_is_the_missing_identity() -> None:
    state = reads_state(NO_IDENTITY, [_site("UserAssigned")], names=NAMES)
    check_round_finding(state, "app-user-assigned-identity-without-client-id", "auth.managed_identity_missing",
                        "id-thumbs")
    assert any("AZURE_CLIENT_ID=6a8ec0b3-e12e-5dfd-b167-1ea96f8ca1c1" in a for a in finding_report(state).actions)


def test_a_client_id_setting_code_that_picks_the_identity_or_a_system_identity_is_not_that_finding() -> None:
    rule = "app-user-assigned-identity-without-client-id"
    assert finding_id(reads_state(NO_IDENTITY, [_site("UserAssigned")], names=[*NAMES, "AZURE_CLIENT_ID"])) != rule
    picked = NO_IDENTITY + "\nnew DefaultAzureCredential({ managedIdentityClientId: process.env.UAMI })"
    assert finding_id(reads_state(picked, [_site("UserAssigned")], names=NAMES)) != rule
    assert finding_id(reads_state(NO_IDENTITY, [_site("SystemAssigned, UserAssigned")], names=NAMES)) != rule
    assert finding_id(reads_state(UNRELATED, [_site("UserAssigned")], names=NAMES)) != rule


# --- behind a public DNS answer, the private DNS chain is read before the generic verdict -------------------------

NET = f"{GROUP}/providers/Microsoft.Network"
ZONE = f"{NET}/privateDnsZones/privatelink.blob.core.windows.net"
ENDPOINT = f"{NET}/privateEndpoints/pe-docs-blob"
PUBLIC = ("403 AuthorizationFailure from the storage account; nslookup stdocs.blob.core.windows.net returns "
          "stdocs.privatelink.blob.core.windows.net, 20.60.223.68.")


def _chain_state(*reads: dict[str, Any], azure: bool = True) -> SessionState:
    state = SessionState(trace_id="c" * 32, options=Options(), ttl_seconds=60, azure_access=azure,
                         material=Material(error_description=PUBLIC, environment={"resource_group": "rg"}))
    for data in reads:
        state.add_evidence(Evidence(tool="get_resource", status="success", summary=str(data)[:200], data=data,
                                    arguments={"resource_id": data["id"]}))
    return state


ENDPOINT_READ = {"id": ENDPOINT, "name": "pe-docs-blob", "type": "Microsoft.Network/privateEndpoints",
                 "customDnsConfigs": [{"fqdn": "stdocs.blob.core.windows.net", "ipAddresses": ["10.42.3.7"]}]}
GROUP_READ = {"id": f"{ENDPOINT}/privateDnsZoneGroups", "zoneIds": [[ZONE]],
              "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"}
SITE_READ = {"id": SITE, "name": "app-docs", "type": "Microsoft.Web/sites",
             "virtualNetworkSubnetId": f"{NET}/virtualNetworks/vnet-new/subnets/snet-app"}
RECORDS_READ = {"id": f"{ZONE}/A", "type": "Microsoft.Network/privateDnsZones/A",
                "records": [{"name": "stdocs", "aRecords": [{"ipv4Address": "10.42.3.7"}]}]}


def _links(*vnets: str) -> dict[str, Any]:
    return {"id": f"{ZONE}/virtualNetworkLinks", "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            "linkedNetworks": [f"{NET}/virtualNetworks/{v}" for v in vnets]}


def test_a_public_answer_reads_the_chain_then_names_the_unlinked_caller_network() -> None:
    step = private_chain(_chain_state(ENDPOINT_READ))
    assert isinstance(step, RunTool) and step.arguments["resource_id"] == f"{ENDPOINT}/privateDnsZoneGroups"
    decided = private_chain(_chain_state(ENDPOINT_READ, GROUP_READ, SITE_READ, _links("vnet-old"), RECORDS_READ))
    assert isinstance(decided, Conclude) and decided.report.category == "network.private_endpoint_dns"
    assert "vnet-new" in decided.report.root_cause and "vnet-old" in decided.report.root_cause


def test_a_linked_caller_network_or_no_azure_access_leaves_the_generic_verdict() -> None:
    assert private_chain(_chain_state(ENDPOINT_READ, GROUP_READ, SITE_READ, _links("vnet-new"), RECORDS_READ)) is None
    assert private_chain(_chain_state(ENDPOINT_READ, azure=False)) is None


# --- a Key Vault data role granted on the other environment's vault -----------------------------------------------

RBAC_DENIED = ("HttpResponseError: (Forbidden) Caller is not authorized to perform action on resource.\n"
               "Vault: kv-orders-prod;location=westeurope\nCode: ForbiddenByRbac\n"
               "I assigned Key Vault Secrets User to the function's identity yesterday.")


def _vault(name: str) -> dict[str, Any]:
    return {"id": f"{GROUP}/providers/Microsoft.KeyVault/vaults/{name}", "name": name,
            "type": "Microsoft.KeyVault/vaults", "enableRbacAuthorization": True}


def _grant(resource: str) -> dict[str, Any]:
    return {"operation": "Microsoft.Authorization/roleAssignments/write", "status": "Succeeded",
            "time": "2026-12-05T10:14:27Z", "caller": "admin@example.com",
            "resource_id": f"{GROUP}/providers/{resource}/providers/Microsoft.Authorization/roleAssignments/1"}


def test_a_data_role_granted_on_the_sibling_vault_is_the_vaults_refusal() -> None:
    state = reads_state(RBAC_DENIED, [_vault("kv-orders-prod")],
                        events=[_grant("Microsoft.KeyVault/vaults/kv-orders-dev")])
    check_round_finding(state, "keyvault-role-granted-on-sibling-vault", "auth.keyvault_access_denied", "kv-orders-dev")


def test_a_sibling_storage_account_keeps_the_rbac_category_and_a_grant_on_the_vault_itself_decides_nothing() -> None:
    account = {"id": f"{GROUP}/providers/Microsoft.Storage/storageAccounts/storders", "name": "storders",
               "type": "Microsoft.Storage/storageAccounts"}
    storage = reads_state("403 AuthorizationPermissionMismatch reading from storders", [account],
                          events=[_grant("Microsoft.Storage/storageAccounts/stordersdev")])
    assert finding_id(storage) == "role-granted-on-sibling-resource"
    own = reads_state(RBAC_DENIED, [_vault("kv-orders-prod")],
                      events=[_grant("Microsoft.KeyVault/vaults/kv-orders-prod")])
    assert finding_id(own) not in ("keyvault-role-granted-on-sibling-vault", "role-granted-on-sibling-resource")
