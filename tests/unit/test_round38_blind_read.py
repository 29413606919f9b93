"""After reading the thirty-first session's blind failures: errors of tools and services outside Azure that a report
places next to Azure (an Elasticsearch deployment's disk block, a raw GitHub download's rate limit, a GitLab
artifact upload's size limit, Pulumi Cloud's login, IBM Cloud's registry) end out of scope naming the provider and
what its error means; each has a near miss whose failing call is Azure's and stays in scope."""

from __future__ import annotations

import pytest

from tests.helpers.engine_loop import out_of_scope_report, run_engine

ELASTIC = ("Fluent Bit on AKS stopped shipping logs:\n[error] [output:es:es.0] HTTP status=429 URI=/_bulk, response:\n"
           '{"error":{"type":"cluster_block_exception","reason":"index [logs-2026.12.07] blocked by: '
           '[TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete '
           'block];"},"status":429}')
RAW_GITHUB = ("Azure Pipelines lint stage: Error #1: Could not load https://raw.githubusercontent.com/acme/rules/main/"
              "ruleset.yaml: Error fetching https://raw.githubusercontent.com/acme/rules/main/ruleset.yaml: Too Many "
              "Requests\n##[error]Bash exited with code '2'.")
GITLAB = ("Uploading artifacts...\nbuild/package.zip: found 1 matching files and directories\nERROR: Uploading "
          "artifacts to coordinator... too large archive  id=77 responseStatus=413 Request Entity Too Large\n"
          "FATAL: Too large\nThe next stage deploys the zip to our App Service.")
PULUMI = ("azure/login passed, then pulumi/actions@v5 (command: up):\nerror: PULUMI_ACCESS_TOKEN must be set for login "
          "during non-interactive CLI sessions\nError: Process completed with exit code 255.")
IBM = ('The pod fails on the other cluster: Failed to pull image "us.icr.io/acme-tools/api:1.2": rpc error: code = '
       "Unknown desc = failed to pull and unpack image: 401 Unauthorized")


@pytest.mark.parametrize(("text", "provider", "meaning"), [
    (ELASTIC, "Elastic", "watermark"),
    (RAW_GITHUB, "GitHub", "raw.githubusercontent.com"),
    (GITLAB, "GitLab", "artifacts size"),
    (PULUMI, "Pulumi", "PULUMI_ACCESS_TOKEN"),
    (IBM, "IBM Cloud", "icr.io"),
])
def test_the_outside_providers_error_ends_out_of_scope_naming_it(text: str, provider: str, meaning: str) -> None:
    cause = out_of_scope_report(text)["root_cause"]
    assert provider in cause and meaning in cause


@pytest.mark.parametrize("text", [
    # the GitHub download worked; Resource Manager throttled the deployment
    ("Fetched the template from https://raw.githubusercontent.com/acme/infra/main/main.json, then az deployment group "
     "create failed: (TooManyRequests) Number of 'read' requests for subscription actor exceeded. Please try again "
     "after 17 seconds. Status code 429 from management.azure.com"),
    # the artifacts uploaded; App Service's deployment endpoint refused the package
    ("Uploading artifacts to coordinator... ok  id=77 responseStatus=201 Created\nThen zip deploy: POST "
     "https://app-shop.scm.azurewebsites.net/api/zipdeploy failed with 413 Request Entity Too Large"),
])
def test_the_same_tools_named_beside_an_azure_failure_stay_in_scope(text: str) -> None:
    envelope = run_engine({"error_description": text}).envelope()
    assert (envelope.get("report") or {}).get("category") != "out_of_scope"


AZCOPY_403 = ("azcopy copy fails from my laptop; I have Storage Blob Data Contributor.\nRESPONSE Status: 403 "
              "This request is not authorized to perform this operation.\nX-Ms-Error-Code: [AuthorizationFailure]")


def test_a_firewall_stated_in_environment_info_answers_without_the_firewall_question() -> None:
    """environment_info's values are the client's statements too (a common-error probe's case)."""
    said = {"storage_account": "stingest", "public_network_access": "Enabled from selected virtual networks and IP "
                                                                    "addresses"}
    envelope = run_engine({"error_description": AZCOPY_403, "context": {"environment_info": said}}).envelope()
    assert envelope["status"] == "done" and envelope["report"]["category"] == "network.storage_firewall"
    assert "selected networks" in envelope["report"]["root_cause"]


def test_an_account_open_to_all_networks_in_environment_info_states_no_firewall() -> None:
    said = {"storage_account": "stingest", "public_network_access": "Enabled from all networks"}
    envelope = run_engine({"error_description": AZCOPY_403, "context": {"environment_info": said}}).envelope()
    assert "as the material says" not in ((envelope.get("report") or {}).get("root_cause") or "")
