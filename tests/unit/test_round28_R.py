"""Round 28, robustness set R (the twenty-first session): known failures told in other words. A catalog phrase
also matches its contracted or spelled-out sibling and the allowlist/whitelist wording (Application Gateway's
backend health now prints "doesn't match ... allowlist"); the platform's "RunFromPackage> Failed to download
package" start-up line asks for the package account's network rules and an answer that shows it denying by default
is the storage firewall; a Storage 401 refused to a Terraform backend on Entra auth (use_azuread_auth) is a token of
another tenant; a 401 from the OneDeploy API with basic authentication stated off is the SCM basic-auth setting; an
object replication policy refused because versioning is off, told without a code, is the template's prerequisite."""

from __future__ import annotations

from shared.catalog.index import catalog_index, sibling_forms
from shared.engines.clues import clue_in
from shared.session.state import AskClient, Conclude
from tests.helpers.clue_checks import concludes
from tests.helpers.engine_loop import run_engine

# --- sibling wordings of catalog phrases ---------------------------------------------------------------------


def test_a_phrase_also_has_its_contracted_and_spelled_out_forms() -> None:
    assert "doesn't match the trusted root" in sibling_forms("does not match the trusted root")
    assert "cannot be whitelisted" in sibling_forms("can't be whitelisted")
    assert "can't be allowlisted" in sibling_forms("can't be whitelisted")


def test_a_phrase_without_a_negation_or_list_word_has_only_itself() -> None:
    assert sibling_forms("Worker was unable to load function") == ("worker was unable to load function",)
    assert sibling_forms("the isnotable value") == ("the isnotable value",)  # no word boundary, no sibling


APPGW = ("Backend health shows both instances Unhealthy: The root certificate of the server certificate used by the "
         "backend doesn't match the trusted root certificate added to the application gateway. Ensure that you add "
         "the correct root certificate to allowlist the backend.")


def test_the_current_backend_health_wording_reads_as_the_root_certificate_mismatch() -> None:
    hits = catalog_index().hits([(APPGW, "error")])
    assert hits and hits[0].entry.id == "compute-appgw-backend-root-cert-mismatch", [h.entry.id for h in hits[:3]]


def test_a_root_certificate_that_matches_is_no_mismatch() -> None:
    said = ("Backend health is Healthy; the root certificate of the backend matches the trusted root certificate on "
            "the gateway. Clients still get 502 from the listener.")
    hits = catalog_index().hits([(said, "error")])
    assert all(h.entry.id != "compute-appgw-backend-root-cert-mismatch" for h in hits)


# --- run from package: the package download failed at start-up -----------------------------------------------

RFP = ("func-orders (Elastic Premium, Linux) shows \"Azure Functions runtime is unreachable\" since the restart. "
       "Docker log:\n2026-11-30T03:12:51.402Z ERROR - RunFromPackage> Failed to download package from "
       "https://stordersrel.blob.core.windows.net/releases/app.zip?sv=2022-11-02&se=2027-11-20T00:00:00Z&sig=x\n"
       "2026-11-30T03:12:51.409Z INFO  - Stopping site func-orders because it failed during startup.")
DENY = ('{"networkRuleSet": {"bypass": "AzureServices", "defaultAction": "Deny", "ipRules": [], '
        '"virtualNetworkRules": []}, "publicNetworkAccess": "Enabled"}')


def test_a_failed_package_download_asks_for_the_package_accounts_network_rules() -> None:
    final = run_engine({"error_description": RFP}).final
    assert isinstance(final, AskClient) and "package" in final.request.question
    assert any("stordersrel" in c for c in final.request.suggested_commands or [])


def test_rules_that_deny_by_default_make_the_failed_download_the_storage_firewall() -> None:
    final = run_engine({"error_description": RFP}, [{"when_asked_contains": "network", "answer": DENY}]).final
    assert isinstance(final, Conclude) and final.report.category == "network.storage_firewall"


def test_an_unreachable_runtime_without_the_download_line_keeps_its_own_question() -> None:
    said = "func-orders shows \"Azure Functions runtime is unreachable\" since the restart; nothing was deployed."
    final = run_engine({"error_description": said}).final
    assert isinstance(final, AskClient) and "package that WEBSITE_RUN_FROM_PACKAGE points at" not in \
        final.request.question


# --- Storage refuses the bearer token of a Terraform backend on Entra auth ------------------------------------

BACKEND = ("terraform plan: Error: error loading state: executing request: unexpected status 401 (401 Server failed "
           "to authenticate the request. Please refer to the information in the www-authenticate header.) with "
           "InvalidAuthenticationInfo: Server failed to authenticate the request. Please refer to the information in "
           "the www-authenticate header.\nbackend \"azurerm\" { storage_account_name = \"sttfstate\", "
           "use_azuread_auth = true }")


def test_a_terraform_backend_on_entra_auth_refused_with_401_is_a_token_of_another_tenant() -> None:
    final = run_engine({"error_description": BACKEND}).final
    assert isinstance(final, Conclude) and final.report.category == "auth.credential_invalid"
    assert "tenant" in final.report.root_cause


def test_the_same_401_with_a_sas_token_is_no_bearer_token_verdict() -> None:
    found = clue_in([BACKEND.replace("use_azuread_auth = true", "sas_token = var.sas") + " The SAS token is new."])
    assert found is None or found["id"] != "storage-bearer-token-refused"


# --- OneDeploy refused with 401 while basic authentication is off ---------------------------------------------

ONEDEPLOY = ("azure/webapps-deploy@v3 with publish-profile to the staging slot:\nPackage deployment using OneDeploy "
             "initiated.\nError: Failed to deploy web package using OneDeploy to App Service.\nUnauthorized (CODE: "
             "401)\nThe portal's Download publish profile button is greyed out: basic authentication is disabled.")


def test_a_onedeploy_401_with_basic_authentication_off_is_the_scm_basic_auth_setting() -> None:
    assert concludes(ONEDEPLOY, "auth.credential_invalid")
    final = run_engine({"error_description": ONEDEPLOY}).final
    assert isinstance(final, Conclude) and "basic" in final.report.root_cause.lower()


def test_a_onedeploy_failure_without_a_401_is_not_the_basic_auth_clue() -> None:
    said = ONEDEPLOY.replace("Unauthorized (CODE: 401)", "Conflict (CODE: 409)")
    found = clue_in([said])
    assert found is None or found["id"] != "scm-basic-auth-publishing-credentials-refused"


# --- object replication needs versioning (no code pasted) -----------------------------------------------------

ORP = ("azd provision of the objectReplicationPolicies resource to the DR account failed; the portal said roughly "
       "that the replication policy cannot be created because blob versioning is not enabled on the destination "
       "account.")


def test_an_object_replication_refusal_for_versioning_off_is_the_templates_prerequisite() -> None:
    assert concludes(ORP, "deployment.template_invalid")


def test_replication_with_versioning_on_is_not_the_prerequisite_clue() -> None:
    said = ("Object replication policy to the DR account is created; versioning is enabled on both accounts and "
            "change feed on the source, but blobs arrive after two hours.")
    found = clue_in([said])
    assert found is None or found["id"] != "storage-object-replication-needs-versioning-and-change-feed"


ZIPDEPLOY = ("AzureWebApp@1 with the publish profile of the slot:\nPackage deployment using ZIP Deploy initiated.\n"
             "##[error]Error: Failed to deploy web package to App Service.\n##[error]Error: Unauthorized (CODE: 401)\n"
             "SCM Basic Auth Publishing Credentials are Off on the slot since the policy ran.")


def test_the_zip_deploy_sibling_of_the_same_refusal_is_the_scm_basic_auth_setting() -> None:
    found = clue_in([ZIPDEPLOY])
    assert found is not None and found["id"] == "scm-basic-auth-publishing-credentials-refused"


AZCOPY = ("azcopy copy ./out https://stexports.blob.core.windows.net/drop --recursive with AZCOPY_AUTO_LOGIN_TYPE=AZCLI"
          "\nRESPONSE Status: 401 Server failed to authenticate the request. Please refer to the information in the "
          "www-authenticate header.")


def test_azcopy_on_entra_auth_refused_with_401_is_the_bearer_token_clue() -> None:
    found = clue_in([AZCOPY])
    assert found is not None and found["id"] == "storage-bearer-token-refused"
    with_sas = AZCOPY.replace("/drop --recursive", "/drop?sv=2022-11-02&sig=abc --recursive")
    found = clue_in([with_sas])
    assert found is None or found["id"] != "storage-bearer-token-refused"
