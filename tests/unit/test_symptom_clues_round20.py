"""Round 20 symptom clues (Data Factory triggers and queued runs, serverless SQL resume, AKS upgrades held by a
drain, App Service Key Vault references and stale packages, Python function apps without functions, Application
Gateway probes): a report without an error code that names the symptom asks the one command that decides (or
concludes at medium confidence when the report states the deciding fact); a near miss does not route to the clue."""

from __future__ import annotations

from shared.engines.clues import clue_in
from tests.helpers.clue_checks import asks as _asks
from tests.helpers.clue_checks import concludes as _concludes


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_a_storage_event_trigger_that_never_fires_asks_for_the_event_grid_provider():
    assert _asks("Our Data Factory storage event trigger does not fire when a new blob is uploaded to the landing "
                 "container. The trigger is published.", "Microsoft.EventGrid")
    assert _concludes("Our Data Factory storage event trigger never fires; az provider show says Microsoft.EventGrid "
                      "is NotRegistered in that subscription.", "deployment.provider_not_registered")
    assert _clue("Our Azure Function blob trigger does not fire when a new blob is uploaded."
                 ) != "adf-storage-event-trigger-not-firing"


def test_a_schedule_trigger_that_never_runs_is_a_stopped_trigger():
    assert _asks("Our Data Factory schedule trigger never runs the pipeline although we published it yesterday; no "
                 "trigger runs appear in Monitor.", "runtime state")
    assert _concludes("Our Data Factory schedule trigger does not run since the release; its runtime state is "
                      "Stopped.", "deployment.resource_locked")
    assert _clue("Our timer-triggered Azure Function does not run on the Consumption plan."
                 ) != "adf-schedule-trigger-not-started"


def test_activities_queued_on_a_self_hosted_runtime_ask_for_its_status():
    assert _asks("Our Data Factory copy activity stays in Queued for hours and never starts. It uses our self-hosted "
                 "integration runtime.", "integration runtime")
    assert _concludes("Our Data Factory copy activity stays Queued on the self-hosted integration runtime; the "
                      "integration runtime node shows Offline.", "network.nsg_blocked")
    assert _clue("Our Data Factory copy activity stays Queued on the Azure integration runtime."
                 ) != "adf-run-queued-self-hosted-ir"


def test_the_first_connection_to_a_serverless_database_is_the_auto_pause_resume():
    assert _asks("The first query to our Azure SQL serverless database every morning fails with a timeout, later "
                 "queries work fine.", "auto-pause delay")
    assert _concludes("The first connection to our Azure SQL serverless database after idle fails with a timeout; "
                      "auto-pause is set to one hour.", "runtime.timeout")
    assert _clue("The first query to our Azure SQL database on the provisioned tier fails every morning."
                 ) != "sql-serverless-first-connection-after-auto-pause"


def test_an_aks_upgrade_stuck_on_a_drain_is_a_pod_disruption_budget():
    assert _asks("Our AKS node pool upgrade has been stuck in Upgrading for three hours, one node is cordoned and "
                 "never drained.", "PodDisruptionBudgets")
    assert _concludes("Our AKS upgrade is stuck for hours draining a node; the PodDisruptionBudget of the api has "
                      "maxUnavailable: 0.", "deployment.resource_locked")
    assert _clue("Our AKS node pool upgrade finished but pods restarted.") != "aks-upgrade-stuck-node-drain"


def test_an_unresolved_key_vault_reference_asks_for_its_status():
    assert _asks("In the App Service configuration blade our Key Vault reference setting shows a red X and the app "
                 "reads the literal @Microsoft.KeyVault(SecretUri=https://kv-prod.vault.azure.net/secrets/db/) "
                 "string.", "Key Vault reference")
    assert _concludes("Our app reads the literal @Microsoft.KeyVault(VaultName=kv-prod;SecretName=db) text; the "
                      "app's managed identity has no access policy on the vault.", "auth.keyvault_access_denied")
    assert _clue("How do I write a @Microsoft.KeyVault(SecretUri=...) reference in Bicep?"
                 ) != "appservice-keyvault-reference-not-resolved"


def test_a_successful_deploy_that_serves_the_old_version_asks_for_run_from_package():
    assert _asks("After a successful zip deploy our App Service still serves the old version of the site.",
                 "WEBSITE_RUN_FROM_PACKAGE")
    assert _concludes("After a successful zip deploy our web app still shows the old version; the app setting is "
                      "WEBSITE_RUN_FROM_PACKAGE=https://stpkgs.blob.core.windows.net/pkgs/app-41.zip.",
                      "config.wrong_resource_name")
    assert _clue("Our zip deploy to the App Service fails with a timeout.") != (
        "appservice-deploy-succeeded-old-version-served")


def test_a_python_function_app_without_functions_asks_for_the_indexing_logs():
    assert _asks("After deploying our Python function app from VS Code, the Functions list in the portal is empty.",
                 "indexed no functions")
    assert _concludes("After deploying our Python function app the portal shows no functions listed; we deploy "
                      "with SCM_DO_BUILD_DURING_DEPLOYMENT=false.", "runtime.dependency_missing")
    assert _clue("After deploying our Node function app the portal shows two functions.") != (
        "functions-python-no-functions-listed")


def test_an_application_gateway_backend_unhealthy_asks_for_the_probe_detail():
    assert _asks("Application Gateway backend health shows Unhealthy for all servers but the app works when I "
                 "browse it directly.", "probe")
    assert _concludes("Application Gateway backend health shows Unhealthy: Received invalid status code: 401 in "
                      "the backend server's HTTP response.", "config.wrong_resource_name")
    assert _clue("Application Gateway backend health shows Healthy for all servers.") != (
        "appgw-backend-unhealthy-app-works-directly")
