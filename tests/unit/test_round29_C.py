"""Round 29, helper C (the development halves real67 / real68): knowledge and mechanisms the cases showed missing.

Catalog: a Functions host's own wording of AZFD0015 (a TimeSpan timer schedule), the deployment name a report says
it created (Azure OpenAI DeploymentNotFound), azd's found-more-than-one tag error as a duplicate, the Logic Apps
request trigger's two-schemes and SAS-disabled refusals, Container Apps' revision suffix that already exists.
Findings: several resources carrying one azd-service-name tag (the group listing now keeps that tag), zip deploy
refused while WEBSITE_RUN_FROM_PACKAGE is a URL, a vault firewall that leaves out the caller's subnet, a workflow
host on a blob-only storage account. Clues: a misspelled workload identity key, "This web app is stopped" on a Free
or Shared plan, an Oryx Python build with only a Pipfile. Outside hosts: a Docker daemon missing in WSL, a local
kind cluster's Docker Hub limit. Each fires on its own symptom and stays silent for a near miss."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers.catalog_entry import decide_from_entry
from shared.engines.catalog_hits import decisive
from shared.engines.clues import clue_in
from shared.session.state import Conclude, GiveUp
from shared.tools.azure_resources import _listed
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import finding_id, finding_report, reads_state, state_with

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"


# --- catalog ------------------------------------------------------------------------------------------------------

CATALOG_CASES = {
    "functions-azfd0015-timer-not-cron":
        "Functions.Export: The timer schedule '00:05:00' is not a CRON expression. Non-CRON expressions are not "
        "supported by the scale controller and may cause scaling issues. Please use a CRON expression instead.",
    "tooling-azd-service-tag-duplicate":
        "ERROR: error executing step command 'deploy --all': getting target resource: expecting only '1' resource "
        "tagged with 'azd-service-name: api', but found '3'. Ensure a unique service resource is correctly tagged "
        "in your infrastructure configuration, and rerun provision",
    "tooling-azd-service-tag-not-found":
        "ERROR: getting target resource: resource not found: unable to find a resource tagged with "
        "'azd-service-name: web'. Ensure the service resource is correctly tagged in your infrastructure "
        "configuration, and rerun provision",
    "apps-logicapps-trigger-more-than-one-authorization":
        '{"error":{"code":"DirectApiRequestHasMoreThanOneAuthorization","message":"The request has SAS '
        "authentication scheme, 'Bearer' authorization scheme or internal token scheme. Only one scheme should be "
        'used."}}',
    "apps-logicapps-trigger-sas-disabled-by-policy":
        '{"error":{"code":"DirectApiInvalidAuthorizationScheme","message":"The request has SAS authentication scheme '
        'while it is disabled under your access control policy."}}',
    "containers-aca-revision-suffix-exists":
        "(ContainerAppOperationError) Failed to provision revision for container app. Error details: The following "
        "field(s) are either invalid or missing. Field 'template.revisionsuffix' is invalid with details: 'Invalid "
        "value: revision with suffix v2 already exists.",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_entry_ranks_first_for_its_wording(entry_id: str) -> None:
    assert best_entry_id(CATALOG_CASES[entry_id]) == entry_id


def test_another_invalid_container_template_field_is_no_suffix_conflict() -> None:
    text = ("Field 'template.containers.api.image' is invalid with details: 'Invalid value: "
            "\"cr.azurecr.io/api:9\": GET https:: MANIFEST_UNKNOWN: manifest tagged by \"9\" is not found'")
    assert best_entry_id(text) != "containers-aca-revision-suffix-exists"


def test_the_duplicate_tag_is_a_name_conflict_and_the_missing_tag_a_wrong_name() -> None:
    assert catalog_index().hits([(CATALOG_CASES["tooling-azd-service-tag-duplicate"], "error")])[0].entry.category \
        == "deployment.name_conflict"
    assert catalog_index().hits([(CATALOG_CASES["tooling-azd-service-tag-not-found"], "error")])[0].entry.category \
        == "config.wrong_resource_name"


def _conclusion(text: str) -> Conclude:
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude)
    return final


DEPLOYMENT_NOT_FOUND = ("var options = new ChatCompletionsOptions { DeploymentName = \"gpt-4o\" };\n"
                        "Azure.RequestFailedException: The API deployment for this resource does not exist.\n"
                        "ErrorCode: DeploymentNotFound")


def test_deployment_not_found_names_the_deployment_the_report_says_it_created() -> None:
    report = _conclusion(f"In the portal I called the deployment \"chat-prod\".\n{DEPLOYMENT_NOT_FOUND}").report
    assert "'chat-prod'" in report.root_cause and "'gpt-4o'" in report.root_cause


def test_unquoted_words_after_called_are_no_deployment_name() -> None:
    report = _conclusion(f"The deployment called from the pipeline fails too.\n{DEPLOYMENT_NOT_FOUND}").report
    assert "created 'from'" not in report.root_cause and "The report names the deployment" not in report.root_cause


# --- findings -----------------------------------------------------------------------------------------------------

def _resource(name: str, kind: str, tag: str | None) -> dict[str, Any]:
    return {"id": f"{SUB}/providers/{kind}/{name}", "name": name, "type": kind, "location": "eastus2",
            **({"tags": {"azd-env-name": "prod", "azd-service-name": tag}} if tag else {})}


def test_the_group_listing_keeps_the_azd_service_tag_and_no_other_tag() -> None:
    listed = _listed({**_resource("app-api", "Microsoft.Web/sites", "api"), "tags": {
        "azd-service-name": "api", "owner": "someone@example.com"}})
    assert listed["service_tag"] == "api"
    assert "someone@example.com" not in repr(listed) and "tags" not in listed
    assert "service_tag" not in _listed(_resource("st", "Microsoft.Storage/storageAccounts", None))


AZD_FOUND_2 = ("azd deploy: expecting only '1' resource tagged with 'azd-service-name: api', but found '2'. Ensure a "
               "unique service resource is correctly tagged")


def _group(*resources: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [("list_resources_in_group", {"resources": [_listed(r) for r in resources], "count": len(resources)})]


def test_two_resources_with_the_service_tag_are_named() -> None:
    state = state_with(AZD_FOUND_2, _group(_resource("app-api-old", "Microsoft.Web/sites", "api"),
                                           _resource("ca-api", "Microsoft.App/containerApps", "api"),
                                           _resource("ca-web", "Microsoft.App/containerApps", "web")))
    assert finding_id(state) == "azd-service-tag-on-several-resources"
    report = finding_report(state)
    assert report.category == "deployment.name_conflict"
    assert "app-api-old" in report.root_cause and "ca-api" in report.root_cause and "ca-web" not in report.root_cause


def test_one_resource_per_service_tag_is_no_duplicate() -> None:
    state = state_with(AZD_FOUND_2, _group(_resource("ca-api", "Microsoft.App/containerApps", "api"),
                                           _resource("ca-web", "Microsoft.App/containerApps", "web")))
    assert finding_id(state) != "azd-service-tag-on-several-resources"


RUN_FROM_URL = "https://stfunc.blob.core.windows.net/function-releases/pkg.zip?sv=x&sig=<redacted>"
ZIP_409 = ("Publishing ZIP file. Attempt 3 of 3...\nFail publishing ZIP file. Response code: 409. Response message: "
           "Conflict.")


def _settings(run_from: str | None) -> list[tuple[str, dict[str, Any]]]:
    names = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME"] + (["WEBSITE_RUN_FROM_PACKAGE"] if run_from else [])
    targets = {"WEBSITE_RUN_FROM_PACKAGE": run_from} if run_from and "." in run_from else {}
    return [("get_resource", {"type": "Microsoft.Web/sites", "name": "func-api", "kind": "functionapp,linux"}),
            ("list_app_setting_names", {"names": names, "count": len(names), "targets": targets})]


def test_zip_deploy_refused_while_the_app_runs_from_a_package_url() -> None:
    state = state_with(ZIP_409, _settings("stfunc.blob.core.windows.net"))
    assert finding_id(state) == "zip-deploy-conflict-run-from-package-url"
    report = finding_report(state)
    assert report.category == "functions.host_misconfigured" and "WEBSITE_RUN_FROM_PACKAGE" in report.root_cause


@pytest.mark.parametrize("run_from, report", [
    ("1", ZIP_409),                                    # run from a local package: zip deploy manages it
    (None, ZIP_409),                                   # no setting at all
    ("stfunc.blob.core.windows.net", "The function returns 500 since the last release."),  # no refused deploy
])
def test_no_url_or_no_refused_deploy_is_no_run_from_package_verdict(run_from: str | None, report: str) -> None:
    assert finding_id(state_with(report, _settings(run_from))) != "zip-deploy-conflict-run-from-package-url"


ENV_SUBNET = f"{SUB}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-aca"
JUMP_SUBNET = f"{SUB}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-jump"
REFERENCE_FAILS = ("az containerapp secret set: unable to fetch secret 'api-key' using Managed identity; the "
                   "identity has Get on the Key Vault")


def _vault(default: str = "Deny", rules: tuple[str, ...] = (JUMP_SUBNET,), endpoints: int = 0) -> dict[str, Any]:
    return {"type": "Microsoft.KeyVault/vaults", "name": "kv-app", "enableRbacAuthorization": False,
            "networkAcls": {"defaultAction": default, "bypass": "AzureServices", "ipRules": ["203.0.113.0/26"],
                            "virtualNetworkRules": list(rules)},
            "publicNetworkAccess": "Enabled", "privateEndpointConnections": endpoints}


ENVIRONMENT = {"type": "Microsoft.App/managedEnvironments", "name": "cae-app", "infrastructureSubnetId": ENV_SUBNET}


def test_a_vault_firewall_without_the_caller_subnet_refuses_the_reference() -> None:
    state = reads_state(REFERENCE_FAILS, [ENVIRONMENT, _vault()])
    assert finding_id(state) == "keyvault-firewall-omits-caller-subnet"
    report = finding_report(state)
    assert report.category == "network.nsg_blocked"
    assert "snet-aca" in report.root_cause and "snet-jump" in report.root_cause


@pytest.mark.parametrize("vault", [_vault(default="Allow"), _vault(rules=(JUMP_SUBNET, ENV_SUBNET)),
                                   _vault(endpoints=1)], ids=["open", "subnet-allowed", "private-endpoint"])
def test_a_vault_that_admits_the_caller_is_no_firewall_verdict(vault: dict[str, Any]) -> None:
    assert finding_id(reads_state(REFERENCE_FAILS, [ENVIRONMENT, vault])) != "keyvault-firewall-omits-caller-subnet"


def test_an_app_whose_outbound_addresses_the_vault_admits_is_no_subnet_verdict() -> None:
    site = {"type": "Microsoft.Web/sites", "name": "app", "virtualNetworkSubnetId": ENV_SUBNET,
            "outboundIpAddresses": ["203.0.113.5", "203.0.113.9"]}
    assert finding_id(reads_state(REFERENCE_FAILS, [site, _vault()])) != "keyvault-firewall-omits-caller-subnet"


NOT_IMPLEMENTED = ("fail: Microsoft.Azure.Workflows.WebJobs.WorkflowDispatcher[0] Workflow run failed to start: "
                   "Microsoft.WindowsAzure.Storage.StorageException: Unexpected HTTP status code 'NotImplemented'.")


def _account(kind: str) -> dict[str, Any]:
    return {"type": "Microsoft.Storage/storageAccounts", "name": "stwf", "kind": kind}


def test_a_workflow_host_on_a_blob_only_account_is_misconfigured() -> None:
    state = reads_state(NOT_IMPLEMENTED, [_account("BlobStorage")])
    assert finding_id(state) == "workflow-host-storage-blob-only-account"
    assert finding_report(state).category == "functions.host_misconfigured"


def test_a_general_purpose_account_or_another_symptom_is_no_blob_only_verdict() -> None:
    assert finding_id(reads_state(NOT_IMPLEMENTED, [_account("StorageV2")])) != \
        "workflow-host-storage-blob-only-account"
    assert finding_id(reads_state("The logic app's runs are slow since Monday.", [_account("BlobStorage")])) != \
        "workflow-host-storage-blob-only-account"


# --- clues --------------------------------------------------------------------------------------------------------

def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


WI_MANIFEST = ("The pod logs AZURE_CLIENT_ID environment variable is not set.\n"
               "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  annotations:\n"
               "    azure.workload.identity/{key}: 0b0c5c4f-0000-4000-8000-000000000001\n")


@pytest.mark.parametrize("key", ["client_id", "clientId", "client-ID"])
def test_a_misspelled_workload_identity_key_is_a_missing_setting(key: str) -> None:
    report = _conclusion(WI_MANIFEST.format(key=key)).report
    assert report.category == "config.missing_app_setting" and f"azure.workload.identity/{key}" in report.root_cause


def test_the_documented_key_or_prose_naming_it_is_no_misspelling() -> None:
    assert _clue(WI_MANIFEST.format(key="client-id")) != "aks-workload-identity-key-misspelled"
    prose = ("AZURE_CLIENT_ID is not set although the service account has the azure.workload.identity/client_id "
             "annotation, they say.")
    assert _clue(prose) != "aks-workload-identity-key-misspelled"


STOPPED = ("The site shows Error 403 - This web app is stopped. every afternoon; the portal says Running and nobody "
           "stops it.")


def test_a_stopped_app_on_a_free_plan_is_its_quota() -> None:
    report = _conclusion(f"{STOPPED} App Service plan asp-docs, pricing tier F1 (Free).").report
    assert report.category == "quota.exceeded" and report.confidence == "medium" and "quota" in report.root_cause


def test_a_stopped_app_on_a_paid_plan_is_no_free_quota_verdict() -> None:
    paid = f"{STOPPED} App Service plan asp-docs, pricing tier P1v3."
    assert _clue(paid) != "appservice-stopped-on-free-or-shared-plan"


ORYX = ("git push azure main\nremote: Running oryx build...\nremote: Oops... An unexpected error has occurred.\n"
        "Repo root (a Django app): {files}\nSCM_DO_BUILD_DURING_DEPLOYMENT is true.")


def test_an_oryx_python_build_with_only_a_pipfile_lacks_requirements() -> None:
    report = _conclusion(ORYX.format(files="Pipfile  Pipfile.lock  manage.py  dashboard/")).report
    assert report.category == "runtime.dependency_missing" and "requirements.txt" in report.root_cause


@pytest.mark.parametrize("files", ["Pipfile  requirements.txt  manage.py", "Pipfile  pyproject.toml  manage.py"])
def test_a_project_with_a_file_the_build_reads_is_no_pipfile_verdict(files: str) -> None:
    assert _clue(ORYX.format(files=files)) != "oryx-python-build-pipfile-without-requirements"


# --- outside Azure ------------------------------------------------------------------------------------------------

DAEMON = ("$ az acr login -n crapp\nAn error occurred: DOCKER_COMMAND_ERROR\nCannot connect to the Docker daemon at "
          "unix:///var/run/docker.sock. Is the docker daemon running?\n$ sudo service docker status\n"
          "docker: unrecognized service")


def test_a_docker_daemon_missing_in_wsl_is_out_of_scope() -> None:
    final = run_engine({"error_description": f"Building our image in WSL (Ubuntu 22.04):\n{DAEMON}"}).final
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"


AZD_DAEMON = ("ERROR: failed building service 'api': Cannot connect to the Docker daemon at "
              "unix:///var/run/docker.sock. Is the docker daemon running?")


def test_the_same_daemon_error_on_a_build_agent_stays_a_missing_dependency() -> None:
    in_wsl = run_engine({"error_description": f"azd deploy in WSL fails:\n{AZD_DAEMON}"}).final
    assert isinstance(in_wsl, GiveUp)
    agent = run_engine({"error_description": f"azd deploy on our self-hosted Azure Pipelines agent VM fails:\n"
                                             f"{AZD_DAEMON}"}).final
    assert isinstance(agent, Conclude) and agent.report.category == "runtime.dependency_missing"


PULL_LIMIT = ("$ docker pull org/controller:latest\nError response from daemon: toomanyrequests: You have reached your "
              "pull rate limit. You may increase the limit by authenticating and upgrading.\nWe also have an ACR.")


def test_docker_hub_limit_on_a_local_kind_cluster_is_out_of_scope() -> None:
    final = run_engine({"error_description": f"Setting up a local kind cluster on our lab VM.\n{PULL_LIMIT}"}).final
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"


def test_docker_hub_limit_on_aks_nodes_stays_in_scope() -> None:
    text = f"Our AKS cluster nodes fail with ErrImagePull since noon.\n{PULL_LIMIT}"
    final = run_engine({"error_description": text}).final
    assert not isinstance(final, GiveUp)


def test_the_decisive_entry_concludes_the_timer_wording_from_logs_too() -> None:
    state = state_with(CATALOG_CASES["functions-azfd0015-timer-not-cron"], [])
    entry = decisive(state)
    assert entry is not None and entry.entry.id == "functions-azfd0015-timer-not-cron"
    final = decide_from_entry(state, entry)
    assert isinstance(final, Conclude) and "CRON" in final.report.root_cause


TIMER = ("Our nightly export timer function silently stopped; after each deployment it runs once, then nothing for "
         'days.\nfunction.json: { "bindings": [ { "name": "myTimer", "type": "timerTrigger", "direction": "in", '
         '"schedule": "24:00:00" } ] }')


def test_a_timespan_schedule_that_stops_firing_is_not_cron() -> None:
    report = _conclusion(TIMER).report
    assert report.category == "functions.host_misconfigured" and "CRON" in report.root_cause


@pytest.mark.parametrize("text", [TIMER.replace("24:00:00", "0 0 2 * * *"),
                                  TIMER + " The app runs on an App Service plan P1v3 with Always On enabled."])
def test_a_cron_schedule_or_a_dedicated_plan_is_no_timespan_verdict(text: str) -> None:
    assert _clue(text) != "timer-schedule-timespan-not-cron"
