"""Round 30, helper P (this session's development cases real69 / docs41-42): a Node.js worker's duplicate function
name quoted with single quotes, the properties a Logic Apps expression could read, the folder a Static Web Apps build
really wrote, the Amplify Hosting build log, an App Service deployment that fails on a full file system quota, an
extension bundle range that excludes the installed bundle, and a container app revision whose template dropped an
environment variable the last ready revision had. Each fires on its own material and stays silent for its near miss."""

from __future__ import annotations

from typing import Any

from shared.engines.clues import clue_in
from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.clue_checks import concludes, final_of
from tests.helpers.finding_checks import check_round_finding, finding_id, reads_state


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def _concluded(text: str) -> Conclude:
    final = final_of(text)
    assert isinstance(final, Conclude)
    return final


# --- catalog: the Node.js worker's duplicate registration, as Application Insights quotes it ---

DUPLICATE = ("Worker was unable to load entry point 'dist/src/functions/products/index.js': A function with id "
             "'getManufacturers' has already been registered.")


def test_a_duplicate_function_id_in_single_quotes_is_the_worker_refusing_the_file() -> None:
    final = _concluded(DUPLICATE + " 31 functions loaded")
    assert final.report.category == "runtime.code_defect"
    assert "'getManufacturers' is registered twice" in final.report.root_cause
    assert "dist/src/functions/products/index.js" in final.report.root_cause


def test_another_framework_saying_already_registered_is_not_the_node_worker() -> None:
    text = "System.InvalidOperationException: The service 'IOrderRepository' has already been registered."
    assert best_entry_id(text) != "functions-node-entry-point-not-loaded"


# --- catalog facts: the properties a Logic Apps expression could have read ---

INVALID_TEMPLATE = (
    "Error code: InvalidTemplate Unable to process template language expressions in action 'Upsert_row' inputs at "
    "line '0' and column '0': 'The template language expression 'triggerBody()['customerId']' cannot be evaluated "
    "because property 'customerId' {verb} exist, available properties are 'eventType, subject, data'.")


def test_a_missing_property_names_the_properties_the_object_has() -> None:
    for verb in ("doesn't", "does not"):
        report = _concluded(INVALID_TEMPLATE.format(verb=verb)).report
        assert report.category == "runtime.code_defect"
        assert "reads 'customerId' at a level where the object has only eventType, subject, data" in report.root_cause
        assert any("triggerBody()?['data']?['customerId']" in a for a in report.actions)
        assert "deployment.." not in report.root_cause


def test_a_type_mismatch_says_nothing_of_available_properties() -> None:
    text = ("InvalidTemplate. Unable to process template language expressions in action 'Compose' inputs at line "
            "'0' and column '0': 'The template language function 'int' expects its parameter to be a string. The "
            "provided value is of type 'Object'.'")
    report = _concluded(text).report
    assert "available" not in report.root_cause and not any("full path" in a for a in report.actions)


# --- catalog facts: the folder a Static Web Apps build wrote ---

SWA_FAILED = ("The app build failed to produce artifact folder: 'build'. Please ensure this property is configured "
              "correctly in your deployment configuration file.")
VITE_LOG = ("vite v5.4.11 building for production...\n"
            "dist/index.html                   0.61 kB | gzip:   0.37 kB\n"
            "dist/assets/index-Cq3n9x2T.js   402.77 kB | gzip: 121.06 kB\n")


def test_the_swa_artifact_folder_error_names_where_the_build_wrote_the_site() -> None:
    report = _concluded(VITE_LOG + SWA_FAILED).report
    assert report.category == "config.wrong_resource_name"
    assert "looked for 'build', while the build wrote the site to dist" in report.root_cause
    assert any("output_location dist" in a for a in report.actions)


def test_without_a_build_listing_the_swa_answer_invents_no_folder() -> None:
    report = _concluded("npm run build finished.\n" + SWA_FAILED).report
    assert "wrote the site to" not in report.root_cause and not any("output_location dist" in a
                                                                        for a in report.actions)


# --- catalog: the AWS Amplify Hosting build log ---

AMPLIFY_LOG = ("2026-11-10T18:25:42.292Z [ERROR]: !!! Build failed\n"
               "2026-11-10T18:25:42.293Z [ERROR]: !!! Non-Zero Exit Code detected\n"
               "Provision log shows ENV VERSION_NODE_DEFAULT=$VERSION_NODE_10.")


def test_an_amplify_build_log_is_out_of_scope_even_beside_an_azure_backend() -> None:
    text = "Our front end builds on AWS Amplify, the API is an Azure Function app that deploys fine.\n" + AMPLIFY_LOG
    report = getattr(final_of(text), "report", None)
    assert report is not None and report.category == "out_of_scope"


def test_the_amplify_js_library_in_an_azure_app_is_no_amplify_hosting_error() -> None:
    text = ("Our React app on Azure Static Web Apps uses the aws-amplify library for sign-in; the build exits with "
            "code 1.")
    assert best_entry_id(text) != "other-clouds-aws-app-platforms"


# --- symptom clue: an App Service deployment that fails on a full file system quota ---

ZIP_DEPLOY = ("ZIP Deploy with WEBSITE_RUN_FROM_PACKAGE=1 on our F1 web app: ##[error]Failed to deploy web package to "
              "App Service. Internal Server Error (CODE: 500). D:\\home\\data\\SitePackages holds six zips. The "
              "Quotas page says \"File System Storage: {quota}\".")


def test_a_deploy_500_with_the_file_system_quota_used_up_is_the_quota() -> None:
    text = ZIP_DEPLOY.format(quota="1 GB / 1 GB")
    assert _clue(text) == "appservice-deploy-file-system-quota-full"
    assert concludes(text, "quota.exceeded")
    assert "SCM_MAX_ZIP_PACKAGE_COUNT" in " ".join(_concluded(text).report.actions)


def test_a_quota_with_room_left_or_no_deployment_is_no_quota_verdict() -> None:
    assert _clue(ZIP_DEPLOY.format(quota="0.4 GB / 1 GB")) != "appservice-deploy-file-system-quota-full"
    assert _clue("Our blob storage quota is full, uploads fail with 409.") != "appservice-deploy-file-system-quota-full"


# --- symptom clue: an extension bundle range that excludes the installed bundle ---

HOST_JSON = ("After the delete a new host.json appeared: {{\"version\": \"2.0\", \"extensionBundle\": {{\"id\": "
             "\"Microsoft.Azure.Functions.ExtensionBundle.Workflows\", \"version\": \"{range}\"}}}}. Since then the "
             "Workflows blade is empty. The portal lists the installed Workflows bundle as 1.1.19.")


def test_a_bundle_range_that_excludes_the_installed_bundle_is_the_host_configuration() -> None:
    text = HOST_JSON.format(range="[2.*, 3.0.0)")
    assert _clue(text) == "functions-extension-bundle-range-excludes-installed"
    report = _concluded(text).report
    assert report.category == "functions.host_misconfigured" and report.confidence == "medium"
    assert "([2.*, 3.0.0)) excludes the bundle that is installed or available (1.1.19)" in report.root_cause


def test_a_bundle_range_that_contains_the_installed_bundle_stays_silent() -> None:
    assert _clue(HOST_JSON.format(range="[1.*, 2.0.0)")) != "functions-extension-bundle-range-excludes-installed"


# --- computed finding: a failing revision whose template dropped an environment variable ---

RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.App/containerApps"
BASE_ENV = [{"name": "NODE_ENV", "value": "production"}, {"name": "SERVICEBUS_QUEUE", "value": "events"}]


def _revision(name: str, state: str, env: list[dict[str, str]]) -> dict[str, Any]:
    return {"name": name, "healthState": "Healthy" if state == "Running" else "Unhealthy", "runningState": state,
            "provisioningState": "Provisioned",
            "template.containers": [{"name": "notifier", "image": "cr.azurecr.io/notifier:2", "env": env}]}


def _reads(latest_state: str, latest_env: list[dict[str, str]]) -> list[dict[str, Any]]:
    app = {"type": "Microsoft.App/containerApps", "name": "ca-notifier", "id": f"{RG}/ca-notifier",
           "latestRevisionName": "ca-notifier--v2", "latestReadyRevisionName": "ca-notifier--v1"}
    ready_env = [*BASE_ENV, {"name": "SERVICEBUS_FQDN", "value": "sb.servicebus.windows.net"}]
    revisions = {"type": "Microsoft.App/containerApps/revisions", "id": f"{RG}/ca-notifier/revisions",
                 "revisions": [_revision("ca-notifier--v2", latest_state, latest_env),
                               _revision("ca-notifier--v1", "Running", ready_env)]}
    return [app, revisions]


REVISION_FAILS = "Release 2.4.0 is stuck: the new revision is Failed, 0/1 replicas ready."


def test_a_failing_revision_without_a_variable_the_ready_one_had_is_a_missing_setting() -> None:
    check_round_finding(reads_state(REVISION_FAILS, _reads("Failed", BASE_ENV)),
                        "container-app-revision-dropped-env-var", "config.missing_app_setting", "SERVICEBUS_FQDN")


def test_the_same_variables_or_a_running_revision_is_no_dropped_variable() -> None:
    full = [*BASE_ENV, {"name": "SERVICEBUS_FQDN", "value": "sb.servicebus.windows.net"}]
    assert finding_id(reads_state(REVISION_FAILS, _reads("Failed", full))) != "container-app-revision-dropped-env-var"
    assert finding_id(reads_state(REVISION_FAILS, _reads("Running", BASE_ENV))
                      ) != "container-app-revision-dropped-env-var"


# --- catalog: the env-var package's required variable ---

def test_an_env_var_required_variable_not_set_is_a_missing_setting() -> None:
    text = 'EnvVarError: env-var: "SERVICEBUS_FQDN" is a required variable, but it was not set'
    assert best_entry_id(text) == "appservice-node-env-var-required-not-set"
    report = _concluded(text).report
    assert report.category == "config.missing_app_setting" and "SERVICEBUS_FQDN" in report.root_cause


def test_a_required_variable_of_another_library_is_not_the_env_var_package() -> None:
    assert best_entry_id("Variable : 'DB_HOST' is a required variable, but was not found") != (
        "appservice-node-env-var-required-not-set")
