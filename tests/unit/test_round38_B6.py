"""Round 38 (B6): delivery errors from Microsoft's troubleshooting articles - Azure Pipelines deployment tasks, agents
and service connections, Bicep core diagnostics, and a function app stopped a year after a RunFromPackage deployment.
Each entry answers a realistic paste with its category and deciding detail; near misses stay with their own entries."""

from __future__ import annotations

import pytest

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine, settled_report

# --- the entry the catalog ranks first for a realistic paste -----------------------------------------------------

ENTRY_PASTES = [
    ("tooling-ado-webapp-deploy-econnreset",
     "AzureWebApp@1 deploying to our ASE app fails from the Microsoft-hosted agent:\n"
     "##[warning]Encountered a retriable error: ECONNRESET. Message: read ECONNRESET.\n"
     "##[error]Failed to deploy web package to App Service.\n##[error]Error: read ECONNRESET"),
    ("tooling-ado-webapp-deploy-emfile",
     "AzureRmWebAppDeployment@4 on a self-hosted agent:\n##[error]Error: EMFILE: too many open files, open"
     " '/agent/_work/_temp/temp_web_package_8812/node_modules/lodash/fp/add.js'\n"
     "##[error]Error: Package deployment using ZIP Deploy failed"),
    ("tooling-ado-zipdeploy-msbuild-package",
     "##[section]Starting: Azure App Service Deploy: app-legacy-web\n"
     "##[error]Error: Publish using zip deploy option is not supported for msBuild package type."),
    ("tooling-ado-all-agents-busy",
     "Our pipeline sits in the queue for 40 minutes, the job shows: The agent request is not running because all"
     " potential agents are running other requests. Current position in queue: 3"),
    ("tooling-ado-agent-lost-communication",
     "##[error]We stopped hearing from agent build-agent-02. Verify the agent machine is running and has a healthy"
     " network connection.\nThe job has been abandoned because agent did not renew the lock. Ensure agent is running,"
     " not sleeping, and has not lost communication with the service."),
    ("tooling-ado-checkout-repo-not-accessible",
     "##[error]Git fetch failed with exit code: 128\nremote: TF401019: The Git repository with name or identifier"
     " shared-infra does not exist or you do not have permissions for the operation you are attempting."),
    ("tooling-ado-checkout-project-not-found",
     "##[error]Could not find a project that corresponds with the repository. Ensure the project and repository"
     " names are correct in the checkout step."),
    ("tooling-ado-service-connection-session-expired",
     "Trying to create a new Azure Resource Manager service connection (automatic) in Azure DevOps:"
     " \"A valid refresh token was not found. Please sign out and sign in again.\""),
    ("tooling-ado-service-connection-cannot-create-app-registration",
     "Creating the Azure Resource Manager service connection (automatic) fails: Failed to create an app in"
     " Microsoft Entra ID. Error: Insufficient privileges to complete the operation in Microsoft Graph. Ensure that"
     " the user has permissions to create a Microsoft Entra Application."),
    ("appservice-scm-basic-auth-rejected",
     "Run azure/webapps-deploy@v3\nPackage deployment using OneDeploy initiated.\n"
     "Error: Deployment Failed, Error: Failed to deploy web package using OneDeploy to App Service.\n"
     "Unauthorized (CODE: 401)"),
    ("tooling-bicep-bcp055-property-access-on-non-object",
     "ERROR: /home/dev/infra/main.bicep(14,30) : Error BCP055: Cannot access properties of type \"string[]\"."
     " An \"object\" type is required."),
    ("tooling-bicep-bcp076-index-non-collection",
     "ERROR: /src/infra/network.bicep(22,18) : Error BCP076: Cannot index over expression of type"
     " \"'10.0.0.0/16'\". Arrays or objects are required."),
    ("tooling-bicep-bcp076-index-non-collection",
     "ERROR: /infra/main.bicep(9,30) : Error BCP414: The \"^\" indexing operator cannot be used on base expressions"
     " of type \"object\"."),
    ("tooling-bicep-bcp302-not-a-valid-type",
     "/work/main.bicep(3,18) : Error BCP302: The name \"storageSku\" is not a valid type. Please specify one of the"
     " following types: \"array\", \"bool\", \"int\", \"object\", \"string\", \"skuType\"."),
    ("tooling-bicep-bcp302-not-a-valid-type",
     "ERROR: /infra/main.bicep(2,14) : Error BCP288: The name \"skuType\" refers to a type but is being used as a"
     " value here."),
    ("tooling-bicep-bcp311-tuple-index-out-of-range",
     "ERROR: main.bicep(40,26) : Error BCP311: The provided index value of \"3\" is not valid for type"
     " \"[string, string, string]\". Indexes for this type must be between 0 and 2."),
    ("tooling-bicep-bcp311-tuple-index-out-of-range",
     "ERROR: /infra/main.bicep(7,30) : Error BCP339: The provided array index value of \"-1\" is not valid. Array"
     " index should be greater than or equal to 0."),
    ("tooling-bicep-value-outside-declared-limits",
     "azd provision\nERROR: compiling bicep template: failed running bicep build: exit code: 1, stdout: , stderr:"
     " /home/me/app/infra/main.bicep(8,26) : Error BCP327: The provided value (which will always be greater than or"
     " equal to 13) is too large to assign to a target for which the maximum allowable value is 12."),
    ("tooling-bicep-value-outside-declared-limits",
     "ERROR: /infra/storage.bicep(4,36) : Error BCP332: The provided value (whose length will always be greater"
     " than or equal to 27) is too long to assign to a target for which the maximum allowable length is 24."),
    ("tooling-bicepparam-bcp337-declaration-not-allowed",
     "ERROR: /infra/main.bicepparam(4,1) : Error BCP337: This declaration type is not valid for a Bicep Parameters"
     " file. Specify a \"using\", \"param\" or \"type\" declaration."),
    ("tooling-bicep-bcp420-scope-not-resolvable",
     "ERROR: /infra/main.bicep(12,10) : Error BCP420: The scope could not be resolved at compile time because the"
     " supplied expression is ambiguous or too complex."),
    ("tooling-bicep-bcp422-function-on-conditional-resource",
     "WARNING: /infra/main.bicep(25,22) : Warning BCP422: A resource of type \"Microsoft.Storage/storageAccounts\""
     " may or may not exist when this function is called, which could cause the deployment to fail."),
    ("tooling-bicep-decorator-misuse",
     "ERROR: /infra/main.bicep(3,1) : Error BCP166: Duplicate \"secure\" decorator."),
    ("tooling-bicep-decorator-misuse",
     "ERROR: /infra/main.bicep(1,2) : Error BCP125: Function \"export\" cannot be used as a parameter decorator."),
    ("tooling-bicep-bcp238-comma-newline",
     "ERROR: /infra/main.bicep(11,5) : Error BCP238: Unexpected new line character after a comma."),
    ("tooling-bicep-bcp364-discriminator-property",
     "ERROR: /infra/types.bicep(10,1) : Error BCP364: The property \"kind\" must be a required string literal on all"
     " union member types."),
    ("tooling-bicep-bcp401-spread-location",
     "ERROR: /infra/main.bicep(5,3) : Error BCP401: The spread operator \"...\" is not permitted in this location."),
    ("tooling-bicep-bcp416-pattern-mismatch",
     "ERROR: /infra/storage.bicep(5,9) : Error BCP416: The supplied string does not match the expected pattern of"
     " /^[a-z0-9]+$/."),
    ("tooling-bicep-bcp446-untrusted-registry",
     "azd provision\nERROR: /infra/main.bicep(3,20) : Error BCP446: Restore from registry \"bicep.contoso.com\" is"
     " blocked because it isn't in the trusted registries list."),
    ("tooling-bicep-arm-template-functions-unsupported",
     "ERROR: /src/converted.bicep(22,17) : Error BCP060: The \"variables\" function is not supported. Directly"
     " reference variables by their symbolic names."),
    ("tooling-bicep-bcp134-module-scope-not-permitted",
     "ERROR: /app/infra/main.bicep(30,10) : Error BCP134: Scope \"resourceGroup\" is not valid for this module."
     " Permitted scopes: \"subscription\"."),
    ("tooling-bicep-bcp173-property-on-existing-resource",
     "ERROR: /infra/main.bicep(5,3) : Error BCP173: The property \"location\" cannot be used in an existing resource"
     " declaration."),
    ("tooling-bicep-loop-form",
     "ERROR: /infra/main.bicep(14,33) : Error BCP137: Loop expected an expression of type \"array\" but the provided"
     " value is of type \"object\"."),
    ("tooling-bicep-config-module-alias-missing",
     "##[error]/home/vsts/work/1/s/infra/main.bicep(3,22) : Error BCP213: The OCI artifact module alias name \"corp\""
     " does not exist in the built-in Bicep configuration."),
    ("tooling-bicep-config-file-unreadable",
     "ERROR: /infra/main.bicep(1,1) : Error BCP271: Failed to parse the contents of the Bicep configuration file"
     " \"/infra/bicepconfig.json\" as valid JSON: Expected depth to be zero at the end of the JSON payload."),
    ("tooling-bicep-loaded-file-content-invalid",
     "ERROR: /infra/main.bicep(4,20) : Error BCP186: Unable to parse literal JSON value. Please ensure that it is"
     " well-formed."),
    ("tooling-bicep-bcp407-graph-extension-retired",
     "ERROR: /infra/graph.bicep(1,11) : Error BCP407: Built-in extension \"microsoftGraph\" is retired. Use dynamic"
     " types instead."),
    ("tooling-bicepparam-value-unknown-before-deployment",
     "ERROR: /infra/main.bicepparam(5,20) : Error BCP369: The value of the \"location\" parameter cannot be known"
     " until the template deployment has started because it uses the default value defined in the template."),
    ("tooling-bicep-bcp353-names-differ-only-in-casing",
     "ERROR: /infra/main.bicep(12,10) : Error BCP353: The resources \"storage\", \"Storage\" differ only in casing."
     " The ARM deployments engine is not case sensitive and will not be able to distinguish between them."),
    ("tooling-bicep-bcp240-parent-expression",
     "ERROR: /infra/main.bicep(18,13) : Error BCP240: The \"parent\" property only permits direct references to"
     " resources. Expressions are not supported."),
    ("tooling-azd-bicep-new-release-warning-fails-build",
     "azd provision\nError: failed to compile bicep template: failed running Az PowerShell module bicep build: exit"
     " code: 1, stdout: , stderr: WARNING: A new Bicep release is available: v0.4.1272."),
    ("tooling-azd-swa-deploy-unknown-exception",
     "azd up --debug says SUCCESS but the static web app still shows the old site. In the debug log:\n"
     "Preparing deployment. Please wait...\nAn unknown exception has occurred"),
    ("tooling-ado-azure-powershell-module-version-missing",
     "##[error]Could not find the modules: 'Az.Accounts' with Version: '9.0.1'. If the module was recently"
     " installed, retry after restarting the Azure Pipelines task agent."),
    ("tooling-pipeline-agent-cannot-reach-aks-api",
     "KubernetesManifest@1 from a Microsoft-hosted agent to our AKS cluster:\nUnable to connect to the server: dial"
     " tcp 20.61.33.10:443: i/o timeout"),
    ("tooling-pipeline-agent-cannot-resolve-internal-ase",
     "AzureFunctionApp@2 from a Microsoft-hosted agent:\n##[error]Error: getaddrinfo ENOTFOUND"
     " func-orders.scm.ase-internal.appserviceenvironment.net"),
    ("tooling-tf-azapi-embedded-schema-validation",
     "│ Error: embedded schema validation failed: the argument \"body\" is invalid:\n"
     "│ `properties.configuration.ingress.targetPortt` is not expected here, it's an invalid property"),
    ("tooling-azd-no-project",
     "PS C:\\src\\skbot\\infra> azd up\nERROR: current working directory is not a project or service directory."
     " Specify a service name to package a service, or specify --all to package all services"),
    ("appservice-deploy-conflict-409",
     "ERROR: There may be an ongoing deployment or your app setting has WEBSITE_RUN_FROM_PACKAGE. Please track your"
     " deployment in https://app-api.scm.azurewebsites.net/api/deployments/latest"),
    ("tooling-ado-task-unsupported-wif-scheme",
     "##[error]Error: cannot request token: Get \"?audience=api://AzureADTokenExchange\": unsupported protocol"
     " scheme \"\""),
    ("appservice-webdeploy-destination-unreachable",
     "AzureRmWebAppDeployment@4 (Web Deploy) from our self-hosted agent:\n##[error]Error: Could not connect to the"
     " remote computer (\"app-intranet-qa.scm.azurewebsites.net\"). On the remote computer, make sure that Web Deploy"
     " is installed and that the required process (\"Web Management Service\") is started."),
    ("tooling-gh-functions-action-webjobsstorage-no-account-key",
     "Run Azure/functions-action@v1\nWill use WEBSITE_RUN_FROM_PACKAGE to deploy since RBAC is detected and your"
     " function app is on Linux Consumption.\nError: Execution Exception (state: PublishContent) (step: Invocation)\n"
     "Error:   At PublishContent, AzureWebjobsStorage : Failed to fetch AccountKey or AccountName."),
    ("tooling-bicep-registry-reference-malformed",
     "ERROR: /infra/main.bicep(3,22) : Error BCP196: The module tag or digest is missing."),
    ("tooling-bicep-lambda-variable-unsupported",
     "ERROR: /infra/main.bicep(20,33) : Error BCP247: Using lambda variables inside resource or module array access"
     " is not currently supported. Found the following lambda variable(s) being accessed: \"i\"."),
    ("tooling-bicep-bcp302-not-a-valid-type",
     "ERROR: /infra/main.bicep(4,17) : Error BCP287: \"location\" refers to a value but is being used as a type"
     " here."),
    ("tooling-bicep-bcp364-discriminator-property",
     "ERROR: /infra/types.bicep(12,1) : Error BCP365: The value \"web\" for discriminator property \"kind\" is"
     " duplicated across multiple union member types."),
]


@pytest.mark.parametrize(("entry", "paste"), ENTRY_PASTES, ids=[f"{e}-{i}" for i, (e, _) in enumerate(ENTRY_PASTES)])
def test_the_paste_ranks_the_entry_first(entry: str, paste: str) -> None:
    assert best_entry_id(paste) == entry


# --- the engine's answer: category and the deciding detail --------------------------------------------------------

SETTLED = [
    ("ERROR: /infra/storage.bicep(4,36) : Error BCP332: The provided value (whose length will always be greater than"
     " or equal to 27) is too long to assign to a target for which the maximum allowable length is 24.",
     "deployment.template_invalid", "@minLength/@maxLength"),
    ("##[section]Starting: Azure App Service Deploy: app-legacy-web\n"
     "##[error]Error: Publish using zip deploy option is not supported for msBuild package type.",
     "deployment.template_invalid", "Web Deploy"),
    ("The agent request is not running because all potential agents are running other requests. Current position in"
     " queue: 3", "quota.exceeded", "parallel jobs"),
    ("Creating the Azure Resource Manager service connection (automatic) fails: Failed to create an app in Microsoft"
     " Entra ID. Error: Insufficient privileges to complete the operation in Microsoft Graph.",
     "auth.rbac_missing", "app registrations"),
    ("ERROR: /infra/main.bicep(5,3) : Error BCP173: The property \"location\" cannot be used in an existing resource"
     " declaration.", "deployment.template_invalid", "existing"),
    ("##[error]/home/vsts/work/1/s/infra/main.bicep(3,22) : Error BCP213: The OCI artifact module alias name \"corp\""
     " does not exist in the built-in Bicep configuration.", "config.wrong_resource_name", "bicepconfig.json"),
]


@pytest.mark.parametrize(("paste", "category", "detail"), SETTLED, ids=[c[2] for c in SETTLED])
def test_the_answer_names_the_category_and_the_deciding_detail(paste: str, category: str, detail: str) -> None:
    report = settled_report(paste)
    assert report["category"] == category
    assert detail in report["root_cause"]
    assert report["confidence"] != "high"


@pytest.mark.parametrize("paste", [
    "AzureWebApp@1 to our ASE app:\n##[warning]Encountered a retriable error: ECONNRESET. Message: read ECONNRESET.",
    "remote: TF401019: The Git repository with name or identifier shared-infra does not exist or you do not have"
    " permissions for the operation you are attempting.",
])
def test_an_inconclusive_delivery_error_asks_before_concluding(paste: str) -> None:
    assert run_engine({"error_description": paste}).envelope()["status"] == "request"


# --- near misses keep their own answers ---------------------------------------------------------------------------

NEAR_MISSES = [
    # SQL Server's own network error is not Web Deploy's remote computer
    ("A network-related or instance-specific error occurred while establishing a connection to SQL Server."
     " (provider: TCP Provider, error: 40 - Could not open a connection to SQL Server)",
     "appservice-webdeploy-destination-unreachable"),
    # an app's own ECONNRESET to Redis is not the deployment task's retriable error
    ("Our Node API on App Service logs this when calling Redis:\nError: read ECONNRESET\n"
     "    at TLSWrap.onStreamRead (node:internal/stream_base_commons:217:20)", "tooling-ado-webapp-deploy-econnreset"),
    # a local file watcher running out of handles is not the deployment task
    ("Running locally with npm run dev (vite) on my Mac:\n"
     "Error: EMFILE: too many open files, watch '/Users/me/app/src'",
     "tooling-ado-webapp-deploy-emfile"),
    # an expired refresh token in an app's own MSAL flow is Entra's code, not the portal session
    ("My Python console app with msal: Failed to obtain an access token: AADSTS700082: The refresh token has expired"
     " due to inactivity.", "tooling-ado-service-connection-session-expired"),
    # a role assignment that cannot read the directory is the Graph-read entry
    ("$ az role assignment create --assignee app-orders --role Reader --scope /subscriptions/x\n"
     "ERROR: Insufficient privileges to complete the operation.",
     "tooling-ado-service-connection-cannot-create-app-registration"),
    # the "may be too short" warning stays the length-constraint entry
    ("WARNING: /infra/main.bicep(12,11) : Warning BCP334: The provided value can have a length as small as 0 and may"
     " be too short to assign to a target with a configured minimum length of 3.",
     "tooling-bicep-value-outside-declared-limits"),
]


@pytest.mark.parametrize(("paste", "entry"), NEAR_MISSES, ids=[e for _, e in NEAR_MISSES])
def test_a_near_miss_does_not_get_the_entry(paste: str, entry: str) -> None:
    assert best_entry_id(paste) != entry


def test_the_length_warning_keeps_its_entry() -> None:
    assert best_entry_id(
        "WARNING: /infra/main.bicep(12,11) : Warning BCP334: The provided value can have a length as small as 0 and"
        " may be too short to assign to a target with a configured minimum length of 3.") == \
        "tooling-bicep-length-constraint"


# --- the symptom clue: RunFromPackage SAS expired a year after the last pipeline deployment -------------------------

RFP_YEAR = ("The function app suddenly stopped, all functions gone. WEBSITE_RUN_FROM_PACKAGE is"
            " https://stdeploy01.blob.core.windows.net/azure-pipelines-deploy/package_1701234.zip?sv=2021-08-06"
            "&se=2026-12-01T10%3A00%3A00Z&sr=b&sp=r&sig=*** and our last deployment was over a year ago.")


def test_a_year_old_run_from_package_deployment_is_the_expired_sas() -> None:
    report = settled_report(RFP_YEAR)
    assert report["category"] == "auth.credential_invalid"
    assert "one year" in report["root_cause"] and report["confidence"] == "medium"


def test_without_the_package_url_the_clue_asks_for_it() -> None:
    outcome = run_engine({"error_description": (
        "Our timer and queue functions stopped running this morning. Nobody touched the app; it was last deployed a"
        " bit over a year ago by our Azure DevOps release with AzureFunctionApp@1"
        " (deploymentMethod: runFromPackage).")})
    assert outcome.envelope()["status"] == "request"
    assert "WEBSITE_RUN_FROM_PACKAGE" in outcome.requests[-1].request.question


@pytest.mark.parametrize("paste", [
    "Our function app deployed with AzureFunctionApp@1 runFromPackage stopped running after yesterday's deploy: the"
    " queue trigger never fires. We moved to this setup a year ago and it worked fine until now.",
    "We have used run from package for a year; how do I add a staging slot to the function app?",
])
def test_a_recent_deployment_or_a_question_is_not_the_expired_sas(paste: str) -> None:
    outcome = run_engine({"error_description": paste})
    asked = " ".join(r.request.question for r in outcome.requests)
    report = outcome.envelope().get("report") or {}
    assert "se= expiry" not in asked and "one year" not in (report.get("root_cause") or "")


# --- a hosted agent and an internal App Service Environment ---------------------------------------------------------

def test_a_hosted_agent_that_cannot_resolve_an_internal_ase_name_is_not_out_of_scope() -> None:
    report = settled_report(
        "AzureFunctionApp@2 from a Microsoft-hosted agent to our function app in an internal (ILB) App Service"
        " Environment:\n##[error]Error: getaddrinfo ENOTFOUND func-orders.scm.ase-internal.appserviceenvironment.net")
    assert report["category"] == "network.dns_resolution"


def test_a_hosted_runner_resolver_failure_on_a_public_host_stays_out_of_scope() -> None:
    report = settled_report(
        "AzureFunctionApp@2 from a Microsoft-hosted agent to our function app:\n"
        "##[error]Error: getaddrinfo ENOTFOUND func-orders.scm.azurewebsites.net")
    assert report["category"] == "out_of_scope"
