"""Round 28, helper X (the twenty-first session's development cases real65 / docs37): a host's AZFD0004 line in
the logs read outranks a finding inferred from settings; a Functions host release that changed under an unchanged
app; an API connection deployed without managed identity support (parameterValueType); a deploy task's 403 printed
on the line after its step; a client id setting naming an identity the app does not carry; the account and the
claimed role's resource the client names among several; the ports ASP.NET Core prints ([::]:8080) and the .NET 8
images' default port. Each fires on its case and stays silent for its near miss."""

from __future__ import annotations

from typing import Any

from shared.catalog.index import catalog_index
from shared.engines.access_evidence import _named_first
from shared.engines.analyzers.common import regex, table_entry
from shared.engines.analyzers.storage_azure import pick_resource as _pick
from shared.engines.clues import clue_decided, clue_in
from shared.engines.computed_findings.containers import aspnet_default_port_not_target, target_port_not_listened
from shared.engines.playbooks import rule_facts
from shared.engines.rules import _names_one_error
from shared.engines.session_reads import FINDINGS, LISTENING
from shared.models import Options
from shared.session.state import Evidence, Material, SessionState
from shared.tools.azure_resources import _identity, setting_client_ids
from tests.helpers.clue_checks import concludes
from tests.helpers.finding_checks import check_round_finding, finding_id, state_with

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers"


# --- a host error logged without its code --------------------------------------------------------------------

COLLISION = ("A collision for Host ID 'func-fabrikam-invoice-ingestion' was detected in the configured storage "
             "account. For more information, see https://aka.ms/functions-hostid-collision.")


def test_the_logged_host_id_collision_names_one_error_without_its_code() -> None:
    hits = catalog_index().hits([(COLLISION, "evidence")])
    assert hits and hits[0].entry.id == "functions-azfd0004-host-id-collision"
    assert _names_one_error(hits[0])  # a long phrase of one message: the platform's own words
    assert regex(table_entry("functions_host_errors", "azfd0004-host-id-collision")["match"]).search(COLLISION)


def test_a_short_phrase_match_is_not_taken_for_one_errors_message() -> None:
    hits = catalog_index().hits([("Host ID 'x': A collision for Host ID", "evidence")])
    assert not any(_names_one_error(h) for h in hits if not h.exact)


# --- a Functions host release changed under an unchanged app --------------------------------------------------

HOST_CHANGED = (
    "Nothing was deployed since last week, but since this morning our function app serves nothing.\n"
    "[Information] Starting Host (HostId=func-a, Version=2.0.12246.0, ProcessId=6812)\n"
    "[Error] Error indexing method 'SyncInvoices.Run'\n"
    "Cannot bind parameter 'log' to type ILogger. Make sure the parameter Type is supported by the binding.\n"
    "A second app with identical code in North Europe (still reporting Version=2.0.12050.0) is fine.")


def test_a_host_version_that_changed_under_unchanged_code_is_the_platform() -> None:
    assert concludes(HOST_CHANGED, "platform.service_incident")


def test_the_same_host_version_on_the_working_app_or_a_deployment_is_no_platform_verdict() -> None:
    same = HOST_CHANGED.replace("2.0.12050.0", "2.0.12246.0")
    clue = clue_in([same])
    assert clue is None or clue["id"] != "functions-host-version-changed-under-unchanged-app" \
        or not _decided(same, clue)
    deployed = HOST_CHANGED.replace("Nothing was deployed since last week", "We deployed a new build today")
    found = clue_in([deployed])
    assert found is None or found["id"] != "functions-host-version-changed-under-unchanged-app"


def _decided(text: str, clue: dict[str, Any]) -> bool:
    return clue_decided(state_with(text, []), clue)


# --- an API connection deployed without managed identity support ----------------------------------------------

def test_an_api_connection_refused_for_managed_identity_names_parameter_value_type() -> None:
    text = ('{"code":"WorkflowManagedIdentityConfigurationInvalid","message":"The workflow connection parameter '
            "'aci' is not valid. The API connection 'aci' is not configured to support managed identity.\"}")
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "apps-logicapps-api-connection-not-managed-identity"
    assert "parameterValueType" in hits[0].entry.meaning
    near = "The workflow 'wf' does not have managed identity enabled."
    assert "apps-logicapps-api-connection-not-managed-identity" not in [
        h.entry.id for h in catalog_index().hits([(near, "error"), (UNRELATED, "error")])]


# --- a deploy task's 403 on the line after its step -----------------------------------------------------------

SCM_CONFIG = {"type": "Microsoft.Web/sites/config", "name": "web", "scmIpSecurityRestrictionsDefaultAction": "Deny",
              "scmIpSecurityRestrictionsUseMain": False}
DEPLOY_403 = ("Run azure/webapps-deploy@v3\nError: Deployment Failed, Error: Failed to deploy web package using "
              "OneDeploy to App Service.\nForbidden (CODE: 403)")


def test_a_deploy_task_status_on_the_next_line_is_the_scm_restriction() -> None:
    state = state_with(DEPLOY_403, [("get_resource", SCM_CONFIG)])
    check_round_finding(state, "app-scm-access-restrictions-deny", "network.nsg_blocked", "SCM")


def test_a_403_far_from_any_deployment_words_is_no_scm_verdict() -> None:
    report = "Users get 403 Forbidden on /admin.\n\n\n\nSeparately, the deploy of last week went fine."
    assert finding_id(state_with(report, [("get_resource", SCM_CONFIG)])) != "app-scm-access-restrictions-deny"


# --- a client id setting that names an identity the app does not carry ----------------------------------------

OLD, NEW = "266ff5e2-30bd-5434-a4d8-cf0ecef4b10e", "c9b4995b-591b-519c-9012-658d44709e85"
SITE = {"type": "Microsoft.Web/sites", "name": "func-export", "identity": {"type": "UserAssigned", "userAssigned": [
    {"id": f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-export-v2", "principalId": "p",
     "clientId": NEW}]}}
MI_FAILS = ("ManagedIdentityCredential: Unexpected response \"{'statusCode': 400, 'message': 'Unable to load the "
            "proper Managed Identity.'}\"")


def _settings(names: list[str], ids: dict[str, str]) -> tuple[str, dict[str, Any]]:
    return "list_app_setting_names", {"names": names, "count": len(names), "client_ids": ids}


def test_a_client_id_setting_of_an_identity_the_app_lacks_is_named() -> None:
    state = state_with(MI_FAILS, [("get_resource", SITE), _settings(["AZURE_CLIENT_ID"], {"AZURE_CLIENT_ID": OLD})])
    check_round_finding(state, "app-client-id-setting-not-assigned", "auth.managed_identity_missing",
                        "AZURE_CLIENT_ID")


def test_the_assigned_client_id_or_an_app_registration_is_no_verdict() -> None:
    rule = "app-client-id-setting-not-assigned"
    right = state_with(MI_FAILS, [("get_resource", SITE), _settings(["AZURE_CLIENT_ID"], {"AZURE_CLIENT_ID": NEW})])
    assert finding_id(right) != rule
    secret = state_with(MI_FAILS, [("get_resource", SITE), _settings(["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"],
                                                                      {"AZURE_CLIENT_ID": OLD})])
    assert finding_id(secret) != rule
    unread = {**SITE, "identity": {"type": "UserAssigned", "userAssigned": [{"id": "x", "principalId": "p"}]}}
    assert finding_id(state_with(MI_FAILS, [("get_resource", unread),
                                            _settings(["AZURE_CLIENT_ID"], {"AZURE_CLIENT_ID": OLD})])) != rule


def test_only_a_client_id_settings_guid_is_kept_of_the_values() -> None:
    found = setting_client_ids({"AZURE_CLIENT_ID": OLD.upper(), "Storage__clientId": NEW, "AZURE_CLIENT_SECRET": OLD,
                                "API_KEY": NEW, "OTHER_CLIENT_ID": "not-a-guid"})
    assert found == {"AZURE_CLIENT_ID": OLD, "Storage__clientId": NEW}
    identity = _identity({"type": "UserAssigned", "userAssignedIdentities": {"/x/id-a": {"principalId": "p",
                                                                                           "clientId": NEW}}})
    assert identity is not None and identity["userAssigned"][0]["clientId"] == NEW


# --- the resource the client names among several -------------------------------------------------------------

def _state(report: str, environment: dict[str, Any]) -> SessionState:
    return SessionState(trace_id="d" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                        material=Material(error_description=report, environment=environment))


ACCOUNTS = [{"type": "Microsoft.Storage/storageAccounts", "name": "stdocrendertemplates", "id": "t"},
            {"type": "Microsoft.Storage/storageAccounts", "name": "stdocrenderout", "id": "o"}]


def test_the_account_environment_info_names_is_the_one_of_two() -> None:
    state = _state("403 AuthorizationFailure on upload", {"storage_account": "stdocrenderout (rg-doc-render)"})
    picked = _pick(ACCOUNTS, "microsoft.storage/storageaccounts", None, state)
    assert picked is not None and picked["name"] == "stdocrenderout"
    assert _pick(ACCOUNTS, "microsoft.storage/storageaccounts", None, _state("403 on upload", {})) is None


def test_a_claimed_role_is_checked_on_the_named_resource_only_when_one_is_named() -> None:
    typed = [(a, {}) for a in ACCOUNTS]
    assert [r["name"] for r, _ in _named_first(typed, "blob contributor on stdocrenderout")] == ["stdocrenderout"]
    assert len(_named_first(typed, "blob contributor on the account")) == 2
    assert len(_named_first(typed, "blob contributor on stdocrenderoutput")) == 2  # a longer name is another


# --- ports ASP.NET Core prints, and the .NET 8 images' default port -------------------------------------------

def test_kestrel_listening_lines_give_their_port() -> None:
    ports = [[g for m in LISTENING.finditer(t) for g in m.groups() if g] for t in (
        "Now listening on: http://[::]:8080", "Now listening on: http://+:80", "Uvicorn running on http://0.0.0.0:8000")]
    assert ports == [["8080"], ["80"], ["8000"]]
    assert not LISTENING.search("The port [::] is reserved")


APP = {"type": "Microsoft.App/containerApps", "name": "ca-api", "latestRevisionName": "ca-api--r42",
       "ingress": {"targetPort": 80}, "envNames": ["ASPNETCORE_ENVIRONMENT"]}
LOG_ROWS = {"rows": [["ca-api--r42", "info: Microsoft.Hosting.Lifetime[14] Now listening on: http://[::]:8080"],
                     ["ca-api--r41", "info: Microsoft.Hosting.Lifetime[14] Now listening on: http://[::]:80"]]}
UNHEALTHY = "We moved the image to net8.0; the new revision stays Activating and then Unhealthy."


def _aca_state(app: dict[str, Any], rows: dict[str, Any] = LOG_ROWS) -> SessionState:
    state = state_with(UNHEALTHY, [("get_resource", app)])
    state.add_evidence(Evidence(tool="query_logs", status="success", summary="rows", data=rows))
    return state


def test_the_older_revisions_port_does_not_hide_the_new_ones() -> None:
    found = target_port_not_listened(_aca_state(APP))
    assert found is not None and found["listening"] == "8080"
    assert aspnet_default_port_not_target(_aca_state(APP)) is not None
    check_round_finding(_aca_state(APP), "container-app-aspnet-default-port-8080", "config.missing_app_setting",
                        "ASPNETCORE_HTTP_PORTS")


def test_a_port_setting_or_another_port_is_no_default_port_verdict() -> None:
    assert aspnet_default_port_not_target(_aca_state({**APP, "envNames": ["ASPNETCORE_HTTP_PORTS"]})) is None
    assert finding_id(_aca_state({**APP, "envNames": ["ASPNETCORE_URLS"]})) == "container-app-target-port-mismatch"
    rows = {"rows": [["ca-api--r42", "Uvicorn running on http://0.0.0.0:8000"]]}
    assert aspnet_default_port_not_target(state_with("revision unhealthy", [("get_resource", APP)])) is None
    assert finding_id(_aca_state(APP, rows)) != "container-app-aspnet-default-port-8080"
    assert rule_facts(_aca_state({**APP, "ingress": {"targetPort": 8080}}),
                      table_entry(FINDINGS, "container-app-aspnet-default-port-8080")) is None
