"""The twenty-sixth round of findings, helper A2 (knowledge/evidence_findings.yaml, the catalog and the symptom
clues): Azure OpenAI pages no knowledge cited before - On Your Data without the account's system-assigned managed
identity, ingestion with only a user-assigned identity, a private search service or Azure OpenAI account that lets no
trusted service through, a provisioned deployment at full utilization, a deployment pinned with NoAutoUpgrade to a
retired version, the index definition refused to an identity without Search Service Contributor, a vector store file
of an unsupported type and fine-tuning without Cognitive Services OpenAI Contributor. Each finding fires on
recorded-like reads with the symptom it explains and stays silent for its near miss; each catalog entry and clue
names its error and stays silent without its context; get_resource keeps the fields the findings read."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    extracted,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."

AOAI = {"type": "Microsoft.CognitiveServices/accounts", "name": "aoai-kb", "kind": "OpenAI",
        "identity": {"type": "None"}, "publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Allow"},
        "endpoint": "https://aoai-kb.openai.azure.com/"}
SYSTEM_AOAI = {**AOAI, "identity": {"type": "SystemAssigned"}}
USER_AOAI = {**AOAI, "identity": {"type": "UserAssigned"}}
PRIVATE_AOAI = {**SYSTEM_AOAI, "publicNetworkAccess": "Disabled",
                "networkAcls": {"defaultAction": "Deny", "bypass": "None"}}
TRUSTING_AOAI = {**PRIVATE_AOAI, "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"}}
SEARCH = {"type": "Microsoft.Search/searchServices", "name": "srch-kb", "publicNetworkAccess": "disabled",
          "networkRuleSet": {"bypass": "None"}, "semanticSearch": "free"}
DEPLOYMENTS = {"type": "Microsoft.CognitiveServices/accounts/deployments", "name": None, "deployments": [
    {"name": "gpt-4o-ptu", "sku.name": "ProvisionedManaged", "sku.capacity": 50, "model.name": "gpt-4o",
     "model.version": "2024-08-06", "provisioningState": "Succeeded",
     "versionUpgradeOption": "OnceNewDefaultVersionAvailable"},
    {"name": "gpt35", "sku.name": "Standard", "sku.capacity": 60, "model.name": "gpt-35-turbo",
     "model.version": "0301", "provisioningState": "Succeeded", "versionUpgradeOption": "NoAutoUpgrade"}]}
STANDARD_DEPLOYMENTS = {**DEPLOYMENTS, "deployments": [
    {"name": "gpt4o", "sku.name": "GlobalStandard", "sku.capacity": 100, "model.name": "gpt-4o",
     "model.version": "2024-11-20", "provisioningState": "Succeeded",
     "versionUpgradeOption": "OnceCurrentVersionExpired"}]}

OYD_MI = ("On Your Data chat with data_sources azure_search, authentication system_assigned_managed_identity, fails: "
          "Failed to retrieve the managed identity access token for the Azure OpenAI resource.")
INGESTION_MI = ("Ingestion job failed: 'Failed to get access token with the managed identity of the Azure OpenAI "
                "resource.'")
OYD_403 = ("On Your Data returns 400: An error occurred when calling Azure Cognitive Search: Azure Search Error: 403, "
           "message='Server responded with status 403.'")
SKILL_403 = ("On Your Data ingestion fails: Could not execute skill because the Web Api request failed. Web Api "
             "response status: 'Forbidden' (preprocessing-jobs).")
PTU_429 = ("429: Requests to the ChatCompletions_Create Operation have exceeded the capacity of your provisioned "
           "deployment. Please retry after 2 seconds.")
RETIRED = ('{"error":{"code":"ModelDeprecated","message":"The model gpt-35-turbo version 0301 has been deprecated and '
           'is no longer available for inference."}}')

CASES = [
    Case("openai-on-your-data-without-managed-identity", "auth.managed_identity_missing", "system-assigned",
         [AOAI], OYD_MI, near_reads=[SYSTEM_AOAI]),
    Case("openai-on-your-data-ingestion-user-assigned-only", "auth.managed_identity_missing", "UserAssigned",
         [USER_AOAI], INGESTION_MI, near_reads=[SYSTEM_AOAI]),
    Case("search-private-without-trusted-service-for-openai", "network.nsg_blocked", "AzureServices",
         [SEARCH], OYD_403, near_reads=[{**SEARCH, "networkRuleSet": {"bypass": "AzureServices"}}]),
    Case("openai-private-without-trusted-service-for-search-skill", "network.nsg_blocked", "AzureServices",
         [PRIVATE_AOAI], SKILL_403, near_reads=[TRUSTING_AOAI]),
    Case("openai-provisioned-deployment-over-capacity", "throttling.rate_limited", "ProvisionedManaged",
         [DEPLOYMENTS], PTU_429, near_reads=[STANDARD_DEPLOYMENTS]),
    Case("openai-deployment-pinned-version-retired", "config.wrong_resource_name", "NoAutoUpgrade",
         [DEPLOYMENTS], RETIRED, near_reads=[STANDARD_DEPLOYMENTS]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_private_search_service_called_from_a_vnet_app_keeps_the_public_access_verdict() -> None:
    report = "Our app gets 403 Forbidden from srch-kb.search.windows.net since public access was disabled."
    assert finding_id(reads_state(report, [SEARCH])) == "service-public-network-access-disabled"


def test_a_429_on_a_standard_deployment_is_no_provisioned_verdict() -> None:
    report = "429 Too Many Requests from our gpt4o deployment at peak."
    assert finding_id(reads_state(report, [DEPLOYMENTS])) != "openai-provisioned-deployment-over-capacity"


def test_get_resource_keeps_the_bypass_and_upgrade_option_fields() -> None:
    account = extracted("Microsoft.CognitiveServices", "accounts", {
        "type": "Microsoft.CognitiveServices/accounts", "name": "aoai-kb",
        "properties": {"publicNetworkAccess": "Disabled", "networkAcls": {"defaultAction": "Deny",
                                                                          "bypass": "AzureServices"}}})
    assert account["networkAcls"]["bypass"] == "AzureServices"
    search = extracted("Microsoft.Search", "searchServices", {
        "type": "Microsoft.Search/searchServices", "name": "srch-kb",
        "properties": {"publicNetworkAccess": "disabled", "networkRuleSet": {"bypass": "None", "ipRules": []}}})
    assert search["networkRuleSet"]["bypass"] == "None"
    deployments = extracted("Microsoft.CognitiveServices", "accounts/deployments", {"value": [
        {"name": "gpt35", "sku": {"name": "Standard", "capacity": 60},
         "properties": {"model": {"name": "gpt-35-turbo", "version": "0301"},
                        "versionUpgradeOption": "NoAutoUpgrade"}}]})
    assert "NoAutoUpgrade" in str(deployments["deployments"])


def test_the_round_26_a2_catalog_entry_names_its_error() -> None:
    text = 'vector_store_file.last_error = {"code": "unsupported_file", "message": "The file type is not supported."}'
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "openai-vector-store-unsupported-file"
    fine_tuning = [h for h in catalog_index().hits([(
        "fine_tuning.jobs.create: Error code: 403 - Principal does not have access to API/Operation.", "error")])]
    assert fine_tuning and "Cognitive Services OpenAI Contributor" in fine_tuning[0].entry.meaning


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_a_403_on_the_index_definition_from_on_your_data_needs_search_service_contributor() -> None:
    report = ("On Your Data: An error occurred when calling Azure Cognitive Search: Azure Search Error: 403, "
              "url='https://srch-faq.search.windows.net/indexes/faq-index?api-version=2024-03-01-preview'")
    assert _clue(report) == "openai-on-your-data-index-definition-forbidden"
    docs = report.replace("faq-index?api", "faq-index/docs/search?api")
    assert _clue(docs) != "openai-on-your-data-index-definition-forbidden"
