"""Round 26 i: Virtual Machines, Azure Automation hybrid workers, Site Recovery and Azure Batch pages no knowledge cited
before - custom image provisioning errors (an image's osState against how its OS was prepared), capacity reservations
(availability sets, running VMs), extension-based Hybrid Runbook Workers, Site Recovery replication errors and Batch
nodes in the Unusable state. Each finding fires on recorded-like reads with the symptom it explains and stays silent
for its near miss; each catalog entry and clue names its error and stays silent for a near miss; the new fields are
read from the resource and the Batch playbook reads the route tables only for unusable nodes."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    playbook_reads,
    reads_state,
)
from tests.helpers.finding_checks import kept_fields as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops/providers"
VM_TYPE = "Microsoft.Compute/virtualMachines"

IMAGE = {"type": "Microsoft.Compute/images", "name": "img-web-base", "osType": "Windows", "osState": "Specialized"}
AVSET = f"{SUB}/Microsoft.Compute/availabilitySets/avset-trading"
CRG = f"{SUB}/Microsoft.Compute/capacityReservationGroups/crg-trading"
VM = {"type": VM_TYPE, "name": "vm-trading-03", "vmSize": "Standard_D8s_v5", "availabilitySet": AVSET,
      "capacityReservationGroup": CRG}
INSTANCE_VIEW = {"type": f"{VM_TYPE}/instanceView", "name": None,
                 "statuses": [{"code": "ProvisioningState/succeeded", "displayStatus": "Provisioning succeeded",
                               "message": None},
                              {"code": "PowerState/running", "displayStatus": "VM running", "message": None}]}
HRW_VM = {"type": VM_TYPE, "name": "vm-hrw-01", "vmSize": "Standard_D2s_v5",
          "identity": {"type": "UserAssigned", "principalId": None, "userAssigned": [{"id": "id-ops"}]}}
ROUTES = {"type": "Microsoft.Network/routeTables", "name": "rt-hpc-forced",
          "routes": [{"name": "default-to-firewall", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                      "nextHopIpAddress": "10.60.0.4"}],
          "subnets": [f"{SUB}/Microsoft.Network/virtualNetworks/vnet-hpc/subnets/snet-batch"]}
BATCH_ROUTE = {"name": "batch-node-management", "addressPrefix": "BatchNodeManagement.WestEurope",
               "nextHopType": "Internet", "nextHopIpAddress": None}

CASES = [
    Case("vm-image-specialized-os-state-provisioning-timeout", "deployment.template_invalid", "osState Specialized",
         [IMAGE], "Creating vm-web-07 from img-web-base fails: OS Provisioning for VM 'vm-web-07' did not finish in "
                  "the allotted time. Code: OSProvisioningTimedOut",
         near_reads=[{**IMAGE, "osState": "Generalized"}]),
    Case("vm-image-generalized-os-state-from-unprepared-os", "deployment.template_invalid", "osState Generalized",
         [{**IMAGE, "osState": "Generalized"}],
         "Provisioning failed for every VM from img-web-base; the disk was not sysprepped and the VM keeps the old "
         "computer name.", near_reads=[IMAGE]),
    Case("vm-capacity-reservation-in-availability-set", "deployment.template_invalid", "availability set", [VM],
         "Deploying vm-trading-03 against the capacity reservation group crg-trading is rejected every time.",
         near_reads=[{**VM, "availabilitySet": None}]),
    Case("vm-running-cannot-join-capacity-reservation", "deployment.resource_locked", "PowerState/running",
         [INSTANCE_VIEW], "az vm update --capacity-reservation-group crg-trading on vm-trading-01 is rejected: "
                          "cannot associate the VM in its current state.",
         near_reads=[{**INSTANCE_VIEW, "statuses": [{"code": "PowerState/deallocated", "displayStatus":
                                                     "VM deallocated", "message": None}]}]),
    Case("hybrid-worker-vm-without-system-assigned-identity", "auth.managed_identity_missing", "system-assigned",
         [HRW_VM], "The Hybrid Worker extension on vm-hrw-01 fails: Hybrid Worker registration failed. Invalid "
                   "Authorization Token.",
         near_reads=[{**HRW_VM, "identity": {**HRW_VM["identity"], "type": "SystemAssigned, UserAssigned"}}]),
    Case("batch-pool-subnet-forced-tunneling-without-node-management-route", "network.nsg_blocked",
         "BatchNodeManagement", [ROUTES],
         "Every node of pool pool-cfd in Batch account bahpcweu is Unusable, no error code on the nodes.",
         near_reads=[{**ROUTES, "routes": [*ROUTES["routes"], BATCH_ROUTE]}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_generalized_image_is_not_blamed_without_a_word_about_the_os_preparation() -> None:
    report = "Provisioning failed for every VM from img-web-base with an internal error."
    assert finding_id(reads_state(report, [{**IMAGE, "osState": "Generalized"}])) != \
        "vm-image-generalized-os-state-from-unprepared-os"


def test_a_vm_in_an_availability_set_is_not_blamed_without_a_capacity_reservation() -> None:
    report = "Deploying vm-trading-03 is rejected every time with an allocation failure."
    assert finding_id(reads_state(report, [VM])) != "vm-capacity-reservation-in-availability-set"


def test_unusable_nodes_are_not_blamed_on_a_route_table_without_forced_tunneling() -> None:
    local = {**ROUTES, "routes": [{"name": "onprem", "addressPrefix": "10.0.0.0/8",
                                   "nextHopType": "VirtualNetworkGateway", "nextHopIpAddress": None}]}
    report = "Every node of pool pool-cfd in Batch account bahpcweu is Unusable."
    assert finding_id(reads_state(report, [local])) != \
        "batch-pool-subnet-forced-tunneling-without-node-management-route"


@pytest.mark.parametrize(("text", "entry"), [
    ("Hybrid Worker registration failed: Account/Group specified does not exist.",
     "compute-hybrid-worker-group-does-not-exist"),
    ("Unable to retrieve IMDS identity endpoint for non-Azure VM. Ensure that the Azure connected machine agent is "
     "installed and System-assigned identity is enabled.", "compute-hybrid-worker-non-azure-without-arc-agent"),
    ("Connect-AzAccount : No certificate was found in the certificate store with thumbprint "
     "8C4E1F2A9B7D3E60C5A1F8B2D4E7C9A0B3F6D1E2", "compute-runas-certificate-not-in-local-store"),
    ("Replicated item event: Data change rate beyond supported limits (disk sqldata-01).",
     "compute-site-recovery-data-change-rate-beyond-limits"),
    ("vacpError:220#Following disks are in FilteringStopped state#220|^|224#FAILED: CheckWriterStatus().#2147754756|^|",
     "compute-site-recovery-vss-provider-not-registered"),
    ("Code: DiskFull Message: There is not enough disk space on the node",
     "compute-batch-node-disk-full"),
    ("Code: BatchAgentInstallationFailure Message: The batch agent extension provisioning has failed on compute node",
     "compute-batch-agent-installation-failure"),
])
def test_the_round_26_i_catalog_entries_name_their_error(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry


@pytest.mark.parametrize(("text", "entry"), [
    ("The storage account specified does not exist.", "compute-hybrid-worker-group-does-not-exist"),
    ("vacpError:220#224#FAILED: CheckWriterStatus().#2147943458|^|",
     "compute-site-recovery-vss-provider-not-registered"),
    ("There is not enough space on the disk.", "compute-batch-node-disk-full"),
    ("The batch job failed on compute node tvmps_1 with exit code 1.", "compute-batch-agent-installation-failure"),
])
def test_the_round_26_i_catalog_entries_stay_silent_for_a_near_miss(text: str, entry: str) -> None:
    assert entry not in [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_a_group_name_is_taken_from_the_report_not_the_resource_group() -> None:
    text = ("The extension on vm-sql-jobs in resource group rg-automation-shared registers it in the group "
            "hwg-sql-maintenance: Account/Group specified does not exist.")
    hit = next(h for h in catalog_index().hits([(text, "error")], [text])
               if h.entry.id == "compute-hybrid-worker-group-does-not-exist")
    assert hit.facts.get("hybrid_worker_group") == "hwg-sql-maintenance"


def test_a_module_without_its_required_modules_is_named_as_a_missing_dependency() -> None:
    found = clue_in(["The module ContosoOps imported into the Automation account shows 0 cmdlets; its psd1 has "
                     "RequiredModules = @('Az.Accounts') and the account has only the default modules."])
    assert found is not None and found["id"] == "automation-module-dependency-not-in-account"


def test_a_module_import_without_dependencies_gets_no_dependency_clue() -> None:
    found = clue_in(["The module ContosoOps imported into the Automation account shows 0 cmdlets."])
    assert found is None or found["id"] != "automation-module-dependency-not-in-account"


def test_a_worker_switched_off_for_weeks_is_named_as_purged() -> None:
    found = clue_in(["We switched off our hybrid runbook worker for six weeks; after starting it again it no longer "
                     "appears in its Hybrid Worker group."])
    assert found is not None and found["id"] == "hybrid-worker-purged-after-30-days-offline"


def test_a_worker_restarted_overnight_gets_no_purge_clue() -> None:
    found = clue_in(["Our hybrid runbook worker no longer picks up jobs since the reboot last night."])
    assert found is None or found["id"] != "hybrid-worker-purged-after-30-days-offline"


@pytest.mark.parametrize(("resource_type", "body", "expected"), [
    ("Microsoft.Compute/images",
     {"properties": {"storageProfile": {"osDisk": {"osType": "Windows", "osState": "Specialized"}},
                     "hyperVGeneration": "V2"}},
     {"osState": "Specialized", "osType": "Windows", "hyperVGeneration": "V2"}),
    (VM_TYPE,
     {"properties": {"availabilitySet": {"id": AVSET},
                     "capacityReservation": {"capacityReservationGroup": {"id": CRG}}}},
     {"availabilitySet": AVSET, "capacityReservationGroup": CRG}),
])
def test_the_round_26_i_fields_are_read_from_the_resource(resource_type: str, body: dict[str, Any],
                                                          expected: dict[str, Any]) -> None:
    extracted = extract_fields(body, _fields(resource_type))
    assert {key: extracted.get(key) for key in expected} == expected


def test_the_batch_playbook_reads_route_tables_only_for_unusable_nodes() -> None:
    account = f"{SUB}/Microsoft.Batch/batchAccounts/bahpcweu"
    unusable = playbook_reads(account, "Every node of the Batch pool is Unusable")
    assert unusable[0] == ("get_resource", account)
    calm = playbook_reads(account, "Creating a Batch pool fails with an allocation error")
    assert len(unusable) > len(calm)
