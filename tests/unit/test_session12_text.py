"""Twelfth-session text readings: JSON bodies matched whatever their spacing; a clue whose facts are split between
the report and the answer; the client's answer naming the error behind a bare symptom; one code two services share;
a traceback inside the Azure CLI's own Python; and reports the session's new knowledge decides."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index, normalize
from tests.helpers.engine_loop import out_of_scope_report, run_engine


def answering(text: str) -> list[dict[str, Any]]:
    """Client rules that answer any question with `text`."""
    return [{"when_asked_contains": word, "answer": text} for word in ("a", "e", "i", "o", "u", " ")]


def test_json_is_matched_compact_or_spaced():
    for body in ('{"error":{"code":"404","message":"Resource not found"}}',
                 '{ "error": { "code": "404" , "message":  "Resource not found" } }',
                 "{'error': {'code': '404', 'message': 'Resource not found'}}"):
        found = {m.entry.id for m in catalog_index().scan(f"POST .../chat/completions -> 404 {body}", "error")}
        assert "openai-resource-not-found-endpoint" in found, body
    assert normalize('"code" : "404"') == '"code":"404"'
    assert normalize("Error: 18456, Severity: 14") == "Error: 18456, Severity: 14"  # prose keeps its spaces


def test_a_clue_split_between_the_report_and_the_answer_decides():
    report = ("Every call returns 401 although the key is right:\n$ curl -i \"https://atlas.microsoft.com/search/"
              "address/json?api-version=1.0&subscription-key=<redacted>\"\nHTTP/1.1 401 Unauthorized")
    answer = "We sign in at portal.azure.us; az cloud show says AzureUSGovernment and the account is in usgovvirginia."
    outcome = run_engine({"error_description": report}, answering(answer))
    report_out = outcome.envelope()["report"]
    assert report_out["category"] == "config.invalid_connection_string"
    assert "national cloud" in report_out["root_cause"] and len(outcome.requests) == 1


def test_the_error_the_answer_shows_decides_over_the_bare_symptom():
    report = "HTTP/1.1 503 Service Unavailable\n\nFunction host is not running."
    answer = ("Host log: AzureServiceTokenProviderException: MSI ResponseCode: BadRequest, Response: "
              '{"statusCode":400,"message":"Unable to load the proper Managed Identity."}')
    outcome = run_engine({"error_description": report}, answering(answer))
    assert outcome.envelope()["status"] == "done"
    assert outcome.envelope()["report"]["category"] == "auth.managed_identity_missing"


BICEP = """ERROR: {"status":"Failed","error":{"code":"DeploymentFailed","details":[{"code":"NotFound","message":
"{\\"error\\":{\\"code\\":\\"DeploymentNotFound\\",
\\"message\\":\\"Deployment 'monitoring' could not be found.\\"}}"}]}}

module monitoring 'modules/monitoring.bicep' = if (deployMonitoring) {
  name: 'monitoring'
}
output workspaceId string = monitoring.outputs.workspaceId
"""


def test_a_conditional_module_whose_outputs_are_read_is_a_template_error():
    report = run_engine({"error_description": BICEP}).envelope()["report"]
    assert report["category"] == "deployment.template_invalid" and "condition" in report["root_cause"]


def test_a_shared_code_is_read_for_the_service_the_report_names():
    openai = ("openai.NotFoundError: Error code: 404 - {'error': {'code': 'DeploymentNotFound', 'message': 'The API "
              "deployment for this resource does not exist.'}} calling https://contoso.openai.azure.com")
    report = run_engine({"error_description": openai}).envelope()["report"]
    assert report["category"] == "config.wrong_resource_name" and "deployment" in report["root_cause"].lower()


CLI_TRACE = """$ az --version
Traceback (most recent call last):
  File "/usr/local/Cellar/azure-cli/2.0.25/libexec/lib/python3.6/site-packages/azure/cli/core/util.py", line 51
    from pkg_resources import working_set
ModuleNotFoundError: No module named 'pkg_resources'
"""


def test_a_traceback_inside_the_azure_cli_install_is_out_of_scope():
    out_of_scope_report(CLI_TRACE)
    app = CLI_TRACE.replace("/usr/local/Cellar/azure-cli/2.0.25/libexec/lib/python3.6/site-packages/azure/cli/core",
                            "/home/site/wwwroot/shared")
    assert run_engine({"error_description": app}).envelope()["report"]["category"] == "runtime.dependency_missing"


@pytest.mark.parametrize(("text", "category", "word"), [
    ("Microsoft.Azure.WebJobs.Host: Error indexing method 'Functions.Bounce'. Microsoft.Azure.WebJobs.Extensions."
     "Storage: Can't bind Table to type 'Microsoft.WindowsAzure.Storage.Table.CloudTable'.",
     "functions.host_misconfigured", "bundle"),
    ("$ az webapp deployment source config-zip -g rg -n app --src app.zip\n... (about 4 minutes)\nZip deployment "
     "failed. 500 Server Error: Internal Server Error for url: https://app.scm.azurewebsites.net/api/zipdeploy\n"
     "In Kudu's deployment log the deployment shows as successful a bit later.", "runtime.timeout", "230"),
    ("Cosmos DB: SELECT * FROM c WHERE c.id = 'INV/2026/00417' finds it, but ReadItemAsync answers NotFound (404); "
     "Substatus: 0", "runtime.code_defect", "character"),
    ('Error: Failed to update App service \'web\' application settings. Error: BadRequest - Parameter name cannot '
     'be empty. (CODE: 400)', "deployment.template_invalid", "empty"),
    ('error="rpc error: code = Unknown desc = no Host in request URL" storageAccountURI: st.blob.core.windows.net',
     "config.invalid_connection_string", "https"),
    ("InvalidHttpRequestToLivy: Your Spark job requested 12 vcores. However, the pool is consuming 12 vcores out of "
     "available 12 vcores.", "quota.exceeded", "session"),
])
def test_new_knowledge_decides_these_reports(text: str, category: str, word: str):
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == category and word in report["root_cause"]


@pytest.mark.parametrize("text", [
    "Port 7071 is unavailable. Close the process using that port, or specify another port using --port [-p].",
    "Error response from daemon: driver failed programming external connectivity on endpoint db-1: Bind for "
    "0.0.0.0:5432 failed: port is already allocated",
    "InvalidSchema: No connection adapters were found for 'C:/Program Files/Git/subscriptions/6f1c2a0e-0000-4000-"
    "8000-00000000a1b2/providers/Microsoft.Authorization/roleDefinitions'",
])
def test_local_machine_failures_are_out_of_scope(text: str):
    out_of_scope_report(text)


def test_the_unresolved_key_vault_reference_behind_an_invalid_connection_string_decides():
    report = ("The Service Bus trigger fails: System.FormatException: The connection string used for an Service Bus "
              "client must specify the Service Bus namespace host and either a Shared Access Key (both the name and "
              "value) OR a Shared Access Signature to be valid. In Kudu the setting still holds the literal "
              "@Microsoft.KeyVault(SecretUri=https://kv-fn.vault.azure.net/secrets/sb-conn/) text.")
    answer = ("Identity: system assigned Off, one user-assigned identity attached. Reference status: MSINotEnabled - "
              "Reference was not able to be resolved because site Managed Identity not enabled.")
    outcome = run_engine({"error_description": report}, answering(answer))
    assert len(outcome.requests) == 1  # the reference's status was asked for, not the connection string's format
    assert outcome.envelope()["report"]["category"] == "auth.managed_identity_missing"


def test_the_storage_emulator_refused_on_the_developers_machine_is_out_of_scope():
    text = ("func start: The listener for function 'Functions.rollup' was unable to start. Connection refused "
            "(127.0.0.1:10000). local.settings.json has AzureWebJobsStorage UseDevelopmentStorage=true. Nothing is "
            "deployed to Azure yet; this is all on my laptop.")
    out_of_scope_report(text)
    in_azure = text.replace(" Nothing is deployed to Azure yet; this is all on my laptop.", " It runs in Azure.")
    assert run_engine({"error_description": in_azure}).envelope()["report"]["category"] != "out_of_scope"


@pytest.mark.parametrize("text", [
    "PS C:\\dev\\fn> func host start\nfunc : The term 'func' is not recognized as the name of a cmdlet, function, "
    "script file, or operable program.",
    "azd up on my laptop:\nERROR: required external tools are missing:\n - Python CLI is not installed. To resolve "
    "this error, please install Python",
    "PS C:\\> az login\nHTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max retries exceeded "
    "(Caused by NewConnectionError('Failed to establish a new connection: [Errno 11001] getaddrinfo failed')) - we "
    "are behind the company proxy",
    "terraform init:\nError: Failed to get existing workspaces: Unable to list objects in S3 bucket \"tfstate\": "
    "operation error S3: ListObjectsV2, https response error StatusCode: 403, api error AccessDenied",
])
def test_the_developers_machine_and_other_clouds_are_out_of_scope(text: str):
    out_of_scope_report(text)


def test_a_missing_module_in_azure_that_works_locally_stays_in_scope():
    text = ("Deployed with Azure/functions-action. Every invocation fails: Result: Failure Exception: "
            "ModuleNotFoundError: No module named 'requests'. Works locally with func start.")
    assert run_engine({"error_description": text}).envelope()["report"]["category"] == "runtime.dependency_missing"


def test_an_azure_openai_key_refused_by_the_public_openai_api_is_a_missing_azure_setting():
    text = ("AzureChat on App Service: 'Incorrect API key provided: 51c0****7b4a. You can find your API key at "
            "https://platform.openai.com/account/api-keys.' The key is copied from the Azure OpenAI resource (Keys and "
            "Endpoint).")
    report = run_engine({"error_description": text}).envelope()["report"]
    assert report["category"] == "config.missing_app_setting" and report["confidence"] != "high"
    public = "openai.AuthenticationError: Incorrect API key provided: sk-abc***. You can find your API key at " \
             "https://platform.openai.com/account/api-keys."
    assert run_engine({"error_description": public}).envelope()["report"]["category"] == "out_of_scope"
