"""The twenty-fifth round of findings, helper A (knowledge/evidence_findings.yaml): Azure Managed Grafana pages no
knowledge cited before - a workspace without a managed identity whose Azure Monitor data source cannot get a token,
a workspace with public network access turned off refusing users outside its private endpoint, and a workspace
with API keys and service accounts turned off. Each fires on recorded-like reads with the symptom it explains and
stays silent for its near miss; the new api_versions fields (and the Grafana playbook) read a realistic body."""

from __future__ import annotations

from typing import Any

from shared.engines.analyzers.common import table
from shared.engines.clues import clue_in
from shared.engines.playbooks import PLAYBOOKS
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    extracted,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops/providers"

GRAFANA = {"id": f"{SUB}/Microsoft.Dashboard/grafana/graf-ops", "type": "Microsoft.Dashboard/grafana",
           "name": "graf-ops", "identityType": "SystemAssigned", "publicNetworkAccess": "Enabled",
           "apiKey": "Enabled", "grafanaVersion": "11.6.1"}

CASES = [
    Case("grafana-azure-data-source-without-managed-identity", "auth.managed_identity_missing", "identity",
         [{**GRAFANA, "identityType": "None"}],
         "Every panel on the Azure Monitor data source is empty; Save & test fails: failed to get access token "
         "for the managed identity.",
         near_reads=[GRAFANA]),
    Case("grafana-public-network-access-disabled", "network.nsg_blocked", "publicNetworkAccess",
         [{**GRAFANA, "publicNetworkAccess": "Disabled"}],
         "Since this morning nobody can open our Grafana dashboards from the office: 403 Forbidden after sign-in.",
         near_reads=[GRAFANA]),
    Case("grafana-api-keys-and-service-accounts-disabled", "config.missing_app_setting", "apiKey",
         [{**GRAFANA, "apiKey": "Disabled"}],
         "`az grafana service-account create --name graf-ops --service-account ci --role Editor` fails in the "
         "pipeline.",
         near_reads=[GRAFANA]),
    Case("grafana-essential-tier-without-alerting", "quota.sku_not_available", "Essential",
         [{**GRAFANA, "skuName": "Essential"}],
         "Saving a Grafana alert rule for the checkout VMs fails and there is no way to add a contact point.",
         near_reads=[{**GRAFANA, "skuName": "Standard"}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_grafana_workspace_without_identity_is_no_verdict_for_a_prometheus_scrape_gap() -> None:
    report = "Our Prometheus data source panels show gaps every night between 02:00 and 03:00."
    state = reads_state(report, [{**GRAFANA, "identityType": "None"}])
    assert finding_id(state) != "grafana-azure-data-source-without-managed-identity"


def test_the_grafana_fields_are_read_from_the_resource() -> None:
    body: dict[str, Any] = {"identity": {"type": "None"}, "sku": {"name": "Standard"}, "properties": {
        "provisioningState": "Succeeded", "grafanaVersion": "11.6.1", "publicNetworkAccess": "Disabled",
        "apiKey": "Disabled", "endpoint": "https://graf-ops-abcd.weu.grafana.azure.com"}}
    data = extracted("Microsoft.Dashboard", "grafana", body)
    assert data["identityType"] == "None"
    assert data["skuName"] == "Standard"
    assert data["publicNetworkAccess"] == "Disabled"
    assert data["apiKey"] == "Disabled"
    assert data["grafanaVersion"] == "11.6.1"


def test_a_grafana_workspace_has_a_playbook_that_reads_it() -> None:
    rows = [p for p in table(PLAYBOOKS) if p["type"] == "Microsoft.Dashboard/grafana"]
    assert len(rows) == 1 and rows[0]["source"].startswith("MicrosoftDocs/")
    assert rows[0]["steps"][0]["tool"] == "get_resource"


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_grafana_panels_on_one_data_explorer_cluster_failing_with_5xx_are_throttling() -> None:
    report = ("Our Azure Managed Grafana dashboard has 28 panels on the same Azure Data Explorer cluster; a third of "
              "them fail with 502 Bad Gateway or 504 on every load.")
    assert _clue(report) == "grafana-adx-panels-throttled"
    assert _clue("Our Grafana dashboard on Azure Data Explorer shows no data for yesterday.") \
        != "grafana-adx-panels-throttled"
