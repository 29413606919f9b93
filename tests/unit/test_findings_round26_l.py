"""Round 26 l (Azure Monitor, round 2): the Azure Monitor Agent on a VM without a managed identity and the Python
OpenTelemetry distro's duplicate traces in Functions (findings), the VM's identity type that get_resource keeps, and
the clues and catalog entries of the Java agent, the agent's control endpoints, the Python distro, AKS
autoinstrumentation and the Log Analytics ingestion rate. Each fires on its symptom and stays silent for its near
miss."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, check_case_stays_silent, extracted

UNRELATED = "The nightly export job writes an empty CSV since Monday."

VM = {"type": "Microsoft.Compute/virtualMachines", "name": "vm-syslog-01", "osType": "Linux",
      "extensionTypes": ["AzureMonitorLinuxAgent"], "identityType": None}
FUNCTION_APP = {"type": "Microsoft.Web/sites", "name": "func-billing", "kind": "functionapp,linux"}
SETTINGS = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage", "APPLICATIONINSIGHTS_CONNECTION_STRING"]

CASES = [
    Case("ama-vm-without-managed-identity", "auth.managed_identity_missing", "managed identity", [VM],
         "The Azure Monitor Agent extension succeeded but Heartbeat returns no rows for vm-syslog-01.",
         near_reads=[{**VM, "identityType": "SystemAssigned"}]),
    Case("functions-python-distro-duplicate-traces", "config.missing_app_setting", "OTEL_LOGS_EXPORTER",
         [FUNCTION_APP], "Since we call configure_azure_monitor() every logging.info message appears twice in traces.",
         names=SETTINGS, near_names=[*SETTINGS, "OTEL_LOGS_EXPORTER"]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_the_agent_finding_needs_the_agent_extension() -> None:
    other = Case("ama-vm-without-managed-identity", "auth.managed_identity_missing", "managed identity",
                 [{**VM, "extensionTypes": ["CustomScript"]}],
                 "The Azure Monitor Agent extension succeeded but Heartbeat returns no rows.")
    check_case_stays_silent(other, UNRELATED)


def test_get_resource_keeps_a_vms_identity_type() -> None:
    body = {"name": "vm-a", "type": "Microsoft.Compute/virtualMachines", "identity": {"type": "SystemAssigned"},
            "properties": {"storageProfile": {"osDisk": {"osType": "Linux"}}}}
    assert extracted("Microsoft.Compute", "virtualMachines", body)["identityType"] == "SystemAssigned"
    assert not extracted("Microsoft.Compute", "virtualMachines", {**body, "identity": None}).get("identityType")


@pytest.mark.parametrize(("text", "clue"), [
    ("AMA log: request to https://global.handler.control.monitor.azure.com/locations/westeurope failed: ETIMEDOUT",
     "ama-control-endpoint-unreachable"),
    ("Our FastAPI app uses azure-monitor-opentelemetry; dependencies arrive but the requests table stays empty.",
     "python-distro-web-framework-imported-before-configure"),
    ("Timer function with azure-monitor-opentelemetry: customMetrics show each run 12 times after an hour, "
     "back to 1 after a restart.", "python-distro-configured-on-every-function-run"),
    ("AKS autoinstrumentation: after a restart the deployment still has no monitor.azure.com/instrumentation "
     "annotation.", "aks-autoinstrumentation-annotation-missing"),
])
def test_a_round_26_l_clue_reads_its_symptom(text: str, clue: str) -> None:
    found = clue_in([text])
    assert found is not None and found["id"] == clue


@pytest.mark.parametrize(("text", "clue"), [
    ("curl https://global.handler.control.monitor.azure.com answers 200 from the VM.",
     "ama-control-endpoint-unreachable"),
    ("Our FastAPI app uses azure-monitor-opentelemetry and requests arrive fine, but logs are missing.",
     "python-distro-web-framework-imported-before-configure"),
    ("FastAPI with azure-monitor-opentelemetry: since yesterday no requests or traces show up; the exporter logs "
     "Exporting failed with status code 400.", "python-distro-web-framework-imported-before-configure"),
    ("The deployment has the monitor.azure.com/instrumentation annotation but telemetry is missing on AKS "
     "with autoinstrumentation.", "aks-autoinstrumentation-annotation-missing"),
])
def test_a_round_26_l_clue_stays_silent_for_its_near_miss(text: str, clue: str) -> None:
    found = clue_in([text])
    assert found is None or found["id"] != clue


@pytest.mark.parametrize(("text", "entry"), [
    ("Error opening zip file or JAR manifest missing : /opt/agents/applicationinsights-agent-3.5.4.jar",
     "integration-java-agent-jar-not-found"),
    ("Detail: The rate of data crossed the threshold defined for the workspace. Some data was dropped.",
     "integration-log-analytics-ingestion-rate-threshold"),
])
def test_a_round_26_l_catalog_entry_reads_its_message(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry, [h.entry.id for h in hits[:3]]
