"""Round 37 realU: the mechanisms added for fourteen real reports - catalog entries for the API Management developer
portal console's CORS error, a StackExchange.Redis configuration holding only the access key, the Entra VM login role
(scale sets need it at the resource group), az ssh vm reading the VM's network interface, AKS Deployment Safeguards,
an ACR cache rule that maps every image onto Docker Hub's library/ namespace (the cause behind the denied pull it
explains), pgaadauth_create_principal given a GUID; the old MySQL/PostgreSQL root CA when the report names the
flexible server in words; a consumer group role scope written without /providers; the bare Azure OpenAI base URL when
the deployment is named like the model; symptom clues for the blob webhook's functionName and the .NET isolated
worker's Application Insights Warning filter; the Hugging Face Inference API's invalid-token words; and a data-plane
denial that names the managed identity DefaultAzureCredential chose. Each check has a near miss that must stay
silent."""

from __future__ import annotations

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine


def _envelope(text: str) -> dict:
    return run_engine({"error_description": text}).envelope()


def _report(text: str) -> dict:
    envelope = _envelope(text)
    assert envelope["status"] in ("done", "fail"), envelope
    return envelope["report"]


# --- API Management developer portal console ------------------------------------------------------------------------

PORTAL = ('In the API Management developer portal, "Try it" on any operation gives: Unable to complete the request '
          "Since the browser initiates the request, it requires Cross-Origin Resource Sharing (CORS) enabled on the "
          "server. The same call from Postman returns 200.")


def test_developer_portal_console_cors_error_names_the_cors_policy() -> None:
    assert best_entry_id(PORTAL) == "integration-apim-developer-portal-console-cors"
    report = _report(PORTAL)
    assert report["category"] == "config.missing_app_setting" and "CORS" in report["root_cause"]


def test_a_browser_cors_error_of_another_site_is_not_the_portal_entry() -> None:
    text = ("Access to fetch at 'https://api.contoso.example/orders' from origin 'https://shop.contoso.example' has "
            "been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present.")
    assert best_entry_id(text) != "integration-apim-developer-portal-console-cors"


# --- StackExchange.Redis configuration that is only the access key ---------------------------------------------------

REDIS_KEY = ("System.ArgumentException: Keyword 'Xq7abcDEF0123456789CaNUxsVQ' is not supported. (Parameter "
             "'Xq7abcDEF0123456789CaNUxsVQ') at "
             "StackExchange.Redis.ConfigurationOptions.OptionKeys.Unknown(String key) "
             "at StackExchange.Redis.ConfigurationOptions.DoParse(String configuration, Boolean ignoreUnknown)")


def test_a_redis_configuration_with_an_unknown_keyword_is_an_invalid_connection_string() -> None:
    assert best_entry_id(REDIS_KEY) == "redis-stackexchange-configuration-keyword-not-supported"
    report = _report(REDIS_KEY)
    assert report["category"] == "config.invalid_connection_string" and "access key" in report["root_cause"]


def test_an_ado_net_keyword_not_supported_is_not_the_redis_entry() -> None:
    text = "System.ArgumentException: Keyword not supported: 'authentication'. at System.Data.SqlClient.SqlConnection"
    assert best_entry_id(text) != "redis-stackexchange-configuration-keyword-not-supported"


# --- Entra ID login to VMs and scale sets ---------------------------------------------------------------------------

VM_LOGIN = ("$ az ssh vm --ip 10.40.2.7\nAccess denied: to sign-in you be assigned a role with action "
            "'Microsoft.Compute/virtualMachines/login/action', for example 'Virtual Machine User Login'\n"
            "The role is assigned on the scale set vmss-agents.")


def test_vm_entra_login_access_denied_names_the_resource_group_scope() -> None:
    assert best_entry_id(VM_LOGIN) == "compute-vm-entra-login-role-not-assigned"
    report = _report(VM_LOGIN)
    assert report["category"] == "auth.rbac_missing" and "resource group" in report["root_cause"]


SSH_READ = ("$ az ssh vm -g rg-build -n vm-build-01\n(AuthorizationFailed) The client 'dana@contoso.example' with "
            "object id '5d1e7c2a-93f4-4b8e-a06d-2c7f1e9b3a48' does not have authorization to perform action "
            "'Microsoft.Network/networkInterfaces/read' over scope '/subscriptions/8b3e6f1a-2c4d-4e5f-9a7b-"
            "1c2d3e4f5a6b/resourceGroups/rg-build/providers/Microsoft.Network/networkInterfaces/vm-build-01229' or "
            "the scope is invalid.\nCode: AuthorizationFailed")


def test_az_ssh_vm_network_read_denial_points_to_the_resource_group() -> None:
    assert best_entry_id(SSH_READ) == "compute-az-ssh-vm-network-read-not-covered"
    report = _report(SSH_READ)
    assert report["category"] == "auth.rbac_missing"
    assert "resource group" in report["root_cause"] and "networkInterfaces/read" in report["root_cause"]


def test_the_same_denial_without_az_ssh_vm_is_the_generic_entry() -> None:
    text = SSH_READ.replace("$ az ssh vm -g rg-build -n vm-build-01\n", "$ az network nic show -g rg-build -n nic1\n")
    assert best_entry_id(text) != "compute-az-ssh-vm-network-read-not-covered"


# --- AKS Deployment Safeguards ---------------------------------------------------------------------------------------

SAFEGUARDS = ('Error from server (Forbidden): error when creating "app.yaml": admission webhook '
              '"validation.gatekeeper.sh" denied the request: '
              "[azurepolicy-k8sazurev2containerenforceprob-9c81f9baeae4] "
              "Container <web> in your Pod <web-pod> has no <livenessProbe>. Required probes: "
              '["readinessProbe", "livenessProbe"]')


def test_deployment_safeguards_denial_names_the_probes() -> None:
    assert best_entry_id(SAFEGUARDS) == "containers-aks-deployment-safeguards-denied"
    report = _report(SAFEGUARDS)
    assert report["category"] == "deployment.policy_denied" and "probe" in report["root_cause"].lower()


def test_another_gatekeeper_constraint_stays_the_generic_policy_entry() -> None:
    text = ('Error from server (Forbidden): admission webhook "validation.gatekeeper.sh" denied the request: '
            "[azurepolicy-k8sazurev3noprivilege-1a2b3c] Privileged container is not allowed: web")
    assert best_entry_id(text) == "containers-aks-gatekeeper-denied"


# --- ACR cache rule onto library/ ------------------------------------------------------------------------------------

CACHE_RULE = ("docker pull crshared.azurecr.io/docker.io/pulumi/pulumi-dotnet:3.116.1\nError response from daemon: "
              "pull access denied for crshared.azurecr.io/docker.io/pulumi/pulumi-dotnet, repository does not exist "
              "or may require 'docker login': denied: requested access to pull from source "
              "'docker.io/library/pulumi/pulumi-dotnet' for cache rule 'docker-io-rule' has been denied.")


def test_a_cache_rule_mapping_namespaced_images_under_library_is_the_wrong_name() -> None:
    assert best_entry_id(CACHE_RULE) == "containers-acr-cache-rule-library-mapping-namespaced-image"
    report = _report(CACHE_RULE)
    assert report["category"] == "config.wrong_resource_name" and "library/" in report["root_cause"]


def test_an_official_image_denied_through_a_cache_rule_stays_a_pull_failure() -> None:
    text = CACHE_RULE.replace("pulumi/pulumi-dotnet", "python").replace("library/python", "library/python")
    assert best_entry_id(text) != "containers-acr-cache-rule-library-mapping-namespaced-image"
    assert _envelope(text).get("report", {}).get("category") != "config.wrong_resource_name"


# --- PostgreSQL: pgaadauth_create_principal given a GUID -------------------------------------------------------------

PG_GUID = ("postgres=> select * from "
           "pgaadauth_create_principal('733cd418-7b8a-41ed-a1eb-0242ac120002', false, false);\n"
           "ERROR:  Could not validate AAD user 733cd418-7b8a-41ed-a1eb-0242ac120002 because its name is not found in "
           "the tenant.")


def test_a_guid_given_as_the_principal_name_is_named_as_the_client_id() -> None:
    assert best_entry_id(PG_GUID) == "databases-pg-entra-principal-guid-given-as-name"
    report = _report(PG_GUID)
    assert report["category"] == "config.wrong_resource_name" and "client ID" in report["root_cause"]


def test_a_display_name_not_in_the_tenant_stays_the_name_entry() -> None:
    text = ("ERROR:  Could not validate AAD user app-orders-prod because its name is not found in the tenant.")
    assert best_entry_id(text) == "databases-pg-entra-principal-not-in-tenant"


def test_a_guid_passed_to_the_with_oid_function_is_not_the_guid_as_name_entry() -> None:
    text = PG_GUID.replace("pgaadauth_create_principal(", "pgaadauth_create_principal_with_oid('orders', ")
    assert best_entry_id(text) != "databases-pg-entra-principal-guid-given-as-name"


# --- MySQL flexible server named in words, old root CA ---------------------------------------------------------------

MYSQL_CA = ("Node service using the mysql package against our MySQL flexible server, ssl: { ca: "
            "fs.readFileSync('certs/BaltimoreCyberTrustRoot.crt.pem') }\nError: self-signed certificate in "
            "certificate chain\n    at TLSSocket.<anonymous> (/srv/app/node_modules/mysql/lib/Connection.js:317:48)")


def test_the_old_root_ca_is_read_when_the_flexible_server_is_named_in_words() -> None:
    assert best_entry_id(MYSQL_CA) == "databases-mysql-old-root-ca-self-signed-chain"
    report = _report(MYSQL_CA)
    assert report["category"] == "config.invalid_connection_string" and "DigiCert" in report["root_cause"]


def test_a_self_signed_chain_without_the_old_ca_file_is_not_the_root_ca_entry() -> None:
    text = MYSQL_CA.replace("BaltimoreCyberTrustRoot.crt.pem", "corp-proxy-ca.pem")
    assert best_entry_id(text) != "databases-mysql-old-root-ca-self-signed-chain"


# --- Event Hubs: data role on the consumer group ---------------------------------------------------------------------

EH_CG = ("Assigned Azure Event Hubs Data Receiver on /subscriptions/1/resourceGroups/rg/namespaces/evhns1/eventhubs/"
         "telemetry/consumergroups/analytics. azure.eventhub.exceptions.AuthenticationError: Unauthorized access. "
         "'Listen' claim(s) are required to perform this operation. Resource: "
         "'sb://evhns1.servicebus.windows.net/telemetry/consumergroups/analytics/partitions/0'.")


def test_a_consumer_group_scope_written_without_providers_is_read() -> None:
    report = _report(EH_CG)
    assert report["category"] == "auth.rbac_missing" and "consumer group" in report["root_cause"]


def test_the_receive_path_alone_does_not_make_it_a_consumer_group_scope() -> None:
    text = EH_CG.replace("Assigned Azure Event Hubs Data Receiver on /subscriptions/1/resourceGroups/rg/namespaces/"
                         "evhns1/eventhubs/telemetry/consumergroups/analytics. ", "")
    assert "consumer group scope" not in _report(text)["root_cause"]


# --- Azure OpenAI: bare base URL -------------------------------------------------------------------------------------

BARE_BASE = ('Our Azure OpenAI deployment is named o4-mini. Config:\n  model = "o4-mini"\n'
             '  base_url = "https://aoai-dev.openai.azure.com/"\n  wire_api = "responses"\n'
             'Every prompt: unexpected status 404 Not Found: {"error":{"code":"404","message": "Resource not found"}}')


def test_a_deployment_named_like_the_model_leaves_the_bare_base_url_to_blame() -> None:
    report = _report(BARE_BASE)
    assert report["category"] == "config.invalid_connection_string" and "/openai" in report["root_cause"]


def test_a_deployment_named_otherwise_than_the_model_is_still_the_deployment_name_case() -> None:
    text = BARE_BASE.replace("deployment is named o4-mini", "deployment is named reasoning-prod")
    envelope = _envelope(text)
    assert envelope.get("report", {}).get("category") != "config.invalid_connection_string"


# --- Event Grid blob webhook functionName ----------------------------------------------------------------------------

EG_BLOB = ("The Event Grid subscription endpoint is https://func-inv.azurewebsites.net/runtime/webhooks/blobs?"
           "functionName=Host.Functions.ImportInvoice&code=<key>. Delivered events go up with zero failures but the "
           "function never executes.")


def test_blob_webhook_events_delivered_but_function_never_runs_is_the_function_name() -> None:
    report = _report(EG_BLOB)
    assert report["category"] == "config.wrong_resource_name" and "functionName" in report["root_cause"]


def test_events_delivered_to_a_plain_webhook_are_not_the_function_name_clue() -> None:
    text = ("The Event Grid subscription endpoint is https://hooks.contoso.example/events. Delivered events go up "
            "with zero failures but our handler never executes.")
    assert "functionName" not in (_envelope(text).get("report") or {}).get("root_cause", "")


# --- .NET isolated worker and Application Insights' Warning filter ---------------------------------------------------

ISOLATED = ("Moved to the .NET 8 isolated worker. Application Insights only has our LogWarning and LogError entries, "
            "none of the LogInformation lines. host.json sets Information. Program.cs:\n"
            "  services.AddApplicationInsightsTelemetryWorkerService();\n"
            "  services.ConfigureFunctionsApplicationInsights();")


def test_isolated_worker_dropping_information_logs_is_the_sdk_filter_rule() -> None:
    report = _report(ISOLATED)
    assert report["category"] == "runtime.code_defect" and "Warning" in report["root_cause"]
    assert "filter rule" in report["root_cause"]


def test_a_program_that_removes_the_rule_is_not_the_filter_clue() -> None:
    text = ISOLATED + ("\n  services.Configure<LoggerFilterOptions>(o => o.Rules.Remove(o.Rules.FirstOrDefault(r => "
                       "r.ProviderName == \"...ApplicationInsightsLoggerProvider\")));")
    assert "filter rule" not in (_envelope(text).get("report") or {}).get("root_cause", "")


# --- Hugging Face Inference API token --------------------------------------------------------------------------------

HF = ('llm = HuggingFaceHub(huggingfacehub_api_token="HUGGINGFACEHUB_API_TOKEN", repo_id="google/flan-t5-large")\n'
      "ValueError: Error raised by inference API: Authorization header is correct, but the token seems invalid\n"
      "The service runs on Azure Container Apps.")


def test_hugging_face_invalid_token_is_out_of_scope_and_says_why() -> None:
    envelope = _envelope(HF)
    assert envelope["status"] == "fail" and envelope["report"]["category"] == "out_of_scope"
    assert "token" in envelope["report"]["root_cause"] and "Hugging Face" in envelope["report"]["root_cause"]


def test_an_azure_openai_invalid_key_stays_in_scope() -> None:
    text = ("openai.AuthenticationError: Error code: 401 - {'error': {'code': '401', 'message': 'Access denied due to "
            "invalid subscription key or wrong API endpoint.'}} calling https://aoai1.openai.azure.com/")
    assert _envelope(text).get("report", {}).get("category") != "out_of_scope"


# --- data-plane denial after DefaultAzureCredential chose the managed identity ---------------------------------------

APPCONFIG = ("Azure-Identity: [Informational] DefaultAzureCredential credential selected: "
             "Azure.Identity.ManagedIdentityCredential\nAzure-Core: [Informational] Request [1] GET "
             "https://appcs-exports.azconfig.io/kv?key=Export%3A*&api-version=2023-10-01\nAzure-Core: [Warning] Error "
             "response [1] 403 Forbidden (00.1s)\nAzure.RequestFailedException: Service request failed.\n"
             "Status: 403 (Forbidden)")


def test_a_data_plane_denial_names_the_managed_identity_the_chain_chose() -> None:
    report = _report(APPCONFIG)
    assert report["category"] == "auth.rbac_missing" and "managed identity" in report["root_cause"]


def test_without_the_chain_log_the_denial_does_not_name_a_managed_identity() -> None:
    text = APPCONFIG.split("\n", 1)[1]
    report = _report(text)
    assert report["category"] == "auth.rbac_missing" and "ManagedIdentityCredential" not in report["root_cause"]
