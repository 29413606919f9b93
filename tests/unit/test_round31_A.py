"""Round 31, helper A (the development half real72): a Durable function name the code passes that the app does not
register is the code's defect, Django's ALLOWED_HOSTS is the settings code's, the Durable HTTP API's missing
WEBSITE_HOSTNAME outside Azure, a Python app made Windows by the infrastructure code that created it, the ASP.NET
Core Module's 500.31 on the developer's own machine, an Application Insights component read with its classic table
names, a host storage setting holding a bare URL, and a Standard logic app left with identity-only host storage;
each with a near miss that must stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.catalog.index import catalog_index
from shared.tools.azure_resources import setting_url_for_connection_string
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.finding_checks import finding_id, finding_report, reads_state, setting_names, state_with


def _category(text: str) -> str:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.category if hits else ""


DURABLE = ("Microsoft.Azure.WebJobs.Extensions.DurableTask.OrchestrationFailureException: The function 'ProcessOrdr' "
           "doesn't exist, is disabled, or is not an orchestrator function. Additional info: The following are the "
           "known orchestrator functions: 'ProcessOrder'.")
DJANGO = ("DisallowedHost at /\nInvalid HTTP_HOST header: 'shop-web.azurewebsites.net'. You may need to add "
          "'shop-web.azurewebsites.net' to ALLOWED_HOSTS.")


@pytest.mark.parametrize("text", [DURABLE, DJANGO])
def test_a_name_the_code_itself_holds_is_a_code_defect(text: str) -> None:
    assert _category(text) == "runtime.code_defect"


WEBHOOKS = ("[7/5/2017 4:12:09 PM] Exception while executing function: Functions.HttpStart. "
            "Microsoft.Azure.WebJobs.Extensions.DurableTask: Webhooks are not configured.")


def test_the_durable_http_api_without_website_hostname_is_a_missing_setting() -> None:
    assert best_entry_id(WEBHOOKS) == "functions-durable-webhooks-not-configured"
    assert _category(WEBHOOKS) == "config.missing_app_setting"


def test_another_product_s_webhooks_not_configured_is_not_the_durable_extension() -> None:
    assert best_entry_id("POST /api/billing returned 503: Stripe webhooks are not configured") != \
        "functions-durable-webhooks-not-configured"


PY_WINDOWS = ("$ func azure functionapp publish sched-7f3a\nGetting site publishing info...\n"
              "Python projects are not supported on Windows Function Apps. Deploy to a Linux Function App instead.")


def test_a_python_app_made_windows_by_its_infrastructure_code_is_the_template() -> None:
    text = PY_WINDOWS + "\nThe Pulumi program sets os_type=\"linux\" on the FunctionApp; the plan is Y1."
    assert best_entry_id(text) == "functions-python-on-windows-app-created-by-template"
    assert _category(text) == "deployment.template_invalid"


def test_the_same_message_without_infrastructure_code_stays_the_host_setup() -> None:
    assert best_entry_id(PY_WINDOWS + "\nI created the app in the portal last week.") == \
        "functions-core-tools-python-windows-app"
    assert _category(PY_WINDOWS) == "functions.host_misconfigured"


ANCM = ("HTTP Error 500.31 - ANCM Failed to Find Native Dependencies\nThe framework 'Microsoft.AspNetCore.App', "
        "version '2.2.0' was not found.")


def test_ancm_500_31_under_iis_express_on_the_developer_machine_is_out_of_scope() -> None:
    text = "Running the sample in Visual Studio (IIS Express) before I deploy anything:\n" + ANCM
    assert _category(text) == "out_of_scope"


@pytest.mark.parametrize("where", [
    "After we published it to the web app https://shop-api.azurewebsites.net shows:",
    "Locally it runs; since the deploy to App Service the site shows:",
    "We moved the API to .NET 9 and deployed it with the usual zip deploy; locally it runs fine, the site shows:",
])
def test_ancm_500_31_of_an_app_in_azure_stays_the_runtime_stack(where: str) -> None:
    assert _category(where + "\n" + ANCM) == "runtime.dependency_missing"


def test_the_function_app_log_template_also_reads_the_classic_application_insights_tables() -> None:
    templates = yaml.safe_load(Path("shared/knowledge/kql_templates.yaml").read_text())
    query = next(t["query"] for t in templates if t["id"] == "function-app-errors")
    assert "(exceptions | where cloud_RoleName == '{name}'" in query and "AppExceptions" in query
    assert query.startswith("union isfuzzy=true")  # a table the place lacks is no error


def test_a_host_storage_setting_holding_a_url_is_found_by_name_only() -> None:
    found = setting_url_for_connection_string({
        "AzureWebJobsStorage": "https://stfunc.blob.core.windows.net/",
        "AzureWebJobsStorage__blobServiceUri": "https://stfunc.blob.core.windows.net",   # the identity form
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING": "DefaultEndpointsProtocol=https;AccountName=stfunc;"
                                                    "AccountKey=x;EndpointSuffix=core.windows.net",
        "PermitApiBaseUrl": "https://permits.example/api"})                                 # the app's own URL
    assert found == ["AzureWebJobsStorage"]


SYNC_FAILS = "func azure functionapp publish fa-x ends with: Error calling sync triggers (BadRequest)."
URL_NAMES = ("list_app_setting_names", {"names": ["AzureWebJobsStorage"], "count": 1,
                                        "url_as_connection_string": ["AzureWebJobsStorage"]})


def test_a_failed_trigger_sync_with_a_url_in_azurewebjobsstorage_blames_the_setting() -> None:
    state = state_with(SYNC_FAILS, [URL_NAMES])
    assert finding_id(state) == "function-host-storage-setting-holds-url"
    report = finding_report(state)
    assert report.category == "config.invalid_connection_string" and "AzureWebJobsStorage" in report.root_cause


def test_a_url_setting_is_no_verdict_for_an_unrelated_symptom_or_a_proper_connection_string() -> None:
    assert finding_id(state_with("The home page renders the wrong logo.", [URL_NAMES])) != \
        "function-host-storage-setting-holds-url"
    proper = ("list_app_setting_names", {"names": ["AzureWebJobsStorage"], "count": 1, "url_as_connection_string": []})
    assert finding_id(state_with(SYNC_FAILS, [proper])) != "function-host-storage-setting-holds-url"


LOGIC = {"type": "Microsoft.Web/sites", "name": "la-orders", "kind": "functionapp,workflowapp", "state": "Running",
         "sku": "WorkflowStandard"}
IDENTITY_ONLY = ["APP_KIND", "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential",
                 "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
                 "WEBSITE_CONTENTSHARE"]
NULL_CONNECTION = ("Runtime version: Error. Microsoft.WindowsAzure.Storage: Value cannot be null. "
                   "(Parameter 'connectionString').")
LOGIC_RULE = "logic-app-standard-host-storage-identity-only"


def test_a_standard_logic_app_with_identity_only_host_storage_misses_azurewebjobsstorage() -> None:
    state = reads_state(NULL_CONNECTION, [LOGIC], IDENTITY_ONLY)
    assert finding_id(state) == LOGIC_RULE
    report = finding_report(state)
    assert report.category == "config.missing_app_setting" and "AzureWebJobsStorage" in report.root_cause


def test_identity_only_host_storage_is_fine_for_a_function_app_or_with_the_connection_string_kept() -> None:
    function_app = {**LOGIC, "kind": "functionapp", "sku": "ElasticPremium"}
    assert finding_id(reads_state(NULL_CONNECTION, [function_app], IDENTITY_ONLY)) != LOGIC_RULE
    assert finding_id(reads_state(NULL_CONNECTION, [LOGIC], [*IDENTITY_ONLY, "AzureWebJobsStorage"])) != LOGIC_RULE
    assert finding_id(reads_state("The designer is slow to open.", [LOGIC], IDENTITY_ONLY)) != LOGIC_RULE
    assert setting_names(IDENTITY_ONLY)[0] == "list_app_setting_names"
