"""The twenty-sixth round of findings, area g (knowledge/evidence_findings.yaml, '# round 26 g'): Azure Policy's
modify effect, which rewrites a create or update request before the resource provider sees it and leaves a
Microsoft.Authorization/policies/modify/action event in the activity log. A value that the template or the portal
sets and that does not stick (a storage account's allowBlobPublicAccess, a tag) is that effect when the event is
there. Each finding fires on recorded-like reads with the symptom it explains and stays silent for its near miss;
the round's catalog entries (template specs, moves, deployment stacks, the deployment history, policy exemptions)
are the best hit for their errors and only for them."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"
ACCOUNT_ID = f"{SUB}/Microsoft.Storage/storageAccounts/stshop"
APP_ID = f"{SUB}/Microsoft.Web/sites/app-shop"

STORAGE = {"type": "Microsoft.Storage/storageAccounts", "name": "stshop", "allowBlobPublicAccess": False,
           "publicNetworkAccess": "Enabled"}
SITE = {"type": "Microsoft.Web/sites", "name": "app-shop", "kind": "app,linux"}


def _events(resource_id: str, operation: str = "Microsoft.Authorization/policies/modify/action") -> list[dict]:
    """A write and the Azure Policy event it caused, newest first, as list_activity_log returns them."""
    return [{"time": "2026-12-05T07:41:12Z", "operation": operation, "status": "Succeeded",
             "caller": "pipeline@contoso.com", "resource_id": resource_id},
            {"time": "2026-12-05T07:41:10Z", "operation": "Microsoft.Storage/storageAccounts/write",
             "status": "Succeeded", "caller": "pipeline@contoso.com", "resource_id": resource_id}]


REVERTS = ("Our Bicep sets allowBlobPublicAccess: true and the deployment succeeds, but anonymous reads still get 409 "
           "PublicAccessNotPermitted. I switched it on in the portal and after the next deployment it went back to "
           "disabled.")
TAG_REVERTS = "Our Bicep sets the environment tag to prod, but after every deployment it flips back to Test."

CASES = [
    Case("policy-modify-resets-storage-blob-public-access", "deployment.policy_denied", "allowBlobPublicAccess",
         [STORAGE], REVERTS, events=_events(ACCOUNT_ID),
         near_reads=[{**STORAGE, "allowBlobPublicAccess": True}]),
    Case("policy-modify-rewrote-request", "deployment.policy_denied", "modify", [SITE], TAG_REVERTS,
         events=_events(APP_ID),
         near_report="Our Bicep sets the environment tag to prod; the web app answers 503 since the deployment."),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_an_audit_event_is_not_read_as_a_modify_policy() -> None:
    audit = _events(APP_ID, "Microsoft.Authorization/policies/audit/action")
    assert finding_id(reads_state(TAG_REVERTS, [SITE], events=audit)) != "policy-modify-rewrote-request"


def test_a_storage_account_without_a_modify_event_keeps_the_anonymous_access_finding() -> None:
    report = "Anonymous reads of our images fail with 409 PublicAccessNotPermitted since this morning."
    writes = _events(ACCOUNT_ID)[1:]
    assert finding_id(reads_state(report, [STORAGE], events=writes)) == "storage-anonymous-access-disallowed"


def test_a_setting_that_goes_back_is_not_answered_with_the_setting_alone() -> None:
    writes = _events(ACCOUNT_ID)[1:]
    assert finding_id(reads_state(REVERTS, [STORAGE], events=writes)) != "storage-anonymous-access-disallowed"


def _best(text: str) -> str:
    hits = catalog_index().hits([(text, "error")])
    assert hits, text
    return hits[0].entry.id


QUOTA = ("ERROR: (DeploymentQuotaExceeded) Creating the deployment 'lz-1' would exceed the quota of '800'. The current "
         "deployment count is '800'. Please delete some deployments before creating a new one.")
DENIED = ("RequestDisallowedByPolicy: Resource 'vm-1' was disallowed by policy. See error details for policy resource "
          "IDs.")


@pytest.mark.parametrize(("text", "entry"), [
    ("ERROR: (TemplateSpecTooLarge) The size of the template spec content exceeds the maximum limit.",
     "arm-template-spec-too-large"),
    ("Resource move validation failed. (Code: ResourceMoveValidationFailed) Resource move is not supported for "
     "resource types 'Microsoft.Datadog/monitors'.", "arm-move-resource-type-not-supported"),
    ("The deployment stack 'stack-orders' might not have an accurate list of managed resources. To bypass this "
     "warning, specify the 'BypassStackOutOfSyncError' flag.", "arm-deployment-stack-out-of-sync"),
    (f"az deployment sub create --location westeurope --template-file main.bicep\n{QUOTA}",
     "arm-deployment-quota-exceeded-subscription-scope"),
    (f"Our custom role allows Microsoft.Resources/deployments/write and read.\n{QUOTA}",
     "arm-deployment-quota-exceeded-no-delete-permission"),
    (f'{DENIED}\naz policy exemption show: "expiresOn": "2026-11-30T23:59:00+00:00"', "arm-policy-exemption-expired"),
])
def test_a_round_26_g_catalog_entry_is_the_best_hit_for_its_error(text: str, entry: str) -> None:
    assert _best(text) == entry


@pytest.mark.parametrize(("text", "entry"), [
    (f"az deployment group create --resource-group rg-apps\n{QUOTA}",
     "arm-deployment-quota-exceeded-subscription-scope"),
    (f"Our role allows Microsoft.Resources/deployments/* on the group.\n{QUOTA}",
     "arm-deployment-quota-exceeded-no-delete-permission"),
    ("Our custom role allows Microsoft.Resources/deployments/write and Microsoft.Resources/deployments/delete.\n"
     f"{QUOTA}",
     "arm-deployment-quota-exceeded-no-delete-permission"),
    (DENIED, "arm-policy-exemption-expired"),
])
def test_a_round_26_g_catalog_entry_waits_for_its_own_case(text: str, entry: str) -> None:
    assert _best(text) != entry


def test_a_reset_connection_is_not_read_as_a_modify_policy() -> None:
    report = "Since the deployment the app's calls to the API fail: the connection was reset by peer."
    assert finding_id(reads_state(report, [SITE], events=_events(APP_ID))) != "policy-modify-rewrote-request"
