"""Round 40, helper S3 (the thirty-third session's fix list: the engine asked what the report already states): a .NET
connection string null in Azure decided from the report's own words, a portal page refusing what the CLI accepts, a
Logic Apps designer failing while the runs go on, and an NFS share refused with its private path stated fine. Each
with a near miss that must stay silent (keep asking, or answer otherwise)."""

from __future__ import annotations

from typing import Any

from shared.session.state import AskClient, Conclude
from tests.helpers.engine_loop import run_engine


def _run(text: str) -> Any:
    return run_engine({"error_description": text}).final


# --- a .NET connection string null in Azure

NULL_CONN = ("System.ArgumentNullException: Value cannot be null. (Parameter 'connectionString')\n"
             "   at Azure.Storage.Blobs.BlobServiceClient..ctor(String connectionString)\n"
             "   at Billing.Startup.ConfigureServices(IServiceCollection services) in /src/Startup.cs:line 30\n")


def test_a_connection_string_read_by_name_that_works_locally_is_missing_in_azure() -> None:
    final = _run("Deployed billing-api to App Service, it fails at start:\n" + NULL_CONN +
                 "Startup.cs: new BlobServiceClient(Configuration.GetConnectionString(\"Invoices\")). "
                 "Works fine locally from my user secrets.")
    assert isinstance(final, Conclude)
    assert final.report.category == "config.missing_app_setting" and final.report.confidence == "medium"
    assert "Invoices" in final.report.root_cause


def test_a_colon_connection_string_name_on_linux_is_not_seen_by_the_app() -> None:
    final = _run("Moved billing-api to a Linux plan; now it fails:\n" + NULL_CONN +
                 "Program.cs: GetConnectionString(\"Ledger\"). App settings (Advanced edit):\n"
                 "  { \"name\": \"ConnectionStrings:Ledger\",\n"
                 "    \"value\": \"Server=tcp:sql-ledger.database.windows.net\" }")
    assert isinstance(final, Conclude) and "ConnectionStrings__Ledger" in final.report.root_cause


def test_a_null_connection_string_with_nothing_stated_still_asks() -> None:
    # no name the code reads, no "works locally", no App Configuration: the deployed names decide, so it asks
    assert isinstance(_run("Deployed billing-api to App Service, it fails at start:\n" + NULL_CONN), AskClient)


def test_a_colon_name_on_windows_is_not_the_linux_cause() -> None:
    final = _run("billing-api on our Windows plan fails:\n" + NULL_CONN +
                 "Program.cs: GetConnectionString(\"Ledger\"). App settings (Advanced edit):\n"
                 "  { \"name\": \"ConnectionStrings:Ledger\",\n"
                 "    \"value\": \"Server=tcp:sql-ledger.database.windows.net\" }")
    assert not (isinstance(final, Conclude) and "cannot hold a colon" in final.report.root_cause)


# --- a portal page refusing what the CLI accepts

def test_a_value_the_portal_refuses_and_the_cli_accepts_is_a_portal_defect() -> None:
    final = _run("Since Monday saving the health check path in the portal fails for all our web apps with "
                 "'The path must start with a slash' although it does (/healthz). Running "
                 "`az webapp config set -g rg-web -n app-web "
                 "--generic-configurations '{\"healthCheckPath\": \"/healthz\"}'` "
                 "goes through without any complaint.")
    assert isinstance(final, Conclude) and final.report.category == "platform.service_incident"
    assert "portal" in final.report.root_cause and final.report.confidence != "high"


def test_a_cli_failure_that_works_in_the_portal_is_not_a_portal_defect() -> None:
    final = _run("Saving the health check path fails: `az webapp config set -g rg-web -n app-web` keeps failing "
                 "with 'The path must start with a slash', while the same change works fine in the portal.")
    assert not (isinstance(final, Conclude) and final.report.category == "platform.service_incident")


# --- a Logic Apps designer failing while the runs go on

def test_a_designer_that_cannot_open_a_workflow_whose_runs_go_on_is_a_designer_defect() -> None:
    final = _run("Since this morning the designer shows 'Unable to initialize operation details' for every workflow of "
                 "la-orders; nobody deployed anything and the run history looks normal, runs are still being created.")
    assert isinstance(final, Conclude) and final.report.category == "platform.service_incident"
    assert "designer" in final.report.root_cause


def test_a_local_vs_code_designer_failure_is_not_the_portal_designer() -> None:
    final = _run("In VS Code the Logic Apps designer fails to open with an error on both laptops since Monday; the "
                 "design-time host starts and stops. We did not change the project and the deployed runs are still "
                 "running fine.")
    assert not (isinstance(final, Conclude) and final.report.category == "platform.service_incident")


# --- an NFS share refused with its private path stated fine

NFS = ("$ sudo mount -t nfs -o vers=4,minorversion=1,sec=sys "
       "stdata01.file.core.windows.net:/stdata01/share /mnt/share\n"
       "mount.nfs: access denied by server while mounting stdata01.file.core.windows.net:/stdata01/share\n")


def test_an_nfs_share_refused_over_a_resolving_private_endpoint_is_secure_transfer() -> None:
    final = _run(NFS + "The account has a private endpoint and the name resolves to 10.8.1.4, the private endpoint's "
                       "address; port 2049 connects.")
    assert isinstance(final, Conclude) and final.report.category == "network.storage_firewall"
    assert "secure transfer" in final.report.root_cause


def test_an_nfs_share_refused_from_on_premises_is_not_secure_transfer() -> None:
    final = _run(NFS + "From our on-prem server; I added its public IP to the account firewall, port 2049 connects, "
                       "the account also has a private endpoint that resolves to 10.8.1.4 inside Azure.")
    assert not (isinstance(final, Conclude) and "secure transfer" in final.report.root_cause)


# --- a deployment whose inner error is the schema validator's "has not been defined" sentence

def test_a_property_the_schema_does_not_define_is_the_api_version_schema_rule() -> None:
    final = _run("azd provision fails:\n  ERROR: {\"code\":\"DeploymentFailed\","
                 "\"details\":[{\"code\":\"InvalidTemplateDeployment\","
                 "\"details\":[{\"code\":\"WidgetPropertiesInvalid\","
                 "\"message\":\"Validation errors: Property 'turboMode' "
                 "has not been defined and the schema does not allow additional properties. "
                 "Path 'properties.turboMode'.\"}]}]}\n"
                 "resource w 'Microsoft.CognitiveServices/accounts@2021-10-01'")
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "turboMode" in final.report.root_cause


def test_a_property_that_is_defined_but_invalid_is_not_the_schema_rule() -> None:
    final = _run("azd provision fails:\n  ERROR: {\"code\":\"DeploymentFailed\","
                 "\"details\":[{\"code\":\"InvalidTemplateDeployment\","
                 "\"details\":[{\"code\":\"WidgetPropertiesInvalid\","
                 "\"message\":\"Validation errors: Property 'turboMode' "
                 "has an invalid value.\"}]}]}\nresource w 'Microsoft.CognitiveServices/accounts@2021-10-01'")
    assert not (isinstance(final, Conclude) and "fit the resource type's schema" in final.report.root_cause)


# --- a managed identity token request sent through the process's proxy

IMDS_FAIL = ("azure.identity.CredentialUnavailableError: ManagedIdentityCredential authentication unavailable, "
             "no response from the IMDS endpoint.\n")


def test_an_imds_failure_in_a_process_exporting_a_proxy_is_a_missing_no_proxy() -> None:
    final = _run("Our backup script on the VM fails since we added "
                 "`export HTTPS_PROXY=http://10.1.0.9:3128`:\n" + IMDS_FAIL)
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "NO_PROXY" in final.report.root_cause


def test_an_imds_failure_whose_no_proxy_lists_the_address_is_not_the_proxy() -> None:
    final = _run("Our backup script on the VM fails; it has HTTPS_PROXY=http://10.1.0.9:3128 and "
                 "NO_PROXY=169.254.169.254,localhost:\n" + IMDS_FAIL)
    assert not (isinstance(final, Conclude) and "NO_PROXY does not exclude" in final.report.root_cause)


# --- a Key Vault reference unresolved after a swap, the secrets role only on a slot's identity

SWAP = ("After the swap prod of app-pay fails: ValueError: invalid literal for int() with base 10: "
        "'@Microsoft.KeyVault(SecretUri=https://kv-pay.vault.azure.net/secrets/limit/)'. Roles on the vault:\n"
        "  Who                      Role\n"
        "  app-pay/slots/canary     Key Vault Secrets User\n")


def test_a_swap_with_the_secrets_role_only_on_a_slot_identity_names_the_slot() -> None:
    final = _run(SWAP + "  sec-admins               Key Vault Administrator\n")
    assert isinstance(final, Conclude) and final.report.category == "auth.keyvault_access_denied"
    assert "canary" in final.report.root_cause


def test_a_swap_whose_production_identity_also_holds_the_role_is_not_the_slot_cause() -> None:
    final = _run(SWAP + "  app-pay                  Key Vault Secrets User\n")
    assert not (isinstance(final, Conclude) and "only to the identity of the" in final.report.root_cause)
