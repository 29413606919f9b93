"""Round 34 realF: the mechanisms added for twenty real reports - Graph mail calls for a user without an Exchange
Online mailbox or an address that names no mailbox user, /applications/{id} addressed by the client ID, the token
URL configured as the authorization endpoint, a Key Vault sign digest of the wrong length, an NSG rule without a
source, private endpoint group IDs (one per endpoint, the provider's own spelling), an Automation runbook without
Az.Resources, Application Gateway's PFX password, a policy definition that cannot be evaluated, Amazon SES, Gemini's
quota words on a line beside a 429, and the flush clue reading "there is nothing". Each check has a near miss that
must stay silent."""

from __future__ import annotations

import pytest

from shared.engines.clues import clue_in
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _start(text: str) -> dict:
    return {"error_description": text}


def test_mailbox_not_enabled_is_a_user_without_exchange_online_mailbox() -> None:
    text = ("Code: MailboxNotEnabledForRESTAPI Message: The mailbox is either inactive, soft-deleted, or is hosted "
            "on-premise.")
    assert best_entry_id(text) == "entra-graph-mailbox-not-enabled-for-rest-api"
    report = run_engine(_start("Creating a Teams meeting through Graph fails: " + text)).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name"
    assert "Exchange Online" in report["root_cause"]


def test_graph_access_denied_is_not_the_mailbox_entry() -> None:
    assert best_entry_id("code: ErrorAccessDenied Access is denied. Check credentials and try again.") \
        == "entra-graph-exchange-error-access-denied"


def test_error_invalid_user_names_the_address_to_use() -> None:
    text = "code: ErrorInvalidUser\nmessage: The requested user 'orders@shop.example' is invalid."
    assert best_entry_id(text) == "entra-graph-error-invalid-user"
    report = run_engine(_start(text)).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name" and "primary" in report["root_cause"]


APP_404 = ("code: Request_ResourceNotFound\nmsg: Resource '3f6b1a52-9c1e-5d0e-8a7b-2c4d6e8f1a3b' does not exist or "
           "one of its queried reference-property objects are not present.")


def test_applications_by_client_id_needs_the_object_id() -> None:
    text = "app, err := client.Applications().ByApplicationIdString(clientID).Get(ctx, nil)\n" + APP_404
    assert best_entry_id(text) == "entra-graph-application-addressed-by-app-id"
    report = run_engine(_start(text)).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name" and "object ID" in report["root_cause"]


@pytest.mark.parametrize("text", [
    # a user looked up, no application in sight
    "GET https://graph.microsoft.com/v1.0/users/jo@contoso.example\n" + APP_404,
    # already the alternate-key form for the client ID
    "GET https://graph.microsoft.com/v1.0/applications(appId='3f6b1a52-9c1e-5d0e-8a7b-2c4d6e8f1a3b') client id\n"
    + APP_404,
])
def test_other_not_found_lookups_are_not_the_app_id_entry(text: str) -> None:
    assert best_entry_id(text) != "entra-graph-application-addressed-by-app-id"


VERB = "AADSTS900561: The endpoint only accepts POST, OPTIONS requests. Received a GET request."


def test_token_url_configured_as_authorize_endpoint() -> None:
    text = "Authorize URI: https://login.microsoftonline.com/common/oauth2/v2.0/token\n" + VERB
    assert best_entry_id(text) == "entra-aadsts900561-token-endpoint-used-as-authorize-url"
    report = run_engine(_start(text)).envelope()["report"]
    assert report["category"] == "config.invalid_connection_string" and "/authorize" in report["root_cause"]


def test_a_get_from_code_to_the_token_endpoint_stays_a_code_defect() -> None:
    text = "requests.get('https://login.microsoftonline.com/common/oauth2/v2.0/token', params=body)\n" + VERB
    assert best_entry_id(text) == "entra-aadsts900561-wrong-http-verb"


def test_key_vault_sign_digest_length() -> None:
    text = ("(BadParameter) Invalid length of 'value': 30 bytes. ES256 requires 32 bytes, encoded with base64url.\n"
            "Code: BadParameter")
    assert best_entry_id(text) == "keyvault-sign-digest-length-invalid"
    report = run_engine(_start("az keyvault key sign --digest fails:\n" + text)).envelope()["report"]
    assert report["category"] == "runtime.code_defect" and "base64" in report["root_cause"]


def test_another_bad_parameter_is_not_the_sign_entry() -> None:
    assert best_entry_id("(BadParameter) The request URI contains an invalid name: db_password") \
        != "keyvault-sign-digest-length-invalid"


def test_nsg_rule_without_source() -> None:
    text = ('Original Error: Code="SecurityRuleParametersMissing" Message="Required security rule parameters are '
            "missing for security rule with Id: /subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/"
            "networkSecurityGroups/nsg1/securityRules/open-db. Security rule must specify SourceAddressPrefixes, "
            'SourceAddressPrefix, or SourceApplicationSecurityGroups."')
    assert best_entry_id(text) == "compute-nsg-rule-parameters-missing-source"
    report = run_engine(_start("terraform apply of the NSG: " + text)).envelope()["report"]
    assert report["category"] == "deployment.template_invalid"


def test_port_list_in_one_value_names_the_plural_property() -> None:
    text = ('Code="SecurityRuleInvalidPortRange" Message="Security rule has invalid Port range. Value provided: '
            "636, 389. Value should be an integer OR integer range with '-' delimiter. Valid range 0-65535.\"")
    report = run_engine(_start(text)).envelope()["report"]
    assert "destinationPortRanges" in report["root_cause"]


def test_one_group_id_per_private_endpoint() -> None:
    text = ("OnlyOneGroupIdPermitted: Private link service connection ... has the following group Ids: blob, file. "
            "Only one group Id is permitted when connecting to a first-party resource")
    assert best_entry_id(text) == "compute-private-endpoint-only-one-group-id"
    report = run_engine(_start("creating the private endpoint fails:\n" + text)).envelope()["report"]
    assert report["category"] == "deployment.template_invalid" and "one group" in report["root_cause"]


def test_invalid_group_id_names_the_provider_spelling() -> None:
    text = ('"groupIds": ["signalR"]\n{"code":"InvalidValuesForRequestParameters","message":"Call to '
            'Microsoft.SignalRService/SignalR failed. Error message: Invalid groupId"}')
    assert best_entry_id(text) == "compute-private-endpoint-invalid-group-id"
    report = run_engine(_start("our private endpoint deployment fails: " + text)).envelope()["report"]
    assert report["category"] == "deployment.template_invalid" and "lowercase" in report["root_cause"]


def test_a_private_endpoint_dns_report_is_not_a_group_id_error() -> None:
    assert best_entry_id("the private endpoint resolves to a public IP, nslookup shows 20.1.2.3") \
        not in ("compute-private-endpoint-invalid-group-id", "compute-private-endpoint-only-one-group-id")


NOT_RECOGNIZED = ("The term '{cmdlet}' is not recognized as the name of a cmdlet, function, script file, or operable "
                  "program.")


def test_runbook_without_az_resources() -> None:
    text = "Runbook job completed with errors: " + NOT_RECOGNIZED.format(cmdlet="Get-AzADApplication")
    assert best_entry_id(text) == "compute-automation-runbook-az-resources-cmdlet-not-recognized"
    report = run_engine(_start(text)).envelope()["report"]
    assert report["category"] == "runtime.dependency_missing" and "Az.Resources" in report["root_cause"]


def test_runbook_missing_another_module_names_no_az_resources() -> None:
    text = "Runbook job completed with errors: " + NOT_RECOGNIZED.format(cmdlet="Get-AzKeyVaultSecret")
    assert best_entry_id(text) == "compute-automation-runbook-cmdlet-not-recognized"
    assert "Az.Resources" not in run_engine(_start(text)).envelope()["report"]["root_cause"]


def test_a_function_app_cmdlet_is_still_the_functions_entry() -> None:
    text = "PowerShell function app log: " + NOT_RECOGNIZED.format(cmdlet="Get-AzADApplication")
    assert best_entry_id(text) == "functions-powershell-cmdlet-not-found"


PFX = ("Add-AzApplicationGatewaySslCertificate -ApplicationGateway $gw -Name c -CertificateFile .\\c.pfx "
       "-Password $p\nSet-AzApplicationGateway : Long running operation failed with status 'Failed'. "
       "Additional Info:' An error occurred.'\nThe PFX opens fine in Windows with the same password.")


def test_app_gateway_pfx_password() -> None:
    assert best_entry_id(PFX) == "compute-appgw-pfx-password-not-accepted"
    report = run_engine(_start(PFX)).envelope()["report"]
    assert report["category"] == "deployment.template_invalid" and "12 characters" in report["root_cause"]


def test_a_generic_long_running_failure_elsewhere_is_not_the_pfx_entry() -> None:
    text = ("Set-AzVirtualNetwork : Long running operation failed with status 'Failed'. "
            "Additional Info:' An error occurred.'")
    assert best_entry_id(text) != "compute-appgw-pfx-password-not-accepted"


def test_policy_that_cannot_be_evaluated() -> None:
    text = ("Error: A function or parameter in policy assignment 'Deny-MgmtPorts-Internet' associated with the policy "
            "definition 'Deny-MgmtPorts-From-Internet' could not be validated. Please either fix the policy or remove "
            "the policy assignment to unblock. The inner error is 'The provided arguments for template language "
            "function 'lessOrEquals' is not valid: all function arguments should be of numeric types.'")
    assert best_entry_id(text) == "arm-policy-assignment-function-could-not-be-validated"
    report = run_engine(_start(text)).envelope()["report"]
    assert report["category"] == "deployment.policy_denied" and "policy definition" in report["root_cause"]


def test_amazon_ses_refusal_is_out_of_scope_even_from_app_service() -> None:
    text = ("Our site runs on Azure App Service. SimpleEmailService::sendRawEmail(): Sender - MessageRejected: Email "
            "address is not verified. The following identities failed the check in region EU-CENTRAL-1: a@b.example")
    outcome = run_engine(_start(text)).envelope()
    assert outcome["status"] == "fail" and outcome["report"]["category"] == "out_of_scope"


GEMINI = ("The bot's Azure OpenAI backend works; the Gemini one fails:\n"
          "Error: [GoogleGenerativeAI Error]: [429 Too Many Requests] Resource has been exhausted (e.g. check quota).\n"
          '{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing '
          'details.","status":"RESOURCE_EXHAUSTED"}}')


def test_gemini_quota_beside_a_429_is_googles() -> None:
    outcome = run_engine(_start(GEMINI)).envelope()
    assert outcome["status"] == "fail" and outcome["report"]["category"] == "out_of_scope"
    assert "Google" in outcome["report"]["root_cause"]


def test_openai_platform_quota_without_google_words_stays_openai() -> None:
    text = ('openai.RateLimitError: Error code: 429 - {"error": {"message": "You exceeded your current quota, please '
            'check your plan and billing details.", "type": "insufficient_quota"}}')
    assert best_entry_id(text) == "openai-platform-insufficient-quota"


def test_an_azure_openai_429_is_still_throttling() -> None:
    text = ("Azure OpenAI deployment gpt-4o: Error code: 429 - Requests to the ChatCompletions_Create Operation "
            "under Azure OpenAI API version 2024-02-01 have exceeded token rate limit of your current OpenAI S0 "
            "pricing tier.")
    report = run_engine(_start(text)).envelope()["report"]
    assert report["category"] == "throttling.rate_limited"


FLUSH = ("Our nightly job is a .NET 8 console app.\n"
         "var telemetry = new TelemetryClient(config);\n"
         'telemetry.TrackEvent("ReconciliationCompleted");\nreturn 0;\n'
         "In Application Insights there is nothing, not even from last night's run.")


def test_flush_clue_reads_there_is_nothing() -> None:
    found = clue_in([FLUSH])
    assert found is not None and found["id"] == "application-insights-short-lived-process-not-flushed"


def test_a_job_that_flushes_is_not_decided_by_the_flush_clue() -> None:
    report = run_engine(_start(FLUSH.replace("return 0;", "telemetry.Flush();\nreturn 0;"))).envelope()
    assert report.get("status") != "done" or "Flush" not in report["report"]["root_cause"]
