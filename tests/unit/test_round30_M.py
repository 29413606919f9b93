"""Round 30, rob-M (real reports on Functions, Static Web Apps, Container Registry, AKS and Logic Apps): an ACR import
whose source registry is named only by its login server, the node-pool form of AKS's one-minor-version rule, the
artifact folder a Static Web Apps build did not produce, an x64 build on a 32-bit function app, an HTTP action whose
queries replace its callback URL's query string, a managed API setting that lives only in local.settings.json, and
three places outside Azure (another cloud's Kubernetes, an organization's own IIS server, Netlify Functions)."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.signatures import mentions_azure
from shared.session.state import AskClient, Conclude, GiveUp, Material
from tests.helpers.clue_checks import concludes, final_of

UNRELATED = "The nightly export job finished in four minutes and wrote every file."


def _top(text: str) -> str | None:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else None


ACR_IMPORT = ("az acr import --name prodregistry --source devregistry.azurecr.io/billing:2.1 -t billing:2.1\n"
              "Deployment failed. Operation registries-1234 failed. Invalid message Unauthorized Unauthorized "
              '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}')


def test_an_acr_import_refused_by_its_source_registry_names_the_registry_flag() -> None:
    hit = catalog_index().hits([(ACR_IMPORT, "error")], [ACR_IMPORT])[0]
    assert hit.entry.id == "containers-acr-import-source-registry-unauthorized"
    assert hit.entry.category == "auth.credential_invalid" and "--registry" in hit.entry.meaning
    assert hit.facts.get("source_registry") == "devregistry"


def test_the_same_unauthorized_pull_outside_an_import_is_not_the_import_entry() -> None:
    pull = ("docker pull devregistry.azurecr.io/billing:2.1\nError response from daemon: Head "
            '"https://devregistry.azurecr.io/v2/billing/manifests/2.1": unauthorized: authentication required')
    assert _top(pull) != "containers-acr-import-source-registry-unauthorized"
    assert _top(UNRELATED) != "containers-acr-import-source-registry-unauthorized"


def test_the_node_pool_form_of_the_one_minor_version_rule_is_read() -> None:
    text = ("az aks nodepool upgrade --name np1 -k 1.27.3\nOperation failed with status: 'Bad Request'. Details: "
            "Upgrade agent pool version from 1.25.6 to 1.27.3 is not allowed, you can only upgrade one minor version "
            "at a time. Please use [az aks get-upgrades] command to get the supported upgrade paths.")
    hit = catalog_index().hits([(text, "error")], [text])[0]
    assert hit.entry.id == "containers-aks-upgrade-skips-minor-version"
    assert (hit.facts.get("from_version"), hit.facts.get("to_version")) == ("1.25.6", "1.27.3")


def test_another_clouds_upgrade_note_is_no_aks_upgrade_error() -> None:
    eks = "aws eks update-cluster-version --name prod --kubernetes-version 1.31 # can only upgrade one minor " \
          "version at a time"
    assert _top(eks) != "containers-aks-upgrade-skips-minor-version"


def test_a_missing_artifact_folder_is_read_apart_from_a_missing_index_file() -> None:
    missing = "The app build failed to produce artifact folder: 'build'. Please ensure this property is configured."
    hit = catalog_index().hits([(missing, "error")], [missing])[0]
    assert hit.entry.id == "appservice-swa-artifact-folder-not-produced" and hit.facts["output_location"] == "build"
    assert "wwwroot" in hit.entry.meaning  # Blazor WebAssembly's output folder is among the framework folders
    no_index = "Failed to find a default file in the app artifacts folder (dist). Valid default files: index.html"
    assert _top(no_index) == "appservice-swa-default-file-missing"


X64 = ("Our function app (Windows, Consumption, runtime ~4) was deployed with dotnet publish -r win-x64. Every call "
       "fails: System.Private.CoreLib: Could not load file or assembly 'Contoso.Ingest, Version=1.0.0.0, "
       "Culture=neutral, PublicKeyToken=null'.")


def test_an_x64_build_on_a_function_app_reads_as_its_32_bit_worker() -> None:
    hit = catalog_index().hits([(X64, "error")], [X64])[0]
    assert hit.entry.id == "functions-x64-build-on-32-bit-worker"
    assert hit.entry.category == "functions.host_misconfigured" and "32-bit" in hit.entry.meaning
    assert hit.facts.get("assembly") == "Contoso.Ingest"


@pytest.mark.parametrize("text", [
    X64.replace("Windows", "Linux"),  # no 32-bit worker on Linux
    X64.replace(" with dotnet publish -r win-x64", ""),  # nothing says the build is 64-bit
])
def test_an_assembly_load_failure_without_both_signs_stays_the_generic_entry(text: str) -> None:
    assert _top(text) == "functions-dotnet-could-not-load-assembly"


QUERIES = ('The HTTP action fails: { "error": { "code": "DirectApiAuthorizationRequired", "message": "The request '
           'must be authenticated only by Shared Access scheme." } }\nRaw inputs: { "uri": "https://prod-01.'
           'northeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2F'
           'triggers%2Fmanual%2Frun&sv=1.0&sig=REDACTED", "method": "POST", "queries": { "customer": "42" } }')


def test_an_http_action_whose_queries_replace_the_callback_query_is_a_workflow_defect() -> None:
    hit = catalog_index().hits([(QUERIES, "error")], [QUERIES])[0]
    assert hit.entry.id == "apps-logicapps-http-action-queries-replace-uri-query"
    assert hit.entry.category == "runtime.code_defect"


def test_a_trigger_called_without_its_signature_and_no_queries_stays_a_credential_error() -> None:
    plain = QUERIES.replace(', "queries": { "customer": "42" }', "")
    assert _top(plain) == "apps-logicapps-trigger-sas-required"


SWA_API = ("Every /api route of my static web app answers 404 since I added a function. api/src/functions/mail.js "
           "starts with: const client = new MailClient(process.env.MAIL_API_KEY); Locally the key comes from "
           "api/local.settings.json.")


def test_a_managed_api_setting_only_in_local_settings_concludes_missing_setting_when_azure_lacks_it() -> None:
    text = SWA_API + " In the Static Web App's Environment variables there is only APPINSIGHTS_CONNECTION_STRING."
    assert concludes(text, "config.missing_app_setting")
    final = final_of(text)
    assert isinstance(final, Conclude) and "MAIL_API_KEY" in final.report.root_cause


def test_without_the_azure_side_stated_the_clue_asks_and_without_local_settings_another_clue_does() -> None:
    asked = final_of(SWA_API)
    assert isinstance(asked, AskClient) and "Environment variables" in asked.request.question
    other = final_of(SWA_API.replace(" Locally the key comes from api/local.settings.json.", ""))
    assert not (isinstance(other, AskClient) and "Environment variables" in other.request.question)


def _out_of_scope(text: str) -> bool:
    final = final_of(text)
    return isinstance(final, GiveUp) and final.report.category == "out_of_scope"


GKE = ("We use GKE in Google Cloud. A pending pod shows: pod didn't trigger scale-up: 2 max node group size reached. "
       "Our other workloads run on AKS.")


def test_another_clouds_managed_kubernetes_is_out_of_scope() -> None:
    assert _out_of_scope(GKE)


def test_the_same_autoscaler_event_on_an_aks_cluster_stays_in_scope() -> None:
    aks = ("Pods on our AKS cluster stay Pending: pod didn't trigger scale-up: 2 max node group size reached "
           "(node pool aks-user-12345678-vmss, autoscaler max 5).")
    assert not _out_of_scope(aks)


IIS = ("On our own IIS server (Windows Server 2019) the Node.js site returns HTTP Error 500.1000 - Internal Server "
       "Error, Module iisnode, after I pointed nodeProcessCommandLine at "
       "C:\\Users\\svc\\AppData\\Roaming\\nvm\\v18.19.0\\node.exe.")


def test_iisnode_failing_on_an_organizations_own_iis_server_is_out_of_scope() -> None:
    assert _out_of_scope(IIS)


def test_iisnode_failing_on_app_service_stays_in_scope() -> None:
    azure = ("Our Node.js site https://orders-web.azurewebsites.net returns iisnode encountered an error when "
             "processing the request. HTTP status: 500, HTTP subStatus: 1002 since the last deployment.")
    assert not _out_of_scope(azure)


def test_netlify_functions_called_from_another_server_are_out_of_scope_despite_a_planned_move() -> None:
    text = ("Under netlify dev http://localhost:8888/.netlify/functions/get-quote works, but after the build the site "
            "on my own nginx answers 404 for it. I was also thinking of moving it to Azure Static Web Apps.")
    assert _out_of_scope(text)


@pytest.mark.parametrize(("text", "azure"), [
    ("I was thinking of moving the site to Azure Static Web Apps later.", False),
    ("We are planning to migrate to Azure App Service next quarter.", False),
    ("The site runs on Azure App Service since March.", True),
    ("We moved it to Azure Static Web Apps last week and now /api answers 404.", True),
])
def test_a_move_the_client_only_considers_does_not_place_the_system_in_azure(text: str, azure: bool) -> None:
    assert mentions_azure(Material(error_description=text)) is azure


def test_a_job_stopped_at_its_deadline_is_a_timeout_of_the_job_not_of_a_query() -> None:
    text = ("ContainerAppSystemLogs_CL | where Reason_s == 'DeadlineExceeded' shows: Job was active longer than "
            "specified deadline. Every execution that runs past 30 minutes is marked Failed.")
    hit = catalog_index().hits([(text, "error")])[0]
    assert hit.entry.id == "containers-job-active-longer-than-deadline" and hit.entry.category == "runtime.timeout"
    assert "replicaTimeout" in hit.entry.meaning
    assert _top(UNRELATED) != "containers-job-active-longer-than-deadline"


def test_an_image_value_that_starts_with_a_slash_names_the_empty_registry_part() -> None:
    text = ('(InvalidParameterValueInContainerTemplate) Invalid value: "/orders-api:v3": GET https:: UNAUTHORIZED: '
            "authentication required: template.containers.orders.image.")
    hit = catalog_index().hits([(text, "error")], [text])[0]
    assert hit.entry.id == "containers-image-reference-without-registry-host" and hit.facts["image"] == "/orders-api:v3"


def test_a_full_image_reference_refused_is_not_read_as_an_empty_registry() -> None:
    text = ('(InvalidParameterValueInContainerTemplate) Invalid value: "contosoacr.azurecr.io/orders-api:v3": GET '
            "https:: UNAUTHORIZED: authentication required: template.containers.orders.image.")
    assert _top(text) != "containers-image-reference-without-registry-host"
