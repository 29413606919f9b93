"""Round 32 B (the twenty-fifth session's development half B): Terraform's plan-time check of a Key Vault object name,
a Document Intelligence preview api-version called in a region without it, a multi-tenant API that does not list its
client in knownClientApplications, a client secret sent in an unencoded form body, and Google's expired refresh
token (out of scope)."""

from __future__ import annotations

import pytest

from shared.session.state import GiveUp
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

TF_NAME = (
    '│ Error: "name" may only contain alphanumeric characters and dashes\n│\n│   with '
    'module.db.azurerm_key_vault_secret.db_name["sales_db"],\n'
    '│   on modules/db/secrets.tf line 12, in resource "azurerm_key_vault_secret" "db_name":')
DOCINTEL = (
    'azure.core.exceptions.ResourceNotFoundError: (404) Resource not found\nCode: 404\nMessage: Resource not found\n'
    "POST https://di-ocr-weu.cognitiveservices.azure.com/documentintelligence/documentModels/prebuilt-read:analyze"
    "?api-version=2023-10-31-preview")
MULTITENANT = (
    "Multi-tenant SPA and our multi-tenant web API, two registrations. A user of a partner tenant gets "
    "AADSTS650052: The app is trying to access a service that your organization lacks a service principal for.\n"
    'API manifest: "knownClientApplications": [],')
SECRET_FORM = (
    "curl -X POST https://login.microsoftonline.com/t/oauth2/v2.0/token -d "
    '"grant_type=client_credentials&client_id=abc&client_secret=$SECRET&scope=api%3A%2F%2Fx%2F.default"\n'
    '{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret '
    'being sent in the request is the client secret value, not the client secret ID"}\n'
    "The secret contains '+' and '/'; the same value works from Postman.")
GOOGLE = ("[ERROR] Error fetching events: invalid_grant\nGaxiosError: invalid_grant\n  response: { data: { error: "
          "'invalid_grant', error_description: 'Token has been expired or revoked.' }, status: 400 }")

CATALOG_CASES = {
    "keyvault-terraform-object-name-invalid-characters": TF_NAME,
    "openai-docintel-preview-api-version-not-in-region": DOCINTEL,
    "entra-multitenant-api-known-client-not-set": MULTITENANT,
    "entra-aadsts7000215-secret-not-form-encoded": SECRET_FORM,
    "other-clouds-google-oauth-refresh-token-expired": GOOGLE,
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    assert best_entry_id(CATALOG_CASES[entry_id]) == entry_id


def test_the_same_name_rule_of_another_tool_is_not_key_vault() -> None:
    # the wording alone is any validator's (a module variable, a username): Key Vault only with its resource named
    other = TF_NAME.replace("azurerm_key_vault_secret", "azurerm_storage_container")
    assert best_entry_id(other) != "keyvault-terraform-object-name-invalid-characters"


def test_a_ga_api_version_404_stays_the_generic_route_miss() -> None:
    # without a preview version the region is no explanation: the path or endpoint is the suspect
    ga = DOCINTEL.replace("2023-10-31-preview", "2024-11-30")
    assert best_entry_id(ga) != "openai-docintel-preview-api-version-not-in-region"


def test_an_api_that_already_lists_its_client_is_another_case() -> None:
    listed = MULTITENANT.replace('"knownClientApplications": [],',
                                 '"knownClientApplications": ["4e7aee00-497c-5656-a3de-a4d8f74e7efd"],')
    assert best_entry_id(listed) != "entra-multitenant-api-known-client-not-set"
    single = "AADSTS65005: The application needs access to a service that your organization has not subscribed to."
    assert best_entry_id(single) != "entra-multitenant-api-known-client-not-set"
    graph = "Our multi-tenant app calls the Microsoft Graph API; users of another tenant get AADSTS65005."
    assert best_entry_id(graph) != "entra-multitenant-api-known-client-not-set"
    own = "Our multi-tenant client calls our own web API; a partner tenant's admin gets AADSTS650052."
    assert best_entry_id(own) == "entra-multitenant-api-known-client-not-set"


def test_an_encoded_secret_or_an_sdk_client_is_not_the_form_encoding() -> None:
    encoded = SECRET_FORM.replace("client_secret=$SECRET", "client_secret=ab%2Bcd")
    assert best_entry_id(encoded) != "entra-aadsts7000215-secret-not-form-encoded"
    sdk = SECRET_FORM.split("\n", 1)[1].replace("The secret contains '+' and '/';", "ClientSecretCredential;")
    assert best_entry_id(sdk) != "entra-aadsts7000215-secret-not-form-encoded"


def test_google_refresh_token_expiry_on_an_azure_vm_is_out_of_scope() -> None:
    final = run_engine({"error_description": "The dashboard runs in a container on an Azure VM.\n" + GOOGLE}).final
    assert isinstance(final, GiveUp) and final.report.category == "out_of_scope"
