"""Round 36 realQ: the mechanisms added for twenty real reports - catalog entries for AADSTS500116 (a relative
redirect URI), the browser's CORS message for a Storage endpoint, Cloudflare R2's SigV2 refusal and Backblaze B2's
restricted-key bucket listing (both out of scope), and symptom clues: AADSTS90102 with a base URL setting that lacks
its scheme or a Directus PUBLIC_URL that is not set, AADSTS70011 with a scope joined to its API URL without '/', a
SqlClient User Id that is the managed identity's principal id, a Cosmos DB point read with PartitionKey.None, a Key
Vault reference ending in a slash without a version, App Service Python apps without a usable startup command (entry
module not detected, a Django project in a subfolder, a startup script not in the package), a Flex Consumption app
without FUNCTIONS_EXTENSION_VERSION or deployed without remote build, a Static Web Apps API folder inside the
published folder or an app under the GitHub deployment authorization policy, and the legacy Python Service Bus client's
SessionId. Each check has a near miss that must stay silent."""

from __future__ import annotations

from shared.engines.clues import clues_in
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import settled_report


def _clue_ids(text: str) -> list[str]:
    return [clue["id"] for clue in clues_in([text])]


# --- catalog entries -------------------------------------------------------------------------------------------------

RELATIVE = ('{"error": "invalid_client", "error_description": "AADSTS500116: The reply uri specified in the request is '
            'not a valid URL. Allowed schemes: \'*\'."}  The SPA calls acquireTokenSilent with redirectUri: "/auth".')


def test_aadsts500116_is_a_relative_redirect_uri() -> None:
    assert best_entry_id(RELATIVE) == "entra-aadsts500116-reply-uri-not-a-valid-url"
    report = settled_report(RELATIVE)
    assert report["category"] == "runtime.code_defect" and "absolute" in report["root_cause"]


def test_a_reply_url_mismatch_is_not_the_relative_uri_entry() -> None:
    text = "AADSTS50011: The redirect URI 'https://app.contoso.com/auth' specified in the request does not match."
    assert best_entry_id(text) != "entra-aadsts500116-reply-uri-not-a-valid-url"


PREFLIGHT = ("Access to XMLHttpRequest at 'https://stmedia01.blob.core.windows.net/uploads/a.png?sv=2022-11-02&sig=x' "
             "from origin 'https://shop.example.org' has been blocked by CORS policy: Response to preflight request "
             "doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested "
             "resource.")


def test_browser_preflight_to_blob_storage_is_a_missing_cors_rule() -> None:
    assert best_entry_id(PREFLIGHT) == "storage-browser-preflight-blocked-no-cors-rule"
    report = settled_report(PREFLIGHT)
    assert report["category"] == "config.missing_app_setting" and "CORS" in report["root_cause"]


def test_browser_preflight_to_an_api_host_is_not_the_storage_entry() -> None:
    text = PREFLIGHT.replace("stmedia01.blob.core.windows.net", "api.shop.example.org")
    assert best_entry_id(text) != "storage-browser-preflight-blocked-no-cors-rule"


def test_r2_sigv2_refusal_is_out_of_scope() -> None:
    text = ("<Error><Code>Unauthorized</Code><Message>SigV2 authorization is not supported. Please use SigV4 instead."
            "</Message></Error> from our R2 bucket; the Azure Blob backend of the same app works.")
    assert best_entry_id(text) == "other-clouds-cloudflare-r2-sigv2-not-supported"
    report = settled_report(text)
    assert report["category"] == "out_of_scope" and "SigV4" in report["root_cause"]


def test_backblaze_restricted_key_listing_is_out_of_scope() -> None:
    text = ("ERROR STORAGE_CREATE Failed to load the Backblaze B2 storage at b2://offsite: URL request "
            "'https://api002.backblazeb2.com/b2api/v1/b2_list_buckets' returned 401")
    assert best_entry_id(text) == "other-clouds-backblaze-b2-restricted-key-list-buckets-unauthorized"
    assert settled_report(text)["category"] == "out_of_scope"


# --- symptom clues ---------------------------------------------------------------------------------------------------

AADSTS90102 = "Sign-in fails: AADSTS90102: 'redirect_uri' value must be a valid absolute URI.\n"


def test_aadsts90102_with_a_base_url_without_scheme() -> None:
    text = AADSTS90102 + "App settings:\n  APP_BASE_URL=portal.contoso.example\n  DATABASE_URL=postgres://db:5432/x\n"
    assert _clue_ids(text)[0] == "entra-aadsts90102-base-url-setting-without-scheme"
    report = settled_report(text)
    assert report["category"] == "config.invalid_connection_string" and "APP_BASE_URL" in report["root_cause"]


def test_aadsts90102_with_a_full_base_url_stays_silent() -> None:
    text = AADSTS90102 + "App settings:\n  APP_BASE_URL=https://portal.contoso.example\n"
    assert "entra-aadsts90102-base-url-setting-without-scheme" not in _clue_ids(text)


def test_aadsts90102_directus_sso_without_public_url() -> None:
    text = AADSTS90102 + 'AUTH_PROVIDERS="entra"\nAUTH_ENTRA_DRIVER="openid"\nAUTH_ENTRA_CLIENT_ID="abc"\n'
    report = settled_report(text)
    assert report["category"] == "config.missing_app_setting" and "PUBLIC_URL" in report["root_cause"]


def test_directus_with_public_url_set_is_not_the_missing_setting_clue() -> None:
    text = AADSTS90102 + 'PUBLIC_URL="https://cms.example.org"\nAUTH_ENTRA_DRIVER="openid"\n'
    assert "entra-aadsts90102-directus-sso-public-url-missing" not in _clue_ids(text)


def test_aadsts70011_scope_joined_to_the_api_url_without_slash() -> None:
    text = ("AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope openid "
            "https://orders-api.azurewebsites.netaccess_as_user is not valid. The scope format is invalid.")
    report = settled_report(text)
    assert report["category"] == "config.invalid_connection_string" and "access_as_user" in report["root_cause"]


def test_aadsts70011_with_a_well_formed_scope_stays_silent() -> None:
    text = ("AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope "
            "https://orders-api.azurewebsites.net/access_as_user is not valid.")
    assert "entra-aadsts70011-scope-joined-without-slash" not in _clue_ids(text)


SQL_MI = ("SqlException: ManagedIdentityCredential authentication failed: Status: 400 (Bad Request) "
          '{"message":"No Managed Identity found for specified ClientId/ResourceId/PrincipalId."}\n'
          "Connection string: Server=tcp:sql1.database.windows.net;Authentication=Active Directory Managed Identity;"
          "User Id=11111111-2222-3333-4444-555555555555;Database=app\n")


def test_sqlclient_user_id_that_is_the_principal_id() -> None:
    text = SQL_MI + ("Identity id-app: Principal ID 11111111-2222-3333-4444-555555555555, "
                     "Client ID 99999999-8888-7777-6666-555555555555.")
    report = settled_report(text)
    assert report["category"] == "config.invalid_connection_string" and "client ID" in report["root_cause"]


def test_sqlclient_user_id_that_is_the_client_id_stays_silent() -> None:
    text = SQL_MI + ("Identity id-app: Principal ID 99999999-8888-7777-6666-555555555555, "
                     "Client ID 11111111-2222-3333-4444-555555555555.")
    assert "sql-managed-identity-user-id-is-principal-id" not in _clue_ids(text)


COSMOS_404 = ("CosmosException : Response status code does not indicate success: NotFound (404); Substatus: 0\n"
              "Container orders has partition key path /customerId.\n")


def test_cosmos_point_read_with_partitionkey_none() -> None:
    text = COSMOS_404 + "var item = await container.ReadItemAsync<Order>(id, PartitionKey.None);"
    report = settled_report(text)
    assert report["category"] == "runtime.code_defect" and "partition key" in report["root_cause"]


def test_cosmos_point_read_with_a_value_stays_silent() -> None:
    text = COSMOS_404 + "var item = await container.ReadItemAsync<Order>(id, new PartitionKey(customerId));"
    assert "cosmos-point-read-partitionkey-none-on-partitioned-container" not in _clue_ids(text)


def test_key_vault_reference_with_a_trailing_slash_and_no_version() -> None:
    text = ("The app gets the literal value. Setting: ApiKey = "
            "@Microsoft.KeyVault(SecretUri=https://kv-app.vault.azure.net/secrets/ApiKey/)\n"
            "Reference status: Error - the reference string is invalid.")
    report = settled_report(text)
    assert report["category"] == "config.invalid_connection_string" and "trailing slash" in report["root_cause"]


def test_key_vault_reference_with_a_trailing_slash_but_no_invalid_status_stays_silent() -> None:
    # the status can name another cause (a user-assigned identity the reference does not use): the slash alone does
    # not decide
    text = ("The app gets the literal value. Setting: ApiKey = "
            "@Microsoft.KeyVault(SecretUri=https://kv-app.vault.azure.net/secrets/ApiKey/)")
    assert "appservice-keyvault-reference-secreturi-trailing-slash-no-version" not in _clue_ids(text)


def test_key_vault_reference_with_a_version_after_the_slash_stays_silent() -> None:
    text = ("Setting: ApiKey = @Microsoft.KeyVault(SecretUri=https://kv-app.vault.azure.net/secrets/ApiKey/"
            "0123456789abcdef0123456789abcdef)")
    assert "appservice-keyvault-reference-secreturi-trailing-slash-no-version" not in _clue_ids(text)


STARTUP_LOG = ("Log stream:\n  App Command Line not configured, will attempt auto-detect\n"
               "  Using default app from /opt/defaultsite\n")


def test_python_entry_module_not_detected_without_startup_command() -> None:
    text = STARTUP_LOG + "Our package has server.py (app = FastAPI()) and requirements.txt."
    report = settled_report(text)
    assert report["category"] == "config.missing_app_setting" and "startup command" in report["root_cause"]
    assert "server:app" in " ".join(map(str, report.get("actions", [])))


def test_python_app_py_is_not_the_undetected_module_clue() -> None:
    text = STARTUP_LOG + "Our package has app.py (app = Flask(__name__)) and requirements.txt."
    assert "appservice-python-no-startup-command-entry-module-not-detected" not in _clue_ids(text)


def test_django_project_in_a_subfolder() -> None:
    text = STARTUP_LOG + "Django site deployed from VS Code; the repo has shop/manage.py and shop/shop/wsgi.py."
    report = settled_report(text)
    assert report["category"] == "config.wrong_resource_name" and "manage.py" in report["root_cause"]


def test_django_manage_py_at_the_root_stays_silent() -> None:
    text = STARTUP_LOG + "Django site deployed from VS Code; manage.py and requirements.txt are at the root."
    assert "appservice-python-django-project-in-subfolder-default-page" not in _clue_ids(text)


def test_startup_script_missing_from_the_package() -> None:
    text = ("2024-01-02T10:00:00Z /opt/startup/startup.sh: 23: run_prod.sh: not found\n"
            "2024-01-02T10:00:01Z Container web_0_ab12 for site web has exited, failing site start")
    report = settled_report(text)
    assert report["category"] == "config.wrong_resource_name" and "run_prod.sh" in report["root_cause"]


def test_a_module_not_found_in_startup_is_not_the_missing_script_clue() -> None:
    text = "/opt/startup/startup.sh ran; ModuleNotFoundError: No module named 'flask'"
    assert "appservice-startup-command-script-not-in-package" not in _clue_ids(text)


def test_flex_consumption_without_functions_extension_version() -> None:
    text = ("Flex Consumption function app: after we removed FUNCTIONS_EXTENSION_VERSION from the settings the portal "
            "says: We were not able to load some functions in the list due to errors.")
    report = settled_report(text)
    assert report["category"] == "config.missing_app_setting" \
        and "FUNCTIONS_EXTENSION_VERSION" in report["root_cause"]


def test_flex_consumption_with_the_setting_kept_stays_silent() -> None:
    text = ("Flex Consumption function app with FUNCTIONS_EXTENSION_VERSION=~4: We were not able to load some "
            "functions in the list due to errors.")
    assert "functions-flex-consumption-extension-version-setting-removed" not in _clue_ids(text)


FLEX_ACTION = ("Run Azure/functions-action@v1\nDetected function app sku: FlexConsumption\n"
               "Will use parameter remote-build: {flag}\nSuccessfully deployed web package to Function App.\n"
               "Python app with requirements.txt, but the functions list is empty.")


def test_functions_action_flex_python_without_remote_build() -> None:
    report = settled_report(FLEX_ACTION.format(flag="false"))
    assert report["category"] == "runtime.dependency_missing" and "remote-build" in report["root_cause"]


def test_functions_action_flex_with_remote_build_stays_silent() -> None:
    assert "functions-action-flex-consumption-python-remote-build-false" not in \
        _clue_ids(FLEX_ACTION.format(flag="true"))


SWA_UPLOAD = ("app_location: \"/\"\napi_location: \"{api}\"\noutput_location: \"\"\n"
              "Uploading build artifacts.\nAn unknown exception has occurred while uploading\n")


def test_swa_api_folder_inside_the_published_root() -> None:
    report = settled_report(SWA_UPLOAD.format(api="functions"))
    assert report["category"] == "config.wrong_resource_name" and "api_location" in report["root_cause"]


def test_swa_upload_failure_without_an_api_stays_silent() -> None:
    text = "app_location: \"/\"\noutput_location: \"dist\"\nAn unknown exception has occurred while uploading\n"
    assert "swa-api-location-inside-app-location-upload-fails" not in _clue_ids(text)


SWA_NO_MATCH = ("The content server has rejected the request with: BadRequest\n"
                "Reason: No matching Static Web App was found or the api key was invalid.\n")


def test_swa_token_rejected_under_the_github_authorization_policy() -> None:
    text = SWA_NO_MATCH + "The app was created with GitHub selected as the deployment authorization policy."
    report = settled_report(text)
    assert report["category"] == "auth.credential_invalid" and "authorization policy" in report["root_cause"]


def test_swa_token_rejected_without_the_policy_stays_silent() -> None:
    assert "swa-deploy-token-rejected-authorization-policy-github" not in \
        _clue_ids(SWA_NO_MATCH + "I reset the token and updated the GitHub secret.")


def test_legacy_python_service_bus_session_id() -> None:
    text = ("bus_service.send_queue_message('orders', msg) fails: The SessionId was not set on a message, and it "
            "cannot be sent to the entity.")
    report = settled_report(text)
    assert report["category"] == "runtime.code_defect" and "broker_properties" in report["root_cause"]


def test_current_sdk_session_id_error_is_not_the_legacy_clue() -> None:
    text = ("sender.send_messages(ServiceBusMessage(body)) fails: The SessionId was not set on a message, and it "
            "cannot be sent to the entity.")
    assert "servicebus-legacy-python-sessionid-not-in-broker-properties" not in _clue_ids(text)
