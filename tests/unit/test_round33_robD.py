"""Round 33 robD (the rob_D26 failures in other tools' words): a caller that gets no answer as Test-NetConnection
and telnet print it, an API Management key sent from a PowerShell hashtable or a dict, the openai client given the
bare Azure OpenAI endpoint as an inline base_url argument, and AADSTS65002 (a borrowed first-party client id in the
caller's own code) filed as a code defect."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.engines.computed_findings.inbound import _UNANSWERED
from shared.engines.computed_findings.integration import _sends_key_name

TNC = ("PS C:\\> Test-NetConnection b2b.example -Port 443\nWARNING: TCP connect to (20.84.17.231 : 443) failed\n"
       "TcpTestSucceeded       : False")


@pytest.mark.parametrize("said", [
    TNC,
    "TcpTestSucceeded : False",
    "Connecting To 20.84.17.231...Could not open connection to the host, on port 443: Connect failed",
    "A connection attempt failed because the connected party did not properly respond after a period of time",
])
def test_no_answer_as_other_tools_print_it(said: str) -> None:
    assert _UNANSWERED.search(said)


@pytest.mark.parametrize("said", [
    "TcpTestSucceeded : True",
    "curl: (7) Failed to connect to 20.84.17.231 port 443: Connection refused",
])
def test_a_success_or_a_refusal_is_not_an_unanswered_call(said: str) -> None:
    assert not _UNANSWERED.search(said)


@pytest.mark.parametrize("said", [
    'invoke-restmethod -uri "https://api.example/rates/v1/quote" -headers @{ "ocp-apim-subscription-key" = $key }',
    "requests.get(url, headers={'ocp-apim-subscription-key': key})",
    'client.defaultrequestheaders.add("ocp-apim-subscription-key", key);',
    'curl -h "ocp-apim-subscription-key: abc" https://api.example/rates/v1/quote',
])
def test_the_default_key_header_sent_from_any_client(said: str) -> None:
    assert _sends_key_name("ocp-apim-subscription-key").search(said)


def test_the_header_only_named_in_prose_is_not_a_sent_key() -> None:
    prose = "the docs say the key goes in the ocp-apim-subscription-key header, or ocp-apim-subscription-key, usually"
    assert not _sends_key_name("ocp-apim-subscription-key").search(prose)


BARE = ('client = OpenAI(base_url="https://aoai-lab.openai.azure.com/", api_key=key)\n'
        "openai.NotFoundError: Error code: 404 - {'error': {'code': '404', 'message': 'Resource not found'}}")


def test_an_inline_bare_base_url_is_the_missing_openai_path() -> None:
    found = clue_in([BARE])
    assert found is not None and found["id"] == "openai-base-url-without-openai-path"
    assert found["category"] == "config.invalid_connection_string"


@pytest.mark.parametrize("url", ["https://aoai-lab.openai.azure.com/openai/v1/",
                                 "https://aoai-lab.openai.azure.com/openai"])
def test_a_base_url_with_the_openai_path_is_not_blamed(url: str) -> None:
    found = clue_in([BARE.replace("https://aoai-lab.openai.azure.com/", url)])
    assert found is None or found["id"] != "openai-base-url-without-openai-path"


def test_azure_endpoint_of_the_azure_client_is_not_a_base_url() -> None:
    said = BARE.replace("OpenAI(base_url=", "AzureOpenAI(azure_endpoint=")
    found = clue_in([said])
    assert found is None or found["id"] != "openai-base-url-without-openai-path"


def test_aadsts65002_is_the_callers_code_borrowing_a_first_party_client_id() -> None:
    said = ("AADSTS65002: Consent between first party application '04b07795-8ddb-461a-bbee-02f9e1bf7b46' and first "
            "party resource '00000003-0000-0000-c000-000000000000' must be configured via preauthorization")
    hits = catalog_index().hits([(said, "error")])
    assert hits and hits[0].entry.id == "entra-aadsts65002-first-party-preauthorization"
    assert hits[0].entry.category == "runtime.code_defect"
