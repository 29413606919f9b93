"""Round 34 F3 (identity, Key Vault, Graph, AI services, networking): Graph's per-mailbox concurrency limit, AI Search
vector dimensions from an embedding skill or a query setting, a misnamed private DNS zone beside an endpoint without
its zone, a name that resolves privately while the service refuses an unapproved private link, the scope behind an ARM
token audience, silent SSO where third-party cookies are blocked, Slack's missing_scope, the Spring Key Vault property
source and a disabled secret, a role the report says the identity holds, a workspace that refuses shared-key ingestion
and an Azure OpenAI deployment recreated with another model. Each mechanism with a near miss that must stay silent."""

from __future__ import annotations

from typing import Any

from shared.catalog.index import catalog_index
from shared.engines.computed_findings.integration import openai_deployment_recreated
from shared.engines.playbooks import conclude_finding, finding
from shared.engines.private_dns import misnamed_zones
from shared.models import Options
from shared.session.state import Evidence, Material, SessionState
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _run(text: str) -> dict[str, Any]:
    return run_engine({"error_description": text}).envelope()


def _best(text: str) -> str | None:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else None


# --- Microsoft Graph: Outlook's four concurrent requests per app and mailbox --------------------------------------

def test_mailbox_concurrency_429_names_the_concurrency_limit() -> None:
    said = ('Status: 429 (TooManyRequests)\nODataError: {"error":{"code":"ApplicationThrottled",'
            '"message":"Application is over its MailboxConcurrency limit."}}\nwe run 12 calls in parallel')
    assert best_entry_id(said) == "entra-graph-outlook-mailbox-concurrency-limit"
    report = _run(said)["report"]
    assert report["category"] == "throttling.rate_limited" and "concurrent" in report["root_cause"]


def test_another_graph_throttle_is_not_the_mailbox_concurrency_limit() -> None:
    said = '429 {"error":{"code":"ApplicationThrottled","message":"Application is over its request limit."}}'
    assert best_entry_id(said) != "entra-graph-outlook-mailbox-concurrency-limit"


# --- AI Search: vector dimensions from an embedding skill or from the query side's setting -----------------------

MISMATCH = ("There's a mismatch in vector dimensions. The vector field 'v', with dimension of '1536', expects a length "
            "of '1536'. However, the provided vector has a length of '3072'.")


def test_a_query_setting_naming_another_embedding_deployment_is_the_wrong_resource() -> None:
    said = MISMATCH + '\nappsettings: "EmbeddingDeployment": "text-embedding-3-large"'
    assert _best(said) == "openai-search-vector-dimensions-query-setting-names-other-embedding-model"
    report = _run(said)["report"]
    assert report["category"] == "config.wrong_resource_name" and "text-embedding-3-large" in report["root_cause"]


def test_an_embedding_skill_keeps_the_definition_defect_and_names_the_skill() -> None:
    said = (MISMATCH + '\nskillset: AzureOpenAIEmbeddingSkill "dimensions": 3072, '
            'EMBEDDING_MODEL=text-embedding-3-large')
    assert _best(said) == "openai-search-vector-dimensions-mismatch"
    report = _run(said)["report"]
    assert report["category"] == "runtime.code_defect" and "skill" in report["root_cause"]


def test_a_diff_line_removed_is_not_the_deployment_the_setting_names() -> None:
    said = (MISMATCH + "\n  - AOAI_EMBEDDING_DEPLOYMENT=ada-002-prod"
            "\n  + AOAI_EMBEDDING_DEPLOYMENT=text-embedding-3-large")
    root = _run(said)["report"]["root_cause"]
    assert "'text-embedding-3-large'" in root and "'ada-002-prod'" not in root


# --- private DNS: a look-alike zone no endpoint uses ---------------------------------------------------------------

def test_a_look_alike_zone_of_the_same_service_is_misnamed() -> None:
    unknown = {"privatelink.search.azure.com", "privatelink.contoso.internal", "privatelink.searchsvc.windows.net"}
    assert misnamed_zones("privatelink.search.windows.net", unknown) == ["privatelink.search.azure.com"]


def test_a_zone_of_another_service_is_not_a_misnamed_copy() -> None:
    assert misnamed_zones("privatelink.vaultcore.azure.net", {"privatelink.blob.core.azure.net"}) == []


# --- a private answer while the service refuses an unapproved private link -----------------------------------------

NSLOOKUP = ("> nslookup kv-app.vault.azure.net\nName:    kv-app.privatelink.vaultcore.azure.net\nAddress:  10.1.2.4\n"
            "Aliases:  kv-app.vault.azure.net\n")


def test_a_private_answer_refused_as_unapproved_link_is_the_endpoint_connection() -> None:
    said = ("HttpResponseError: (Forbidden) Public network access is disabled and request is not from a trusted "
            "service nor via an approved private link.\nInner error: {\"code\": \"ForbiddenByConnection\"}\n"
            + NSLOOKUP)
    report = _run(said)["report"]
    assert report["category"] == "network.private_endpoint_dns" and "Pending" in report["root_cause"]


def test_a_private_answer_that_times_out_is_still_the_network_path() -> None:
    said = ("private endpoint set up, but: The operation was canceled. Connection timed out after 100 seconds "
            "calling https://kv-app.vault.azure.net/secrets/db\n" + NSLOOKUP)
    report = _run(said).get("report") or {}
    assert "Pending" not in str(report.get("root_cause"))


# --- ARM: the token's audience follows the scope requested ------------------------------------------------------

def test_token_audience_names_the_scope_requested() -> None:
    said = ('401 {"error":{"code":"InvalidAuthenticationTokenAudience","message":"The access token has been obtained '
            "for wrong audience or resource 'https://vault.azure.net'. It should exactly match with one of the allowed "
            "audiences 'https://management.azure.com/'.\"}}")
    root = _run(said)["report"]["root_cause"]
    assert "scope" in root and "https://vault.azure.net" in root


# --- AADSTS50058 in a silent iframe where third-party cookies are blocked -----------------------------------------

SILENT = ("InteractionRequiredAuthError: login_required: AADSTS50058: A silent sign-in request was sent but no user "
          "is signed in.")


def test_silent_sso_in_safari_is_third_party_cookies() -> None:
    said = "msal-browser ssoSilent works in Chrome, fails in Safari:\n" + SILENT
    assert _best(said) == "entra-aadsts50058-silent-iframe-third-party-cookies-blocked"
    report = _run(said)["report"]
    assert report["category"] == "runtime.code_defect" and "cookie" in report["root_cause"]


def test_aadsts50058_without_a_blocking_browser_keeps_the_general_entry() -> None:
    said = "our web app redirects with prompt=none and gets:\n" + SILENT
    assert _best(said) == "entra-aadsts50058-no-user-signed-in"


# --- Slack's missing_scope is Slack's -------------------------------------------------------------------------------

def test_slack_missing_scope_is_out_of_scope() -> None:
    said = ("Error: An API error occurred: missing_scope\n  data: { ok: false, error: 'missing_scope', needed: "
            "'chat:write' } from @slack/web-api in our Azure Function")
    assert _best(said) == "third-party-slack-api-missing-scope"
    envelope = _run(said)
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"


def test_missing_scope_without_slack_is_not_slacks() -> None:
    assert _best("error: missing_scope while calling the partner API") != "third-party-slack-api-missing-scope"


# --- the Spring Boot Key Vault property source and one disabled secret -------------------------------------------

DISABLED = ('HttpResponseException: Status code 403, "{"error":{"code":"Forbidden","message":"Operation get is not '
            'allowed on a disabled secret.","innererror":{"code":"SecretDisabled"}}}"')


def test_spring_property_source_fails_on_any_disabled_secret() -> None:
    said = ("at com.microsoft.azure.keyvault.spring.KeyVaultPropertySource.getProperty\n" + DISABLED +
            "\nYesterday we disabled the secret 'old-smtp-key'.")
    assert _best(said) == "keyvault-spring-property-source-reads-disabled-secret"
    report = _run(said)["report"]
    assert report["category"] == "runtime.code_defect" and "old-smtp-key" in report["root_cause"]


def test_a_disabled_secret_read_by_own_code_is_the_secret() -> None:
    said = "secret_client.get_secret('db-password') in our python job:\n" + DISABLED
    assert _best(said) == "keyvault-secret-disabled"


# --- a built-in role the report says the identity holds at the denied scope --------------------------------------

DENIED = ("AuthorizationFailed: The client 'a' with object id '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b' does not have "
          "authorization to perform action 'Microsoft.Web/sites/host/listkeys/action' over scope "
          "'/subscriptions/5c0d9e8f-7a6b-4c3d-8e2f-1a0b9c8d7e6f/resourceGroups/rg-shared/providers/Microsoft.Web/sites/"
          "fn-shared/host/default' or the scope is invalid.")


def test_a_stated_role_at_the_denied_scope_is_named() -> None:
    root = _run(DENIED + "\nThe SP has the Reader role on rg-shared.")["report"]["root_cause"]
    assert "holds Reader on rg-shared" in root


def test_a_stated_role_elsewhere_is_not_named() -> None:
    root = _run(DENIED + "\nThe SP is Contributor on rg-apps.")["report"]["root_cause"]
    assert "The report says it holds" not in root


# --- Azure reads: a workspace refusing shared-key ingestion, a deployment recreated with another model ------------

def _state(report: str, evidence: list[tuple[str, dict[str, Any]]]) -> SessionState:
    state = SessionState(trace_id="f" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=report))
    for tool, data in evidence:
        state.add_evidence(Evidence(tool=tool, status="success", summary=str(data)[:200], data=data))
    return state


WORKSPACE = {"type": "Microsoft.OperationalInsights/workspaces", "name": "law-x",
             "features": {"disableLocalAuth": True}}
SHARED_KEY_POST = ("403 Forbidden for url: https://c4e8.ods.opinsights.azure.com/api/logs?api-version=2016-04-01 "
                   "(Authorization: SharedKey <workspace id>:<signature>)")


def test_a_workspace_without_local_auth_refuses_shared_key_ingestion() -> None:
    state = _state(SHARED_KEY_POST, [("get_resource", WORKSPACE)])
    rule, facts = finding(state) or ({}, {})
    assert rule.get("id") == "workspace-local-auth-disabled"
    assert "disableLocalAuth" in conclude_finding(state, rule, facts).report.root_cause


def test_a_workspace_without_local_auth_does_not_explain_a_query_error() -> None:
    state = _state("KQL query returned 400 BadArgumentError: syntax error near 'summarize'",
                   [("get_resource", WORKSPACE)])
    found = finding(state)
    assert found is None or found[0]["id"] != "workspace-local-auth-disabled"


ACCOUNT = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/oai-x"
DEPLOYMENTS = ("get_resource", {
    "type": "Microsoft.CognitiveServices/accounts/deployments", "id": ACCOUNT + "/deployments",
    "deployments": [{"name": "chat", "model": {"name": "gpt-35-turbo", "version": "0125"}}]})


def _events(*operations: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    return ("list_activity_log", {"events": [
        {"time": time, "operation": f"Microsoft.CognitiveServices/accounts/deployments/{verb}", "status": "Succeeded",
         "caller": "ops@example", "resource_id": ACCOUNT + "/deployments/chat"} for verb, time in operations]})


def test_a_deployment_recreated_under_its_name_serves_the_new_model() -> None:
    state = _state("x", [_events(("write", "2026-12-03T16:44:09Z"), ("delete", "2026-12-03T16:40:51Z")), DEPLOYMENTS])
    found = openai_deployment_recreated(state)
    assert found is not None and found["deployment"] == "chat" and found["model"] == "gpt-35-turbo"


def test_a_write_before_the_delete_is_no_recreation() -> None:
    state = _state("x", [_events(("delete", "2026-12-03T16:44:09Z"), ("write", "2026-12-03T16:40:51Z")), DEPLOYMENTS])
    assert openai_deployment_recreated(state) is None
