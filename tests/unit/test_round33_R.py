"""Round 33 (helper session R, realR: Entra ID sign-in, Graph permissions, azure-identity, Key Vault, Azure OpenAI):
the Graph permission a denied call needs that the report's lists lack, a .env variable the shell's own value
shadows, a token .NET refused on the sign-in that issued it as a machine clock computed, and the catalog entries
the real reports showed missing (NoPermissionsInAccessToken, AADSTS500208, Azure AD Graph's own permissions, a
user-assigned identity in a Synapse notebook, httpx 0.28's removed proxies argument, a certificate's private key)."""

from __future__ import annotations

from shared.engines.analyzers.token_clock import lifetime_off
from shared.engines.dotenv_shadow import shadowed_variable
from shared.engines.graph_permissions import missing_graph_permission
from tests.helpers.engine_loop import run_engine


def _final(text: str) -> tuple[str, str | None, str]:
    final = run_engine({"error_description": text}).envelope()
    report = final.get("report") or {}
    return final["status"], report.get("category"), str(report.get("root_cause", ""))


# --- the Graph permission a call needs, against the lists the report shows

INBOX = ("var mail = await graphClient.Me.MailFolders.Inbox.Messages.Request().Top(20).GetAsync();\n"
         "ServiceException: Code: ErrorAccessDenied\nMessage: Access is denied. Check credentials and try again.\n")


def test_an_inbox_read_needs_mail_read_which_the_requested_scopes_lack() -> None:
    found = missing_graph_permission(INBOX + '"GraphScopes": "User.Read User.ReadBasic.All Mail.Send"\n')
    assert found is not None and found[0] == "Mail.Read"
    assert "the scopes the app requests (User.Read, User.ReadBasic.All, Mail.Send)" in found[1]


def test_sendmail_needs_mail_send_which_the_registration_lacks() -> None:
    text = ("POST https://graph.microsoft.com/v1.0/me/sendMail returned 403 'Access is denied. Check credentials and "
            "try again.'\nApp registration > API permissions (Microsoft Graph, delegated): User.Read - granted.\n")
    found = missing_graph_permission(text)
    assert found is not None and found[0] == "Mail.Send" and "API permissions (User.Read)" in found[1]


def test_a_listed_permission_that_satisfies_the_call_stays_silent() -> None:
    assert missing_graph_permission(INBOX + '"GraphScopes": "User.Read Mail.ReadWrite"\n') is None
    assert missing_graph_permission(INBOX) is None  # nothing listed: nothing to compare
    assert missing_graph_permission('"GraphScopes": "User.Read"\nAccess is denied.') is None  # no Graph call shown


def test_the_engine_names_the_missing_permission_in_its_conclusion() -> None:
    status, category, cause = _final(INBOX + '"GraphScopes": "User.Read User.ReadBasic.All Mail.Send"')
    assert (status, category) == ("done", "auth.rbac_missing") and "needs Mail.Read" in cause


# --- a .env variable the shell already sets

DOTENV = ("openai.error.AuthenticationError: Access denied due to invalid subscription key or wrong API endpoint.\n"
          ".env (run.py calls load_dotenv() first):\n  OPENAI_API_TYPE=azure\n  OPENAI_API_KEY=<key 1>\n")


def test_a_variable_the_shell_prints_is_what_the_code_reads() -> None:
    shown = "`echo $OPENAI_API_KEY` in this terminal prints sk-proj-abc\n"
    assert shadowed_variable(DOTENV + shown) == "OPENAI_API_KEY"
    status, category, cause = _final(DOTENV + "`echo $OPENAI_API_KEY` in this terminal prints sk-proj-abc")
    assert category == "auth.credential_invalid" and "load_dotenv() does not override" in cause


def test_override_or_no_shell_value_stays_silent() -> None:
    assert shadowed_variable(DOTENV.replace("load_dotenv()", "load_dotenv(override=True)")
                             + "`echo $OPENAI_API_KEY` prints sk-proj-abc\n") is None
    assert shadowed_variable(DOTENV) is None
    assert shadowed_variable(DOTENV + "`echo $HOME` prints /home/dev\n") is None


# --- a token refused on the sign-in that issued it

EXPIRED = ("IDX10223: Lifetime validation failed. The token is expired.\nValidTo: '05/19/2016 10:45:59'\n"
           "Current time: '05/19/2016 21:46:31'.\n")


def test_a_token_expired_on_the_sign_in_that_issued_it_shows_the_clock_ahead() -> None:
    said = lifetime_off("Sign-in succeeds and on the redirect back I get:\n" + EXPIRED)
    assert said is not None and "11.0 h" in said and "ahead" in said
    status, category, _ = _final("IIS on our own server; right after signing in I get:\n" + EXPIRED)
    assert (status, category) == ("fail", "out_of_scope")


def test_an_old_token_a_hidden_time_or_a_small_gap_is_no_clock_verdict() -> None:
    assert lifetime_off("My API rejects the bearer token the client cached yesterday:\n" + EXPIRED) is None
    assert lifetime_off("right after signing in: IDX10222: Lifetime validation failed. The token is not yet valid. "
                        "ValidFrom: 'System.DateTime', Current time: 'System.DateTime'.") is None
    assert lifetime_off("right after signing in: IDX10223: Lifetime validation failed. The token is expired. "
                        "ValidTo: '05/19/2016 10:45:59' Current time: '05/19/2016 10:47:00'.") is None


def test_a_token_not_yet_valid_shows_the_clock_behind_without_any_freshness_cue() -> None:
    said = lifetime_off("IDX10222: Lifetime validation failed. The token is not yet valid. ValidFrom: "
                        "'2024-03-01T10:00:00', Current time: '2024-03-01T08:30:00'.")
    assert said is not None and "behind" in said


# --- catalog entries the real reports showed missing

def test_no_permissions_in_access_token_names_application_permissions() -> None:
    _, category, cause = _final("Microsoft Graph API responded with code NoPermissionsInAccessToken: The token "
                                "contains no permissions, or permissions can not be understood. (client_credentials)")
    assert category == "auth.rbac_missing" and "Application" in cause


def test_aadsts500208_points_at_the_external_id_authority() -> None:
    _, category, cause = _final("Sign in with Microsoft ends on: AADSTS500208: The domain is not a valid login domain "
                                "for the account type. Authority https://login.microsoftonline.com/<tenant>/v2.0")
    assert category == "config.invalid_connection_string" and "ciamlogin" in cause


def test_insufficient_privileges_on_aad_graph_is_its_own_permission_only_there() -> None:
    aad = ("Get-AzADApplication : Insufficient privileges to complete the operation.\nGET https://graph.windows.net/"
           "t1/applications?api-version=1.6\nForbidden Authorization_RequestDenied")
    _, category, cause = _final(aad)
    assert category == "auth.rbac_missing" and "Azure AD Graph" in cause
    _, _, other = _final("GET https://graph.microsoft.com/v1.0/users returned Authorization_RequestDenied: "
                         "Insufficient privileges to complete the operation.")
    assert "Azure AD Graph" not in other


def test_synapse_user_assigned_identity_is_named_only_in_synapse() -> None:
    synapse = ("Synapse notebook: cred = ManagedIdentityCredential(client_id=\"9f1c\")\n"
               "ImdsCredential.get_token failed: ManagedIdentityCredential authentication unavailable, "
               "no response from the IMDS endpoint.")
    _, category, cause = _final(synapse)
    assert category == "auth.managed_identity_missing" and "Synapse" in cause
    _, _, vm = _final(synapse.replace("Synapse notebook", "On my laptop"))
    assert "Synapse" not in vm


def test_httpx_removed_proxies_is_the_local_environment() -> None:
    status, category, cause = _final("File \"openai/_base_client.py\", line 755, in __init__\n"
                                     "  super().__init__(**kwargs)\n"
                                     "TypeError: Client.__init__() got an unexpected keyword argument 'proxies'")
    assert (status, category) == ("fail", "out_of_scope") and "httpx" in cause
    # another unexpected keyword argument is not this entry's
    assert "httpx" not in _final("TypeError: connect() got an unexpected keyword argument 'timeout_ms'")[2]


def test_a_certificate_read_through_the_certificate_api_has_no_private_key() -> None:
    _, category, cause = _final("var cert = new X509Certificate2((await certificateClient.GetCertificateAsync(\"s\"))"
                                ".Value.Cer); cert.HasPrivateKey is false, so signing with the private key fails.")
    assert category == "runtime.code_defect" and "secret" in cause


# --- an Azure OpenAI base URL without the /openai path

CODEX = ("stream error: unexpected status 404 Not Found: Resource not found\n"
         "[model_providers.azure]\nname = \"Azure OpenAI\"\nBASE\nwire_api = \"responses\"\n")


def test_a_bare_resource_base_url_misses_the_openai_path() -> None:
    status, category, cause = _final(CODEX.replace("BASE", 'base_url = "https://aoai-dev.openai.azure.com/"'))
    assert (status, category) == ("done", "config.invalid_connection_string") and "/openai" in cause


def test_a_base_url_with_the_openai_path_or_an_azure_endpoint_is_not_this_clue() -> None:
    for base in ('base_url = "https://aoai-dev.openai.azure.com/openai/v1/"',
                 'azure_endpoint = "https://aoai-dev.openai.azure.com/"'):
        _, _, cause = _final(CODEX.replace("BASE", base))
        assert "bare resource endpoint" not in cause
