"""Round 34 (G2, earlier blind cases the engine asked about): other platforms' own errors in reports that also name
Azure (Cloudflare's origin errors with a non-Azure origin, the Datadog agent's refused key, SendGrid's 401, Cloud
SQL's Unix socket, the Azure CLI missing on a runner, a C++ scoped error name), a private-link lookup written as
'name -> address', and a storage firewall the client says was switched on."""

from __future__ import annotations

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _envelope(text: str, **env: object) -> dict:
    start: dict = {"error_description": text}
    if env:
        start["context"] = {"environment_info": env}
    return run_engine(start).envelope()


def _category(envelope: dict) -> str | None:
    return (envelope.get("report") or {}).get("category")


CLOUDFLARE = ("The site shows Cloudflare's page: Connection timed out  Error code 522. Browser working, Cloudflare "
              "working, Host error. {origin} We will move to Azure Front Door later this year.")


def test_cloudflare_origin_error_with_an_origin_outside_azure_is_out_of_scope() -> None:
    envelope = _envelope(CLOUDFLARE.format(origin="The origin is a DigitalOcean droplet behind ufw."))
    assert envelope["status"] == "fail" and _category(envelope) == "out_of_scope"


def test_cloudflare_origin_error_without_a_foreign_origin_is_not_this_entry() -> None:
    # the origin may be an Azure app refusing Cloudflare: that is an Azure question
    assert best_entry_id(CLOUDFLARE.format(origin="The origin is app-shop.azurewebsites.net.")) != \
        "other-clouds-cloudflare-origin-unreachable"


def test_datadog_agent_refused_key_on_an_azure_vm_is_out_of_scope() -> None:
    text = ("Datadog agent on our Azure VM logs: | CORE | ERROR | API Key invalid, dropping transaction for "
            "https://7-58-0-app.agent.datadoghq.com/api/v2/series. Do we need an NSG rule?")
    envelope = _envelope(text)
    assert envelope["status"] == "fail" and _category(envelope) == "out_of_scope"


SENDGRID = ("Azure Automation runbook: Invoke-RestMethod : The remote server returned an error: (401) Unauthorized. "
            "Uri: {uri}")


def test_sendgrid_401_is_out_of_scope() -> None:
    envelope = _envelope(SENDGRID.format(uri="https://api.sendgrid.com/v3/mail/send"))
    assert envelope["status"] == "fail" and _category(envelope) == "out_of_scope"


def test_a_401_from_another_api_is_not_sendgrids() -> None:
    assert best_entry_id(SENDGRID.format(uri="https://kv-ops.vault.azure.net/secrets/x")) != \
        "other-clouds-sendgrid-api-key-rejected"


def test_cloud_sql_unix_socket_is_google_cloud() -> None:
    text = ('psycopg2.OperationalError: could not connect to server: No such file or directory\n Is the server '
            'running locally and accepting connections on Unix domain socket '
            '"/cloudsql/p-1:europe-west1:db/.s.PGSQL.5432"?')
    assert best_entry_id(text) == "other-clouds-gcp-cloud-sql"
    assert best_entry_id('connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed') != \
        "other-clouds-gcp-cloud-sql"


def test_az_missing_on_the_runner_is_out_of_scope_but_azd_is_not_az() -> None:
    text = ("Run azure/login@v2\nError: Unable to locate executable file: az. Please verify either the file path "
            "exists or the file can be found within a directory specified by the PATH environment variable.")
    envelope = _envelope(text, technologies=["github-actions", "azure-login"])
    assert envelope["status"] == "fail" and _category(envelope) == "out_of_scope"
    assert best_entry_id("Error: Unable to locate executable file: azd. Please verify") != \
        "tooling-gh-azure-login-az-not-on-runner"


def test_a_scoped_cpp_name_is_the_errors_own_words_even_when_azure_is_named() -> None:
    text = ("Windows Terminal, Azure Cloud Shell profile:\n IXMLHttpRequest2Callback::OnError: -2146697211\n"
            "Is my Azure account's Cloud Shell storage broken?")
    envelope = _envelope(text)
    assert envelope["status"] == "fail" and _category(envelope) == "out_of_scope"


PE = ("Function app gets 403 AuthorizationFailure from storage account stx01 (public access disabled, private "
      "endpoint in the hub). nslookup stx01.blob.core.windows.net gives stx01.privatelink.blob.core.windows.net "
      "{arrow} {address}")


def test_privatelink_name_shown_as_an_arrow_to_a_public_address_decides_dns() -> None:
    envelope = _envelope(PE.format(arrow="=>", address="20.60.153.x"))
    assert envelope["status"] == "done" and _category(envelope) == "network.private_endpoint_dns"


def test_privatelink_name_to_a_private_address_does_not_decide_dns() -> None:
    envelope = _envelope(PE.format(arrow="->", address="10.40.2.5"))
    assert _category(envelope) != "network.private_endpoint_dns" or envelope["status"] != "done" \
        or envelope["report"]["confidence"] == "low"


FIREWALL = ("az storage container create --name t1 --account-name stdocs01 --auth-mode login\nERROR: This request "
            "is not authorized to perform this operation.\nErrorCode:AuthorizationFailure\n{said}")


def test_firewall_switched_on_for_the_storage_accounts_is_a_stated_deny() -> None:
    envelope = _envelope(FIREWALL.format(said="The platform team turned on the firewall on all our storage accounts "
                                              "on Monday."))
    assert envelope["status"] == "done" and _category(envelope) == "network.storage_firewall"


def test_firewall_not_switched_on_asks() -> None:
    envelope = _envelope(FIREWALL.format(said="Nobody turned on the firewall on the storage account."))
    assert envelope["status"] == "request"


REDIS_RESET = ("redis.exceptions.ConnectionError: Error while reading from cache-a.redis.cache.windows.net:6380 : "
               "(104, 'Connection reset by peer')\nBROKER_URL = f\"{scheme}://:{{key}}@{{host}}:6380/0\"")


def test_plain_scheme_with_a_placeholder_host_on_6380_is_the_scheme() -> None:
    envelope = _envelope(REDIS_RESET.format(scheme="redis"))
    assert envelope["status"] == "done" and _category(envelope) == "config.invalid_connection_string"
    assert any("rediss" in a for a in envelope["report"]["actions"])


def test_tls_scheme_with_a_placeholder_host_is_not_the_scheme() -> None:
    envelope = _envelope(REDIS_RESET.format(scheme="rediss"))
    assert not any("rediss://" in a for a in (envelope.get("report") or {}).get("actions", []))


def test_deploy_image_needing_registry_admin_user_is_an_image_pull_cause() -> None:
    text = ("Error Message: Azure App service currently only supports running images from Azure Container "
            "Registries with admin enabled")
    envelope = _envelope(text)
    assert envelope["status"] == "done" and _category(envelope) == "container.image_pull_failed"
    assert "admin" in envelope["report"]["root_cause"]
    assert best_entry_id("Azure App Service supports running images from Azure Container Registries") != \
        "containers-vscode-deploy-image-needs-registry-admin-user"


DENIED = ("(AuthorizationFailed) The client 'a@b.example' with object id '3f1c9b7e-2a44-4d1e-9b0a-6c2d8e7f1a53' "
          "does not "
          "have authorization to perform action 'Microsoft.Web/sites/config/list/action' over scope "
          "'/subscriptions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg-x/providers/Microsoft.Web/sites/"
          "app-x' "
          "or the scope is invalid.\n{said}")


def test_authorization_failed_with_the_role_eligible_in_pim_names_activation() -> None:
    envelope = _envelope(DENIED.format(said="My Contributor role is listed under Eligible assignments in PIM."))
    assert envelope["status"] == "done" and _category(envelope) == "auth.rbac_missing"
    assert "eligible" in envelope["report"]["root_cause"]


def test_authorization_failed_without_pim_is_not_about_activation() -> None:
    envelope = _envelope(DENIED.format(said="I am Contributor on the resource group."))
    assert "eligible" not in ((envelope.get("report") or {}).get("root_cause") or "")


def test_container_app_secret_keyvault_url_invalid_is_the_template() -> None:
    text = ("InvalidTemplateDeployment: The template deployment 'x' is not valid according to the validation "
            "procedure.\n"
            "ContainerAppSecretKeyVaultUrlInvalid: Invalid keyVaultUrl value for container app secret(s) with name(s) "
            "'db-pass'. The value should follow the format 'https://mykeyvault.vault.azure.net/secrets/mysecret'.")
    assert best_entry_id(text) == "containers-aca-secret-keyvault-url-invalid"
    envelope = _envelope(text)
    assert envelope["status"] == "done" and _category(envelope) == "deployment.template_invalid"
    assert "keyVaultUrl" in envelope["report"]["root_cause"]


def test_container_app_secret_without_value_stays_the_other_entry() -> None:
    assert best_entry_id("ContainerAppSecretInvalid: value or keyVaultUrl and identity should be provided") != \
        "containers-aca-secret-keyvault-url-invalid"


def test_az_missing_in_a_container_with_the_login_folder_mounted_is_the_image() -> None:
    text = ("docker run --rm -v $HOME/.azure:/root/.azure tool:1.0\n"
            "azure.identity._exceptions.CredentialUnavailableError: Azure CLI not found on path")
    assert best_entry_id(text) == "entra-azureclicredential-cli-missing-in-container-image"
    # on a developer's machine without a container or a mounted login it stays the general entry
    assert best_entry_id("python tool.py\nCredentialUnavailableError: Azure CLI not found on path") != \
        "entra-azureclicredential-cli-missing-in-container-image"


def test_functionapp_create_windows_runtimes_usage_error_names_os_type() -> None:
    text = ("az functionapp create -g rg --consumption-plan-location westeurope --runtime python -n f1 -s st1\n"
            "usage error: Currently supported runtimes (--runtime) in windows function apps are: dotnet, node, java.")
    envelope = _envelope(text)
    assert envelope["status"] == "done" and _category(envelope) == "deployment.template_invalid"
    assert "os-type" in envelope["report"]["root_cause"]
    assert best_entry_id("usage error: --runtime-version 3.6 is not supported for --functions-version 4") != \
        "functions-cli-create-runtime-not-on-windows-os-type"


def test_vision_call_with_an_openai_resource_key_is_the_wrong_resource() -> None:
    text = ("(401) The Analyze Operation under Computer Vision APIs (2023-10-01) is not supported with the current "
            "subscription key and pricing tier OpenAI.S0.")
    envelope = _envelope(text)
    assert envelope["status"] == "done" and _category(envelope) == "config.invalid_connection_string"
    assert best_entry_id("(401) Access denied due to invalid subscription key or wrong API endpoint.") != \
        "openai-resource-key-used-for-vision-api"


BACKUP = ("Configuring Azure Backup for file shares in vault rsv-files: storage account stfin01 does not appear in the "
          "list of storage accounts, the other accounts show up. {said}")


def test_backup_file_share_account_missing_behind_selected_networks_is_the_firewall() -> None:
    envelope = _envelope(BACKUP.format(said='It is the only account with "Selected networks" and our office IPs.'))
    assert envelope["status"] == "done" and _category(envelope) == "network.storage_firewall"


def test_backup_file_share_account_missing_with_trusted_services_allowed_is_not_decided() -> None:
    envelope = _envelope(BACKUP.format(said="It has selected networks, and trusted Microsoft services are allowed."))
    assert not (envelope["status"] == "done" and _category(envelope) == "network.storage_firewall"
                and envelope["report"]["confidence"] == "medium")


QUEUE = ("[Error] Executed 'Functions.ProcessScan' (Failed, Id=1, Duration=7ms)\nException while executing function: "
         "Functions.ProcessScan. Exception binding parameter 'request'. The input is not a valid Base-64 string as it "
         "contains a non-base 64 character. QueueTrigger function, messages end in scan-requests-poison. {said}")


def test_poisoned_queue_messages_that_storage_explorer_adds_fine_are_the_producers_encoding() -> None:
    envelope = _envelope(QUEUE.format(said="When I add the same JSON through Storage Explorer it is processed fine."))
    assert envelope["status"] == "done" and _category(envelope) == "runtime.code_defect"
    assert any("ase64" in a for a in envelope["report"]["actions"])


def test_poisoned_queue_messages_without_the_comparison_are_not_decided() -> None:
    envelope = _envelope(QUEUE.format(said="We have not tried anything else yet."))
    assert envelope["status"] == "request"


APIM = ("openai.error.InvalidRequestError: Resource not found (404)\nrequest url: "
        "https://apim-x.azure-api.net/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01\n{said}")


def test_openai_sdk_through_apim_with_an_empty_suffix_is_the_suffix() -> None:
    envelope = _envelope(APIM.format(said="The Azure OpenAI API in APIM has an empty API URL suffix."))
    assert envelope["status"] == "done" and _category(envelope) == "config.invalid_connection_string"
    assert "suffix" in envelope["report"]["root_cause"]


def test_openai_sdk_through_apim_with_the_openai_suffix_is_not_the_suffix() -> None:
    envelope = _envelope(APIM.format(said="The API URL suffix is openai."))
    assert "empty API URL suffix" not in ((envelope.get("report") or {}).get("root_cause") or "")
