"""The twenty-third round of findings, group u (knowledge/evidence_findings.yaml): properties of network, container,
monitoring, AI and search resources that Microsoft's troubleshooting pages name as the cause of a symptom - AKS
authorization and monitoring add-on, anonymous registry pulls, workspace retention and local authentication,
Application Insights IP masking and ingestion sampling, the free AI services tier, the semantic ranker and role-based
access of AI Search, subnet network policies and default outbound access, dynamic public IPs, the application
gateway's backend timeout and Front Door's Standard tier. Each fires on recorded-like reads with the symptom it
explains and stays silent for its near miss; the fields it reads are extracted from realistic ARM bodies."""

from __future__ import annotations

from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)
from tests.helpers.finding_checks import extracted as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"

AKS = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-shop", "powerState": "Running",
       "aadProfile": {"enableAzureRBAC": False}, "omsAgent": False, "workloadIdentity": True,
       "keyVaultSecretsProvider": True}
REGISTRY = {"type": "Microsoft.ContainerRegistry/registries", "name": "acrshop", "sku": "Standard",
            "loginServer": "acrshop.azurecr.io", "adminUserEnabled": True, "anonymousPullEnabled": False,
            "publicNetworkAccess": "Enabled"}
WORKSPACE = {"type": "Microsoft.OperationalInsights/workspaces", "name": "log-shop", "sku": "PerGB2018",
             "retentionInDays": 30, "dailyQuotaGb": -1.0, "dataIngestionStatus": "RespectQuota",
             "features": {"disableLocalAuth": True}}
COMPONENT = {"type": "Microsoft.Insights/components", "name": "appi-shop", "IngestionMode": "LogAnalytics",
             "DisableLocalAuth": False, "DisableIpMasking": None, "SamplingPercentage": 25.0}
AI = {"type": "Microsoft.CognitiveServices/accounts", "name": "lang-shop", "sku": "F0",
      "endpoint": "https://lang-shop.cognitiveservices.azure.com/", "publicNetworkAccess": "Enabled"}
SEARCH = {"type": "Microsoft.Search/searchServices", "name": "srch-shop", "status": "running", "sku": "basic",
          "semanticSearch": "disabled", "disableLocalAuth": False, "authOptions": {"apiKeyOnly": {}},
          "publicNetworkAccess": "Enabled"}
PE_SUBNET = {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "snet-pe", "addressPrefix": "10.0.2.0/24",
             "networkSecurityGroup": f"{SUB}/Microsoft.Network/networkSecurityGroups/nsg-pe",
             "privateEndpointNetworkPolicies": "Disabled"}
VM_SUBNET = {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "snet-vms", "addressPrefix": "10.0.1.0/24",
             "defaultOutboundAccess": False}
PUBLIC_IP = {"type": "Microsoft.Network/publicIPAddresses", "name": "pip-vm-web", "sku": "Basic",
             "publicIPAllocationMethod": "Dynamic", "ipAddress": "20.50.1.7"}
GATEWAY = {"type": "Microsoft.Network/applicationGateways", "name": "agw-shop", "operationalState": "Running",
           "backendRequestTimeouts": [20]}
FRONT_DOOR = {"type": "Microsoft.Cdn/profiles", "name": "afd-shop", "sku": "Standard_AzureFrontDoor",
              "originResponseTimeoutSeconds": 120}

CASES = [
    Case("aks-azure-rbac-roles-not-enforced", "auth.rbac_missing", "enableAzureRBAC", [AKS],
         "We assigned Azure Kubernetes Service RBAC Reader to Dana on aks-shop, but kubectl get pods still says "
         "Error from server (Forbidden): pods is forbidden: User cannot list resource \"pods\".",
         near_reads=[{**AKS, "aadProfile": {"enableAzureRBAC": True}}]),
    Case("aks-monitoring-addon-disabled", "config.missing_app_setting", "omsagent", [AKS],
         "Container insights for aks-shop shows no data and ContainerLogV2 is empty since the cluster was rebuilt.",
         near_reads=[{**AKS, "omsAgent": True}]),
    Case("registry-anonymous-pull-disabled", "container.image_pull_failed", "anonymousPullEnabled", [REGISTRY],
         "Our open-source users can no longer pull acrshop.azurecr.io/tools/cli anonymously: unauthorized: "
         "authentication required.",
         near_reads=[{**REGISTRY, "anonymousPullEnabled": True}]),
    Case("workspace-retention-shorter-than-query-range", "config.missing_app_setting", "retentionInDays",
         [WORKSPACE], "Our audit query over the last 6 months returns nothing for anything older than 3 months; "
                      "the rows are missing.",
         near_reads=[{**WORKSPACE, "retentionInDays": 365}]),
    Case("workspace-local-auth-disabled", "auth.credential_invalid", "disableLocalAuth", [WORKSPACE],
         "Posting custom logs with the HTTP Data Collector API and the workspace key fails with 403 Forbidden.",
         near_reads=[{**WORKSPACE, "features": {"disableLocalAuth": False}}]),
    Case("app-insights-ip-masked", "config.missing_app_setting", "DisableIpMasking", [COMPONENT],
         "In Application Insights the client_IP of every request is 0.0.0.0, so we cannot see who calls us.",
         near_reads=[{**COMPONENT, "DisableIpMasking": True}]),
    Case("app-insights-ingestion-sampling", "config.missing_app_setting", "SamplingPercentage", [COMPONENT],
         "Application Insights shows only some of our requests: many requests are missing and the counts are "
         "lower than the load balancer's.",
         near_reads=[{**COMPONENT, "SamplingPercentage": 100.0}]),
    Case("cognitive-services-free-tier-quota", "quota.exceeded", "F0", [AI],
         "Language detection fails with 403: Out of call volume quota. Quota will be replenished in 12.04:10:00.",
         near_reads=[{**AI, "sku": "S"}]),
    Case("search-semantic-ranker-disabled", "config.missing_app_setting", "semanticSearch", [SEARCH],
         "Our queries with queryType=semantic fail with 400 Bad Request; simple queries work.",
         near_reads=[{**SEARCH, "semanticSearch": "standard"}]),
    Case("search-roles-not-enabled-for-tokens", "auth.rbac_missing", "apiKeyOnly", [SEARCH],
         "The app's managed identity has Search Index Data Reader on srch-shop, but every query returns 403 Forbidden.",
         near_reads=[{**SEARCH, "authOptions": {"aadOrApiKey": {"aadAuthFailureMode": "http401WithBearerChallenge"}}}]),
    Case("private-endpoint-subnet-policies-disabled", "network.nsg_blocked", "privateEndpointNetworkPolicies",
         [PE_SUBNET], "The private endpoint of our SQL server in snet-pe is still reachable from the jump box "
                      "although our NSG rule should deny it; the NSG is ignored.",
         near_reads=[{**PE_SUBNET, "privateEndpointNetworkPolicies": "Enabled"}]),
    Case("subnet-default-outbound-access-disabled", "network.nsg_blocked", "defaultOutboundAccess", [VM_SUBNET],
         "The new VMs in snet-vms cannot reach the internet: apt-get update times out.",
         near_reads=[{**VM_SUBNET, "natGateway": f"{SUB}/Microsoft.Network/natGateways/ng-shop"}]),
    Case("public-ip-dynamic-address-changed", "config.invalid_connection_string", "publicIPAllocationMethod",
         [PUBLIC_IP], "After we stopped and started vm-web over the weekend its public IP address has changed and "
                      "our DNS record points at nothing.",
         near_reads=[{**PUBLIC_IP, "publicIPAllocationMethod": "Static", "sku": "Standard"}]),
    Case("app-gateway-backend-request-timeout-reached", "runtime.timeout", "requestTimeout", [GATEWAY],
         "The report export takes about 2 minutes and always ends with 502 Bad Gateway from the application gateway.",
         near_reads=[{**GATEWAY, "backendRequestTimeouts": [300]}]),
    Case("front-door-standard-tier-premium-feature", "quota.sku_not_available", "Standard_AzureFrontDoor",
         [FRONT_DOOR], "Adding the Microsoft_DefaultRuleSet managed rule set to our Front Door WAF policy fails "
                       "with an error.",
         near_reads=[{**FRONT_DOOR, "sku": "Premium_AzureFrontDoor"}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_cluster_without_entra_integration_is_read_as_not_using_azure_rbac() -> None:
    cluster = {key: value for key, value in AKS.items() if key != "aadProfile"}
    report = "kubectl get nodes: Error from server (Forbidden) although we gave her the Azure RBAC Writer role."
    assert finding_id(reads_state(report, [cluster])) == "aks-azure-rbac-roles-not-enforced"


def test_a_private_subnet_with_a_route_table_is_left_alone() -> None:
    routed = {**VM_SUBNET, "routeTable": f"{SUB}/Microsoft.Network/routeTables/rt-firewall"}
    report = "The new VMs in snet-vms cannot reach the internet: apt-get update times out."
    assert finding_id(reads_state(report, [routed])) != "subnet-default-outbound-access-disabled"


def test_listening_on_all_addresses_is_not_a_masked_client_ip() -> None:
    report = "The container logs 'listening on 0.0.0.0:8080' and then crashes with exit code 1."
    assert finding_id(reads_state(report, [COMPONENT])) != "app-insights-ip-masked"


def test_a_gateway_with_a_long_backend_timeout_is_not_blamed() -> None:
    report = "Requests that take 45 seconds end with 502 Bad Gateway."
    assert finding_id(reads_state(report, [GATEWAY])) == "app-gateway-backend-request-timeout-reached"
    assert finding_id(reads_state(report, [{**GATEWAY, "backendRequestTimeouts": [20, 120]}])) == \
        "app-gateway-backend-request-timeout-reached"  # one setting at 20 seconds still cuts its requests
    assert finding_id(reads_state(report, [{**GATEWAY, "backendRequestTimeouts": [120, 230]}])) != \
        "app-gateway-backend-request-timeout-reached"


# --- the fields the findings read, from realistic ARM bodies -----------------------------------------------------


def test_the_cluster_read_keeps_the_monitoring_add_on_and_azure_rbac() -> None:
    body = {"properties": {"provisioningState": "Succeeded", "powerState": {"code": "Running"},
                           "aadProfile": {"managed": True, "enableAzureRBAC": False, "tenantID": "t1"},
                           "addonProfiles": {"omsagent": {"enabled": False, "config": None},
                                             "azureKeyvaultSecretsProvider": {"enabled": True}}}}
    data = _fields("Microsoft.ContainerService", "managedClusters", body)
    assert data["omsAgent"] is False and data["aadProfile"] == {"enableAzureRBAC": False}
    body["properties"]["addonProfiles"] = {"omsAgent": {"enabled": True}}  # the key's case varies
    assert _fields("Microsoft.ContainerService", "managedClusters", body)["omsAgent"] is True


def test_the_workspace_read_keeps_its_local_auth_feature() -> None:
    body = {"properties": {"customerId": "c1", "retentionInDays": 30, "sku": {"name": "PerGB2018"},
                           "features": {"enableLogAccessUsingOnlyResourcePermissions": True,
                                        "disableLocalAuth": True}}}
    data = _fields("Microsoft.OperationalInsights", "workspaces", body)
    # the access control mode is kept too (round 37 G3: resource-context queries refused under workspace permissions)
    assert data["features"] == {"disableLocalAuth": True, "enableLogAccessUsingOnlyResourcePermissions": True}
    assert data["retentionInDays"] == 30


def test_the_component_read_keeps_ip_masking_and_sampling() -> None:
    body = {"kind": "web", "properties": {"ApplicationId": "appi-shop", "DisableIpMasking": True,
                                          "SamplingPercentage": 25.0, "IngestionMode": "LogAnalytics"}}
    data = _fields("Microsoft.Insights", "components", body)
    assert data["DisableIpMasking"] is True and data["SamplingPercentage"] == 25.0


def test_the_ai_services_read_keeps_its_tier() -> None:
    body = {"sku": {"name": "F0"}, "kind": "TextAnalytics",
            "properties": {"endpoint": "https://lang-shop.cognitiveservices.azure.com/"}}
    assert _fields("Microsoft.CognitiveServices", "accounts", body)["sku"] == "F0"


def test_the_subnet_read_keeps_default_outbound_access() -> None:
    body = {"name": "snet-vms", "properties": {"addressPrefix": "10.0.1.0/24", "defaultOutboundAccess": False,
                                               "privateEndpointNetworkPolicies": "Disabled"}}
    data = _fields("Microsoft.Network", "virtualNetworks/subnets", body)
    assert data["defaultOutboundAccess"] is False and data["privateEndpointNetworkPolicies"] == "Disabled"


def test_the_public_ip_read_keeps_its_allocation_method() -> None:
    body = {"sku": {"name": "Basic", "tier": "Regional"},
            "properties": {"publicIPAllocationMethod": "Dynamic", "ipAddress": "20.50.1.7",
                           "idleTimeoutInMinutes": 4, "dnsSettings": {"fqdn": "web.westeurope.cloudapp.azure.com"},
                           "provisioningState": "Succeeded"}}
    data = _fields("Microsoft.Network", "publicIPAddresses", body)
    assert data["publicIPAllocationMethod"] == "Dynamic" and data["sku"] == "Basic"
    assert data["fqdn"] == "web.westeurope.cloudapp.azure.com"


def test_the_gateway_read_keeps_each_backend_timeout() -> None:
    body = {"properties": {"operationalState": "Running", "backendHttpSettingsCollection": [
        {"name": "api", "properties": {"port": 443, "protocol": "Https", "requestTimeout": 20}},
        {"name": "reports", "properties": {"port": 443, "protocol": "Https", "requestTimeout": 180}}]}}
    assert _fields("Microsoft.Network", "applicationGateways", body)["backendRequestTimeouts"] == [20, 180]
