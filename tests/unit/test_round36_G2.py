"""Round 36 G2: the mechanisms added for earlier blind reports the engine asked about although their text decides -
catalog entries for errors the catalog lacked (Logic Apps' invalid callback signature, Azure Backup's missing sysadmin
membership, a Container Apps managed certificate before its hostname, Django's CSRF origin check, Graph's webhook
validation, SignalR's 4K token limit, a Windows App Service Node version not installed, pip without its ERROR: prefix,
Gremlin's GraphSON v3, API Management URL template parameters, an App Gateway private endpoint's sub-resource, Event
Hubs Capture's linked access check) and symptom clues that decide from what the report states. Each check has a near
miss that must stay silent."""

from __future__ import annotations

import pytest

from shared.engines.clues import clues_in
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import settled_report


def _clue_ids(text: str) -> list[str]:
    return [clue["id"] for clue in clues_in([text])]


# --- catalog entries -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "entry"), [
    ('{"error":{"code":"DirectApiInvalidAuthorizationSignature","message":"The provided authorization signature '
        'is not valid."}}',
     "logicapps-request-trigger-invalid-authorization-signature"),
    ("Error Code: UserErrorSQLNoSysadminMembership Error Message: SQL Server's sysadmin role is missing required "
        "permissions.",
     "sql-vm-backup-no-sysadmin-membership"),
    ("(RequireCustomHostnameInEnvironment) Creating managed certificate requires hostname 'a.example.org' added "
        "as a custom "
     "hostname to a container app or route in environment "
     "'env1'", "containers-aca-managed-cert-hostname-not-in-environment"),
    ("Forbidden (Origin checking failed - https://x.azurewebsites.net does not match any trusted origins.): /login/",
     "python-django-csrf-origin-not-trusted"),
    ("Subscription validation request failed. Response must exactly match validationToken query parameter.",
     "entra-graph-subscription-validation-token-mismatch"),
    ("Error: Failed to complete negotiation with the server: Error: Access Token must not be longer than 4K.",
     "messaging-signalr-access-token-too-long"),
    ("InvalidOperationException: Failed to start Node process. Current PATH enviroment variable is: "
     "D:\\Program Files (x86)\\nodejs\\6.10.3;D:\\Windows", "appservice-windows-node-version-not-installed"),
    ("Could not find a version that satisfies the requirement foo-bar==1.0 (from -r requirements.txt (line 3))",
     "python-pip-no-matching-distribution"),
    ("ExceptionType : GraphMalformedException Gremlin Malformed Request: GraphSON v3 IO is not supported.",
     "cosmos-gremlin-graphson3-not-supported"),
    ("ValidationError: All template parameters used in the UriTemplate must be defined in the Operation 'op1', "
        "and vice-versa.",
     "integration-apim-operation-template-parameters-mismatch"),
    ('Code="ApplicationGatewayPrivateLinkOperationError" Message="Cannot perform private link operation on '
        'ApplicationGateway '
     'x. Please make sure application gateway has private link '
     'configuration."', "compute-appgw-private-link-operation-error"),
    ("Linked access check failed for capture storage destination /subscriptions/x/resourceGroups/rg/providers/"
     "Microsoft.Storage/storageAccounts/st1. User or the application with object id y making the request doesn't "
     "have the "
     "required data plane write permissions.", "messaging-eventhubs-capture-linked-access-check-failed"),
])
def test_entry_ranks_first(text: str, entry: str) -> None:
    assert best_entry_id(text) == entry


def test_node_process_entry_needs_the_windows_node_setting_or_path() -> None:
    """'Failed to start Node process' on a machine that names neither the setting nor App Service's nodejs folder
    (a local Linux build box) is not the Windows App Service version case."""
    assert best_entry_id("InvalidOperationException: Failed to start Node process. PATH is /usr/bin:/bin") != \
        "appservice-windows-node-version-not-installed"


def test_logic_app_signature_concludes_with_regenerated_keys() -> None:
    report = settled_report('The partner posts to our logic app trigger and gets 401 '
        '{"error":{"code":"DirectApiInvalidAuthorization'
                     'Signature","message":"The provided authorization signature is not valid."}}')
    assert report["category"] == "auth.credential_invalid" and "regenerat" in report["root_cause"]


def test_managed_certificate_names_the_hostname_step() -> None:
    report = settled_report("az containerapp env certificate create ... (RequireCustomHostnameInEnvironment) "
                            "Creating managed certificate requires hostname 'shop.example.org' added as a custom "
                            "hostname to a container app or route in environment 'env1'")
    assert report["category"] == "deployment.parent_not_found"
    assert "hostname add" in report["root_cause"] and "shop.example.org" in report["root_cause"]


# --- symptom clues ---------------------------------------------------------------------------------------------------

ROOT_ROUTE = ('host.json: {"extensions": {"http": {"routePrefix": '
    '""}}}\n[HttpTrigger(AuthorizationLevel.Anonymous, "get", '
              'Route = "")] on our function app; GET https://fn.azurewebsites.net/ returns "Your Azure Function '
              'App is up '
              'and running." and the function never runs.')


def test_root_route_shadowed_by_the_homepage() -> None:
    assert "functions-root-route-default-homepage" in _clue_ids(ROOT_ROUTE)
    report = settled_report(ROOT_ROUTE)
    assert report["category"] == "config.missing_app_setting" and "AzureWebJobsDisableHomepage" in report["root_cause"]


def test_homepage_with_a_normal_route_prefix_stays_silent() -> None:
    text = ROOT_ROUTE.replace('"routePrefix": ""', '"routePrefix": "api"').replace('Route = ""', 'Route = "hook"')
    assert "functions-root-route-default-homepage" not in _clue_ids(text)


KV_APP_OID = ('Key Vault get secret answers 403 Forbidden. I granted it with\n$app = Get-AzADApplication '
    '-DisplayName worker\n'
              'Set-AzKeyVaultAccessPolicy -VaultName kv1 -ObjectId $app.Id -PermissionsToSecrets get')


def test_access_policy_for_the_application_object() -> None:
    assert "keyvault-access-policy-application-object-id" in _clue_ids(KV_APP_OID)
    report = settled_report(KV_APP_OID)
    assert report["category"] == "auth.keyvault_access_denied" and "service principal" in report["root_cause"]


def test_access_policy_from_the_service_principal_stays_silent() -> None:
    text = KV_APP_OID.replace("$app = Get-AzADApplication -DisplayName worker",
                              "$app = Get-AzADApplication -DisplayName worker\n$sp = Get-AzADServicePrincipal "
                              "-ApplicationId $app.AppId")
    assert "keyvault-access-policy-application-object-id" not in _clue_ids(text)


def test_writeline_format_without_placeholder() -> None:
    text = ('var conn = Environment.GetEnvironmentVariable("Db");\nConsole.WriteLine("Db: ", conn);\nit prints '
            'only "Db:"')
    assert "dotnet-writeline-format-without-placeholder" in _clue_ids(text)
    assert settled_report(text)["category"] == "runtime.code_defect"
    assert "dotnet-writeline-format-without-placeholder" not in _clue_ids(text.replace('"Db: "', '"Db: {0}"'))


def test_containerapp_command_comma_joined() -> None:
    text = ('az containerapp job create -n job1 -g rg --environment env --image img:1 --command "echo,test"\n'
            'ContainerCreateFailure Container create failed')
    assert "containerapp-command-comma-joined" in _clue_ids(text)
    report = settled_report(text)
    assert report["category"] == "config.wrong_resource_name" and "comma" in report["root_cause"]
    assert "containerapp-command-comma-joined" not in _clue_ids(text.replace('"echo,test"', '"echo" --args "a,b c"'))


ISOLATED = ('.NET 8 isolated project, func start prints The host has not yet started. Value cannot be null. '
            "(Parameter 'provider')\nlocal.settings.json:\n{\"Values\": {\"AzureWebJobsStorage\": "
            "\"UseDevelopmentStorage=true\"}}")


def test_isolated_local_settings_without_worker_runtime() -> None:
    assert "functions-isolated-local-settings-no-worker-runtime" in _clue_ids(ISOLATED)
    report = settled_report(ISOLATED)
    assert report["category"] == "functions.host_misconfigured" and "FUNCTIONS_WORKER_RUNTIME" in report["root_cause"]
    with_runtime = ISOLATED.replace('{"AzureWebJobsStorage"', '{"FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated", '
        '"AzureWebJobsStorage"')
    assert "functions-isolated-local-settings-no-worker-runtime" not in _clue_ids(with_runtime)


def test_blobstorage_kind_account_for_a_trigger() -> None:
    text = ('Blob trigger connection points at starchive; its account kind is BlobStorage. The function host stops:\n'
            'A ScriptHost error has occurred\nStopping Host')
    assert "functions-connection-blobstorage-account-kind" in _clue_ids(text)
    assert settled_report(text)["category"] == "config.invalid_connection_string"
    assert "functions-connection-blobstorage-account-kind" not in _clue_ids(text.replace("BlobStorage", "StorageV2"))


def test_browser_sdk_against_local_auth_disabled() -> None:
    text = ('Local authentication: Disabled on our Application Insights. Server telemetry arrives, but the browser '
            'JavaScript SDK gets POST https://x.in.applicationinsights.azure.com/v2/track 401 (Unauthorized)')
    assert "appinsights-local-auth-disabled-browser-sdk" in _clue_ids(text)
    report = settled_report(text)
    assert report["category"] == "auth.credential_invalid" and "JavaScript" in report["root_cause"]
    assert "appinsights-local-auth-disabled-browser-sdk" not in _clue_ids(text.replace("Local authentication: "
        "Disabled on",
                                                                                        "Nothing changed on"))


PHP8 = ('Laravel on an App Service Linux web app, PHP 8.2. / gives 403 Forbidden (nginx), /login 404 Not Found, but '
        '/public/index.php renders. The .htaccess rewrite to public/ changes nothing.')


def test_php8_linux_nginx_root_not_public() -> None:
    assert "appservice-linux-php8-nginx-root-not-public" in _clue_ids(PHP8)
    report = settled_report(PHP8)
    assert report["category"] == "config.wrong_resource_name" and "nginx" in report["root_cause"]
    assert "appservice-linux-php8-nginx-root-not-public" not in _clue_ids(PHP8.replace("Linux web app, PHP "
        "8.2", "Windows web app, PHP 7.4").replace(" (nginx)", ""))


def test_signalr_preview_ports() -> None:
    text = ('negotiate returns {"url":"https://sr1.service.signalr.net:5001/client/?hub=chat"} and then '
            'POST https://sr1.service.signalr.net:5001/client/negotiate?hub=chat net::ERR_CONNECTION_TIMED_OUT')
    assert "signalr-preview-sdk-ports-5001-5002" in _clue_ids(text)
    report = settled_report(text)
    assert report["category"] == "config.invalid_connection_string" and "5001" in report["root_cause"]
    assert "signalr-preview-sdk-ports-5001-5002" not in _clue_ids(text.replace(":5001", ""))


def test_linked_template_uri_answers_404() -> None:
    text = ("New-AzResourceGroupDeployment: Code=InvalidContentLink; Message=Unable to download deployment "
        "content from "
            "'https://raw.githubusercontent.com/org/repo/master/templates/vnet.json'. When I open that URL in a "
            "browser I get 404: Not Found.")
    assert "arm-linked-template-uri-404" in _clue_ids(text)
    report = settled_report(text)
    assert report["category"] == "config.wrong_resource_name" and "templates/vnet.json" in report["root_cause"]
    assert "arm-linked-template-uri-404" not in _clue_ids(text.replace("When I open that URL in a browser I get "
        "404: Not Found.",
                                                                        "The URL opens fine in a browser."))
