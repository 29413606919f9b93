"""Round 26 f: Azure AI services pages no knowledge cited before - Document Intelligence's error reference and input
limits, Speech batch transcription storage access and free-tier limits, Translator document translation with a
managed identity, Azure OpenAI global batch error codes, and Azure AI Search indexes encrypted with a customer-managed
key. Each finding fires on recorded-like reads with the symptom it explains and stays silent for its near miss; each
catalog entry and clue names its error and stays silent for a near miss."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, finding_id, reads_state

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai/providers"
ACCOUNT = "Microsoft.CognitiveServices/accounts"

DOCINT = {"type": ACCOUNT, "name": "di-claims", "kind": "FormRecognizer", "location": "westeurope", "sku": "F0",
          "identity": None}
SPEECH = {"type": ACCOUNT, "name": "speech-calls", "kind": "SpeechServices", "location": "eastus", "sku": "S0",
          "identity": {"type": "UserAssigned", "principalId": None, "userAssigned": []}}
TRANSLATOR = {"type": ACCOUNT, "name": "translator-docs", "kind": "TextTranslation", "location": "global",
              "sku": "S1", "identity": {"type": "SystemAssigned", "principalId": "p1", "userAssigned": []}}
DEPLOYMENTS = {"type": f"{ACCOUNT}/deployments", "name": None, "deployments": [
    {"name": "gpt-4o-mini", "sku.name": "GlobalStandard", "sku.capacity": 450, "properties.model.name": "gpt-4o-mini"}]}

BATCH_MI = ("Batch transcription with contentContainerUrl (plain URL, no SAS, managed identity) fails: Failed to "
            "access the content container. Please check the container URL and access permissions.")
DOC_TRANSLATION_MI = ("Document translation with the managed identity fails: status ValidationFailed, InvalidRequest "
                      "Cannot access source document location with the current permissions. "
                      "InvalidDocumentAccessLevel. sourceUrl has no SAS.")

CASES = [
    Case("docintel-free-tier-page-and-size-limits", "quota.exceeded", "two pages", [DOCINT],
         "prebuilt-layout answers 400 InvalidContentLength: The input image is too large. The PDF has 9 MB.",
         near_reads=[{**DOCINT, "sku": "S0"}]),
    Case("ai-services-free-tier-feature-not-offered", "quota.sku_not_available", "F0",
         [{**SPEECH, "sku": "F0", "identity": None}],
         "POST https://westeurope.api.cognitive.microsoft.com/speechtotext/v3.2/transcriptions returns 403 while "
         "real-time recognition works with the same key.",
         near_reads=[{**SPEECH, "identity": None}]),
    Case("ai-services-batch-storage-without-system-identity", "auth.managed_identity_missing", "system-assigned",
         [SPEECH], BATCH_MI,
         near_reads=[{**SPEECH, "identity": {"type": "SystemAssigned, UserAssigned", "principalId": "p2",
                                             "userAssigned": []}}]),
    Case("translator-global-region-no-managed-identity", "auth.managed_identity_missing", "Global", [TRANSLATOR],
         DOC_TRANSLATION_MI, near_reads=[{**TRANSLATOR, "location": "westeurope"}]),
    Case("openai-batch-without-batch-deployment", "config.wrong_resource_name", "GlobalBatch", [DEPLOYMENTS],
         'client.batches.create(...) -> "status": "failed", errors: [{"code": "invalid_request", "line": 1}]',
         near_reads=[{**DEPLOYMENTS, "deployments": [*DEPLOYMENTS["deployments"], {
             "name": "gpt-4o-mini-batch", "sku.name": "GlobalBatch", "sku.capacity": 100}]}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_free_document_intelligence_resource_explains_missing_pages() -> None:
    report = "The analyze call succeeds but result.pages has only 2 entries although the PDF has 25 pages."
    assert finding_id(reads_state(report, [DOCINT])) == "docintel-free-tier-page-and-size-limits"


def test_a_free_speech_resource_that_is_throttled_is_read_as_the_tier_limit() -> None:
    report = "CANCELED: ErrorCode=TooManyRequests, WebSocket Upgrade failed with HTTP status code: 429"
    state = reads_state(report, [{**SPEECH, "sku": "F0"}])
    assert finding_id(state) == "cognitive-services-free-tier-quota"


def test_a_resource_instance_rule_keeps_the_storage_default_deny_reading_out() -> None:
    storage = {"type": "Microsoft.Storage/storageAccounts", "name": "strecordings",
               "networkAcls": {"defaultAction": "Deny"}}
    stated = ("The storage allows only a resource instance rule for our Speech resource. Since then every batch "
              "transcription fails.")
    assert finding_id(reads_state(stated, [storage])) != "storage-account-denies-by-default"
    assert finding_id(reads_state("Uploads to strecordings fail with 403 AuthorizationFailure.", [storage])) == \
        "storage-account-denies-by-default"


@pytest.mark.parametrize(("text", "entry"), [
    ('{"error":{"code":"Forbidden","innererror":{"code":"OutboundAccessForbidden","message":"The request contains a '
     'disallowed domain name or violates the current access control policy."}}}',
     "openai-docintel-outbound-access-forbidden"),
    ('{"innererror":{"code":"DocumentModelLimitNeural","message":"Account can\'t create more than 10 custom neural '
     'models per month."}}', "openai-docintel-model-count-limit"),
    ("Validation failed: A valid model deployment name couldn't be extracted from the input file. Please ensure that "
     "each row has a valid deployment name.", "openai-batch-deployment-name-not-extracted"),
    ('errors.data[0]: {"code": "url_mismatch", "line": 1}', "openai-batch-input-url-mismatch"),
    ('errors: [{"code": "duplicate_custom_id", "line": 7}]', "openai-batch-input-file-invalid-rows"),
    ('errors: [{"code": "too_many_tasks"}]', "openai-batch-too-many-tasks"),
])
def test_the_round_26_f_catalog_entries_name_their_error(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry


@pytest.mark.parametrize(("text", "entry"), [
    ('{"error":{"code":"Forbidden","message":"Access forbidden due to policy or other configuration."}}',
     "openai-docintel-outbound-access-forbidden"),
    ('{"innererror":{"code":"ModelNotFound","message":"The requested model wasn\'t found."}}',
     "openai-docintel-model-count-limit"),
    ("DeploymentNotFound: The API deployment for this resource does not exist.",
     "openai-batch-deployment-name-not-extracted"),
    ("The request url does not match the expected one.", "openai-batch-input-url-mismatch"),
])
def test_the_round_26_f_catalog_entries_stay_silent_for_a_near_miss(text: str, entry: str) -> None:
    assert entry not in [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_a_cmk_encrypted_search_index_refusing_queries_is_named_as_its_key() -> None:
    found = clue_in(["Our index is encrypted with a customer-managed key; queries now answer 403 Access forbidden. "
                     "The query key used might have been revoked - please retry."])
    assert found is not None and found["id"] == "search-cmk-index-key-unavailable"


def test_a_revoked_query_key_without_encryption_gets_no_cmk_clue() -> None:
    found = clue_in(["We rotated the query keys of the search service; queries now answer 403 Access forbidden. "
                     "The query key used might have been revoked - please retry."])
    assert found is None or found["id"] != "search-cmk-index-key-unavailable"
