"""Round 33 (helper A, realA): a registry in another subscription behind az acr login's token error, explicit -u/-p
credentials of az acr, a new AcrPull grant not yet seen by the kubelet, kubectl on the context of a deleted AKS
cluster, two function apps sharing a Durable task hub, a .NET 8 app run in-process on .NET 6, a Flex Consumption
runtime version without its minor part, a static web app dropping AzureWeb* settings, a containerised host without a
valid master key, run-from-package=1 on Linux Consumption, the Logic Apps designer without local.settings.json, a stale
connections.json, Helm 3.13.0's anonymous-pull regression and kops on AWS (both out of scope)."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.session.state import Conclude
from tests.helpers.clue_checks import concludes, final_of

CATALOG_CASES = {
    "logicapps-vscode-project-root-local-settings-missing":
        "Action: azureLogicAppsStandard.openDesigner\nError type: Error\nError Message: Error in determining project "
        "root. Please confirm project structure is correct.",
    "logicapps-standard-deploy-connection-in-connections-json-not-found":
        "Error in getting connection - /subscriptions/1111/resourceGroups/rg-a/providers/Microsoft.Web/connections/"
        "office365-1.\n",
    "third-party-helm-3-13-0-oci-anonymous-pull-401":
        "CI got helm 3.13.0 today. helm pull oci://crpub.azurecr.io/helm/app --version 0.3.1\nError: unexpected status "
        "from HEAD request to https://crpub.azurecr.io/v2/helm/app/manifests/0.3.1: 401 Unauthorized\nThe registry "
        "has anonymous pull enabled.",
    "other-clouds-aws-kops-api-unreachable":
        "kops create cluster --name=k8s.shop.example.com --zones=us-east-1a --state=s3://shop-kops --yes\n"
        "$ kubectl get nodes\nUnable to connect to the server: dial tcp 54.1.2.3:443: i/o timeout",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_is_found(entry_id: str) -> None:
    ids = [h.entry.id for h in catalog_index().hits([(CATALOG_CASES[entry_id], "error")])]
    assert entry_id in ids[:2], ids[:3]


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_helm_3_12_or_3_13_1_is_not_the_regression() -> None:
    fixed = CATALOG_CASES["third-party-helm-3-13-0-oci-anonymous-pull-401"].replace("3.13.0", "3.13.1")
    assert "third-party-helm-3-13-0-oci-anonymous-pull-401" not in _ids(fixed)


def test_an_aks_api_timeout_is_not_kops() -> None:
    aks = "$ kubectl get nodes\nUnable to connect to the server: dial tcp 20.1.2.3:443: i/o timeout\nAKS in westeurope."
    assert "other-clouds-aws-kops-api-unreachable" not in _ids(aks)


ACR_OTHER_SUB = (
    "C:\\> az acr login --name crshared\nUnable to get AAD authorization tokens with message: An error occurred: "
    "CONNECTIVITY_REFRESH_TOKEN_ERROR\nAccess to registry 'crshared.azurecr.io' was denied. Response code: 401. "
    "Please try running 'az login' again to refresh permissions.\nUnable to get admin user credentials with message: "
    "The resource with name 'crshared' and type 'Microsoft.ContainerRegistry/registries' could not be found in "
    "subscription 'Sandbox (0000)'.\n")


def test_a_registry_whose_login_server_answers_is_in_another_subscription() -> None:
    final = final_of(ACR_OTHER_SUB)
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "subscription" in final.report.root_cause


def test_a_registry_not_found_without_its_login_server_answering_is_asked() -> None:
    bare = ("az acr repository list --name crshared\nThe resource with name 'crshared' and type "
            "'Microsoft.ContainerRegistry/registries' could not be found in subscription 'Sandbox (0000)'.")
    assert not concludes(bare, "config.wrong_resource_name")


HELM_PUSH = ("az acr helm push -n crcharts app-1.4.0.tgz -u $(registryUsername) -p $(registryPassword)\n"
             "ERROR: Error: authentication required\n")


def test_explicit_acr_credentials_that_fail_are_the_credentials() -> None:
    assert concludes(HELM_PUSH, "auth.credential_invalid")


def test_acr_helm_push_without_explicit_credentials_is_not_blamed_on_them() -> None:
    plain = "az acr helm push -n crcharts app-1.4.0.tgz\nERROR: Error: authentication required\n"
    found = clue_in([plain])
    assert found is None or found["id"] != "acr-explicit-credentials-override-login-identity"


FRESH_GRANT = (
    "az role assignment create --assignee $CLIENT_ID --role acrpull --scope $ACR_ID\nthen kubectl apply.\n"
    "Failed to pull image \"crteam.azurecr.io/api:1\": unauthorized: authentication required\n"
    "About 20 minutes later the pods started without me changing anything.")


def test_pulls_that_heal_by_themselves_after_a_new_grant_are_the_cached_token() -> None:
    final = final_of(FRESH_GRANT)
    assert isinstance(final, Conclude) and final.report.category == "container.image_pull_failed"
    assert "cache" in final.report.root_cause


def test_a_pull_that_stays_denied_is_not_called_propagation() -> None:
    stays = FRESH_GRANT.replace("About 20 minutes later the pods started without me changing anything.",
                                "It still fails a day later.")
    found = clue_in([stays])
    assert found is None or found["id"] != "acr-pull-denied-until-new-role-assignment-propagates"


DELETED_CLUSTER = (
    "$ kubectl get nodes\nUnable to connect to the server: dial tcp: lookup aks-b-rg-1a2b.hcp.eastus.azmk8s.io: "
    "no such host\nYesterday I had two clusters and removed the test one with az aks delete. The other works in the "
    "portal.")


def test_kubectl_on_the_deleted_clusters_context_is_the_context() -> None:
    final = final_of(DELETED_CLUSTER)
    assert isinstance(final, Conclude) and final.report.category == "config.wrong_resource_name"
    assert "deleted" in final.report.root_cause


def test_no_such_host_without_a_deleted_cluster_stays_dns() -> None:
    fresh = DELETED_CLUSTER.replace(
        "Yesterday I had two clusters and removed the test one with az aks delete. The other works in the "
        "portal.",
        "The cluster was created an hour ago.")
    found = clue_in([fresh])
    assert found is None or found["id"] != "aks-kubectl-context-of-deleted-cluster"


DURABLE_SHARED = (
    "Durable orchestrations started in func-a stay Pending: {\"runtimeStatus\":\"Pending\"}\nIn func-b's log: "
    "Function 'ProcessOrder (Orchestrator)' doesn't exist, is disabled, or is not an orchestrator function.\n"
    "Both apps have AzureWebJobsStorage = DefaultEndpointsProtocol=https;AccountName=stshared;... and neither "
    "host.json sets a hubName.")


def test_two_apps_on_one_task_hub_outrank_the_unknown_orchestrator_message() -> None:
    final = final_of(DURABLE_SHARED)
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"


NET8_INPROC = (
    "[Error] System.Private.CoreLib: Could not load file or assembly 'Microsoft.Extensions.Logging.Abstractions, "
    "Version=8.0.0.0, Culture=neutral'. The system cannot find the file specified.\n"
    "FUNCTIONS_WORKER_RUNTIME    = dotnet\nThe new release targets .NET 8.")


def test_a_net8_app_run_with_worker_runtime_dotnet_is_the_setting() -> None:
    final = final_of(NET8_INPROC)
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert "isolated" in final.report.root_cause


def test_the_net8_opt_in_set_is_not_this_case() -> None:
    opted = NET8_INPROC + "\nFUNCTIONS_INPROC_NET8_ENABLED = 1"
    found = clue_in([opted])
    assert found is None or found["id"] != "functions-net8-app-worker-runtime-dotnet"


FLEX = ("functionAppConfig: {\n  runtime: { name: 'dotnet-isolated', version: '10' }\n}\n"
        "(BadRequest) Encountered an error (InternalServerError) from host runtime.")


def test_a_flex_dotnet_isolated_version_without_minor() -> None:
    final = final_of(FLEX)
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert "('10')" in final.report.root_cause


def test_a_flex_version_with_its_minor_part_is_not_blamed() -> None:
    found = clue_in([FLEX.replace("version: '10'", "version: '10.0'")])
    assert found is None or found["id"] != "functions-flex-dotnet-isolated-runtime-version-without-minor"


SWA_SETTING = ("Static Web App with an api folder: the table binding uses connection AzureWebJobsStorage. I added "
               "AzureWebJobsStorage under Configuration and saved, but after reloading the setting is simply not there "
               "any more. GET /api/products -> 500.")


def test_a_static_web_app_dropping_an_azureweb_setting() -> None:
    assert concludes(SWA_SETTING, "config.missing_app_setting")


def test_an_ordinary_swa_setting_that_vanishes_is_not_the_reserved_prefix() -> None:
    found = clue_in([SWA_SETTING.replace("AzureWebJobsStorage", "TABLE_CONNECTION")])
    assert found is None or found["id"] != "swa-managed-functions-drop-azureweb-settings"


LINUX_CONSUMPTION = ("Python function app on Linux, Consumption plan. curl -X POST --data-binary @app.zip "
                     "https://f.scm.azurewebsites.net/api/zipdeploy -> 200 OK, but Functions shows No results and "
                     "/api/ingest gives 404.\nWEBSITE_RUN_FROM_PACKAGE = 1")


def test_run_from_package_one_on_linux_consumption() -> None:
    final = final_of(LINUX_CONSUMPTION)
    assert isinstance(final, Conclude) and final.report.category == "functions.host_misconfigured"
    assert "WEBSITE_RUN_FROM_PACKAGE" in final.report.root_cause


def test_run_from_package_one_on_a_premium_plan_is_not_this_case() -> None:
    found = clue_in([LINUX_CONSUMPTION.replace("Consumption plan", "Elastic Premium plan")])
    assert found is None or found["id"] != "functions-linux-consumption-run-from-package-local"


def test_a_bare_string_master_key_in_a_container() -> None:
    said = ("Logic App Standard in docker: curl -X POST http://localhost:8080/runtime/webhooks/workflow/api/management/"
            "workflows/W/triggers/manual/listCallbackUrl -> HTTP/1.1 401 Unauthorized\nSecrets/host.json holds "
            "{\"masterKey\": \"abc123\"}")
    assert concludes(said, "auth.credential_invalid")
