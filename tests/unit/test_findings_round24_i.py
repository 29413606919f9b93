"""Round 24 i of the findings (knowledge/evidence_findings.yaml, symptom_clues.yaml, catalog, api_versions.yaml and
playbooks.yaml): Azure Monitor alerts - a metric alert rule that never resolves its alerts (autoMitigate false), an
action group email receiver that unsubscribed, an alert processing rule that removes every action group, Dynamic
Thresholds that are not active yet, an Azure Resource Manager role receiver below the subscription scope, the legacy
log profile behind a fifth diagnostic setting and a custom metric not emitted yet - and a Key Vault firewall that does
not let trusted services through. Each fires on its symptom and stays silent for its near miss; the new api_versions
fields are read from the resource, and the metric alert playbook reads the group's processing rules and action groups
when notifications are missing."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.engines.playbooks import investigate
from shared.models import Options
from shared.session.state import Evidence, Material, RunTool, SessionState
from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    finding_report,
    reads_state,
)
from tests.helpers.finding_checks import kept_fields as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops/providers"

METRIC_ALERT = {"type": "Microsoft.Insights/metricAlerts", "name": "alert-api-5xx", "enabled": True,
                "autoMitigate": False, "scopes": [f"{SUB}/Microsoft.Web/sites/app-api"]}
ACTION_GROUP = {"type": "Microsoft.Insights/actionGroups", "name": "ag-dba", "enabled": True,
                "emailReceiverNames": ["dba-list", "lead"], "emailReceiverStatuses": ["Disabled", "Enabled"]}
PROCESSING_RULE = {"type": "Microsoft.AlertsManagement/actionRules", "name": "apr-patching", "enabled": True,
                   "scopes": ["/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops"],
                   "actionTypes": ["RemoveAllActionGroups"], "scheduleFrom": "2026-11-20T22:00:00"}
VAULT = {"type": "Microsoft.KeyVault/vaults", "name": "kv-deploy", "enabledForTemplateDeployment": True,
         "networkAcls": {"defaultAction": "Deny", "bypass": "None", "ipRules": ["198.51.100.24/32"]}}

CASES = [
    Case("metric-alert-auto-mitigate-off", "config.missing_app_setting", "autoMitigate", [METRIC_ALERT],
         "The 5xx alert keeps firing every minute and none of its fired alerts is ever resolved.",
         near_reads=[{**METRIC_ALERT, "autoMitigate": True}]),
    Case("action-group-email-receiver-unsubscribed", "config.missing_app_setting", "dba-list", [ACTION_GROUP],
         "The DTU alert fires in the portal but the DBA list gets no emails any more; the lead still gets them.",
         near_reads=[{**ACTION_GROUP, "emailReceiverStatuses": ["Enabled", "Enabled"]}]),
    Case("alert-processing-rule-removes-action-groups", "config.missing_app_setting", "RemoveAllActionGroups",
         [PROCESSING_RULE],
         "The CPU alert fired on Tuesday (it is in Monitor > Alerts) but no email or SMS went out to anyone.",
         near_reads=[{**PROCESSING_RULE, "enabled": False}]),
    Case("keyvault-firewall-without-trusted-services-bypass", "network.nsg_blocked", "bypass", [VAULT],
         "The Bicep deployment fails with KeyVaultParameterReferenceSecretRetrieveFailed for the SQL admin password.",
         near_reads=[{**VAULT, "networkAcls": {**VAULT["networkAcls"], "bypass": "AzureServices"}}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_vault_open_to_all_networks_is_not_blamed_on_its_bypass() -> None:
    report = "The Bicep deployment fails with KeyVaultParameterReferenceSecretRetrieveFailed."
    open_vault = {**VAULT, "networkAcls": {"defaultAction": "Allow", "bypass": "None"}}
    assert finding_id(reads_state(report, [open_vault])) != "keyvault-firewall-without-trusted-services-bypass"


def test_an_app_service_key_vault_reference_is_not_a_trusted_service() -> None:
    report = "The app setting's @Microsoft.KeyVault reference shows AccessToKeyVaultDenied since the firewall change."
    assert finding_id(reads_state(report, [VAULT])) != "keyvault-firewall-without-trusted-services-bypass"


def test_the_processing_rule_names_its_scope_and_start() -> None:
    report = "Alerts fire in the portal but no notifications are sent since the patch night."
    root = finding_report(reads_state(report, [PROCESSING_RULE])).root_cause
    assert "rg-ops" in root and "2026-11-20T22:00:00" in root and "until" not in root


def test_an_alert_that_resolves_but_fires_often_is_not_auto_mitigate() -> None:
    assert finding_id(reads_state("The alert rule was deleted by mistake.", [METRIC_ALERT])) \
        != "metric-alert-auto-mitigate-off"


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_a_new_dynamic_threshold_rule_that_stays_silent_is_still_learning() -> None:
    report = ("We switched the latency alert to Dynamic Thresholds yesterday afternoon and this morning's spike did "
              "not fire it.")
    assert _clue(report) == "metric-alert-dynamic-thresholds-not-active-yet"
    assert _clue(report.replace("yesterday afternoon", "in March")) != "metric-alert-dynamic-thresholds-not-active-yet"


def test_an_arm_role_receiver_misses_resource_group_owners() -> None:
    report = ("The action group uses Email Azure Resource Manager Role -> Owner. The three are Owner on the resource "
              "group rg-pay, but nobody gets an email when the alert fires.")
    assert _clue(report) == "action-group-arm-role-email-below-subscription-scope"
    assert _clue(report.replace("Email Azure Resource Manager Role", "an email action")) \
        != "action-group-arm-role-email-below-subscription-scope"


def test_a_fifth_activity_log_setting_refused_with_four_listed_is_the_log_profile() -> None:
    report = ("Adding a diagnostic setting for the subscription activity log fails: the maximum of 5 is reached, but "
              "the list shows only four.")
    assert _clue(report) == "activity-log-diagnostic-setting-limit-legacy-log-profile"
    assert _clue(report.replace("the list shows only four", "we have five")) \
        != "activity-log-diagnostic-setting-limit-legacy-log-profile"


@pytest.mark.parametrize(("text", "entry"), [
    ('Deploying the alert rule failed: {"code":"BadRequest","message":"Metric not found: OrdersQueued. Please check '
     'the metric name and namespace."}', "integration-monitor-metric-alert-metric-not-found"),
    ("ErrorCode: KeyVaultEncryptionKeyNotFound. The key vault key is not found to unwrap the encryption key. The "
     "vault's firewall was set to selected networks yesterday.", "storage-cmk-vault-firewall"),
    ("ErrorCode: KeyVaultEncryptionKeyNotFound. The key vault key is not found to unwrap the encryption key.",
     "storage-cmk-key-not-found"),
])
def test_the_round_24_i_entry_ranks_first(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry, [h.entry.id for h in hits[:3]]



@pytest.mark.parametrize(("resource_type", "body", "expected"), [
    ("Microsoft.Insights/metricAlerts",
     {"properties": {"enabled": True, "autoMitigate": False, "scopes": ["/s/x"], "severity": 1,
                     "evaluationFrequency": "PT1M", "windowSize": "PT5M", "provisioningState": "Succeeded",
                     "actions": [{"actionGroupId": "/s/ag"}],
                     "criteria": {"allOf": [{"metricName": "Http5xx", "operator": "GreaterThan", "threshold": 10}]}}},
     {"enabled": True, "autoMitigate": False, "scopes": ["/s/x"], "severity": 1, "actionGroupIds": ["/s/ag"],
      "evaluationFrequency": "PT1M", "windowSize": "PT5M", "provisioningState": "Succeeded",
      "criteria": [{"metricName": "Http5xx", "operator": "GreaterThan", "threshold": 10}]}),
    ("Microsoft.Insights/actionGroups",
     {"properties": {"enabled": True, "emailReceivers": [{"name": "a", "emailAddress": "a@x", "status": "Disabled"}],
                     "smsReceivers": [{"name": "p", "status": "Enabled"}],
                     "armRoleReceivers": [{"name": "owners", "roleId": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"}]}},
     {"enabled": True, "emailReceiverNames": ["a"], "emailReceiverStatuses": ["Disabled"],
      "smsReceiverStatuses": ["Enabled"],
      "armRoleReceivers": [{"name": "owners", "roleId": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"}]}),
    ("Microsoft.AlertsManagement/actionRules",
     {"properties": {"enabled": True, "scopes": ["/s/rg"], "actions": [{"actionType": "RemoveAllActionGroups"}],
                     "conditions": [{"field": "Severity", "operator": "Equals", "values": ["Sev0"]}],
                     "schedule": {"effectiveFrom": "2026-11-20T22:00:00", "effectiveUntil": "2026-11-21T06:00:00"}}},
     {"enabled": True, "scopes": ["/s/rg"], "actionTypes": ["RemoveAllActionGroups"],
      "conditions": [{"field": "Severity", "operator": "Equals", "values": ["Sev0"]}],
      "scheduleFrom": "2026-11-20T22:00:00", "scheduleUntil": "2026-11-21T06:00:00"}),
])
def test_the_round_24_i_fields_are_read_from_the_resource(resource_type: str, body: dict[str, Any],
                                                          expected: dict[str, Any]) -> None:
    extracted = extract_fields(body, _fields(resource_type))
    assert {key: extracted.get(key) for key in expected} == expected


def _reads_of(resource_id: str, report: str) -> list[str]:
    state = SessionState(trace_id="r" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=f"{report} ({resource_id})"))
    read: list[str] = []
    while len(read) < 20 and isinstance(step := investigate(state), RunTool):
        read.append(step.tool + ":" + str(step.arguments.get("resource_id") or step.arguments.get("types") or ""))
        data: dict[str, Any] = ({"type": "Microsoft.Insights/metricAlerts", "name": "alert-api-5xx"}
                                if step.arguments.get("resource_id") == resource_id else {})
        state.add_evidence(Evidence(tool=step.tool, arguments=step.arguments, status="success", summary="read",
                                    data=data))
    return read


def test_the_metric_alert_playbook_reads_processing_rules_when_no_one_is_notified() -> None:
    rule = f"{SUB}/Microsoft.Insights/metricAlerts/alert-api-5xx"
    silent = _reads_of(rule, "The alert fired but no email was sent")
    assert silent[0] == f"get_resource:{rule}"
    assert len(silent) > len(_reads_of(rule, "The alert rule shows a wrong threshold"))
