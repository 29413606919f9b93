"""Round 40, helper S6 (the thirty-third session's fix list, fixed by class): a built-in App Service stack named in the
client's words is not a custom container (the code's fixed port, not WEBSITES_PORT); the user-assigned-only identity
connection clue reads the host's own symptoms; the Functions host's own request body limit is an app setting;
Terraform's azurerm on a machine with a managed identity falling back to the Azure CLI lacks use_msi; and
PublicAccessNotPermitted is read by who asked for the public level. Each with a near miss that must stay silent."""

from __future__ import annotations

from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _final(text: str, **environment: object):
    start: dict = {"error_description": text}
    if environment:
        start["context"] = {"environment_info": environment}
    return run_engine(start).final


# --- a built-in stack's fixed port

PINGS = ("Default docker log:\n2026-01-02T10:00:01Z Listening on http://localhost:3000\n"
         "2026-01-02T10:03:51Z ERROR - Container web_0_1 didn't respond to HTTP pings on port: 8080, "
         "failing site start.")


def test_a_built_in_stack_in_the_clients_words_makes_the_fixed_port_the_code() -> None:
    final = _final("Node app on the built-in Node 20 stack, no docker.\n" + PINGS)
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"
    assert "PORT" in final.report.root_cause


def test_a_stack_value_in_environment_info_says_built_in_too() -> None:
    final = _final(PINGS, stack="NODE|20-lts")
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"


def test_a_custom_image_stays_the_websites_port_setting() -> None:
    final = _final("We push our own image from a Dockerfile to ACR (custom container).\n" + PINGS)
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "WEBSITES_PORT" in final.report.root_cause


# --- an identity-based connection on a user-assigned-only app without __clientId

UAMI = ("Removed the connection string; AzureWebJobsStorage__accountName = stfuncx01. The app has only the "
        "user-assigned identity (system assigned is Off). The portal shows \"Azure Functions runtime is unreachable\".")


def test_the_hosts_unreachable_runtime_counts_as_the_failure_of_the_uami_connection() -> None:
    final = _final(UAMI)
    assert isinstance(final, Conclude) and final.report.category == "auth.managed_identity_missing"
    assert "clientId" in final.report.root_cause


def test_a_connection_that_names_its_client_id_is_not_that_case() -> None:
    final = _final(UAMI + "\nAzureWebJobsStorage__clientId = 0d1e2f30-0000-4000-8000-000000000001")
    assert not (isinstance(final, Conclude) and "__clientId the connection uses" in final.report.root_cause)


# --- the Functions host's own request body limit

def test_the_hosts_100_mib_body_limit_is_the_request_body_size_setting() -> None:
    text = ("HTTP trigger, uploads over 100 MB fail with 413:\nMicrosoft.AspNetCore.Server.Kestrel.Core."
            "BadHttpRequestException: Request body too large. The max request body size is 104857600 bytes.")
    assert best_entry_id(text) == "functions-host-request-body-size-limit"
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT" in final.report.root_cause


def test_plain_kestrels_30mb_default_is_not_the_functions_setting() -> None:
    text = "Request body too large. The max request body size is 30000000 bytes."
    assert best_entry_id(text) != "functions-host-request-body-size-limit"


# --- Terraform azurerm on a machine with a managed identity, without use_msi

TF = ("Terraform on our self-hosted agent VM; the VM has a system-assigned managed identity with Contributor.\n"
      "Error: building account: could not acquire access token to parse claims: running Azure CLI: exit status 1: "
      "ERROR: Please run 'az login' to setup account.\n  with provider[\"registry.terraform.io/hashicorp/azurerm\"]")


def test_the_cli_fallback_on_an_identity_machine_is_the_missing_use_msi() -> None:
    final = _final(TF)
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert "ARM_USE_MSI" in final.report.root_cause


def test_with_use_msi_set_the_clue_stays_silent() -> None:
    final = _final(TF + "\nPipeline env: ARM_USE_MSI=true, ARM_SUBSCRIPTION_ID, ARM_TENANT_ID")
    assert not (isinstance(final, Conclude) and final.report.category == "config.missing_app_setting")


# --- PublicAccessNotPermitted by who asked for the public level

NOT_PERMITTED = "ErrorCode:PublicAccessNotPermitted\nPublic access is not permitted on this storage account."


def test_a_terraform_container_access_type_is_the_templates() -> None:
    text = NOT_PERMITTED + '\nresource "azurerm_storage_container" "x" {\n  container_access_type = "blob"\n}'
    assert best_entry_id(text) == "storage-container-public-access-blocked-by-account"


def test_a_client_create_call_with_a_public_level_is_the_codes() -> None:
    text = NOT_PERMITTED + '\nsvc.create_container("raw", public_access="container")'
    assert best_entry_id(text) == "storage-create-container-requests-public-access-from-code"
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "runtime.code_defect"


def test_a_bare_anonymous_read_stays_the_credential_entry() -> None:
    text = "GET https://stimg01.blob.core.windows.net/images/logo.png\n" + NOT_PERMITTED
    assert best_entry_id(text) not in ("storage-create-container-requests-public-access-from-code",
                                      "storage-container-public-access-blocked-by-account")


# --- a memory-optimized filegroup restored on a General Purpose managed instance

def test_41915_on_general_purpose_is_the_tier_without_in_memory_oltp() -> None:
    text = ("RESTORE DATABASE [Dw] FROM URL = N'https://st.blob.core.windows.net/b/dw.bak'\n"
            "Msg 41915, Level 16, State 1\n"
            "Memory-optimized filegroup must be empty in order to be restored on General Purpose tier of SQL Database "
            "Managed Instance.")
    assert best_entry_id(text) == "sql-mi-memory-optimized-filegroup-general-purpose-tier"
    final = _final(text)
    assert isinstance(final, Conclude) and final.report.category == "quota.sku_not_available"
    assert "Business Critical" in final.report.root_cause


def test_an_on_premises_piecemeal_restore_message_is_not_that_entry() -> None:
    text = ("RESTORE DATABASE is terminating abnormally. "
            "The memory-optimized filegroup must be restored with the primary.")
    assert best_entry_id(text) != "sql-mi-memory-optimized-filegroup-general-purpose-tier"
