"""Tenth-session additions after reading the blind failures: reports that never name Azure and run on-premises
or on the client's own servers are out of scope; a TLS handshake broken on the client's network is out of scope;
the Event Hubs "EntityPath and a separate name" refusal, Web PubSub's abuse-protection 401 behind Functions and a
Logic Apps workflow parameter not wrapped in {"value": ...} are catalog entries (the generic InvalidRequestContent
is a wrapper they beat); the portal's "Function host is not running" after access restrictions and an Azure OpenAI
endpoint's trailing slash joined to "/openai/..." are clues that decide when the report shows the fact."""

from __future__ import annotations

import pytest

from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine


def final(text: str, technologies: list[str] | None = None):
    request = {"error_description": text}
    if technologies is not None:
        request["context"] = {"environment_info": {"technologies": technologies}}
    return run_engine(request).final


HANGFIRE = ("Hangfire cannot connect to Redis by IP: new RedisStorage(\"192.168.178.20:6379\") throws "
            "System.Net.Sockets.SocketException (0x80004005): No such host is known at System.Net.Dns.GetAddrInfo")


def test_a_report_that_names_no_azure_and_lists_on_premises_is_out_of_scope():
    decided = final(HANGFIRE, ["redis", "hangfire", "dotnet", "on-premises"])
    assert isinstance(decided, GiveUp) and decided.report.category == "out_of_scope"
    decided = final(HANGFIRE, ["redis", "hangfire", "dotnet"])  # no on-premises statement: not ruled out of scope
    assert not (isinstance(decided, GiveUp) and decided.report.category == "out_of_scope")
    hybrid = HANGFIRE + " The cache is Azure Cache for Redis reached over our VPN."
    decided = final(hybrid, ["redis", "on-premises"])
    assert not (isinstance(decided, GiveUp) and decided.report.category == "out_of_scope")


def test_a_system_on_the_client_s_own_servers_is_out_of_scope():
    decided = final("Our ASP.NET site runs on our own IIS server; we only use Azure for DevOps. Since Monday it "
                    "logs System.Net.Sockets.SocketException: No such host is known.")
    assert isinstance(decided, GiveUp) and decided.report.category == "out_of_scope"


def test_a_tls_handshake_broken_by_the_client_s_network_is_out_of_scope():
    decided = final("az login fails: SSLError: HTTPSConnectionPool(host='management.azure.com', port=443): Max "
                    "retries exceeded (Caused by SSLError(SSLError(\"bad handshake: Error([('SSL routines', "
                    "'tls_process_server_certificate', 'certificate verify failed')])\"))). At home it works.")
    assert isinstance(decided, GiveUp) and decided.report.category == "out_of_scope"


@pytest.mark.parametrize("text, category, word", [
    ("The listener for function 'TelemetryIngest' was unable to start. Azure.Messaging.EventHubs: The path to an "
     "Event Hub may be specified as part of the connection string or as a separate value, but not both.",
     "config.invalid_connection_string", "EntityPath"),
    ("Web PubSub event handler to my function app: Event Name = AbuseProtectionResponseInvalidStatusCode, "
     "Message = Abuse protection failed: 401", "auth.credential_invalid", "webpubsub_extension"),
    ("{\"code\":\"InvalidRequestContent\",\"message\":\"The request content is not valid and could not be "
     "deserialized: 'Unexpected initial token 'String' when populating object. Expected JSON object or array. Path "
     "'properties.parameters.sftpFolder', line 1, position 1874.'.\"}", "deployment.template_invalid", "value"),
])
def test_catalog_entries_name_the_specific_cause(text: str, category: str, word: str):
    decided = final(text)
    assert isinstance(decided, Conclude) and decided.report.category == category
    assert word in decided.report.root_cause + " ".join(decided.report.actions)


def test_the_portal_blocked_by_access_restrictions_decides_when_the_report_shows_the_403s():
    text = ("I set an IP restriction on fn-orders (allow our APIM address, deny all else). Now the portal says "
            "\"Function host is not running.\" and the browser shows GET https://fn-orders.azurewebsites.net/admin/"
            "host/status 403 (Forbidden).")
    decided = final(text)
    assert isinstance(decided, Conclude) and decided.report.category == "network.nsg_blocked"
    decided = final("The portal says \"Function host is not running.\" since this morning's deployment.")
    assert not (isinstance(decided, Conclude) and decided.report.category == "network.nsg_blocked")


def test_an_openai_endpoint_with_a_trailing_slash_joined_to_the_path_decides():
    text = ("RESOURCE_ENDPOINT = os.getenv(\"AZURE_OPENAI_ENDPOINT\")  # https://contoso.openai.azure.com/\n"
            "url = RESOURCE_ENDPOINT + \"/openai/deployments?api-version=2022-12-01\"\n"
            "{\"error\":{\"code\":\"404\",\"message\": \"Resource not found\"}}")
    decided = final(text)
    assert isinstance(decided, Conclude) and decided.report.category == "config.invalid_connection_string"
    assert "double slash" in decided.report.root_cause


@pytest.mark.parametrize("deploy, word", [
    ("Our pipeline uploads the zip to a blob and sets WEBSITE_RUN_FROM_PACKAGE to its SAS URL.", "never built"),
    ("We deploy with Azure/functions-action@v1 (package: ., publish-profile).", "scm-do-build-during-deployment"),
    ("We deploy with az functionapp deployment source config-zip.", "--build-remote true"),
])
def test_a_python_import_failure_names_the_deployment_path_that_skipped_the_build(deploy: str, word: str):
    decided = final("Result: Failure Exception: ModuleNotFoundError: No module named 'pandas'. " + deploy)
    assert isinstance(decided, Conclude) and decided.report.category == "runtime.dependency_missing"
    assert word in decided.report.root_cause + " ".join(decided.report.actions)
    plain = final("Result: Failure Exception: ModuleNotFoundError: No module named 'pandas'.")
    assert isinstance(plain, Conclude) and "Here " not in plain.report.root_cause


def test_a_resource_not_found_names_the_kind_of_resource_and_drops_an_action_without_its_facts():
    decided = final("The Resource 'Microsoft.Storage/storageAccounts/appstatic' under resource group 'rg-web' was "
                    "not found.")
    assert isinstance(decided, Conclude) and "(a storage account)" in decided.report.root_cause
    assert any("If the storage account does not exist" in a for a in decided.report.actions)
    decided = final("The Resource 'Microsoft.Contoso/widgets/w1' under resource group 'rg-web' was not found.")
    assert isinstance(decided, Conclude) and "(a " not in decided.report.root_cause
    assert all(a.strip() for a in decided.report.actions)


def test_a_policy_denial_with_its_rule_pasted_names_the_property_the_rule_tests():
    text = ("Resource 'st1' was disallowed by policy. (Code: RequestDisallowedByPolicy)\n"
            "\"policyRule\": { \"if\": { \"allOf\": [ { \"field\": \"type\", \"equals\": "
            "\"Microsoft.Storage/storageAccounts\" }, { \"field\": "
            "\"Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly\", \"exists\": \"false\" } ] }, "
            "\"then\": { \"effect\": \"deny\" } }")
    decided = final(text)
    assert isinstance(decided, Conclude) and decided.report.category == "deployment.policy_denied"
    assert any("supportsHttpsTrafficOnly" in a for a in decided.report.actions)


def test_a_storage_firewall_answer_allows_the_client_address_environment_info_gives():
    request = {"error_description": "From home the Storage browser of stinvoices says \"This request is not "
                                    "authorized to perform this operation.\" (AuthorizationFailure). The account is "
                                    "'Enabled from selected virtual networks and IP addresses'.",
               "context": {"environment_info": {"storage_account": "stinvoices", "client_ip": "81.2.69.160"}}}
    decided = run_engine(request).final
    assert isinstance(decided, Conclude) and decided.report.category == "network.storage_firewall"
    assert any("--ip-address 81.2.69.160" in a for a in decided.report.actions)


def test_runtime_unreachable_with_the_app_stopped_is_the_stop_not_the_storage():
    decided = final("The portal shows: Azure Functions Runtime is unreachable. HTTP functions return \"Error 403 - "
                    "This web app is stopped.\" AzureWebJobsStorage still points at the right account.")
    assert isinstance(decided, Conclude) and decided.report.category == "quota.exceeded"
    assert "Daily Usage Quota" in decided.report.root_cause
    # the bare banner has several causes: without Azure access the engine asks for the output that tells them apart
    asked = final("The portal shows: Azure Functions Runtime is unreachable. Click here for details on storage "
                  "configuration.")
    assert isinstance(asked, AskClient)
    assert any("appsettings list" in c for c in asked.request.suggested_commands)


def test_a_zip_deploy_with_the_publish_profile_refused_401_is_basic_auth_turned_off():
    decided = final("Deploying code to https://app-x.scm.azurewebsites.net/api/zipdeploy ... Invoke-RestMethod -Uri "
                    "$apiUrl -Headers @{Authorization=(\"Basic {0}\" -f $base64AuthInfo)} -Method POST: Response "
                    "status code does not indicate success: 401 (Unauthorized).")
    assert isinstance(decided, Conclude) and decided.report.category == "auth.credential_invalid"
    assert "SCM Basic Auth Publishing Credentials" in decided.report.root_cause


@pytest.mark.parametrize("text, category", [
    ("Failed to pull image \"crshop.azurecr.io/checkout:5.2.1\": failed to authorize: failed to fetch anonymous token: "
     "403 Forbidden ... client with IP '51.124.33.90' is not allowed access. Security set the registry to private "
     "endpoint only.", "network.private_endpoint_dns"),
    ("Failed to pull image \"crshop.azurecr.io/checkout:5.2.1\": 403 Forbidden: client with IP '51.124.33.90' is not "
     "allowed access. Refer https://aka.ms/acr/firewall to grant access.", "network.nsg_blocked"),
    ("Failed to pull image \"crshop.azurecr.io/checkout:5.2.1\": dial tcp: lookup crshop.azurecr.io: no such host",
     "network.dns_resolution"),
])
def test_an_image_pull_lost_on_the_network_is_a_network_cause_never_high(text: str, category: str):
    decided = final(text)
    assert isinstance(decided, Conclude) and decided.report.category == category
    assert decided.report.confidence != "high"


def test_terraform_writing_a_secret_in_the_same_apply_as_its_access_policy_needs_depends_on():
    decided = final("Error: checking for presence of existing Secret \"sql\" (Key Vault \"https://kv-a.vault.azure.net/"
                    "\"): StatusCode=403. resource \"azurerm_key_vault_access_policy\" \"pipeline\" {...} resource "
                    "\"azurerm_key_vault_secret\" \"sql\" {...} A second apply usually succeeds.")
    assert isinstance(decided, Conclude) and decided.report.category == "auth.keyvault_access_denied"
    assert any("depends_on" in a for a in decided.report.actions)


def test_a_deploy_that_fails_only_behind_the_client_s_vpn_is_out_of_scope():
    decided = final("az webapp deploy keeps failing on my laptop: ConnectionResetError(10054, 'An existing connection "
                    "was forcibly closed by the remote host'). I'm on NordVPN; it went through once when I had "
                    "disconnected the VPN for a call.")
    assert isinstance(decided, GiveUp) and decided.report.category == "out_of_scope"
    decided = final("az webapp deploy fails with ConnectionResetError(10054, 'An existing connection was forcibly "
                    "closed by the remote host').")
    assert not (isinstance(decided, GiveUp) and decided.report.category == "out_of_scope")


def test_an_envelope_code_in_the_error_text_ranks_below_the_inner_error_azure_shows():
    from shared.catalog.index import catalog_index
    hits = catalog_index().hits([("az deployment group create failed: {\"code\":\"InvalidParameter\"}", "error"),
                                 ("operation vm-build: InvalidParameter: The Admin Username specified is not allowed.",
                                  "evidence")])
    assert hits[0].entry.id == "compute-admin-password-invalid"
    assert any(h.entry.wrapper for h in hits[1:])


@pytest.mark.parametrize("text, category, word", [
    ("On your data: {\"error\": {\"code\": \"400\", \"message\": \"Invalid AzureCognitiveSearch configuration "
     "detected: 403 Client Error: Forbidden for url: https://srch-a.search.windows.net/indexes/kb\"}} (query key)",
     "auth.credential_invalid", "admin key"),
    ("# nslookup db1.privatelink.mysql.database.azure.com\nServer: 127.0.0.11\n** server can't find "
     "db1.privatelink.mysql.database.azure.com: NXDOMAIN\nWith nameserver 168.63.129.16 it resolves fine.",
     "network.dns_resolution", "WEBSITE_DNS_SERVER"),
    ("client = AzureOpenAI(azure_endpoint=\"https://oai-a.openai.azure.com/\"); model=\"gpt-4o\" -> Error code: "
     "404 - Resource not found. The deployment in the resource is called \"gpt4o-vision\".",
     "config.wrong_resource_name", "deployment"),
    ("kubectl get pods: Error from server (Forbidden): pods is forbidden: User \"ana@contoso.com\" cannot list "
     "resource \"pods\" in API group \"\" in the namespace \"shop\". I have Azure Kubernetes Service Cluster User "
     "Role.",
     "auth.rbac_missing", "RBAC Reader"),
    ("SpecialFeatureOrQuotaIdRequired: The subscription does not have QuotaId/Feature required by SKU 'S0' from kind "
     "'OpenAI' or contains blocked QuotaId/Feature.", "quota.sku_not_available", "region"),
])
def test_tenth_session_knowledge_names_the_case(text: str, category: str, word: str):
    decided = final(text)
    assert isinstance(decided, Conclude) and decided.report.category == category
    assert word in decided.report.root_cause + " ".join(decided.report.actions)


def test_a_code_line_reading_os_environ_is_not_a_missing_setting_without_a_key_error():
    decided = final("parse_pdf(path, api_key=os.environ[\"AZURE_OPENAI_KEY\"], base_url=...) fails with Error "
                    "code: 404 - Resource not found")
    assert not (isinstance(decided, Conclude) and decided.report.category == "config.missing_app_setting")
    decided = final("File \"/usr/lib/python3.10/os.py\", line 680, in __getitem__\n    raise KeyError(key) from None\n"
                    "KeyError: 'COSMOS_URL'")
    assert isinstance(decided, Conclude) and decided.report.category == "config.missing_app_setting"


def test_redis_timeouts_with_values_of_megabytes_are_the_large_values():
    text = ("StackExchange.Redis.RedisTimeoutException: Timeout performing GET ORGS, inst: 1, queue: 120, qs: 120, "
            "in: 65536. Server load is low. Some of these values are several MB.")
    decided = final(text)
    assert isinstance(decided, Conclude) and decided.report.category == "runtime.timeout"
    assert "large values" in decided.report.root_cause
    decided = final("StackExchange.Redis.RedisTimeoutException: Timeout performing GET ORGS, inst: 1, qs: 3, in: 0")
    assert not (isinstance(decided, Conclude) and "large values" in decided.report.root_cause)


@pytest.mark.parametrize("text, category", [
    ("Device telemetry rejected: IotHubQuotaExceeded, ErrorCode: 403002. Total number of messages on IotHub "
     "'iot-a' exceeded the allocated quota.", "quota.exceeded"),
    ("Microsoft.Azure.Devices.Client.Exceptions.IotHubThrottledException: ErrorCode: 429001 ThrottlingException",
     "throttling.rate_limited"),
    ("{\"error\":{\"code\":401001,\"message\":\"The request is not authorized because credentials are missing or "
     "invalid.\"}} from api.cognitive.microsofttranslator.com for our West Europe Translator",
     "config.missing_app_setting"),
    ("az deployment group create -p @storage.parameters.json: InvalidRequestContent: Error converting value "
     "\"westeurope\" to type 'Microsoft.WindowsAzure.ResourceStack.Frontdoor.Data.Definitions."
     "DeploymentParameterDefinition'", "deployment.template_invalid"),
])
def test_round_three_catalog_entries(text: str, category: str):
    decided = final(text)
    assert isinstance(decided, Conclude) and decided.report.category == category
