"""Round 32 (Q: docs-style Entra ID / azure-identity / RBAC / Key Vault / Graph / Azure AI cases): a token refused on an
AI services account without a custom subdomain is an endpoint problem (config.invalid_connection_string, as the
official page says: call the custom subdomain endpoint); EnvironmentCredential's 'not fully configured' when the
report itself sets some of its variables names the missing one; GitHub's SAML SSO refusal and Amazon Cognito's
own words are other providers' errors."""

from __future__ import annotations

from shared.engines.analyzers.common import table_entry
from shared.engines.session_reads import FINDINGS
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine

CHAIN = ("azure.identity._exceptions.ClientAuthenticationError: DefaultAzureCredential failed to retrieve a token from "
         "the included credentials.\nAttempted credentials:\n\tEnvironmentCredential: EnvironmentCredential "
         "authentication unavailable. Environment variables are not fully configured.\n\tManagedIdentityCredential: "
         "ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint.\n\t"
         "AzureCliCredential: Please run 'az login' to set up an account\n\n")


def _final(text: str) -> dict:
    return run_engine({"error_description": text}).envelope()


def test_custom_subdomain_finding_and_catalog_entry_are_endpoint_problems() -> None:
    assert table_entry(FINDINGS, "ai-services-token-auth-without-custom-subdomain")["category"] == \
        "config.invalid_connection_string"
    said = ("azure.core.exceptions.ClientAuthenticationError: (401) Please provide a custom subdomain for token "
            "authentication, otherwise API key is required.")
    assert concludes(said, "config.invalid_connection_string")


def test_environment_credential_with_a_misnamed_variable_names_the_missing_one() -> None:
    env = ("env:\n  AZURE_CLIENT_ID: ${{ secrets.SP_ID }}\n  AZURE_CLIENT_SECRET: ${{ secrets.SP_SECRET }}\n"
           "  AZURE_TENANTID: ${{ secrets.TENANT }}\n")
    envelope = _final(CHAIN + env)
    assert envelope["status"] == "done"
    assert envelope["report"]["category"] == "config.missing_app_setting"
    assert "AZURE_TENANT_ID" in envelope["report"]["root_cause"]


def test_environment_credential_with_all_three_variables_set_stays_silent() -> None:
    env = ("env:\n  AZURE_CLIENT_ID: ${{ secrets.SP_ID }}\n  AZURE_CLIENT_SECRET: ${{ secrets.SP_SECRET }}\n"
           "  AZURE_TENANT_ID: ${{ secrets.TENANT }}\n")
    report = _final(CHAIN + env).get("report") or {}
    assert "does not see all three" not in str(report.get("root_cause"))


def test_environment_credential_with_no_variable_in_the_report_is_not_this_clue() -> None:
    report = _final(CHAIN + "It runs in our Jenkins job.").get("report") or {}
    assert "does not see all three" not in str(report.get("root_cause"))


def test_github_saml_enforcement_is_out_of_scope() -> None:
    said = ("git clone https://github.com/contoso/app.git\nremote: The 'contoso' organization has enabled or enforced "
            "SAML SSO.\nfatal: unable to access: The requested URL returned error: 403\n{\"message\":\"Resource "
            "protected by organization SAML enforcement. You must grant your Personal Access token access to this "
            "organization.\"}")
    envelope = _final(said)
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"
    assert "GitHub" in envelope["report"]["root_cause"]


def test_a_github_hosted_runner_calling_azure_is_not_github_s_error() -> None:
    said = ("The GitHub Actions job fails: ERROR: (AuthorizationFailed) The client 'abc' with object id "
            "'00000000-0000-0000-0000-000000000002' does not have authorization to perform action "
            "'Microsoft.Web/sites/write' over scope "
            "'/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/app'.")
    report = _final(said).get("report") or {}
    assert report.get("category") != "out_of_scope"
