"""Round 41, helper S6 (the thirty-fourth session's fix list, fixed by class): a container app's registry entry that
pulls with an identity the app does not have; a generic deployment code whose message says a name or unique slot is
taken; Azure Backup's disk-backup permission codes; a capability's name written as "on" is no error code. Each with a
near miss that must stay silent."""

from __future__ import annotations

from pathlib import Path

from evals.playback import PlaybackServer
from shared.session.state import Conclude
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import recorded_report, run_engine, scenario_case

ROB = Path(__file__).resolve().parents[1] / "scenarios" / "rob34s6"


def _final(text: str):
    return run_engine({"error_description": text}).final


# --- a registry entry whose identity the container app does not have

def _app(case: dict) -> dict:
    return next(r["body"] for r in case["azure"]
                if str(r["match"].get("path", "")).endswith("/containerApps/ca-invoices-api"))


def test_a_registry_identity_not_on_the_app_is_the_missing_identity(azure: PlaybackServer) -> None:
    case = scenario_case(ROB, "rob34s6-containerapp-revision-pull")
    found = recorded_report(azure, case)
    assert found["category"] == "auth.managed_identity_missing"
    assert "uami-billing-pull" in found["root_cause"]


def test_the_same_identity_attached_to_the_app_stays_a_pull_reading(azure: PlaybackServer) -> None:
    case = scenario_case(ROB, "rob34s6-containerapp-revision-pull")
    app = _app(case)
    pull = app["properties"]["configuration"]["registries"][0]["identity"]
    app["identity"]["userAssignedIdentities"][pull] = {"principalId": "9a9a9a9a-0000-4000-8000-000000000001",
                                                       "clientId": "9a9a9a9a-0000-4000-8000-000000000002"}
    found = recorded_report(azure, case)
    assert found.get("category") != "auth.managed_identity_missing"


def test_a_read_without_the_identity_block_decides_nothing(azure: PlaybackServer) -> None:
    case = scenario_case(ROB, "rob34s6-containerapp-revision-pull")
    del _app(case)["identity"]
    found = recorded_report(azure, case)
    assert "uami-billing-pull" not in found.get("root_cause", "")


# --- a generic deployment code whose message says the name is taken

TAKEN = ("az eventhubs georecovery-alias set -g rg-x --namespace-name evhns-a --alias telemetry --partner-namespace "
         "/subscriptions/0/resourceGroups/rg-y/providers/Microsoft.EventHub/namespaces/evhns-b\n"
         "(BadRequest) Alias 'telemetry' is not availble, please use a different name.\nCode: BadRequest")


def test_a_name_the_provider_calls_not_available_is_a_name_conflict() -> None:
    final = _final(TAKEN)
    assert isinstance(final, Conclude) and final.report.category == "deployment.name_conflict"
    assert "globally unique" in final.report.root_cause


def test_a_slot_already_used_by_another_setting_is_a_name_conflict() -> None:
    final = _final("az deployment group create -g rg-kv --template-file diag.bicep\n"
                   '{"code":"BadRequest","message":"Data sink \'/subscriptions/0/resourceGroups/rg-m/providers/'
                   "Microsoft.OperationalInsights/workspaces/law-a' is already used in a diagnostic setting for "
                   "category 'AuditEvent' for this resource.\"}")
    assert isinstance(final, Conclude) and final.report.category == "deployment.name_conflict"


def test_a_size_not_available_in_a_region_stays_an_offer() -> None:
    final = _final("az vm create -g rg-x -n vm1 --size Standard_NV6\n(BadRequest) The requested size Standard_NV6 is "
                   "not available in location 'westeurope'.\nCode: BadRequest")
    assert not (isinstance(final, Conclude) and final.report.category == "deployment.name_conflict")


# --- Azure Backup for managed disks: the vault identity's roles

def test_the_snapshot_resource_group_codes_name_the_snapshot_role() -> None:
    for code in ("UserErrorDiskBackupSnapshotRGOrMSIPermissionsNotPresent", "UserErrorNotEnoughPermissionOnSnapshotRG"):
        found = best_entry_id(f"Configure backup failed: {code}")
        assert found == "compute-disk-backup-vault-identity-lacks-snapshot-rg-role"
    final = _final("Backup vault validation: UserErrorNotEnoughPermissionOnSnapshotRG - Azure Backup Service requires "
                   "additional permissions on the Snapshot Data store Resource Group to do this operation.")
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
    assert "Disk Snapshot Contributor" in final.report.root_cause


def test_another_disk_backup_code_is_not_a_permission_entry() -> None:
    assert best_entry_id("Restore failed: UserErrorSameNameDiskAlreadyExists") not in (
        "compute-disk-backup-vault-identity-lacks-snapshot-rg-role",
        "compute-disk-backup-vault-identity-lacks-disk-role",
        "compute-disk-backup-vault-identity-lacks-restore-target-role")


# --- a capability's name is not the error that says it is missing

def test_the_capability_named_as_on_does_not_answer_an_api_version_refusal() -> None:
    assert best_entry_id("The account has EnableNoSQLVectorSearch on.") != "cosmos-vector-policy-capability-not-enabled"
    assert best_entry_id("A Container Vector Policy has been provided, but the capability has not been enabled on "
                         "your account") == "cosmos-vector-policy-capability-not-enabled"
