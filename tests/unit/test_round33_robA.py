"""Round 33 robA: the realA failures told in other words - a Logic App under docker compose is still Azure, helm
registry login with stored secrets beside a working Azure sign-in, az acr build's registry "not found" although it
exists, an AcrPull grant written by Terraform, the deleted cluster removed by terraform destroy, app.listen(5000) in
the code beside the ping failure, Durable apps whose host.json is identical, a .NET 8 app whose Terraform stack is not
isolated, a Flex runtime version in a PowerShell hashtable, a stale connection shown only as ResourceNotFound, Oryx
run in the src folder by the Static Web Apps step, an AzureWeb* setting az staticwebapp appsettings list omits, and a
kops cluster named in prose. Each with a near miss that must stay silent."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.engines.signatures import mentions_azure
from shared.session.state import Material
from tests.helpers.clue_checks import concludes, final_of


def _ids(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


def _clue_id(text: str) -> str | None:
    found = clue_in([text])
    return None if found is None else str(found["id"])


# --- Azure markers: Logic Apps and the Functions host's own names -------------------------------------------------

def test_a_logic_app_run_under_docker_compose_is_still_azure() -> None:
    text = ("docker compose up for our logic app standard image. Invoke-WebRequest ... /runtime/webhooks/workflow/api/"
            "management/workflows/A/triggers/manual/listCallbackUrl -> 401 (Unauthorized).")
    assert mentions_azure(Material(error_description=text))


def test_a_plain_compose_stack_is_not_azure() -> None:
    text = "docker compose up: the api container logs 401 Unauthorized from the local keycloak."
    assert not mentions_azure(Material(error_description=text))


# --- explicit registry credentials --------------------------------------------------------------------------------

HELM_LOGIN = (
    "azure/login@v2 with OIDC -> Login successful.\n"
    "echo \"$PASS\" | helm registry login crcharts.azurecr.io --username \"$USER\" --password-stdin\n"
    "Error: login attempt to https://crcharts.azurecr.io/v2/ failed with status: 401 Unauthorized\n")


def test_helm_registry_login_with_stored_secrets_beside_an_azure_login_is_the_credentials() -> None:
    assert concludes(HELM_LOGIN, "auth.credential_invalid")


def test_helm_registry_login_without_any_azure_sign_in_is_not_called_an_override() -> None:
    alone = HELM_LOGIN.replace("azure/login@v2 with OIDC -> Login successful.\n", "")
    assert _clue_id(alone) != "acr-explicit-credentials-override-login-identity"


# --- registry in another subscription -----------------------------------------------------------------------------

ACR_BUILD = ("az acr build --registry crshared --image app:1 .\nERROR: The resource with name 'crshared' and type "
             "'Microsoft.ContainerRegistry/registries' could not be found in subscription 'Dev (0000)'.\n")


def test_a_registry_that_exists_but_is_not_found_is_in_another_subscription() -> None:
    assert concludes(ACR_BUILD + "The registry exists and the SP has AcrPush on it.", "config.wrong_resource_name")


def test_a_registry_not_found_with_nothing_said_about_it_is_still_asked() -> None:
    assert not concludes(ACR_BUILD, "config.wrong_resource_name")


# --- AcrPull granted by Terraform, pulls heal later ---------------------------------------------------------------

TF_GRANT = (
    'resource "azurerm_role_assignment" "k" {\n  role_definition_name = "AcrPull"\n}\n'
    'Failed to pull image "acrops.azurecr.io/gw:2": failed to authorize: failed to fetch anonymous token: '
    "unexpected status from GET request: 401 Unauthorized\n"
    "Maybe 15 minutes later, all pods are Running, nobody did anything.")


def test_a_terraform_acrpull_grant_whose_pulls_heal_is_the_cached_token() -> None:
    final = final_of(TF_GRANT)
    assert concludes(TF_GRANT, "container.image_pull_failed")
    assert "cache" in final.report.root_cause  # type: ignore[union-attr]


def test_a_terraform_acrpull_grant_that_stays_denied_is_not_propagation() -> None:
    stays = TF_GRANT.replace("Maybe 15 minutes later, all pods are Running, nobody did anything.",
                             "It still fails an hour later.")
    assert _clue_id(stays) != "acr-pull-denied-until-new-role-assignment-propagates"


# --- kubectl on the context of a cluster removed by terraform destroy ---------------------------------------------

NO_HOST = ("PS> kubectl get pods\nUnable to connect to the server: dial tcp: lookup pay-sbx-dns-1.hcp.westeurope."
           "azmk8s.io: no such host\n")


def test_a_cluster_deleted_by_terraform_destroy_is_the_stale_context() -> None:
    text = NO_HOST + "The sandbox cluster got deleted by terraform destroy this morning."
    assert concludes(text, "config.wrong_resource_name")


def test_no_such_host_without_a_deletion_stays_dns() -> None:
    assert not concludes(NO_HOST + "Nothing changed on our side.", "config.wrong_resource_name")


# --- Node app listening on a fixed port, shown as code -------------------------------------------------------------

PINGS = ("ERROR - Container app-k_0_1 didn't respond to HTTP pings on port: 8080, failing site start.\n"
         "Node 20 LTS.\nconst app = new Koa();\napp.listen(5000);\n")


def test_app_listen_on_a_fixed_port_beside_the_ping_failure_is_the_code() -> None:
    assert "appservice-builtin-node-listens-on-hardcoded-port" in _ids(PINGS)


def test_app_listen_on_the_pinged_port_is_not_the_fixed_port() -> None:
    assert "appservice-builtin-node-listens-on-hardcoded-port" not in _ids(PINGS.replace("5000", "8080"))


# --- Durable apps sharing a task hub --------------------------------------------------------------------------------

DURABLE = ("Two durable apps from one template, host.json is identical in both:\n{\"version\": \"2.0\", "
           "\"extensions\": {\"durableTask\": {\"hubName\": \"OrdersHub\"}}}\n"
           "The statusQueryGetUri keeps returning runtimeStatus Pending for most orchestrations.")


def test_two_durable_apps_with_an_identical_hub_name_share_the_task_hub() -> None:
    assert concludes(DURABLE, "functions.host_misconfigured")


def test_pending_orchestrations_without_a_shared_hub_are_asked() -> None:
    one = ("Our durable app: the statusQueryGetUri keeps returning runtimeStatus Pending for most orchestrations. "
           "host.json sets hubName OrdersHub.")
    assert not concludes(one, "functions.host_misconfigured")


# --- .NET 8 isolated app on a Terraform stack that is not isolated --------------------------------------------------

NET8 = ("System.Private.CoreLib: Could not load file or assembly 'Microsoft.Extensions.Logging.Abstractions, "
        "Version=8.0.0.0, Culture=neutral'. The system cannot find the file specified.\n"
        "We moved to net8.0 isolated.\n"
        'resource "azurerm_linux_function_app" "f" {\n  site_config {\n    application_stack {\n'
        '      dotnet_version = "8.0"\n    }\n  }\n}\n')


def test_a_terraform_stack_without_isolated_runtime_is_the_worker_setting() -> None:
    assert concludes(NET8, "functions.host_misconfigured")


def test_a_terraform_stack_with_isolated_runtime_is_not_blamed() -> None:
    fixed = NET8.replace('dotnet_version = "8.0"', 'dotnet_version = "8.0"\n      use_dotnet_isolated_runtime = true')
    assert _clue_id(fixed) != "functions-net8-app-worker-runtime-dotnet"


# --- Flex Consumption runtime version in a PowerShell hashtable -----------------------------------------------------

FLEX = ("runtime = @{ name = 'dotnet-isolated'; version = '10' }\nNew-AzResource ... -PropertyObject $props\n"
        "(BadRequest) Encountered an error (InternalServerError) from host runtime.")


def test_a_bare_flex_version_in_a_powershell_hashtable_is_the_version() -> None:
    assert concludes(FLEX, "functions.host_misconfigured")


def test_a_full_flex_version_in_a_powershell_hashtable_is_not_blamed() -> None:
    assert _clue_id(FLEX.replace("'10'", "'10.0'")) != "functions-flex-dotnet-isolated-runtime-version-without-minor"


# --- stale connection shown only as ResourceNotFound ----------------------------------------------------------------

CONN = ("{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"The Resource 'Microsoft.Web/connections/sharepoint-2' "
        "under resource group 'rg-hr' was not found.\"}}\n")


def test_a_standard_deployment_missing_its_connection_is_connections_json() -> None:
    text = "Deploy to Logic App (VS Code) of our Logic App Standard project failed:\n" + CONN
    assert "logicapps-standard-deploy-connection-in-connections-json-not-found" in _ids(text)


def test_a_missing_connection_outside_a_standard_project_is_not_connections_json() -> None:
    text = "az deployment group create of our ARM template failed:\n" + CONN
    assert "logicapps-standard-deploy-connection-in-connections-json-not-found" not in _ids(text)


# --- Static Web Apps build run in the src folder -------------------------------------------------------------------

ORYX = ("- task: AzureStaticWebApp@0\n  inputs:\n    app_location: 'portal-ui/src'\n    output_location: 'dist'\n"
        "Error: Could not detect the language from repo.\n")


def test_swa_app_location_in_src_is_the_wrong_folder() -> None:
    assert "appservice-swa-oryx-no-language-in-app-location" in _ids(ORYX)


def test_swa_app_location_at_the_app_root_is_not_blamed() -> None:
    assert "appservice-swa-oryx-no-language-in-app-location" not in _ids(ORYX.replace("portal-ui/src", "portal-ui"))


# --- AzureWeb* setting missing from az staticwebapp appsettings list ----------------------------------------------

SWA_LIST = ("az staticwebapp appsettings set -n swa-menu --setting-names AzureWebJobsStorage=... MENU=menus\n"
            "az staticwebapp appsettings list -n swa-menu\n{\"properties\": {\"MENU\": \"menus\"}}\n"
            "only MENU is there. The static web app API returns 500.")


def test_an_azureweb_setting_the_list_omits_is_dropped_by_managed_functions() -> None:
    assert concludes(SWA_LIST, "config.missing_app_setting")


def test_a_listed_azureweb_setting_is_not_called_dropped() -> None:
    kept = SWA_LIST.replace("only MENU is there.", "Both settings are listed.")
    assert _clue_id(kept) != "swa-managed-functions-drop-azureweb-settings"


# --- kops cluster named in prose ------------------------------------------------------------------------------------

KOPS = ("PS C:\\> kubectl get ns\nUnable to connect to the server: dial tcp 18.2.4.9:443: connectex: A connection "
        "attempt failed.\nthis is the kops cluster on AWS eu-west-1, created with --admin-access=10.40.0.0/16.")


def test_a_kops_cluster_named_in_prose_is_out_of_scope() -> None:
    assert "other-clouds-aws-kops-api-unreachable" in _ids(KOPS)


def test_a_timeout_to_an_aws_address_without_kops_is_not_kops() -> None:
    other = KOPS.replace("this is the kops cluster on AWS eu-west-1, created with --admin-access=10.40.0.0/16.",
                         "this is an EKS cluster on AWS eu-west-1.")
    assert "other-clouds-aws-kops-api-unreachable" not in _ids(other)
