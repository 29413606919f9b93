"""The twenty-sixth round of findings, helper A (knowledge/evidence_findings.yaml, the catalog and the symptom clues):
App Service and Azure Functions pages no knowledge cited before - an Azure Storage mount of a firewalled account from
an app without virtual network integration, a Python 3.8 function app whose synchronous functions run one at a time,
a continuous WebJob in an app with Always On off, iisnode's 500.1002 and cold starts longer than its named pipe
retries, App Service's hourly limit of scale changes, SkuNotAllowedForResourceGroup and a Node.js v4-model
package.json without a "main" field. Each finding fires on recorded-like reads with the symptom it explains and stays
silent for its near miss; each catalog entry and clue names its error and stays silent without its context."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-web/providers"

SITE = {"type": "Microsoft.Web/sites", "name": "app-media", "kind": "app,linux,container", "state": "Running",
        "outboundIpAddresses": ["20.61.14.2", "20.61.14.9"]}
STORAGE = {"type": "Microsoft.Storage/storageAccounts", "name": "stmedia",
           "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices", "ipRules": ["20.61.14.2", "20.61.14.9"],
                           "virtualNetworkRules": []}, "publicNetworkAccess": "Enabled"}
INTEGRATED = {**SITE, "virtualNetworkSubnetId": f"{SUB}/Microsoft.Network/virtualNetworks/vnet-web/subnets/snet-app"}
FUNC = {"type": "Microsoft.Web/sites", "name": "func-geo", "kind": "functionapp,linux", "state": "Running"}
FUNC_CONFIG = {"type": "Microsoft.Web/sites/config", "name": "web", "linuxFxVersion": "Python|3.8", "alwaysOn": False}
FUNC_SETTINGS = ["FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage",
                 "APPLICATIONINSIGHTS_CONNECTION_STRING"]
WEB = {"type": "Microsoft.Web/sites", "name": "app-crm", "kind": "app", "state": "Running"}
WEB_CONFIG = {"type": "Microsoft.Web/sites/config", "name": "web", "alwaysOn": False, "netFrameworkVersion": "v4.0"}

CASES = [
    Case("app-storage-mount-firewall-without-vnet-integration", "network.storage_firewall", "defaultAction Deny",
         [SITE, STORAGE],
         "Our path mapping /mnt/assets (Azure Files share of stmedia) is gone since the storage firewall was "
         "turned on: No such file or directory: '/mnt/assets/index.json'.",
         near_reads=[INTEGRATED, STORAGE]),
    Case("functions-python-legacy-threadpool-one-thread", "config.missing_app_setting",
         "PYTHON_THREADPOOL_THREAD_COUNT",
         [FUNC, FUNC_CONFIG],
         "Under 30 concurrent callers our Python HTTP function handles one request at a time; CPU stays at 8%.",
         names=FUNC_SETTINGS, near_names=[*FUNC_SETTINGS, "PYTHON_THREADPOOL_THREAD_COUNT"]),
    Case("webapp-continuous-webjob-always-on-off", "config.missing_app_setting", "alwaysOn",
         [WEB, WEB_CONFIG],
         "Our continuous WebJob stops processing every night and only starts again when someone browses to the site.",
         near_reads=[WEB, {**WEB_CONFIG, "alwaysOn": True}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_python_39_app_or_an_async_one_gets_no_thread_pool_verdict() -> None:
    report = "Under load our Python HTTP function handles one request at a time."
    newer = reads_state(report, [FUNC, {**FUNC_CONFIG, "linuxFxVersion": "Python|3.11"}], FUNC_SETTINGS)
    assert finding_id(newer) != "functions-python-legacy-threadpool-one-thread"
    asynchronous = reads_state(report + " All functions are async def with aiohttp.", [FUNC, FUNC_CONFIG],
                               FUNC_SETTINGS)
    assert finding_id(asynchronous) != "functions-python-legacy-threadpool-one-thread"


def test_a_triggered_webjob_or_a_webjobs_dashboard_is_no_telemetry_verdict() -> None:
    triggered = reads_state("Our triggered WebJob stopped running at night.", [WEB, WEB_CONFIG])
    assert finding_id(triggered) != "webapp-continuous-webjob-always-on-off"
    dashboard = reads_state("The WebJobs dashboard shows the job as stopped every night.", [WEB],
                            ["AzureWebJobsStorage", "AzureWebJobsDashboard"])
    assert finding_id(dashboard) not in ("telemetry-without-app-insights-connection",
                                         "telemetry-agent-setting-missing")


@pytest.mark.parametrize(("text", "entry"), [
    ("iisnode encountered an error when processing the request. HRESULT: 0x2 HTTP status: 500 "
     "HTTP subStatus: 1002 HTTP reason: Internal Server Error", "appservice-iisnode-500-1002-node-crashed"),
    ("Set-AzAppServicePlan : You have exceeded the maximum amount of scale changes within the past hour "
     "(12 changes and limit is 12).", "appservice-plan-scale-changes-per-hour-exceeded"),
    ('{"Code":"Conflict","Message":"The pricing tier \'ElasticPremium\' is not allowed in this resource group.",'
     '"InnerErrors":[{"Code":"SkuNotAllowedForResourceGroup"}]}', "compute-app-service-tier-not-allowed-in-rg"),
    ('Node.js v4 model app (@azure/functions 4.5.0): 0 functions loaded. package.json: {"name": "f", '
     '"dependencies": {"@azure/functions": "^4.5.0"}}', "functions-node-v4-package-json-without-main"),
])
def test_the_round_26_a_catalog_entries_name_their_error(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry


@pytest.mark.parametrize(("text", "entry"), [
    ("Our ASP.NET app returns HTTP subStatus: 1002 from a custom module.", "appservice-iisnode-500-1002-node-crashed"),
    ('Node.js v4 model app (@azure/functions 4.5.0): 0 functions loaded. package.json: {"name": "f", '
     '"main": "dist/src/functions/*.js", "dependencies": {"@azure/functions": "^4.5.0"}}',
     "functions-node-v4-package-json-without-main"),
])
def test_the_round_26_a_catalog_entries_need_their_context(text: str, entry: str) -> None:
    assert entry not in [h.entry.id for h in catalog_index().hits([(text, "error")])]


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_an_iisnode_app_slower_to_start_than_the_pipe_retries_is_a_timeout() -> None:
    report = ("Windows App Service with iisnode: after every restart the first requests fail with 500 for a minute; "
              "the app starts listening about 45 s after node.exe starts. maxNamedPipeConnectionRetry=\"100\".")
    assert _clue(report) == "iisnode-app-starts-slower-than-pipe-retry-window"
    assert _clue("Windows App Service with iisnode answers 500 on the checkout page only.") \
        != "iisnode-app-starts-slower-than-pipe-retry-window"
