"""Round 31, helper E (realE: real reports of Functions, Container Apps, AKS, ACR, Static Web Apps, Logic Apps and
DevOps/GitHub Actions deployments): a host.json whose extensions sit inside logging, a local.settings.json pasted
into the report rather than sent as a file (and a storage value padded with spaces), an Azure Pipelines service
connection input left as an unexpanded $(variable), GitHub's retired action versions, a registry that refuses ARM
audience tokens, and the missing id-token permission behind Entra's malformed-JWT error. Each behaviour has a near
miss that must stay silent."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.session.state import FileExcerpt, Material
from shared.tools.text_tools import NoArguments, _value_shape, list_app_settings
from tests.helpers.engine_loop import run_engine


def _hit_ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


def _report(text: str, technologies: list[str]) -> dict:
    outcome = run_engine({"error_description": text, "context": {"environment_info": {"technologies": technologies}}})
    return outcome.envelope()


NESTED_HOST_JSON = """The staging slot says `Microsoft.Azure.WebJobs.Extensions.DurableTask: Task Hub name must be
specified in host.json when using slots.` This is host.json in the slot:

    {
      "version": "2.0",
      "logging": {
        "logLevel": {"Function.HealthCheck": "Warning"},
        "applicationInsights": {"LogLevel": {"Default": "Information"}},
        "extensions": {"durableTask": {"hubName": "%TaskHubName%"}}
      }
    }
"""

TOP_LEVEL_HOST_JSON = """The staging slot says `Microsoft.Azure.WebJobs.Extensions.DurableTask: Task Hub name must be
specified in host.json when using slots.` This is host.json in the slot:

    {
      "version": "2.0",
      "logging": {
        "logLevel": {"Function.HealthCheck": "Warning"},
        "applicationInsights": {"LogLevel": {"Default": "Information"}}
      },
      "extensions": {"durableTask": {"hubName": "%TaskHubName%"}}
    }
"""


def test_extensions_nested_inside_logging_is_the_cause_of_the_hub_name_error() -> None:
    env = _report(NESTED_HOST_JSON, ["azure-functions", "durable-functions"])
    assert env["status"] == "done"
    assert env["report"]["category"] == "functions.host_misconfigured"
    assert "nested inside the logging section" in env["report"]["root_cause"]


def test_extensions_at_the_top_level_of_host_json_is_not_called_nested() -> None:
    assert "functions-host-json-section-nested-in-logging" not in _hit_ids(TOP_LEVEL_HOST_JSON)
    env = _report(TOP_LEVEL_HOST_JSON, ["azure-functions", "durable-functions"])
    assert "nested inside the logging section" not in str(env.get("report", {}).get("root_cause", ""))


PASTED_SETTINGS = """func start fails: Microsoft.WindowsAzure.Storage: No valid combination of account information
found. My local.settings.json:

    {
      "IsEncrypted": false,
      "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true ;"}
    }
"""


def test_a_local_settings_json_pasted_into_the_report_is_read_like_a_sent_file() -> None:
    evidence = list_app_settings(NoArguments(), Material(error_description=PASTED_SETTINGS))
    assert evidence.status == "success"
    assert "AzureWebJobsStorage" in evidence.summary and "spaces" in evidence.summary


def test_a_pasted_json_that_is_not_a_settings_file_is_not_read_as_one() -> None:
    text = 'The webhook body is {"Values": {"temperature": "21"}, "device": "probe-7"} and the function returns 500.'
    evidence = list_app_settings(NoArguments(), Material(error_description=text))
    assert evidence.status == "no_data"


def test_a_sent_local_settings_file_still_wins_over_pasted_text() -> None:
    sent = FileExcerpt(path="local.settings.json", relevance="primary", size_bytes=80,
                       content='{"IsEncrypted": false, "Values": {"StorageConn": ""}}')
    evidence = list_app_settings(NoArguments(), Material(error_description=PASTED_SETTINGS, files=[sent]))
    assert "StorageConn (empty)" in evidence.summary and "AzureWebJobsStorage" not in evidence.summary


def test_only_a_storage_string_padded_with_spaces_is_flagged() -> None:
    assert _value_shape("UseDevelopmentStorage=true ;").endswith("with spaces around its parts")
    assert _value_shape("DefaultEndpointsProtocol=https; AccountName=stapp;AccountKey=x==").endswith(
        "with spaces around its parts")
    # SQL separates its keywords with "; " and its keywords hold spaces: not a defect
    assert "spaces" not in _value_shape("Server=tcp:sql1.database.windows.net,1433; Initial Catalog=db; Encrypt=True")
    assert "spaces" not in _value_shape("DefaultEndpointsProtocol=https;AccountName=stapp;AccountKey=x==")


UNEXPANDED = ("There was a resource authorization issue: \"The pipeline is not valid. Job AzGovViz: Step "
              "AzurePowerShell1 input ConnectedServiceNameARM references service connection $(ServiceConnection) "
              "which could not be found. The service connection does not exist or has not been authorized for use.\"")
NAMED = UNEXPANDED.replace("$(ServiceConnection)", "sc-azgovviz-mg")


def test_an_unexpanded_variable_as_the_service_connection_name_is_concluded() -> None:
    assert "tooling-ado-service-connection-unresolved-variable" in _hit_ids(UNEXPANDED)
    env = _report(UNEXPANDED, ["azure-devops", "yaml-pipeline"])
    assert env["status"] == "done" and env["report"]["category"] == "config.wrong_resource_name"
    assert "$(ServiceConnection)" in env["report"]["root_cause"]


def test_a_literal_service_connection_name_keeps_the_generic_reading() -> None:
    assert "tooling-ado-service-connection-unresolved-variable" not in _hit_ids(NAMED)
    assert "tooling-ado-service-connection-not-found" in _hit_ids(NAMED)


DEPRECATED = ("Prepare all required actions\nGetting action download info\nError: This request has been automatically "
              "failed because it uses a deprecated version of `actions/upload-artifact: v3`. Learn more: "
              "https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/\n"
              "The workflow is the one the Azure portal Deployment Center created for our web app.")


def test_a_retired_github_action_version_is_out_of_scope() -> None:
    env = _report(DEPRECATED, ["github-actions", "app-service"])
    assert env["status"] == "fail" and env["report"]["category"] == "out_of_scope"
    assert "actions/upload-artifact" in env["report"]["root_cause"]


def test_a_deprecation_warning_of_a_still_running_job_is_not_that_error() -> None:
    warning = ("The following artifacts were uploaded using a version of actions/upload-artifact that is scheduled "
               "for deprecation: \"site.zip\". Please update your workflow to use v4 of the artifact actions.")
    assert "tooling-gh-deprecated-action-version" not in _hit_ids(warning)


ARM_AUDIENCE_OFF = ("After our baseline ran `az acr config authentication-as-arm update -r acrprod --status disabled` "
                    "the AKS pods cannot pull from acrprod.azurecr.io any more; the kubelet identity still has "
                    "AcrPull.")


def test_a_registry_refusing_arm_audience_tokens_explains_the_failed_pulls() -> None:
    assert "containers-acr-arm-audience-tokens-disabled" in _hit_ids(ARM_AUDIENCE_OFF)
    env = _report(ARM_AUDIENCE_OFF, ["aks", "acr"])
    assert env["status"] == "done" and env["report"]["category"] == "container.image_pull_failed"


def test_a_registry_showing_arm_audience_tokens_enabled_is_not_that_cause() -> None:
    enabled = ("az acr config authentication-as-arm show -r acrprod prints status enabled; the AKS pods still get "
               "ImagePullBackOff from acrprod.azurecr.io.")
    assert "containers-acr-arm-audience-tokens-disabled" not in _hit_ids(enabled)


OIDC = ("Run azure/login@v1\nUsing OIDC authentication...\nError:  Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env "
        "variable. Please make sure to give write permissions to id-token in the workflow.\n/usr/bin/az cloud set -n "
        "azurecloud\nError: : AADSTS50027: JWT token is invalid or malformed.\nTrace ID: 3b9d2f4e-8c17-4e0a-a5c2-"
        "61f0d9e4b700")


def test_the_missing_id_token_permission_decides_over_the_malformed_jwt_it_causes() -> None:
    env = _report(OIDC, ["github-actions", "azure-login"])
    assert env["status"] == "done" and env["report"]["category"] == "config.missing_app_setting"


def test_a_malformed_jwt_alone_keeps_its_own_reading() -> None:
    alone = "Error: : AADSTS50027: JWT token is invalid or malformed.\nTrace ID: 3b9d2f4e-8c17-4e0a-a5c2-61f0d9e4b700"
    env = _report(alone, ["github-actions"])
    assert env.get("report", {}).get("category") != "config.missing_app_setting"
