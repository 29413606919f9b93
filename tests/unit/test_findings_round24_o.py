"""Round 24 o (Virtual Machines, scale sets, Azure Backup, Site Recovery, Azure Automation): the Automation account
without a managed identity behind a runbook's Connect-AzAccount -Identity, the Hybrid Runbook Worker blocked from
*.azure-automation.net, and the catalog entries for Azure Backup, Site Recovery and Flexible scale set errors. Each
finding fires on recorded-like reads with the symptom it explains and stays silent for its near miss; the new
api_versions field is taken from a realistic Resource Manager body; each catalog entry ranks first for its error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.catalog.index import catalog_index
from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, finding_id, reads_state
from tests.helpers.finding_checks import kept_fields as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops/providers"
ACCOUNT = {"type": "Microsoft.Automation/AutomationAccounts", "name": "aa-ops", "sku": "Basic", "state": "Ok",
           "publicNetworkAccess": True}
SIGN_IN = ("Runbook Stop-DevVMs fails on its first line: Connect-AzAccount -Identity : An error occurred while "
           "sending the request. HttpRequestException")

CASES = [
    Case("automation-account-without-managed-identity", "auth.managed_identity_missing", "no managed identity",
         [ACCOUNT], SIGN_IN, near_reads=[{**ACCOUNT, "identityType": "SystemAssigned"}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_an_identity_type_of_none_counts_as_no_identity() -> None:
    state = reads_state(SIGN_IN, [{**ACCOUNT, "identityType": "None"}])
    assert finding_id(state) == "automation-account-without-managed-identity"


def test_another_resource_type_without_identity_is_not_an_automation_account() -> None:
    state = reads_state(SIGN_IN, [{**ACCOUNT, "type": "Microsoft.Web/sites"}])
    assert finding_id(state) != "automation-account-without-managed-identity"



@pytest.mark.parametrize(("body", "expected"), [
    ({"identity": {"type": "SystemAssigned, UserAssigned", "principalId": "p1", "tenantId": "t1"},
      "properties": {"sku": {"name": "Basic"}, "state": "Ok"}}, "SystemAssigned, UserAssigned"),
    ({"properties": {"sku": {"name": "Basic"}, "state": "Ok"}}, None),
])
def test_the_automation_account_identity_type_is_read(body: dict[str, Any], expected: str | None) -> None:
    extracted = extract_fields(body, _fields("Microsoft.Automation/automationAccounts"))
    assert extracted.get("identityType") == expected


@pytest.mark.parametrize(("text", "entry"), [
    ("ExtensionFailedSnapshotLimitReachedError - Snapshot operation failed as snapshot limit is exceeded for some of "
     "the disks attached", "compute-backup-snapshot-limit-reached"),
    ("UserErrorBCMPremiumStorageQuotaError: Could not copy the snapshot of the virtual machine, due to insufficient "
     "free space in the storage account", "compute-backup-premium-storage-quota"),
    ("ExtensionSnapshotFailedNoNetwork - Snapshot operation failed due to no network connectivity on the virtual "
     "machine", "compute-backup-snapshot-no-network"),
    ("Error code: 400094, BCMV2VMNotFound. The virtual machine doesn't exist", "compute-backup-protected-vm-not-found"),
    ("UserErrorRpCollectionLimitReached - The Restore Point collection max limit has reached.",
     "compute-backup-restore-point-collection-limit"),
    ("Error ID: 150097 Error Message: Replication couldn't be enabled for the virtual machine vm-01.",
     "compute-site-recovery-target-quota-150097"),
    ("Error 151195: Failed to register Azure virtual machine with Site Recovery.",
     "compute-site-recovery-register-outbound-blocked"),
    ('Request Failed with Status: 400, Message: {"Message":"No managed identity was found for Automation account '
     'aa-ops"}', "compute-automation-no-managed-identity"),
    ("(InvalidParameter) The specified fault domain count 3 must fall in the range 1 to 2.",
     "compute-vmss-fault-domain-count-out-of-range"),
    ("OutboundConnectivityNotEnabledOnVM. No outbound connectivity configured for virtual machine.",
     "compute-vmss-flex-no-outbound-connectivity"),
    ("Code='PublicIPCountLimitExceededByVMScaleSet' Message='The requested number of publicIPAddresses 200 for VM "
     "Scale Set vmss-1 will exceed the maximum number of publicIPAddresses allowed 100 for subscription.'",
     "compute-vmss-public-ip-count-limit"),
])
def test_the_round_24_o_entry_ranks_first(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry, [h.entry.id for h in hits[:3]]


def _clue(clue_id: str) -> dict[str, Any]:
    clues = yaml.safe_load(Path("shared/knowledge/symptom_clues.yaml").read_text(encoding="utf-8"))
    return next(c for c in clues if c["id"] == clue_id)


@pytest.mark.parametrize(("text", "decided"), [
    ("Jobs on our Hybrid Runbook Worker stay Queued and go Suspended; the new firewall blocks *.azure-automation.net.",
     True),
    ("Hybrid runbook worker job Suspended: The job action 'Activate' cannot be run, because the process stopped "
     "unexpectedly. The proxy allow list does not include it; *.azure-automation.net is not on the allow list.", True),
    ("Jobs on our Hybrid Runbook Worker go Suspended after the firewall change.", False),
    ("The runbook in the Azure sandbox is Suspended: firewall of the SQL server blocks it.", False),
])
def test_the_hybrid_worker_clue_decides_only_when_automation_endpoints_are_blocked(text: str, decided: bool) -> None:
    clue = _clue("hybrid-runbook-worker-outbound-to-automation-blocked")
    assert bool(re.search(clue["decides"], text)) is decided
    assert clue["category"] == "network.nsg_blocked"
