"""The nineteenth round of configuration findings (knowledge/evidence_findings.yaml): each fires on recorded-like reads
with the symptom it explains, and stays silent for its near miss (the harmless configuration, or the same
configuration under another symptom)."""

from __future__ import annotations

import pytest

from shared.engines.playbooks import finding
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    check_case_fires,
    check_case_stays_silent,
    finding_id,
    reads_state,
)

SUB = "/subscriptions/2c5e8a91-7d36-4f04-b9e2-1a4d6c8f3b57/resourceGroups/rg-shop/providers"
LINUX_CONSUMPTION = {"type": "Microsoft.Web/sites", "name": "func-receipts", "kind": "functionapp,linux",
                     "state": "Running", "sku": "Dynamic", "siteConfig": {"linuxFxVersion": "Python|3.11"}}
WINDOWS_PREMIUM = {"type": "Microsoft.Web/sites", "name": "func-orders", "kind": "functionapp", "state": "Running",
                   "sku": "ElasticPremium"}
FUNC = {"type": "Microsoft.Web/sites", "name": "func-orders", "kind": "functionapp", "state": "Running",
        "sku": "Standard", "identity": {"type": "SystemAssigned", "principalId": "p", "userAssigned": []}}
WEB = {"type": "Microsoft.Web/sites", "name": "app-portal", "kind": "app,linux", "state": "Running",
       "sku": "PremiumV3", "hostNames": ["app-portal.azurewebsites.net"]}
CONTAINER_WEB = {**WEB, "kind": "app,linux,container"}
CONFIG = {"type": "Microsoft.Web/sites/config", "name": "web"}
HOST_NAMES = ["AzureWebJobsStorage", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME",
              "APPLICATIONINSIGHTS_CONNECTION_STRING"]
CONTENT = ["WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE"]
PROFILE = {"type": "Microsoft.Cdn/profiles", "name": "afd-shop", "frontDoorId": "5d2b7c41-9e08-4f3a-b6c2-0e1f2a3b4c5d"}
FDID_RULE = {"name": "allow-front-door", "ipAddress": "AzureFrontDoor.Backend", "action": "Allow",
             "tag": "ServiceTag", "headers": {"x-azure-fdid": ["0b9e4a17-3c55-4d2e-8f61-7a2c9d0e1b34"]}}
UNRELATED = "The nightly export job writes an empty CSV since Monday."


CASES = [
    Case("function-run-from-package-on-linux-consumption", "functions.host_misconfigured", "WEBSITE_RUN_FROM_PACKAGE",
         [LINUX_CONSUMPTION], "Since the new zip deploy workflow the portal shows no functions at all and every "
         "/api/receipts call returns 404.", names=[*HOST_NAMES, "WEBSITE_RUN_FROM_PACKAGE"],
         near_reads=[{**LINUX_CONSUMPTION, "sku": "ElasticPremium"}]),
    Case("run-from-package-skips-remote-build", "runtime.dependency_missing", "SCM_DO_BUILD_DURING_DEPLOYMENT",
         [FUNC], "Every invocation fails: ModuleNotFoundError: No module named 'requests'",
         names=[*HOST_NAMES, "WEBSITE_RUN_FROM_PACKAGE", "SCM_DO_BUILD_DURING_DEPLOYMENT"],
         near_names=[*HOST_NAMES, "SCM_DO_BUILD_DURING_DEPLOYMENT"]),
    Case("run-from-package-read-only-wwwroot", "runtime.code_defect", "read-only",
         [WEB], "Saving an upload fails: OSError: [Errno 30] Read-only file system: '/home/site/wwwroot/uploads/a.png'",
         names=["WEBSITE_RUN_FROM_PACKAGE", "SCM_DO_BUILD_DURING_DEPLOYMENT"],
         near_names=["SCM_DO_BUILD_DURING_DEPLOYMENT"]),
    Case("function-content-share-settings-missing", "functions.host_misconfigured", "WEBSITE_CONTENTSHARE",
         [WINDOWS_PREMIUM], "After the Bicep redeploy the portal says the Azure Functions runtime is unreachable.",
         names=[*HOST_NAMES, "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"], near_names=[*HOST_NAMES, *CONTENT]),
    Case("function-disabled-by-app-setting", "functions.host_misconfigured", "AzureWebJobs.ProcessOrders.Disabled",
         [FUNC], "Our ProcessOrders queue trigger stopped processing messages after the maintenance window.",
         names=[*HOST_NAMES, "AzureWebJobs.ProcessOrders.Disabled"],
         near_report="Our nightly report function writes an empty CSV since Monday."),
    Case("function-time-zone-on-linux-consumption", "functions.host_misconfigured", "WEBSITE_TIME_ZONE",
         [LINUX_CONSUMPTION], "The timer trigger with schedule 0 0 7 * * * runs at the wrong hour.",
         names=[*HOST_NAMES, "WEBSITE_TIME_ZONE"], near_reads=[{**LINUX_CONSUMPTION, "sku": "ElasticPremium"}]),
    Case("identity-connection-without-managed-identity", "auth.managed_identity_missing", "managed identity",
         [{**FUNC, "identity": None}], "The Service Bus trigger never fires; the log says ManagedIdentityCredential "
         "authentication unavailable.", names=[*HOST_NAMES, "ServiceBusConnection__fullyQualifiedNamespace"],
         near_reads=[FUNC]),
    Case("app-certificate-not-loaded", "config.missing_app_setting", "WEBSITE_LOAD_CERTIFICATES",
         [WEB], "The client certificate with thumbprint 3F2A... could not be found in CurrentUser\\My on Azure.",
         names=["APPLICATIONINSIGHTS_CONNECTION_STRING"],
         near_names=["APPLICATIONINSIGHTS_CONNECTION_STRING", "WEBSITE_LOAD_CERTIFICATES"]),
    Case("container-app-service-storage-not-persisted", "config.missing_app_setting",
         "WEBSITES_ENABLE_APP_SERVICE_STORAGE", [CONTAINER_WEB],
         "Uploaded files under /home/uploads are gone after every restart of the container.",
         names=["WEBSITES_PORT"], near_names=["WEBSITES_PORT", "WEBSITES_ENABLE_APP_SERVICE_STORAGE"]),
    Case("app-container-registry-pull-without-credentials", "container.image_pull_failed",
         "acrUseManagedIdentityCreds",
         [CONTAINER_WEB, {**CONFIG, "linuxFxVersion": "DOCKER|crshop.azurecr.io/portal:2.3",
                          "acrUseManagedIdentityCreds": False}],
         "The container never starts: the log shows the image pull failed with unauthorized.",
         names=["WEBSITES_PORT"],
         near_reads=[CONTAINER_WEB, {**CONFIG, "linuxFxVersion": "DOCKER|crshop.azurecr.io/portal:2.3",
                                     "acrUseManagedIdentityCreds": True}]),
    Case("python-web-app-built-without-dependencies", "runtime.dependency_missing", "SCM_DO_BUILD_DURING_DEPLOYMENT",
         [WEB, {**CONFIG, "linuxFxVersion": "PYTHON|3.12"}],
         "After az webapp deploy the app fails to start: ModuleNotFoundError: No module named 'flask'",
         names=["APPLICATIONINSIGHTS_CONNECTION_STRING"],
         near_names=["APPLICATIONINSIGHTS_CONNECTION_STRING", "SCM_DO_BUILD_DURING_DEPLOYMENT"]),
    Case("function-app-scale-out-limited", "functions.host_misconfigured", "functionAppScaleLimit",
         [{**WINDOWS_PREMIUM, "siteConfig": {"functionAppScaleLimit": 1}}],
         "The orders queue keeps growing during the sale; the function app does not scale out.",
         near_reads=[{**WINDOWS_PREMIUM, "siteConfig": {"functionAppScaleLimit": 20}}]),
    Case("web-app-always-on-off-cold-start", "runtime.timeout", "alwaysOn",
         [{**WEB, "sku": "Standard"}, {**CONFIG, "alwaysOn": False}],
         "The first request in the morning takes 40 seconds and sometimes times out; later requests are fast.",
         near_reads=[{**WEB, "sku": "Standard"}, {**CONFIG, "alwaysOn": True}]),
    Case("app-minimum-tls-above-client", "config.invalid_connection_string", "minTlsVersion",
         [WEB, {**CONFIG, "minTlsVersion": "1.2"}],
         "Our legacy .NET Framework 4.5 client cannot call the API any more: The client and server cannot "
         "communicate, because they do not possess a common algorithm.",
         near_reads=[WEB, {**CONFIG, "minTlsVersion": "1.0"}]),
    Case("front-door-id-header-not-this-profile", "network.nsg_blocked", "X-Azure-FDID",
         [WEB, {**CONFIG, "ipSecurityRestrictionsDefaultAction": "Deny", "ipSecurityRestrictions": [FDID_RULE]},
          PROFILE],
         "Since we recreated the Front Door profile every request through it gets 403 Forbidden from the app.",
         near_reads=[WEB, {**CONFIG, "ipSecurityRestrictionsDefaultAction": "Deny", "ipSecurityRestrictions": [
             {**FDID_RULE, "headers": {"x-azure-fdid": [PROFILE["frontDoorId"]]}}]}, PROFILE]),
    Case("front-door-origin-host-header-not-app", "config.invalid_connection_string", "origin host header",
         [WEB, {"type": "Microsoft.Cdn/profiles/originGroups/origins", "name": None, "origins": [
             {"name": "portal", "hostName": "app-portal.azurewebsites.net", "originHostHeader": "",
              "enabledState": "Enabled"}]}],
         "Through Front Door the site returns 404 Web app not found, the azurewebsites.net URL works.",
         near_reads=[WEB, {"type": "Microsoft.Cdn/profiles/originGroups/origins", "name": None, "origins": [
             {"name": "portal", "hostName": "app-portal.azurewebsites.net",
              "originHostHeader": "app-portal.azurewebsites.net", "enabledState": "Enabled"}]}]),
    Case("app-gateway-app-service-host-name-not-picked", "config.invalid_connection_string", "host name",
         [{"type": "Microsoft.Network/applicationGateways", "name": "agw-shop",
           "backendAddressPools": [{"name": "pool", "backendAddresses": [{"fqdn": "app-portal.azurewebsites.net"}]}],
           "backendHttpSettings": [{"name": "https", "port": 443, "protocol": "Https",
                                    "pickHostNameFromBackendAddress": False}]}],
         "Through the application gateway users get 502 Bad Gateway; the app itself works.",
         near_reads=[{"type": "Microsoft.Network/applicationGateways", "name": "agw-shop",
                      "backendAddressPools": [{"name": "pool", "backendAddresses": [
                          {"fqdn": "app-portal.azurewebsites.net"}]}],
                      "backendHttpSettings": [{"name": "https", "port": 443, "protocol": "Https",
                                               "pickHostNameFromBackendAddress": True}]}]),
    Case("container-app-keyvault-secret-identity-missing", "auth.managed_identity_missing", "Key Vault",
         [{"type": "Microsoft.App/containerApps", "name": "ca-api", "identity": None,
           "secrets": [{"name": "db-password", "keyVaultUrl": "https://kv-shop.vault.azure.net/secrets/db-password",
                        "identity": "system"}]}],
         "The new revision fails to provision since we moved the database password to a secret.",
         near_reads=[{"type": "Microsoft.App/containerApps", "name": "ca-api",
                      "identity": {"type": "SystemAssigned", "principalId": "p", "userAssigned": []},
                      "secrets": [{"name": "db-password", "identity": "system",
                                   "keyVaultUrl": "https://kv-shop.vault.azure.net/secrets/db-password"}]}]),
    Case("storage-sftp-disabled", "network.nsg_blocked", "isSftpEnabled",
         [{"type": "Microsoft.Storage/storageAccounts", "name": "stpartner", "isSftpEnabled": False}],
         "The partner's SFTP upload to stpartner.blob.core.windows.net fails: connection refused.",
         near_reads=[{"type": "Microsoft.Storage/storageAccounts", "name": "stpartner", "isSftpEnabled": True}]),
    Case("keyvault-access-policy-model-ignores-roles", "auth.keyvault_access_denied", "enableRbacAuthorization",
         [{"type": "Microsoft.KeyVault/vaults", "name": "kv-shop", "enableRbacAuthorization": False}],
         "We gave the app's identity the Key Vault Secrets User role but it still gets 403 Forbidden reading secrets.",
         near_reads=[{"type": "Microsoft.KeyVault/vaults", "name": "kv-shop", "enableRbacAuthorization": True}]),
    Case("keyvault-rbac-model-ignores-access-policies", "auth.keyvault_access_denied", "enableRbacAuthorization",
         [{"type": "Microsoft.KeyVault/vaults", "name": "kv-shop", "enableRbacAuthorization": True,
           "accessPolicies": [{"objectId": "o", "permissions": {"secrets": ["get", "list"]}}]}],
         "The app has an access policy with get on secrets, yet it gets 403 ForbiddenByRbac since yesterday.",
         near_reads=[{"type": "Microsoft.KeyVault/vaults", "name": "kv-shop", "enableRbacAuthorization": True,
                      "accessPolicies": []}]),
    Case("postgresql-entra-auth-disabled", "auth.credential_invalid", "activeDirectoryAuth",
         [{"type": "Microsoft.DBforPostgreSQL/flexibleServers", "name": "psql-shop", "activeDirectoryAuth": "Disabled",
           "passwordAuth": "Enabled"}],
         "The app signs in with its managed identity (an access token as password) and gets FATAL: password "
         "authentication failed for user \"app-portal\".",
         near_reads=[{"type": "Microsoft.DBforPostgreSQL/flexibleServers", "name": "psql-shop",
                      "activeDirectoryAuth": "Enabled", "passwordAuth": "Enabled"}]),
    Case("service-bus-basic-tier-feature", "quota.sku_not_available", "Basic",
         [{"type": "Microsoft.ServiceBus/namespaces", "name": "sb-shop", "sku": "Basic"}],
         "Creating the orders topic in our namespace fails in the pipeline.",
         near_reads=[{"type": "Microsoft.ServiceBus/namespaces", "name": "sb-shop", "sku": "Standard"}]),
    Case("service-bus-message-over-tier-size", "quota.exceeded", "256 KB",
         [{"type": "Microsoft.ServiceBus/namespaces", "name": "sb-shop", "sku": "Standard"}],
         "Sending the invoice batch fails with MessageSizeExceeded.",
         near_reads=[{"type": "Microsoft.ServiceBus/namespaces", "name": "sb-shop", "sku": "Premium"}]),
    Case("event-hubs-basic-tier-limit", "quota.sku_not_available", "Basic",
         [{"type": "Microsoft.EventHub/namespaces", "name": "evh-shop", "sku": {"name": "Basic", "capacity": 1}}],
         "Our Kafka producer cannot connect to evh-shop.servicebus.windows.net:9093.",
         near_reads=[{"type": "Microsoft.EventHub/namespaces", "name": "evh-shop",
                      "sku": {"name": "Standard", "capacity": 1}}]),
    Case("service-public-network-access-disabled", "network.nsg_blocked", "publicNetworkAccess",
         [{"type": "Microsoft.AppConfiguration/configurationStores", "name": "appcs-shop",
           "publicNetworkAccess": "Disabled"}],
         "Loading configuration from App Configuration fails with 403 Forbidden in the pipeline.",
         near_reads=[{"type": "Microsoft.AppConfiguration/configurationStores", "name": "appcs-shop",
                      "publicNetworkAccess": "Enabled"}]),
    Case("cognitive-services-network-rules-deny", "network.nsg_blocked", "defaultAction",
         [{"type": "Microsoft.CognitiveServices/accounts", "name": "oai-shop", "publicNetworkAccess": "Enabled",
           "networkAcls": {"defaultAction": "Deny", "ipRules": ["203.0.113.7"]}}],
         "Calls from the new build agents get 403: Access denied due to Virtual Network/Firewall rules.",
         near_reads=[{"type": "Microsoft.CognitiveServices/accounts", "name": "oai-shop",
                      "publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Allow"}}]),
    Case("ai-services-token-auth-without-custom-subdomain", "config.invalid_connection_string", "custom subdomain",
         [{"type": "Microsoft.CognitiveServices/accounts", "name": "cog-lang",
           "endpoint": "https://westeurope.api.cognitive.microsoft.com/"}],
         "With DefaultAzureCredential the text analytics call returns 401 Unauthorized; with the key it works.",
         near_reads=[{"type": "Microsoft.CognitiveServices/accounts", "name": "cog-lang",
                      "endpoint": "https://cog-lang.cognitiveservices.azure.com/"}]),
    Case("event-grid-local-auth-disabled", "auth.credential_invalid", "disableLocalAuth",
         [{"type": "Microsoft.EventGrid/topics", "name": "egt-orders", "disableLocalAuth": True}],
         "Publishing with the aeg-sas-key header returns 401 Unauthorized since Monday.",
         near_reads=[{"type": "Microsoft.EventGrid/topics", "name": "egt-orders", "disableLocalAuth": False}]),
    Case("app-insights-ingestion-public-access-disabled", "network.nsg_blocked", "publicNetworkAccessForIngestion",
         [{"type": "microsoft.insights/components", "name": "appi-portal", "publicNetworkAccessForIngestion":
           "Disabled"}],
         "Application Insights shows no requests since Monday although the app serves traffic.",
         near_reads=[{"type": "microsoft.insights/components", "name": "appi-portal",
                      "publicNetworkAccessForIngestion": "Enabled"}]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.rule_id for c in CASES])
def test_a_round_19_finding_explains_its_symptom(case: Case) -> None:
    check_case_fires(case)


@pytest.mark.parametrize("case", CASES, ids=[c.rule_id for c in CASES])
def test_a_round_19_finding_stays_silent_for_its_near_miss(case: Case) -> None:
    check_case_stays_silent(case, UNRELATED)


def test_a_disabled_function_the_report_does_not_name_is_chosen_only_when_it_is_the_only_one():
    names = [*HOST_NAMES, "AzureWebJobs.ProcessOrders.Disabled", "AzureWebJobs.Cleanup.Disabled"]
    assert finding_id(reads_state("The queue trigger stopped processing messages.", [FUNC], names)) != \
        "function-disabled-by-app-setting"
    rule, facts = finding(reads_state("The Cleanup timer never runs any more.", [FUNC], names)) or ({}, {})
    assert rule.get("id") == "function-disabled-by-app-setting" and facts["function"] == "Cleanup"


def test_content_share_settings_are_no_cause_on_a_dedicated_plan_or_linux_consumption():
    down = "The portal says the Azure Functions runtime is unreachable."
    assert finding_id(reads_state(down, [FUNC], HOST_NAMES)) != "function-content-share-settings-missing"
    assert finding_id(reads_state(down, [LINUX_CONSUMPTION], HOST_NAMES)) != "function-content-share-settings-missing"


def test_an_identity_connection_with_its_own_service_principal_needs_no_managed_identity():
    names = [*HOST_NAMES, "ServiceBusConnection__fullyQualifiedNamespace", "ServiceBusConnection__clientSecret",
             "ServiceBusConnection__tenantId"]
    report = "The Service Bus trigger never fires; 401 unauthorized in the logs."
    assert finding_id(reads_state(report, [{**FUNC, "identity": None}], names)) != \
        "identity-connection-without-managed-identity"


def test_an_image_pulled_with_registry_credentials_is_no_registry_finding():
    reads = [CONTAINER_WEB, {**CONFIG, "linuxFxVersion": "DOCKER|crshop.azurecr.io/portal:2.3"}]
    report = "The container never starts: the image pull failed with unauthorized."
    credentials = ["DOCKER_REGISTRY_SERVER_USERNAME", "DOCKER_REGISTRY_SERVER_PASSWORD"]
    assert finding_id(reads_state(report, reads, credentials)) != "app-container-registry-pull-without-credentials"
    public = [CONTAINER_WEB, {**CONFIG, "linuxFxVersion": "DOCKER|nginx:1.27"}]
    assert finding_id(reads_state(report, public, [])) != "app-container-registry-pull-without-credentials"


def test_a_front_door_header_filter_is_judged_only_against_a_profile_that_was_read():
    reads = [WEB, {**CONFIG, "ipSecurityRestrictionsDefaultAction": "Deny", "ipSecurityRestrictions": [FDID_RULE]}]
    report = "Every request through Front Door gets 403 Forbidden from the app."
    assert finding_id(reads_state(report, reads, None)) != "front-door-id-header-not-this-profile"


def test_an_origin_host_header_the_app_has_bound_is_no_cause():
    bound = {**WEB, "hostNames": ["app-portal.azurewebsites.net", "shop.contoso.com"]}
    origins = {"type": "Microsoft.Cdn/profiles/originGroups/origins", "name": None, "origins": [
        {"name": "portal", "hostName": "app-portal.azurewebsites.net", "originHostHeader": "shop.contoso.com"}]}
    assert finding_id(reads_state("Through Front Door the site returns 404.", [bound, origins], None)) != \
        "front-door-origin-host-header-not-app"


def test_a_container_app_secret_with_a_user_assigned_identity_it_has_is_no_cause():
    identity_id = f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-api"
    app = {"type": "Microsoft.App/containerApps", "name": "ca-api",
           "identity": {"type": "UserAssigned", "principalId": None,
                        "userAssigned": [{"id": identity_id, "principalId": "p"}]},
           "secrets": [{"name": "db-password", "identity": identity_id,
                        "keyVaultUrl": "https://kv-shop.vault.azure.net/secrets/db-password"}]}
    report = "The new revision fails to provision."
    assert finding_id(reads_state(report, [app], None)) != "container-app-keyvault-secret-identity-missing"
    other = {**app, "secrets": [{**app["secrets"][0], "identity": identity_id.replace("id-api", "id-old")}]}
    assert finding_id(reads_state(report, [other], None)) == "container-app-keyvault-secret-identity-missing"


def test_always_on_is_no_web_app_cause_for_a_function_app():
    reads = [{**FUNC, "sku": "Standard"}, {**CONFIG, "alwaysOn": False}]
    assert finding_id(reads_state("The first request in the morning times out.", reads, None)) != \
        "web-app-always-on-off-cold-start"


def test_a_configuration_section_with_an_endpoint_is_no_identity_connection():
    names = ["OpenAI__Endpoint", "OpenAI__Key", "APPLICATIONINSIGHTS_CONNECTION_STRING"]
    report = "The chat function stopped running: the managed identity is not used, we call OpenAI with its key."
    assert finding_id(reads_state(report, [{**FUNC, "identity": None}], names)) != \
        "identity-connection-without-managed-identity"


def test_a_missing_tls_binding_certificate_is_no_code_certificate():
    report = "The SSL certificate for shop.contoso.com is missing after the domain move, browsers warn."
    names = ["APPLICATIONINSIGHTS_CONNECTION_STRING"]
    assert finding_id(reads_state(report, [WEB], names)) != "app-certificate-not-loaded"


def test_a_named_origin_host_header_is_judged_only_when_the_app_was_read():
    origins = {"type": "Microsoft.Cdn/profiles/originGroups/origins", "name": None, "origins": [
        {"name": "portal", "hostName": "app-portal.azurewebsites.net", "originHostHeader": "shop.contoso.com"}]}
    report = "Through Front Door the site returns 404."
    assert finding_id(reads_state(report, [origins], None)) != "front-door-origin-host-header-not-app"
    assert finding_id(reads_state(report, [WEB, origins], None)) == "front-door-origin-host-header-not-app"


def test_a_vault_whose_permission_model_is_not_stated_is_not_taken_for_access_policies():
    vault = {"type": "Microsoft.KeyVault/vaults", "name": "kv-shop"}
    report = "We gave the app the Key Vault Secrets User role but it still gets 403 Forbidden."
    assert finding_id(reads_state(report, [vault], None)) != "keyvault-access-policy-model-ignores-roles"
