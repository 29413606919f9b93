"""Round 42, helper F2 (session 35's docs77-79 development cases, where the deciding fact lives in Resource Manager's
answers): the lock level read at a ScopeLocked scope, a Key Vault access policy that lacks the key operation a
refused SDK call names, a connection setting naming a storage account whose kind lacks the called service, role
assignments lost with a re-created target, an API Management address that is not the allowed one, a failed ACR Tasks
build for the pulled tag, pasted Static Web Apps routes against the role given, az acr login with an alternative
container tool. Each shows the mechanism on a text of its own and a near miss that stays silent."""

from __future__ import annotations

from typing import Any

from shared.engines.computed_findings.containers import registry_build_for_tag_failed
from shared.engines.computed_findings.data import setting_account_kind_lacks_service
from shared.engines.computed_findings.identity import (
    assignments_lost_with_recreated_target,
    vault_policy_lacks_key_operation,
)
from shared.engines.computed_findings.integration import apim_address_not_the_allowed_one
from shared.engines.signatures import classify
from shared.engines.stated_routes import with_stated_routes
from shared.models import ClientRequest, StartRequest
from shared.session.material import material_from_start
from shared.session.state import AskClient, Conclude, Evidence, SessionState
from tests.helpers.catalog_checks import best_entry_id

_SUB = "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-x"


def _state(text: str, *reads: Evidence) -> SessionState:
    request = StartRequest.model_validate({"error_description": text})
    state = SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=True,
                         material=material_from_start(request))
    for read in reads:
        state.add_evidence(read)
    return state


def _read(data: dict[str, Any], tool: str = "get_resource") -> Evidence:
    return Evidence(tool=tool, status="success", summary="s", arguments={}, data=data)


# --- Key Vault: the key operation the caller's access policy lacks ---------------------------------------------

_VAULT = {"type": "Microsoft.KeyVault/vaults", "name": "kv-ledger", "enableRbacAuthorization": False,
          "accessPolicies": [{"objectId": "aaaa-1", "permissions": {"keys": ["get", "list", "wrapKey"]}}]}
_APP = {"type": "Microsoft.Web/sites", "name": "app-ledger", "identity": {"principalId": "AAAA-1"}}


def test_access_policy_without_the_operation_the_frame_names() -> None:
    text = ("Key Vault https://kv-ledger.vault.azure.net refused: Status: 403 (Forbidden)\n"
            "   at Azure.Security.KeyVault.Keys.Cryptography.CryptographyClient.UnwrapKeyAsync(...)")
    found = vault_policy_lacks_key_operation(_state(text, _read(_APP), _read(_VAULT)))
    assert found is not None and found["permission"] == "unwrapKey" and found["caller"] == "app-ledger"
    # the policy lists the operation (wrapKey): silent; and prose ("failed to decrypt") names no operation
    wrap = text.replace("UnwrapKeyAsync", "WrapKeyAsync")
    assert vault_policy_lacks_key_operation(_state(wrap, _read(_APP), _read(_VAULT))) is None
    prose = "Key Vault said 403 and we failed to decrypt the column"
    assert vault_policy_lacks_key_operation(_state(prose, _read(_APP), _read(_VAULT))) is None


def test_status_line_then_key_vault_frame_is_a_vault_refusal() -> None:
    text = ("HttpResponseException: Status code 403, (empty body)\n"
            "    at com.azure.security.keyvault.keys.cryptography.CryptographyClient.unwrapKey(Client.java:1)")
    assert any(h.signature.category == "auth.keyvault_access_denied" for h in classify(_state(text).material))
    other = ("HttpResponseException: Status code 403, (empty body)\n"
             "    at com.azure.storage.blob.BlobClient.download(BlobClient.java:1)")
    assert not any(h.signature.category == "auth.keyvault_access_denied" for h in classify(_state(other).material))


# --- Storage: a setting naming an account whose kind lacks the called service ------------------------------------

def _settings(target: str) -> Evidence:
    return _read({"names": ["MediaStore"], "targets": {"MediaStore": target}}, tool="list_app_setting_names")


def test_blob_call_on_file_storage_account_named_by_the_setting() -> None:
    text = "Azure.RequestFailedException: This feature is not supported for the account. at BlobContainerClient.Create"
    files = _read({"type": "Microsoft.Storage/storageAccounts", "name": "stfarmfs", "kind": "FileStorage"})
    general = _read({"type": "Microsoft.Storage/storageAccounts", "name": "stblobs", "kind": "StorageV2"})
    found = setting_account_kind_lacks_service(_state(text, _settings("stfarmfs (storage account)"), files, general))
    assert found is not None and found["setting"] == "MediaStore" and found["kind"] == "FileStorage"
    assert found["others"] == "stblobs"
    # the setting names the general-purpose account: silent
    assert setting_account_kind_lacks_service(_state(text, _settings("stblobs (storage account)"), files,
                                                     general)) is None


# --- RBAC: role assignments deleted with a re-created target -----------------------------------------------------

def _events(*rows: tuple[str, str]) -> Evidence:
    zone = f"{_SUB}/providers/Microsoft.Network/dnszones/zone-a.example"
    return _read({"events": [{"operation": op, "status": "Succeeded", "time": t, "resource_id": zone, "caller": "c"}
                             for op, t in rows]}, tool="list_activity_log")


def test_refused_call_on_a_resource_deleted_and_created_again() -> None:
    text = "external-dns: StatusCode=403 AuthorizationFailed listing recordsets of zone-a.example"
    rows = (("Microsoft.Network/dnszones/delete", "2026-01-01T10:00:00Z"),
            ("Microsoft.Network/dnszones/write", "2026-01-01T10:01:00Z"))
    found = assignments_lost_with_recreated_target(_state(text, _events(*rows)))
    assert found is not None and found["name"] == "zone-a.example"
    # written without a delete before it (an update): silent; no refusal in the report: silent
    assert assignments_lost_with_recreated_target(_state(text, _events(rows[1]))) is None
    assert assignments_lost_with_recreated_target(_state("zone-a.example records are missing", _events(*rows))) is None


# --- API Management: the gateway's address is not the one the backend allows ----------------------------------

def test_gateway_address_not_the_allowed_one() -> None:
    service = {"type": "Microsoft.ApiManagement/service", "name": "apim-hub", "publicIPAddresses": ["52.1.2.3"],
               "platformVersion": "stv2"}
    text = "BackendConnectionFailure after 20 s. The partner firewall allows our gateway IP 40.9.8.7."
    found = apim_address_not_the_allowed_one(_state(text, _read(service)))
    assert found is not None and found["current"] == "52.1.2.3" and found["stated"] == "40.9.8.7"
    same = "BackendConnectionFailure after 20 s. The partner firewall allows our gateway IP 52.1.2.3 only."
    assert apim_address_not_the_allowed_one(_state(same, _read(service))) is None


# --- Container Registry: the build that was to push the tag failed ----------------------------------------------

def test_newest_acr_run_failed_and_no_run_pushed_the_tag() -> None:
    runs = {"type": "Microsoft.ContainerRegistry/registries/runs", "id": f"{_SUB}/providers/Microsoft."
            "ContainerRegistry/registries/crapps/runs",
            "runs": [{"name": "dd2", "status": "Failed", "finishTime": "2026-01-02T10:00:00Z", "outputImages": []},
                     {"name": "dd1", "status": "Succeeded", "finishTime": "2026-01-01T10:00:00Z",
                      "outputImages": [{"repository": "web", "tag": "v1"}]}]}
    text = "manifest for crapps.azurecr.io/web:v2 not found: manifest unknown"
    found = registry_build_for_tag_failed(_state(text, _read(runs)))
    assert found is not None and found["run"] == "dd2" and found["image"] == "web:v2"
    pushed = "manifest for crapps.azurecr.io/web:v1 not found: manifest unknown"
    assert registry_build_for_tag_failed(_state(pushed, _read(runs))) is None


# --- Static Web Apps: a route's allowed roles against the role the user was given --------------------------------

_ROUTES = ('{"routes": [{"route": "/finance/*", "allowedRoles": ["accountants"]},'
           ' {"route": "/*", "allowedRoles": ["authenticated"]}]}')


def _question() -> AskClient:
    return AskClient(message="m", request=ClientRequest(question="q", why="w"))


def test_role_given_is_not_among_the_routes_allowed_roles() -> None:
    text = f"Invited Ana with role: accountant. She gets 403 Forbidden on /finance/q3.\n{_ROUTES}"
    state = _state(text)
    decided = with_stated_routes(state, _question())
    assert isinstance(decided, Conclude) and decided.report.category == "auth.rbac_missing"
    assert "'accountants'" in decided.report.root_cause and "'accountant'" in decided.report.root_cause
    listed = f"Invited Ana with role: accountants. She gets 403 Forbidden on /finance/q3.\n{_ROUTES}"
    assert isinstance(with_stated_routes(_state(listed), _question()), AskClient)


# --- az acr login with an alternative container tool -----------------------------------------------------------

def test_acr_login_docker_command_error_with_podman_names_the_variable() -> None:
    text = ("$ az acr login -n cr1\nAn error occurred: DOCKER_COMMAND_ERROR\nPlease verify if Docker client is "
            "installed and running.\nOnly podman is installed on this host.")
    assert best_entry_id(text) == "containers-acr-login-alternative-tool-not-named"
    plain = "$ az acr login -n cr1\nAn error occurred: DOCKER_COMMAND_ERROR\nPlease verify if Docker is installed"
    assert best_entry_id(plain) == "containers-acr-health-local-docker"


def test_host_json_route_prefix_moves_the_api_paths() -> None:
    host = '{"version": "2.0", "extensions": {"http": {"routePrefix": "v2"}}}'
    text = "Every call to https://fn-tickets.azurewebsites.net/api/tickets/7 returns 404 Not Found since the release."
    request = StartRequest.model_validate({"error_description": text, "context": {"source_files": [
        {"path": "host.json", "content": host}]}})
    state = SessionState(trace_id="0" * 32, options=request.options, ttl_seconds=3600, azure_access=False,
                         material=material_from_start(request))
    decided = with_stated_routes(state, _question())
    assert isinstance(decided, Conclude) and decided.report.category == "functions.host_misconfigured"
    assert "/v2/tickets/7" in decided.report.root_cause
    default = StartRequest.model_validate({"error_description": text, "context": {"source_files": [
        {"path": "host.json", "content": host.replace('"v2"', '"api"')}]}})
    kept = SessionState(trace_id="0" * 32, options=default.options, ttl_seconds=3600, azure_access=False,
                        material=material_from_start(default))
    assert isinstance(with_stated_routes(kept, _question()), AskClient)
