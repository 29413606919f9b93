"""The twenty-third round of findings, App Service and hosting group (knowledge/evidence_findings.yaml): properties
of web apps, Elastic Premium plans, container apps, Container Apps environments and jobs, Consumption logic apps
and API Management that Microsoft's troubleshooting and configuration pages name as the cause of a reported symptom
(HTTPS redirects behind a front end or for plain-HTTP callers, ARR affinity and sticky sessions for SignalR, the
plan's maximum burst, the ingress transport and client certificates, the Dapr sidecar, the logs destination, a job's
cron and trigger type, a workflow's integration account and run-history ranges, public network access). Each fires
on recorded-like reads with the symptom it explains and stays silent for its near miss; the new api_versions fields
are taken from realistic Resource Manager bodies."""

from __future__ import annotations

from typing import Any

import pytest

from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)
from tests.helpers.finding_checks import kept_fields as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"

SITE = {"id": f"{SUB}/Microsoft.Web/sites/app-shop", "type": "Microsoft.Web/sites", "name": "app-shop",
        "kind": "app", "sku": "Standard", "httpsOnly": True, "clientAffinityEnabled": False}
PLAN = {"id": f"{SUB}/Microsoft.Web/serverFarms/plan-func", "type": "Microsoft.Web/serverFarms",
        "name": "plan-func", "sku": {"name": "EP1", "tier": "ElasticPremium"}, "numberOfWorkers": 1,
        "maximumElasticWorkerCount": 1}
APP = {"id": f"{SUB}/Microsoft.App/containerApps/ca-api", "type": "Microsoft.App/containerApps", "name": "ca-api",
       "ingress": {"external": True, "targetPort": 8080, "transport": "Auto"},
       "scale": {"minReplicas": 1, "maxReplicas": 5}, "allowInsecure": True, "stickySessions": "sticky",
       "clientCertificateMode": "ignore",
       "dapr": {"enabled": True, "appId": "ca-api", "appPort": 8080}}
ENVIRONMENT = {"id": f"{SUB}/Microsoft.App/managedEnvironments/cae-shop", "type": "Microsoft.App/managedEnvironments",
               "name": "cae-shop", "logsDestination": "azure-monitor", "internal": False}
JOB = {"id": f"{SUB}/Microsoft.App/jobs/job-nightly", "type": "Microsoft.App/jobs", "name": "job-nightly",
       "triggerType": "Schedule", "cronExpression": "0 2 * * *", "replicaTimeout": 1800}
IA = f"{SUB}/Microsoft.Logic/integrationAccounts/ia-shop"
LOGIC = {"id": f"{SUB}/Microsoft.Logic/workflows/la-orders", "type": "Microsoft.Logic/workflows",
         "name": "la-orders", "state": "Enabled", "integrationAccount": None, "contentCallerIps": []}
APIM = {"id": f"{SUB}/Microsoft.ApiManagement/service/apim-shop", "type": "Microsoft.ApiManagement/service",
        "name": "apim-shop", "sku": {"name": "Developer", "capacity": 1}, "virtualNetworkType": "None",
        "publicNetworkAccess": "Disabled"}

CASES = [
    Case("app-https-only-redirect-loop-behind-front-end", "config.invalid_connection_string", "httpsOnly", [SITE],
         "Behind our Application Gateway the shop now fails in every browser with ERR_TOO_MANY_REDIRECTS.",
         near_reads=[{**SITE, "httpsOnly": False}]),
    Case("app-arr-affinity-off-signalr-connection-lost", "config.missing_app_setting", "clientAffinityEnabled",
         [{**SITE, "httpsOnly": False}],
         "Since we scaled out to three instances the chat breaks: the SignalR client gets 404 No Connection with "
         "that ID.", near_reads=[{**SITE, "httpsOnly": False, "clientAffinityEnabled": True}]),
    Case("function-premium-plan-max-burst-low", "functions.host_misconfigured", "maximumElasticWorkerCount", [PLAN],
         "The orders queue backlog keeps growing every evening and the function app is stuck at 1 instance.",
         near_reads=[{**PLAN, "maximumElasticWorkerCount": 20}]),
    Case("container-app-transport-http1-grpc", "config.missing_app_setting", "transport",
         [{**APP, "ingress": {**APP["ingress"], "transport": "Http"}}],
         "Our gRPC client gets StatusCode=Unavailable when it calls ca-api through the ingress.",
         near_reads=[{**APP, "ingress": {**APP["ingress"], "transport": "Http2"}}]),
    Case("container-app-plain-http-redirected", "config.invalid_connection_string", "allowInsecure",
         [{**APP, "allowInsecure": False}],
         "Our ERP posts to http://ca-api.kindsea-1234.westeurope.azurecontainerapps.io/orders and gets 405 Method Not "
         "Allowed; the container app's logs show only GET requests.", near_reads=[APP]),
    Case("container-app-sticky-sessions-off-signalr", "config.missing_app_setting", "stickySessions",
         [{**APP, "stickySessions": "none"}],
         "With several replicas the SignalR negotiate succeeds but the connect fails with 404 No Connection with "
         "that ID.", near_reads=[APP]),
    Case("container-app-client-certificate-required", "auth.credential_invalid", "clientCertificateMode",
         [{**APP, "clientCertificateMode": "require"}],
         "Partners calling the ca-api endpoint get 403 Forbidden since Monday.",
         near_reads=[{**APP, "clientCertificateMode": "accept"}]),
    Case("container-app-dapr-sidecar-disabled", "config.missing_app_setting", "dapr",
         [{**APP, "dapr": {"enabled": False, "appId": "ca-api", "appPort": 8080}}],
         "Saving an order fails: dial tcp 127.0.0.1:3500: connect: connection refused from the Dapr client.",
         near_reads=[APP]),
    Case("container-environment-logs-sent-to-azure-monitor", "config.missing_app_setting", "azure-monitor",
         [ENVIRONMENT], "ContainerAppConsoleLogs_CL returns no rows since we changed the environment last week.",
         near_reads=[{**ENVIRONMENT, "logsDestination": "log-analytics"}]),
    Case("container-environment-logs-destination-none", "config.missing_app_setting", "destination",
         [{**ENVIRONMENT, "logsDestination": "none"}],
         "The console logs of our container apps never show up in the Log Analytics workspace: the query returns "
         "no results.", near_reads=[{**ENVIRONMENT, "logsDestination": "log-analytics"}]),
    Case("container-job-cron-evaluated-in-utc", "config.missing_app_setting", "UTC", [JOB],
         "The nightly job runs two hours late: it should start at 02:00 but starts at 04:00.",
         near_reads=[{**JOB, "cronExpression": None}]),
    Case("container-job-manual-trigger-never-runs-by-itself", "config.missing_app_setting", "Manual",
         [{**JOB, "triggerType": "Manual", "cronExpression": None}],
         "The cleanup job never runs on its schedule; starting it by hand works.", near_reads=[JOB]),
    Case("logic-app-integration-account-not-linked", "config.missing_app_setting", "integrationAccount", [LOGIC],
         "The Transform XML action fails: the workflow must be associated with an integration account to use the "
         "action 'Transform_XML'.", near_reads=[{**LOGIC, "integrationAccount": IA}]),
    Case("logic-app-run-history-content-ip-restricted", "network.nsg_blocked", "10.1.0.0/16",
         [{**LOGIC, "integrationAccount": IA, "contentCallerIps": ["10.1.0.0/16"]}],
         "Since Friday I cannot open the inputs and outputs in the run history from home; the runs are listed.",
         near_reads=[{**LOGIC, "integrationAccount": IA}]),
    Case("apim-public-network-access-disabled", "network.nsg_blocked", "publicNetworkAccess", [APIM],
         "Calls to https://apim-shop.azure-api.net/orders now get 403: Request originated from client public IP "
         "address 203.0.113.7, public network access on this 'Microsoft.ApiManagement/service/apim-shop' is "
         "disabled.", near_reads=[{**APIM, "publicNetworkAccess": "Enabled"}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_the_burst_limit_is_judged_on_elastic_premium_plans_only() -> None:
    plan = {**PLAN, "sku": {"name": "P1v3", "tier": "PremiumV3"}}
    report = "The queue backlog keeps growing and the app is stuck at 1 instance."
    assert finding_id(reads_state(report, [plan])) != "function-premium-plan-max-burst-low"


def test_a_single_replica_app_gets_no_sticky_session_verdict() -> None:
    app = {**APP, "stickySessions": None, "scale": {"minReplicas": 1, "maxReplicas": 1}}
    report = "The SignalR connect fails with 404 No Connection with that ID."
    assert finding_id(reads_state(report, [app])) != "container-app-sticky-sessions-off-signalr"


def test_affinity_does_not_matter_when_azure_signalr_service_holds_the_connections() -> None:
    report = "After scaling out to 3 instances, Azure SignalR Service clients get 404 No Connection with that ID."
    state = reads_state(report, [{**SITE, "httpsOnly": False}])
    assert finding_id(state) != "app-arr-affinity-off-signalr-connection-lost"


def test_a_redirect_loop_without_a_front_end_is_not_blamed_on_https_only() -> None:
    report = "After sign-in the browser fails with ERR_TOO_MANY_REDIRECTS."
    assert finding_id(reads_state(report, [SITE])) != "app-https-only-redirect-loop-behind-front-end"


def test_secured_run_history_is_not_blamed_on_the_content_ranges() -> None:
    logic = {**LOGIC, "integrationAccount": IA, "contentCallerIps": ["10.1.0.0/16"]}
    report = "I cannot see the inputs and outputs of the action that has secure inputs turned on."
    assert finding_id(reads_state(report, [logic])) != "logic-app-run-history-content-ip-restricted"



@pytest.mark.parametrize(("resource_type", "body", "expected"), [
    ("Microsoft.Web/sites", {"properties": {"httpsOnly": True, "clientAffinityEnabled": False}},
     {"httpsOnly": True, "clientAffinityEnabled": False}),
    ("Microsoft.App/containerApps",
     {"properties": {"configuration": {"ingress": {"external": True, "targetPort": 8080, "transport": "Auto",
                                                   "allowInsecure": False, "stickySessions": {"affinity": "sticky"},
                                                   "clientCertificateMode": "require"},
                                       "dapr": {"enabled": True, "appId": "orders", "appPort": 8080,
                                                "appProtocol": "http"}}}},
     {"allowInsecure": False, "stickySessions": "sticky", "clientCertificateMode": "require",
      "dapr": {"enabled": True, "appId": "orders", "appPort": 8080}}),
    ("Microsoft.App/jobs",
     {"properties": {"configuration": {"triggerType": "Schedule", "replicaTimeout": 1800,
                                       "scheduleTriggerConfig": {"cronExpression": "0 2 * * *", "parallelism": 1}}}},
     {"triggerType": "Schedule", "cronExpression": "0 2 * * *"}),
    ("Microsoft.App/managedEnvironments",
     {"properties": {"appLogsConfiguration": {"destination": "azure-monitor"},
                     "defaultDomain": "x.azurecontainerapps.io"}},
     {"logsDestination": "azure-monitor"}),
    ("Microsoft.Logic/workflows",
     {"properties": {"state": "Enabled", "integrationAccount": {"id": IA, "name": "ia-shop",
                                                                "type": "Microsoft.Logic/integrationAccounts"},
                     "accessControl": {"contents": {"allowedCallerIpAddresses": [{"addressRange": "10.1.0.0/16"}]}}}},
     {"integrationAccount": IA, "contentCallerIps": ["10.1.0.0/16"]}),
])
def test_the_round_23_s_fields_are_read_from_the_resource(resource_type: str, body: dict[str, Any],
                                                          expected: dict[str, Any]) -> None:
    extracted = extract_fields(body, _fields(resource_type))
    assert {key: extracted.get(key) for key in expected} == expected
