"""Round 24 h: failure modes of Microsoft troubleshooting pages for App Service, Azure Functions (Durable included),
Container Apps and Static Web Apps that no knowledge cited (tests/scenarios/cov18h). Findings: a container app whose
health probes call a path the app answers with 404, a Windows function app whose 32-bit worker refuses newer Node.js
versions (trigger sync Bad Request), Durable orchestrations left Pending by a 32-bit worker out of memory, Python
functions on a Windows function app. Catalog: the Functions host's `dotnet exited with code 150` (the .NET host's
framework-missing exit). Each fires on its symptom and stays silent for its near miss; the new api_versions field is
read from the resource."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, finding_id, reads_state
from tests.helpers.finding_checks import kept_fields as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."

CONTAINER_APP = {"type": "Microsoft.App/containerApps", "name": "ca-catalog-api",
                 "probePaths": [["/healthz/ready", "/healthz/live"]],
                 "ingress": {"external": True, "targetPort": 8080}}
FUNCTION_APP = {"type": "Microsoft.Web/sites", "name": "func-orders", "kind": "functionapp",
                "siteConfig": {"netFrameworkVersion": "v8.0"}}
CONFIG_32 = {"type": "Microsoft.Web/sites/config", "name": "web", "use32BitWorkerProcess": True,
             "netFrameworkVersion": "v8.0"}
CONFIG_64 = {**CONFIG_32, "use32BitWorkerProcess": False}
LINUX_APP = {**FUNCTION_APP, "kind": "functionapp,linux", "siteConfig": {"linuxFxVersion": "Python|3.11"}}

PROBE_404 = ("Revision 3.2.0 stays Degraded, 0/1 replicas ready. System log: ProbeFailed Probe of Readiness failed "
             "with status code: 404")
NODE_SYNC = ("Since we moved the app from Node 18 to Node 22 every deployment ends with: Syncing triggers... Error: "
             "Failed to sync triggers for function app. Operation returned an invalid status code 'BadRequest'")
PENDING = ("Our Durable orchestrations stay in runtimeStatus Pending for hours; the worker sits at 1.9 GB private "
           "bytes and then recycles.")
PYTHON = ("Our Python 3.11 functions deploy fine but the host logs 'No job functions found'; function_app.py is at "
          "the root.")

CASES = [
    Case("container-app-probe-path-answers-404", "config.wrong_resource_name", "/healthz/ready", [CONTAINER_APP],
         PROBE_404,
         near_report="Revision 3.2.0 stays Degraded, 0/1 replicas ready. System log: ProbeFailed Probe of "
                     "Readiness failed: connection refused"),
    Case("function-app-32-bit-worker-newer-node-trigger-sync", "functions.host_misconfigured",
         "use32BitWorkerProcess", [FUNCTION_APP, CONFIG_32], NODE_SYNC, near_reads=[FUNCTION_APP, CONFIG_64]),
    Case("durable-orchestrations-pending-32-bit-worker", "runtime.out_of_memory", "use32BitWorkerProcess",
         [FUNCTION_APP, CONFIG_32], PENDING, near_reads=[FUNCTION_APP, CONFIG_64]),
    Case("python-function-app-on-windows", "functions.host_misconfigured", "functionapp,linux", [FUNCTION_APP],
         PYTHON, near_reads=[LINUX_APP]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_32_bit_worker_on_linux_is_never_blamed() -> None:
    linux = {**FUNCTION_APP, "kind": "functionapp,linux"}
    for report in (NODE_SYNC, PENDING):
        assert finding_id(reads_state(report, [linux, CONFIG_32])) not in {
            "function-app-32-bit-worker-newer-node-trigger-sync", "durable-orchestrations-pending-32-bit-worker"}


def test_pending_orchestrations_without_a_memory_sign_are_not_blamed_on_the_worker() -> None:
    report = "Our Durable orchestrations stay in runtimeStatus Pending for hours after we renamed the task hub."
    assert finding_id(reads_state(report, [FUNCTION_APP, CONFIG_32])) != "durable-orchestrations-pending-32-bit-worker"


def test_a_windows_app_whose_config_names_a_linux_stack_is_not_called_windows() -> None:
    config = {"type": "Microsoft.Web/sites/config", "name": "web", "linuxFxVersion": "PYTHON|3.11"}
    assert finding_id(reads_state(PYTHON, [FUNCTION_APP, config])) != "python-function-app-on-windows"


def test_a_dotnet_function_app_on_windows_is_not_blamed_for_python() -> None:
    report = "Our C# functions deploy fine but the host logs 'No job functions found'."
    assert finding_id(reads_state(report, [FUNCTION_APP])) != "python-function-app-on-windows"


@pytest.mark.parametrize(("text", "entry"), [
    ("Failed to start language worker process for runtime: dotnet-isolated. "
     "Microsoft.Azure.WebJobs.Script.Grpc: dotnet exited with code 150 (0x96). "
     "You must install or update .NET to run this application.", "functions-isolated-worker-dotnet-framework-missing"),
])
def test_the_round_24_h_entry_ranks_first(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry



@pytest.mark.parametrize(("resource_type", "body", "expected"), [
    ("Microsoft.App/containerApps",
     {"properties": {"template": {"containers": [{"name": "api", "probes": [
         {"type": "Readiness", "httpGet": {"path": "/healthz/ready", "port": 8080}},
         {"type": "Liveness", "tcpSocket": {"port": 8080}}]}]}}},
     {"probePaths": [["/healthz/ready"]]}),
])
def test_the_round_24_h_fields_are_read_from_the_resource(resource_type: str, body: dict[str, Any],
                                                          expected: dict[str, Any]) -> None:
    extracted = extract_fields(body, _fields(resource_type))
    assert {key: extracted.get(key) for key in expected} == expected
