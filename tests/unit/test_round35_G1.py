"""Round 35 brief G1 (earlier blind cases, wrong category): a client assertion stamped in Entra ID's future is the
signing machine's clock; another provider's managed database stays out of scope when Azure is only where the client
plans to move, and the engine's own message keeps its meaning; MissingRegistrationForLocation with the provider shown
Registered is the location; SQL 47073's own advice is no private path; a storage network rule set pasted in an answer
decides a bare 403; the regional AI endpoint mismatch reads the resource group's and environment_info's region; an
internal Container Apps environment's FQDN that does not resolve is the missing private zone; Terraform's 'CLI only
supported as a User' is the provider's missing ARM_* settings. Each has a near miss that stays silent."""

from __future__ import annotations

from typing import Any

from shared.engines.analyzers.token_clock import assertion_clock_off
from shared.tools.material_tools import _find_rules
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _envelope(text: str, environment: dict[str, Any] | None = None,
              client: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    start: dict[str, Any] = {"error_description": text}
    if environment:
        start["context"] = {"environment_info": environment}
    return run_engine(start, client).envelope()


# --- AADSTS700024: an assertion that starts after Entra ID's time

ASSERTION = ("AADSTS700024: Client assertion is not within its valid time range. Current time: "
             "2026-11-30T06:41:09.1187733Z, assertion valid from {start}, expiry time of assertion {end}. "
             "Review the documentation at "
             "https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")


def test_assertion_from_the_future_is_the_signing_clock_ahead() -> None:
    text = "ClientCertificateCredential failed: " + ASSERTION.format(
        start="2026-11-30T07:02:55.0000000Z", end="2026-11-30T07:12:55.0000000Z")
    assert "ahead" in (assertion_clock_off(text) or "")
    env = _envelope(text)
    assert env["status"] == "fail" and env["report"]["category"] == "out_of_scope"
    assert "clock" in env["report"]["root_cause"]


def test_expired_assertion_of_a_long_job_says_nothing_about_a_clock() -> None:
    text = ASSERTION.format(start="2026-11-30T05:20:02.0000000Z", end="2026-11-30T05:25:02.0000000Z")
    assert assertion_clock_off(text) is None
    assert _envelope(text)["report"]["category"] != "out_of_scope"


# --- another provider's managed database, Azure only as a plan

RDS = ("Loading the sample into our Amazon RDS for PostgreSQL 14 instance ({plan}):\n"
       "  $ psql -h dev.c9xk2mbq7l1d.eu-west-1.rds.amazonaws.com -U app_admin -d mini -f mini.sql\n"
       '  psql:mini.sql:201733: ERROR:  permission denied: "RI_ConstraintTrigger_c_48211" is a system trigger\n'
       "app_admin is the master user. What permission am I missing?")


def test_rds_with_a_planned_move_to_azure_is_out_of_scope_and_names_superuser() -> None:
    env = _envelope(RDS.format(plan="we might move it to Azure Database for PostgreSQL next year, for now it's RDS"))
    assert env["status"] == "fail" and env["report"]["category"] == "out_of_scope"
    assert "superuser" in env["report"]["root_cause"]


def test_a_completed_move_to_azure_database_keeps_the_report_in_scope() -> None:
    text = RDS.format(plan="we migrated it to Azure Database for PostgreSQL flexible server last month")
    text = text.replace("dev.c9xk2mbq7l1d.eu-west-1.rds.amazonaws.com", "pg-dev.postgres.database.azure.com")
    assert _envelope(text)["report"]["category"] != "out_of_scope"


# --- MissingRegistrationForLocation: the provider Registered or not

MISSING_LOCATION = ("MissingRegistrationForLocation: The subscription is not registered for the resource type "
                    "'staticSites' in the location 'francecentral'. Please re-register for this provider in order to "
                    "have access to this location.")


def test_missing_registration_for_location_with_provider_registered_is_the_location() -> None:
    text = MISSING_LOCATION + "\n$ az provider show -n Microsoft.Web --query registrationState -o tsv\nRegistered"
    assert best_entry_id(text) == "arm-resource-type-not-offered-in-location"
    env = _envelope(text)
    assert env["report"]["category"] == "quota.sku_not_available"
    assert "francecentral" in env["report"]["root_cause"]


def test_missing_registration_for_location_alone_stays_the_registration() -> None:
    assert best_entry_id(MISSING_LOCATION) == "arm-missing-registration-for-location"
    assert _envelope(MISSING_LOCATION)["report"]["category"] == "deployment.provider_not_registered"


# --- SQL 47073: the message's own advice is no private path

SQL_47073 = ("pyodbc.OperationalError: ('42000', '[42000] [Microsoft][ODBC Driver 18 for SQL Server]"
             "[SQL Server]Reason: "
             "An instance-specific error occurred while establishing a connection to SQL Server. The public network "
             "interface on this server is not accessible. To connect to this server, use the Private Endpoint from "
             "inside your virtual network. (47073)')\nServer=tcp:sqlsrv-fin.database.windows.net,1433")


def test_47073_with_only_its_own_advice_is_public_access_turned_off() -> None:
    assert best_entry_id(SQL_47073) == "sql-public-network-access-denied-no-private-path"


def test_47073_with_a_private_endpoint_named_stays_the_private_path() -> None:
    text = SQL_47073 + "\nWe created a private endpoint for the server; nslookup from the app resolves to 10.1.2.4."
    assert best_entry_id(text) == "sql-public-network-access-denied"


# --- a storage network rule set pasted in an answer

STORAGE_403 = ("terraform init:\nError: Failed to get existing workspaces: containers.Client#ListBlobs: Failure "
               "responding to request: StatusCode=403 -- Original Error: autorest/azure: Service returned an error. "
               "Status=403 Code=\"\" Message=\"\"")
RULES_ANSWER = ('$ az storage account network-rule list --account-name sttfstate -o json\n'
                '{ "ipRules": [ { "action": "Allow", "ipAddressOrRange": "203.0.113.0/24" } ],\n'
                '  "virtualNetworkRules": [ { "action": "Allow", "virtualNetworkResourceId": '
                '"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/old" '
                '} ] }\n'
                'and the account\'s networkRuleSet.defaultAction is "{action}". The agents now run in subnet new.')


def test_rules_listed_with_default_action_in_words_are_read() -> None:
    rules = _find_rules(RULES_ANSWER.replace("{action}", "Deny"))
    assert rules is not None and rules["defaultAction"] == "Deny" and rules["virtualNetworkRules"]


def test_storage_403_answered_with_a_denying_rule_set_is_the_firewall() -> None:
    client = [{"when_asked_contains": "", "answer": RULES_ANSWER.replace("{action}", "Deny")}]
    env = _envelope(STORAGE_403, client=client)
    assert env["status"] == "done" and env["report"]["category"] == "network.storage_firewall"


def test_storage_403_answered_with_an_allowing_rule_set_is_not_the_firewall() -> None:
    client = [{"when_asked_contains": "", "answer": RULES_ANSWER.replace("{action}", "Allow")}]
    assert _envelope(STORAGE_403, client=client)["report"]["category"] != "network.storage_firewall"


# --- regional AI endpoint: the resource group's and environment_info's region

TEXT_ANALYTICS = ('requests.post("https://eastus.api.cognitive.microsoft.com/text/analytics/v3.1/sentiment", ...)\n'
                  '401 {"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API '
                  'endpoint. Make sure to provide a valid key for an active subscription and use a correct regional '
                  'API endpoint for your resource."}}\n')


def test_endpoint_region_against_the_resource_groups_stated_region() -> None:
    env = _envelope(TEXT_ANALYTICS + "Our resource group is in North Europe.")
    assert env["report"]["category"] == "config.invalid_connection_string"
    assert "northeurope" in env["report"]["root_cause"]


def test_endpoint_region_against_environment_info_region() -> None:
    env = _envelope(TEXT_ANALYTICS, environment={"resource_region": "westeurope"})
    assert env["report"]["category"] == "config.invalid_connection_string"


def test_same_region_everywhere_is_no_mismatch() -> None:
    env = _envelope(TEXT_ANALYTICS + "Our resource group is in East US.")
    assert env["report"]["category"] != "config.invalid_connection_string"


# --- internal Container Apps environment: the FQDN does not resolve

ACA = ("The Container Apps environment was created with --internal-only. From the VNet-integrated web app:\n"
       "System.Net.Http.HttpRequestException: Name or service not known "
       "(pricing-api.happyfield-7d2c91aa.northeurope.azurecontainerapps.io:443)")


def test_internal_environment_fqdn_unresolved_is_the_private_zone() -> None:
    env = _envelope(ACA)
    assert env["report"]["category"] == "network.private_endpoint_dns"
    assert "wildcard" in env["report"]["root_cause"]


def test_external_environment_fqdn_unresolved_is_not_the_private_zone() -> None:
    text = ACA.replace("The Container Apps environment was created with --internal-only.",
                       "The Container Apps environment is a public one.")
    assert _envelope(text)["report"]["category"] != "network.private_endpoint_dns"


# --- Terraform: the Azure CLI signed in as a service principal

TF_CLI = ("Error: building AzureRM Client: Authenticating using the Azure CLI is only supported as a User (not a "
          "Service Principal).")


def test_cli_auth_user_only_is_the_missing_arm_settings() -> None:
    env = _envelope(TF_CLI)
    assert env["report"]["category"] == "config.missing_app_setting"
    assert "ARM_CLIENT_ID" in env["report"]["root_cause"]


def test_other_cli_auth_errors_keep_their_entry() -> None:
    text = ("Error: building AzureRM Client: please ensure you have installed Azure CLI version 2.0.79 or newer. "
            "Error parsing json result from the Azure CLI")
    assert best_entry_id(text) != "tooling-tf-cli-auth-user-only"
