"""The twenty-fourth round of findings, helper F (knowledge/evidence_findings.yaml): failure modes of Microsoft
troubleshooting pages no knowledge cited before - Azure Machine Learning online endpoints whose traffic reaches no
deployment (404) or whose deployment's request timeout is shorter than scoring takes (408), a Free-tier search
service asked for a shared private link, and a shared private link whose target is locked (delete ends in
Conflict). Each fires on recorded-like reads with the symptom it explains and stays silent for its near miss and
for an unrelated report; the fields they read are taken from ARM bodies, and the playbook reads them."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.engines.playbooks import investigate
from shared.models import Options
from shared.session.state import Evidence, Material, RunTool, SessionState
from tests.helpers.clue_checks import concludes as _concludes
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)
from tests.helpers.finding_checks import extracted as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ml/providers"
WORKSPACE = f"{SUB}/Microsoft.MachineLearningServices/workspaces/mlw-churn"

ENDPOINT = {"type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints", "name": "churn-ep",
            "authMode": "Key", "traffic": {"green": 0}, "provisioningState": "Succeeded"}
DEPLOYMENTS = {"type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments", "name": None,
               "ids": [f"{WORKSPACE}/onlineEndpoints/churn-ep/deployments/green"],
               "requestTimeouts": ["PT5S"], "maxConcurrentRequests": [1]}
SEARCH = {"type": "Microsoft.Search/searchServices", "name": "srch-dev", "sku": "free", "status": "running",
          "publicNetworkAccess": "Enabled"}
LOCKS = {"type": "Microsoft.Authorization/locks", "name": None, "levels": ["ReadOnly"], "lockNames": ["frozen"]}

CASES = [
    Case("aml-online-endpoint-traffic-to-no-deployment", "config.missing_app_setting", "traffic", [ENDPOINT],
         "Calling https://churn-ep.westeurope.inference.ml.azure.com/score fails: 404 Client Error: Not Found.",
         near_reads=[{**ENDPOINT, "traffic": {"green": 100}}]),
    Case("aml-online-deployment-request-timeout", "runtime.timeout", "request_timeout_ms", [DEPLOYMENTS],
         "Long documents get HTTP/1.1 408 Request Timeout from the endpoint after about five seconds.",
         near_report="Long documents get HTTP/1.1 502 Bad Gateway from the endpoint."),
    Case("search-free-tier-without-shared-private-link", "quota.sku_not_available", "free", [SEARCH],
         "az search shared-private-link-resource create for our storage account fails: (BadRequest) The request "
         "is invalid.", near_reads=[{**SEARCH, "sku": "basic"}]),
    Case("search-shared-private-link-target-locked", "deployment.resource_locked", "lock", [LOCKS],
         "Deleting the shared private link spl-cosmos of the search service fails with (Conflict) every time.",
         near_reads=[{**LOCKS, "levels": [], "lockNames": []}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_an_endpoint_without_any_traffic_entry_counts_as_routing_nowhere() -> None:
    report = "Invoking the endpoint answers 404 Not Found since the release."
    state = reads_state(report, [{**ENDPOINT, "traffic": {}}])
    assert finding_id(state) == "aml-online-endpoint-traffic-to-no-deployment"


def test_a_split_with_one_positive_weight_is_no_routing_verdict() -> None:
    report = "Invoking the endpoint answers 404 Not Found since the release."
    state = reads_state(report, [{**ENDPOINT, "traffic": {"blue": 0, "green": 10}}])
    assert finding_id(state) != "aml-online-endpoint-traffic-to-no-deployment"


def test_creating_a_shared_private_link_to_a_locked_target_is_not_called_a_delete_conflict() -> None:
    report = "Creating the shared private link to our Cosmos account stays Failed with Conflict."
    assert finding_id(reads_state(report, [LOCKS])) != "search-shared-private-link-target-locked"



def test_an_online_endpoint_traffic_is_read() -> None:
    body = {"kind": "Managed", "properties": {"authMode": "Key", "traffic": {"blue": 0, "green": 100},
                                              "provisioningState": "Succeeded", "publicNetworkAccess": "Enabled"}}
    data = _fields("Microsoft.MachineLearningServices", "workspaces/onlineEndpoints", body)
    assert data["traffic"] == {"blue": 0, "green": 100}
    assert data["authMode"] == "Key"


def test_the_online_endpoints_collection_gives_the_ids_to_read() -> None:
    body = {"value": [{"id": f"{WORKSPACE}/onlineEndpoints/churn-ep", "properties": {"traffic": {}}}]}
    data = _fields("Microsoft.MachineLearningServices", "workspaces/onlineEndpoints", body)
    assert data["ids"] == [f"{WORKSPACE}/onlineEndpoints/churn-ep"]


def test_online_deployments_request_settings_are_read() -> None:
    body = {"value": [{"id": f"{WORKSPACE}/onlineEndpoints/churn-ep/deployments/blue", "name": "blue",
                       "sku": {"name": "Default", "capacity": 2},
                       "properties": {"instanceType": "Standard_DS3_v2", "provisioningState": "Succeeded",
                                      "requestSettings": {"requestTimeout": "PT5S",
                                                          "maxConcurrentRequestsPerInstance": 1}}}]}
    data = _fields("Microsoft.MachineLearningServices", "workspaces/onlineEndpoints/deployments", body)
    assert data["requestTimeouts"] == ["PT5S"]
    assert data["maxConcurrentRequests"] == [1]
    assert data["deployments"][0]["name"] == "blue"


def test_search_shared_private_link_targets_are_read() -> None:
    target = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/cosmos"
    body = {"sku": {"name": "standard"}, "properties": {"sharedPrivateLinkResources": [
        {"name": "spl", "properties": {"privateLinkResourceId": target, "groupId": "Sql", "status": "Approved",
                                       "provisioningState": "Succeeded"}}]}}
    data = _fields("Microsoft.Search", "searchServices", body)
    assert data["sharedPrivateLinks"][0]["privateLinkResourceId"] == target


def test_management_lock_levels_are_read() -> None:
    body = {"value": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/locks/frozen",
                       "name": "frozen", "properties": {"level": "ReadOnly", "notes": "change board"}}]}
    data = _fields("Microsoft.Authorization", "locks", body)
    assert data["levels"] == ["ReadOnly"]
    assert data["lockNames"] == ["frozen"]


def _reads_of(report: str) -> list[str]:
    """The reads the playbook makes for a report about the workspace (named by its id); the endpoint collection
    answers one endpoint, every other read an empty success."""
    state = SessionState(trace_id="r" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=f"{report} ({WORKSPACE})"))
    read: list[str] = []
    while len(read) < 30 and isinstance(step := investigate(state), RunTool):
        target = str(step.arguments.get("resource_id") or "")
        read.append(f"{step.tool}:{target}")
        data: dict[str, Any] = {}
        if step.tool == "get_resource":
            data = {"type": "/".join(target.split("/providers/")[-1].split("/")[:2])}
            if target.endswith("/onlineEndpoints"):
                data["ids"] = [f"{WORKSPACE}/onlineEndpoints/churn-ep"]
        state.add_evidence(Evidence(tool=step.tool, arguments=step.arguments, status="success", summary="read",
                                    data=data))
    return read


def test_the_workspace_playbook_reads_endpoints_and_deployments_for_a_scoring_failure() -> None:
    read = _reads_of("Scoring the online endpoint answers 408 Request Timeout")
    assert f"get_resource:{WORKSPACE}/onlineEndpoints/churn-ep" in read
    assert f"get_resource:{WORKSPACE}/onlineEndpoints/churn-ep/deployments" in read


def test_the_workspace_playbook_leaves_endpoints_alone_for_other_failures() -> None:
    read = _reads_of("The compute instance of the workspace does not start")
    assert not any("/onlineEndpoints" in r for r in read)


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


IP_FILTER_POLICY = '<inbound><ip-filter action="forbid"><address-range from="0.0.0.0" to="255.255.255.255" />' \
                   '</ip-filter><base /></inbound>'


def test_an_apim_403_with_an_ip_filter_in_the_effective_policy_is_the_policy() -> None:
    report = f"GetPosts through APIM answers 403 Forbidden. Effective policy: {IP_FILTER_POLICY}"
    assert _clue(report) == "apim-ip-filter-policy-refuses-caller"
    assert _concludes(report, "network.nsg_blocked")
    assert _clue(f"GetPosts through APIM answers 200 but slowly. Effective policy: {IP_FILTER_POLICY}"
                 ) != "apim-ip-filter-policy-refuses-caller"


def test_an_empty_apim_response_with_an_empty_backend_section_is_the_missing_forward_request() -> None:
    report = ("GetHeaders in APIM returns a blank response. Operation policy: <policies><inbound><base /></inbound>"
              "<backend></backend><outbound><base /></outbound></policies>")
    assert _clue(report) == "apim-backend-section-without-forward-request"
    assert _concludes(report, "runtime.code_defect")
    assert _clue(report.replace("<backend></backend>", "<backend><base /></backend>")
                 ) != "apim-backend-section-without-forward-request"


@pytest.mark.parametrize(("text", "entry"), [
    ("az ml online-endpoint invoke: (UserError) No valid deployments to route to. Please check that the endpoint has "
     "at least one deployment with positive weight values", "openai-aml-no-valid-deployments-to-route-to"),
    ("POST https://vision-ep.swedencentral.inference.ml.azure.com/score: HTTP/1.1 429 Too many pending requests",
     "openai-aml-too-many-pending-requests"),
    ("(BadArgument) Startup task failed due to authorization error. Please see troubleshooting guide",
     "openai-aml-startup-task-authorization-error"),
    ('APIM answers 429 {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 5 seconds."}',
     "integration-apim-rate-limit-policy-exceeded"),
    ("EventGridPublisherClient.SendEvents: Status: 413 (Payload Too Large)", "integration-eventgrid-event-too-large"),
])
def test_the_round_24_f_catalog_entries_name_their_error(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry


@pytest.mark.parametrize(("text", "entry"), [
    ("Our job queue API says: Too many pending requests", "openai-aml-too-many-pending-requests"),
    ("nginx in front of our shop answers 413 Payload Too Large for big uploads",
     "integration-eventgrid-event-too-large"),
])
def test_the_round_24_f_catalog_entries_need_their_service(text: str, entry: str) -> None:
    assert entry not in [h.entry.id for h in catalog_index().hits([(text, "error")])]
