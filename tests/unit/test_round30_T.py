"""Round 30 (T, docs-style cases of the app platforms): a Kubernetes/Container Apps job stopped at its deadline
(exit 137 then says timeout, not memory), kubectl's own "Unable to connect to the server" against authorized IP
ranges, an identity-based connection group under a prefix close to the binding's connection name, an empty
list_app_settings read that must not pass for a check of the deployed app, Application Gateway's portal wording
for an Unknown backend health, and two look-alikes outside Azure (Amazon API Gateway's 29 s integration timeout,
Cloudflare Pages' build output directory)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import table_entry
from shared.engines.playbooks import conclude_finding, identity_group_elsewhere
from shared.engines.rules import _from_findings
from shared.engines.session_reads import FINDINGS
from shared.engines.signatures import classify
from shared.session.state import Conclude, GiveUp, Material
from tests.helpers.engine_loop import run_engine
from tests.helpers.finding_checks import extracted, finding_id, reads_state, state_with

# --- a job stopped at its deadline ----------------------------------------------------------------------------

DEADLINE = ("Nightly export job in Container Apps fails after five minutes.\n"
            "02:05:06 Job was active longer than specified deadline (Reason: DeadlineExceeded)\n"
            "02:05:08 Container 'exporter' was terminated with exit code 137")


def _first_signature(text: str) -> str:
    hits = classify(Material(error_description=text))
    return hits[0].signature.id if hits else ""


def test_a_job_past_its_deadline_is_a_timeout_although_it_exited_137() -> None:
    assert _first_signature(DEADLINE) == "runtime-job-deadline-exceeded"
    final = run_engine({"error_description": DEADLINE}).final
    assert isinstance(final, Conclude) and final.report.category == "runtime.timeout"
    assert "replicaTimeout" in final.report.root_cause


def test_exit_137_without_a_deadline_stays_a_memory_reading() -> None:
    text = "Container 'exporter' was terminated with exit code 137 after the batch grew; memory climbs to 2Gi."
    assert _first_signature(text) != "runtime-job-deadline-exceeded"


def test_a_grpc_deadline_is_no_job_deadline() -> None:
    text = "grpc._channel._InactiveRpcError: status = StatusCode.DEADLINE_EXCEEDED, details = Deadline Exceeded"
    assert all(h.signature.id != "runtime-job-deadline-exceeded" for h in classify(Material(error_description=text)))


# --- kubectl cannot reach an API server limited to authorized IP ranges ---------------------------------------

def _cluster(ranges: list[str]) -> dict[str, Any]:
    body = {"properties": {"provisioningState": "Succeeded", "powerState": {"code": "Running"},
                           "apiServerAccessProfile": {"authorizedIPRanges": ranges}}}
    return {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-claims",
            **extracted("Microsoft.ContainerService", "managedClusters", body)}


PIPELINE = ("##[section]Starting: kubectl apply\n/opt/hostedtoolcache/kubectl/1.30.2/x64/kubectl apply -f app.yaml\n"
            "Unable to connect to the server: dial tcp 20.103.61.18:443: i/o timeout\n"
            "##[error]The process failed with exit code 1")


def test_kubectls_own_words_on_another_line_reach_the_authorized_ranges() -> None:
    state = reads_state(PIPELINE, [_cluster(["203.0.113.0/24"])])
    assert finding_id(state) == "aks-api-server-authorized-ranges"


def test_a_refused_connection_or_an_open_api_server_is_not_the_ranges() -> None:
    refused = PIPELINE.replace("i/o timeout", "connect: connection refused").replace("kubectl", "tool")
    assert finding_id(reads_state(refused, [_cluster(["203.0.113.0/24"])])) != "aks-api-server-authorized-ranges"
    assert finding_id(reads_state(PIPELINE, [_cluster([])])) != "aks-api-server-authorized-ranges"


# --- an identity-based connection group under a close prefix --------------------------------------------------

@pytest.mark.parametrize(("setting", "names", "other"), [
    ("ServiceBus", ["ServiceBusConnection__fullyQualifiedNamespace"], "ServiceBusConnection__fullyQualifiedNamespace"),
    ("EventHubConnection", ["EventHub__fullyQualifiedNamespace"], "EventHub__fullyQualifiedNamespace"),
    ("BlobStore", ["Blob_Store_Conn__serviceUri"], "Blob_Store_Conn__serviceUri"),
])
def test_a_group_under_a_close_prefix_is_named(setting: str, names: list[str], other: str) -> None:
    assert identity_group_elsewhere(setting, ["FUNCTIONS_WORKER_RUNTIME", *names]).get("other") == other


@pytest.mark.parametrize(("setting", "names"), [
    ("ServiceBus", ["AzureWebJobsStorage__accountName"]),             # another connection altogether
    ("ServiceBus", ["ServiceBus__fullyQualifiedNamespace"]),           # the exact group: not elsewhere
    ("ServiceBus", ["ServiceBusConnection__clientId"]),                # no group's address setting
    ("Sb", ["SbOrders__fullyQualifiedNamespace"]),                     # too short to call close
])
def test_unrelated_or_exact_groups_stay_silent(setting: str, names: list[str]) -> None:
    assert identity_group_elsewhere(setting, names) == {}


SB_TRIGGER = ("function_app.py\n@app.service_bus_queue_trigger(arg_name=\"msg\", queue_name=\"orders\", "
              "connection=\"ServiceBus\")\nMicrosoft.Azure.WebJobs.Extensions.ServiceBus: Service Bus account "
              "connection string with name 'ServiceBus' does not exist in the settings.")


def test_the_missing_setting_finding_names_the_group_the_app_has() -> None:
    state = state_with(SB_TRIGGER, [("list_app_setting_names", {
        "names": ["FUNCTIONS_WORKER_RUNTIME", "ServiceBusConnection__fullyQualifiedNamespace"], "count": 2})])
    found = _from_findings(state)
    assert isinstance(found, Conclude) and found.report.category == "config.missing_app_setting"
    assert "ServiceBusConnection__fullyQualifiedNamespace" in found.report.root_cause
    assert any("ServiceBus__fullyQualifiedNamespace" in a for a in found.report.actions)


def test_without_a_close_group_the_finding_keeps_its_plain_words() -> None:
    report = conclude_finding(state_with(SB_TRIGGER, []), table_entry(FINDINGS, "code-setting-not-in-app"),
                              {"setting": "ServiceBus"}).report
    assert "identity-based connection under the prefix" not in report.root_cause
    assert not any("Or use the group that exists" in a or "{other" in a for a in report.actions)


def test_an_empty_settings_read_is_not_cited_as_a_check() -> None:
    final = run_engine({"error_description": SB_TRIGGER.split("\n", 2)[2]}).final
    assert isinstance(final, Conclude) and final.report.category == "config.missing_app_setting"
    assert all(e.source != "list_app_settings" for e in final.report.evidence)


# --- the portal's wording for an Unknown backend health -------------------------------------------------------

def _entries(text: str) -> list[str]:
    return [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_the_unknown_backend_health_details_name_the_gateway_ports() -> None:
    said = ("Status: Unknown. Details: Unable to retrieve health status. This can happen when a NSG/UDR/Firewall on "
            "the application gateway subnet is blocking traffic on ports 65503-65534 in case of v1 SKU")
    assert "compute-appgw-backend-health-unknown" in _entries(said)


# --- look-alikes outside Azure --------------------------------------------------------------------------------

AWS_504 = ('$ curl https://k3x9.execute-api.us-east-1.amazonaws.com/prod/reports\n'
           '{"message": "Endpoint request timed out"}\n504 29.04s')
PAGES = ("Cloudflare Pages build log:\n14:02:19.514  Validating asset output directory\n"
         "14:02:20.401  Failed: build output directory not found")


@pytest.mark.parametrize("text", [AWS_504, PAGES])
def test_outside_azure_look_alikes_are_out_of_scope(text: str) -> None:
    final = run_engine({"error_description": text}).final
    assert isinstance(final, GiveUp) and final.report is not None and final.report.category == "out_of_scope"


def test_the_same_words_without_their_platform_stay_in_azure() -> None:
    assert "other-clouds-aws-api-gateway-integration-timeout" not in _entries(
        "APIM trace: forward-request: Endpoint request timed out after 30 s calling the Function backend")
    assert "other-clouds-cloudflare-pages-build-output-directory" not in _entries(
        "Azure/static-web-apps-deploy: Failed: build output directory not found (output_location: dist)")


# --- the admin account as the pull's history, not its present ---------------------------------------------------

def _registry() -> dict[str, Any]:
    body = {"properties": {"loginServer": "crshop.azurecr.io", "adminUserEnabled": False,
                           "publicNetworkAccess": "Enabled"}}
    return {"type": "Microsoft.ContainerRegistry/registries", "name": "crshop",
            **extracted("Microsoft.ContainerRegistry", "registries", body)}


UNAUTHORIZED = ("az containerapp update --image crshop.azurecr.io/cart-api:2.3.0 fails: GET https:?scope=repository"
                "%3Acart-api%3Apull&service=crshop.azurecr.io: UNAUTHORIZED: authentication required.")
ADMIN_OFF = {"registry-admin-login-refused-admin-user-off", "registry-admin-user-disabled"}


def test_a_pull_that_moved_from_the_admin_account_to_an_identity_is_not_the_admin_user() -> None:
    said = UNAUTHORIZED + " We switched the app from admin credentials to managed identity last sprint."
    assert finding_id(reads_state(said, [_registry()])) not in ADMIN_OFF


def test_a_pull_still_with_the_admin_credentials_is() -> None:
    said = UNAUTHORIZED + " The app still pulls with the admin credentials from the Access keys blade."
    assert finding_id(reads_state(said, [_registry()])) in ADMIN_OFF
