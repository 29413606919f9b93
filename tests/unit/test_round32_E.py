"""Round 32 E (robustness of known failures told in other words): a CAA answer pasted as dig +short prints it, a
hosted runner named after its image ("ubuntu-latest runner"), a logic app caller that posts JSON without its
Content-Type, a beta Document Intelligence SDK named by its package version instead of the preview api-version, a
private endpoint written "PE" with public access "disabled", and a local run that "completes"."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import regex
from shared.engines.clues import clue_in
from shared.engines.private_dns import _PRIVATE_INTENT
from shared.engines.session_reads import WORKS_LOCALLY
from tests.helpers.clue_checks import concludes

CAA_DIG = ("Adding shop.example.org to our static web app: the custom domain goes Validating -> Failed.\n"
           "$ dig +short example.org CAA\n0 issue \"sectigo.com\"\n0 issuewild \"sectigo.com\"\n")


def test_caa_records_pasted_as_dig_short_prints_them_decide_the_custom_domain_failure() -> None:
    found = clue_in([CAA_DIG])
    assert found is not None and found["id"] == "managed-certificate-caa-excludes-digicert"
    assert concludes(CAA_DIG, "network.dns_resolution")


def test_caa_records_that_allow_digicert_or_no_caa_at_all_stay_silent() -> None:
    allowed = CAA_DIG.replace("0 issuewild \"sectigo.com\"", "0 issue \"digicert.com\"")
    assert (clue_in([allowed]) or {}).get("id") != "managed-certificate-caa-excludes-digicert"
    no_caa = "Custom domain failed.\n$ dig +short shop.example.org CNAME\n0 issue-tracker.example.org.\n"
    assert (clue_in([no_caa]) or {}).get("id") != "managed-certificate-caa-excludes-digicert"


SCM = ("Deploy broken since the app got a private endpoint (public network access off). {where}, "
       "azure/webapps-deploy@v3 with publish-profile.\nError: Failed to get app runtime OS")


def test_a_runner_named_after_its_hosted_image_decides_the_private_scm_site() -> None:
    said = SCM.format(where="ubuntu-latest runner")
    assert clue_in([said])["id"] == "scm-deploy-from-hosted-runner-private-endpoint-only"  # type: ignore[index]
    assert concludes(said, "network.nsg_blocked")
    assert concludes(SCM.format(where="windows-2022 agent"), "network.nsg_blocked")


def test_a_self_hosted_runner_is_no_hosted_runner_verdict() -> None:
    assert not concludes(SCM.format(where="self-hosted runner in the hub vnet"), "network.nsg_blocked")


LOGIC = ("Logic app with When a HTTP request is received; the run starts but triggerBody()?['priority'] is null.\n"
         "Caller:\n  {call}\n")


@pytest.mark.parametrize("call", [
    'requests.post(LA_URL, data=json.dumps({"ticketId": "T-88"}))',
    "Invoke-WebRequest -Uri $url -Method POST -Body '{\"orderId\":\"A-1\"}'",
    "curl -X POST \"$URL\" -d '{\"orderId\":\"A-1\"}'",
])
def test_a_logic_app_caller_posting_json_without_content_type_decides_the_empty_fields(call: str) -> None:
    said = LOGIC.format(call=call)
    assert clue_in([said])["id"] == "logicapps-request-trigger-json-posted-without-content-type"  # type: ignore[index]
    assert concludes(said, "runtime.code_defect")


@pytest.mark.parametrize("call", [
    "requests.post(LA_URL, json={\"ticketId\": \"T-88\"})",
    "requests.post(LA_URL, data=body, headers={'Content-Type': 'application/json'})",
    "Invoke-RestMethod -Uri $url -Method POST -ContentType 'application/json' -Body $json",
    "curl -X POST \"$URL\" -H 'Content-Type: application/json' -d '{\"orderId\":\"A-1\"}'",
])
def test_a_caller_that_sends_the_content_type_is_no_missing_header_verdict(call: str) -> None:
    assert not concludes(LOGIC.format(call=call), "runtime.code_defect")


DI_404 = ("Upgrade to azure-ai-documentintelligence=={version} broke every call (same endpoint and key):\n"
          "azure.core.exceptions.ResourceNotFoundError: (404) Resource not found\nCode: 404\n"
          "Message: Resource not found")


def test_a_beta_document_intelligence_sdk_named_by_its_version_reads_as_the_regional_preview() -> None:
    for version in ("1.0.0b2", "1.0.0-beta.2"):
        hits = catalog_index().hits([(DI_404.format(version=version), "error")])
        assert hits and hits[0].entry.id == "openai-docintel-preview-api-version-not-in-region"


def test_a_ga_document_intelligence_sdk_is_no_preview_region_verdict() -> None:
    hits = catalog_index().hits([(DI_404.format(version="1.0.0"), "error")])
    assert "openai-docintel-preview-api-version-not-in-region" not in [h.entry.id for h in hits]


@pytest.mark.parametrize("said", [
    "After tonight's change (PE + public access disabled on the data account) the function fails.",
    "We disabled public network access on the account last week.",
    "Public network access was turned off for stdata.",
])
def test_a_private_endpoint_written_short_or_public_access_disabled_reads_as_private_intent(said: str) -> None:
    assert regex(_PRIVATE_INTENT).search(said)


@pytest.mark.parametrize("said", [
    "The function runs on an EP1 plan and we use PEP 8 in the repo.",
    "The storage account accepts public access from our office range.",
    "The pe-ratio field of the report is empty.",
])
def test_other_words_are_no_private_intent(said: str) -> None:
    assert not regex(_PRIVATE_INTENT).search(said)


def test_a_local_run_that_completes_or_succeeds_works_locally() -> None:
    assert WORKS_LOCALLY.search("Local run with `func start` completes the orchestration.")
    assert WORKS_LOCALLY.search("With func start the orchestration succeeds every time.")
    assert not WORKS_LOCALLY.search("The deployment completed, then every run in Azure failed.")
