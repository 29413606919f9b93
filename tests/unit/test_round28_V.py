"""Round 28 V (older real reports left unsolved): a parent's name sent with the documentation's square brackets, the
time zone setting a Linux Consumption function app ignores (stated in environment_info), a deployment that fails in
one region only, an Azure OpenAI deployment whose sku block sits inside properties, and azure/login on a pull request
from a fork (GitHub passes it no secrets)."""

from __future__ import annotations

from typing import Any

from shared.engines.clues import environment_text
from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine


def _final(text: str, environment: dict[str, Any] | None = None) -> Any:
    context = {"environment_info": environment} if environment else {}
    return run_engine({"error_description": text, "context": context}).final


PARENT = ("$ az sql db list\nCan not perform requested operation on nested resource. "
          "Parent resource '{name}' not found.\nThe server exists in the same resource group.")


def test_a_parent_name_in_square_brackets_is_the_wrong_name() -> None:
    final = _final(PARENT.format(name="[sql-orders-dev]"))
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "bracket" in final.report.root_cause and "sql-orders-dev" in final.report.root_cause


def test_a_plain_parent_name_stays_a_missing_parent() -> None:
    final = _final(PARENT.format(name="sql-orders-dev"))
    assert isinstance(final, Conclude) and final.report.category == "deployment.parent_not_found"


TIMEZONE = ("Set WEBSITE_TIME_ZONE in the function app settings to \"W. Australia Standard Time\". The timer trigger "
            "\"0 0 7 * * *\" still runs at 07:00 UTC and datetime.now() prints UTC.")


def test_the_time_zone_on_linux_consumption_stated_in_environment_info_decides() -> None:
    final = _final(TIMEZONE, {"technologies": ["azure-functions"], "hosting_plan": "Consumption (Linux)"})
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert final.report.confidence == "medium" and "Linux" in final.report.root_cause
    assert any("UTC" in a for a in final.report.actions)


def test_the_time_zone_on_linux_consumption_stated_in_the_report_decides() -> None:
    final = _final(TIMEZONE + " The app runs on Linux in the Consumption plan.")
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"


def test_the_time_zone_without_the_plan_asks_and_windows_consumption_is_not_decided() -> None:
    assert isinstance(_final(TIMEZONE), AskClient)
    final = _final(TIMEZONE, {"hosting_plan": "Consumption (Windows)"})
    assert isinstance(final, AskClient) and "Linux or" in final.request.question


def test_environment_text_renders_values_and_lists() -> None:
    text = environment_text({"technologies": ["a", "b"], "hosting_plan": "Premium", "nested": {"x": 1}})
    assert text == "technologies: a, b\nhosting_plan: Premium"


ONE_REGION = ("Error: deploying infrastructure: failed deploying: failed running az deployment sub create:\n"
              "Deployment Error Details:\nInternalServerError: An unexpected error occured while processing the "
              "request.\nThe failed resource is a PostgreSQL flexible server. {fact}")


def test_a_deployment_failing_in_one_region_only_is_the_region_offer() -> None:
    for fact in ("Location was the only factor: eastus2 failed every time, eastus and westus2 succeeded.",
                 "The same template deployed to other regions works fine."):
        final = _final(ONE_REGION.format(fact=fact))
        assert isinstance(final, Conclude) and final.report.category == "quota.sku_not_available", fact
        assert "region" in final.report.root_cause


def test_a_running_app_failing_in_one_region_with_nothing_changed_is_not_the_offer() -> None:
    final = _final("Our web app returns 503 only in westeurope; the same app in other regions works fine. "
                   "Nothing was deployed on our side, the last deployment failed last month.")
    assert not (isinstance(final, Conclude) and final.report.category == "quota.sku_not_available")


BICEP = """resource dep 'Microsoft.CognitiveServices/accounts/deployments@2023-05-01' = {{
  parent: openAi
  name: 'gpt-4o-dz'
{body}
}}
ERROR: {{"code": "InvalidResourceProperties", "message": "The specified SKU 'Standard' of account deployment is not \
supported by the model 'gpt-4o' version: '2024-08-06."}}"""
INSIDE = """  properties: {
    model: { format: 'OpenAI', name: 'gpt-4o', version: '2024-08-06' }
    sku: { name: 'DataZoneStandard', capacity: 10 }
  }"""
OUTSIDE = """  sku: { name: 'Standard', capacity: 10 }
  properties: {
    model: { format: 'OpenAI', name: 'gpt-4o', version: '2024-08-06' }
  }"""


def test_a_deployment_sku_written_inside_properties_is_the_template() -> None:
    final = _final(BICEP.format(body=INSIDE))
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "top-level" in final.report.root_cause


def test_a_top_level_sku_the_model_refuses_stays_the_region_offer() -> None:
    final = _final(BICEP.format(body=OUTSIDE))
    assert isinstance(final, Conclude) and final.report.category == "quota.sku_not_available"


FORK = """Error: Az CLI Login failed. Please check the credentials.
Error: Error: Input required and not supplied: creds
It works on push; on [pull_request] the azure/login step fails.{extra}"""


def test_azure_login_on_a_pull_request_from_a_fork_is_out_of_scope() -> None:
    final = _final(FORK.format(extra=" I created the pull request from my forked repository."))
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"
    assert "fork" in final.report.root_cause


def test_azure_login_without_a_fork_is_not_out_of_scope() -> None:
    final = _final(FORK.format(extra=""))
    assert isinstance(final, Conclude) and final.report.category != "out_of_scope"


LOGIN = ("The app fails at start-up:\n  SqlException: Login failed for user '{user}'.\n"
         "The server admin I created is {login}. In the connection string I typed User ID={user}.")


def test_a_refused_user_one_letter_from_the_stated_admin_is_the_connection_string() -> None:
    final = _final(LOGIN.format(user="cofeeshopadmin", login="coffeeshopadmin"))
    assert isinstance(final, Conclude) and final.report.category == "config.invalid_connection_string"
    assert "connection string" in final.report.root_cause and "coffeeshopadmin" in final.report.root_cause


def test_the_same_name_another_account_or_a_digit_apart_is_no_typo() -> None:
    for user, login in (("coffeeshopadmin", "coffeeshopadmin"), ("reportreader", "coffeeshopadmin"),
                        ("appuser1", "appuser2")):
        final = _final(LOGIN.format(user=user, login=login))
        assert not (isinstance(final, Conclude) and final.report.category == "config.invalid_connection_string"), user


REFUSED = ("Terraform on our self-hosted agent VM (auth via managed identity) fails:\n"
           "ERROR CODE: AuthorizationFailed\n{{\"error\":{{\"code\":\"AuthorizationFailed\",\"message\":\"The client "
           "'11aa22bb-0000-4000-8000-0000000000aa' with object id '11aa22bb-0000-4000-8000-0000000000aa' does not have "
           "authorization to perform action 'Microsoft.App/managedEnvironments/storages/write' over scope "
           "'/subscriptions/s/resourceGroups/rg'\"}}}}\n{said}")


def test_a_refused_caller_that_is_not_the_managed_identity_given_the_role_is_the_identity_choice() -> None:
    final = _final(REFUSED.format(said="The object id in the message is not the one we gave Contributor to."))
    assert isinstance(final, Conclude) and final.report.category == "auth.managed_identity_missing"
    assert "ARM_CLIENT_ID" in final.report.root_cause


def test_a_refused_managed_identity_without_that_statement_stays_a_missing_role() -> None:
    final = _final(REFUSED.format(said="We gave Contributor to the identity yesterday."))
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
