"""Round 24 p: failure modes of Microsoft troubleshooting pages for Azure Machine Learning, Azure AI Search and Azure
AI services that no knowledge cited (tests/scenarios/cov18p). Findings: a batch endpoint without a default
deployment, a search service without a managed identity behind a keyless indexer data source, an AI services
resource whose outbound access is restricted to its allowed FQDNs. Clues: browser secure DNS against a private
endpoint, a private Azure ML workspace's FQDN resolving to a public address. Catalog entries: the batch endpoint's
JWT audience, storage mount authentication, run() timeout and the missing azureml module. Each fires on its symptom
and stays silent for its near miss; the new api_versions fields are read from the resource; the workspace playbook
reads the batch endpoints for a batch failure only."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    finding_report,
    playbook_reads,
    reads_state,
)
from tests.helpers.finding_checks import kept_fields as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000248/resourceGroups/rg-ai/providers"
WORKSPACE = f"{SUB}/Microsoft.MachineLearningServices/workspaces/mlw-risk"
BATCH = {"type": "Microsoft.MachineLearningServices/workspaces/batchEndpoints", "name": "credit-batch",
         "defaultDeployment": None, "authMode": "AADToken", "provisioningState": "Succeeded"}
BATCH_LIST = {"type": "Microsoft.MachineLearningServices/workspaces/batchEndpoints", "name": None,
              "ids": [f"{WORKSPACE}/batchEndpoints/credit-batch"]}
SEARCH = {"type": "Microsoft.Search/searchServices", "name": "srch-hr", "identity": {"type": "None"},
          "status": "running", "sku": "basic"}
VISION = {"type": "Microsoft.CognitiveServices/accounts", "name": "cv-market", "restrictOutboundNetworkAccess": True,
          "allowedFqdnList": ["stmarket.blob.core.windows.net"], "publicNetworkAccess": "Enabled"}
BATCH_REPORT = ("(UserError) No valid deployments to route to. Please check that the endpoint has at least one "
                "deployment with positive weight values or use a deployment specific header to route.")
SEARCH_REPORT = ("The indexer's data source uses ResourceId=/subscriptions/x/resourceGroups/rg/providers/"
                 "Microsoft.Storage/storageAccounts/sthr; and fails: Credentials provided in the connection string "
                 "are invalid or have expired.")
VISION_REPORT = ("Image Analysis answers 400 InvalidImageUrl: Image URL is badly formatted or not accessible, for "
                 "https://cdn.partner.example/p/1.jpg.")

CASES = [
    Case("aml-batch-endpoint-without-default-deployment", "config.missing_app_setting", "defaults.deploymentName",
         [BATCH], BATCH_REPORT, near_reads=[{**BATCH, "defaultDeployment": "xgb-v7"}]),
    Case("search-keyless-data-source-without-service-identity", "auth.managed_identity_missing", "identity",
         [SEARCH], SEARCH_REPORT, near_reads=[{**SEARCH, "identity": {"type": "SystemAssigned"}}]),
    Case("search-keyless-data-source-without-service-identity", "auth.managed_identity_missing", "identity",
         [{**SEARCH, "identity": None}], SEARCH_REPORT,
         near_report="Error with data source: Credentials provided in the connection string are invalid or have "
                     "expired. The data source uses AccountKey=... of the storage account."),
    Case("cognitive-services-outbound-restricted-to-allowed-fqdns", "network.nsg_blocked",
         "restrictOutboundNetworkAccess", [VISION], VISION_REPORT,
         near_reads=[{**VISION, "restrictOutboundNetworkAccess": False}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_the_batch_endpoint_collection_read_is_not_an_endpoint_without_default() -> None:
    assert finding_id(reads_state(BATCH_REPORT, [BATCH_LIST])) != "aml-batch-endpoint-without-default-deployment"


def test_the_outbound_finding_names_the_allowed_hosts() -> None:
    report = finding_report(reads_state(VISION_REPORT, [VISION]))
    assert "stmarket.blob.core.windows.net" in report.root_cause


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_browser_secure_dns_against_a_private_endpoint_is_the_dns_clue() -> None:
    report = ("The private workspace works from the SDK, but ml.azure.com in Edge answers 403, public network "
              "access is disabled. Edge has secure DNS (DNS over HTTPS) turned on.")
    assert _clue(report) == "private-endpoint-browser-secure-dns"
    assert _clue(report.replace("Edge has secure DNS (DNS over HTTPS) turned on.", "")) != \
        "private-endpoint-browser-secure-dns"


def test_a_private_workspace_fqdn_answering_a_public_address_is_the_dns_clue() -> None:
    report = ("The workspace has a private endpoint and the studio answers 403.\n"
              "> nslookup 3f1c.workspace.westeurope.api.azureml.ms\nServer: dns01\nAddress:  10.20.0.4\n"
              "Name: westeurope.api.azureml.ms.trafficmanager.net\nAddress:  20.50.2.8\n")
    assert _clue(report) == "aml-workspace-fqdn-resolves-public-address"
    private = report.replace("20.50.2.8", "10.30.1.5")
    assert _clue(private) != "aml-workspace-fqdn-resolves-public-address"


@pytest.mark.parametrize(("text", "entry"), [
    ('HTTP 401 {"error":{"code":"UserError","message":"Audiences in JWT are not allowed"}}',
     "openai-aml-batch-jwt-audience-not-allowed"),
    ("ScriptExecutionException was caused by StreamAccessException. StreamAccessException was caused by "
     "AuthenticationException. ErrorCode: ScriptExecution.StreamAccess.Authentication",
     "openai-aml-batch-stream-access-authentication"),
    ("No progress update in 30 seconds. No progress update in this check. The run() function in the entry script "
     "had timeout for 3 times.", "openai-aml-batch-run-timeout"),
    ("Our Azure ML batch deployment fails: ModuleNotFoundError: No module named 'azureml'",
     "openai-aml-batch-no-module-azureml"),
])
def test_the_round_24_p_entry_ranks_first(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry, [h.entry.id for h in hits[:3]]


def test_a_function_app_missing_module_keeps_the_functions_entry() -> None:
    hits = catalog_index().hits([("Exception: ModuleNotFoundError: No module named 'requests'", "error")])
    assert hits and hits[0].entry.id != "openai-aml-batch-no-module-azureml"



@pytest.mark.parametrize(("resource_type", "body", "expected"), [
    ("Microsoft.MachineLearningServices/workspaces/batchEndpoints",
     {"properties": {"defaults": {"deploymentName": "xgb-v7"}, "authMode": "AADToken"}},
     {"defaultDeployment": "xgb-v7", "authMode": "AADToken"}),
    ("Microsoft.CognitiveServices/accounts",
     {"properties": {"restrictOutboundNetworkAccess": True, "allowedFqdnList": ["a.example", "b.example"]}},
     {"restrictOutboundNetworkAccess": True, "allowedFqdnList": ["a.example", "b.example"]}),
])
def test_the_round_24_p_fields_are_read_from_the_resource(resource_type: str, body: dict[str, Any],
                                                          expected: dict[str, Any]) -> None:
    extracted = extract_fields(body, _fields(resource_type))
    assert {key: extracted.get(key) for key in expected} == expected


def _reads_of(resource_id: str, report: str) -> list[str]:
    return [target for _, target in playbook_reads(resource_id, report)]


def test_the_workspace_playbook_reads_batch_endpoints_for_a_batch_failure() -> None:
    assert f"{WORKSPACE}/batchEndpoints" in _reads_of(WORKSPACE, "az ml batch-endpoint invoke fails")
    assert f"{WORKSPACE}/batchEndpoints" not in _reads_of(WORKSPACE, "The compute instance does not start")
