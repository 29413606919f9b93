"""The twenty-fourth round of findings, helper e (knowledge/evidence_findings.yaml): Container Instances restart
policies (a run-once task started again, a worker that exited and stays down), Batch accounts that refuse shared key
authentication or callers outside their allowed networks, managed disks and snapshots whose network access policy
refuses or limits their SAS, VM boot diagnostics as the serial console needs it (off, behind a firewall, on a
hierarchical-namespace account) and AKS memory accounting under cgroup v2 after an upgrade. Each fires on
recorded-like reads with the symptom it explains and stays silent for its near miss; the new api_versions fields are
taken from realistic Resource Manager bodies."""

from __future__ import annotations

from typing import Any

import pytest

from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    finding_id,
    reads_state,
)
from tests.helpers.finding_checks import kept_fields as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers"

GROUP = {"type": "Microsoft.ContainerInstance/containerGroups", "name": "ci-export", "restartPolicy": "Always",
         "state": "Running", "containers": [{"name": "export", "instanceView.restartCount": 12}]}
BATCH = {"type": "Microsoft.Batch/batchAccounts", "name": "barender", "allowedAuthenticationModes": ["AAD"],
         "publicNetworkAccess": "Enabled", "accountAccess": {"defaultAction": "Allow"}}
DISK = {"type": "Microsoft.Compute/disks", "name": "vm-erp01-data1", "diskState": "Unattached",
        "networkAccessPolicy": "DenyAll"}
SNAPSHOT = {"type": "Microsoft.Compute/snapshots", "name": "snap-web03-os", "networkAccessPolicy": "AllowPrivate",
            "diskAccessId": f"{SUB}/Microsoft.Compute/diskAccesses/da-forensics"}
VM = {"type": "Microsoft.Compute/virtualMachines", "name": "vm-web01", "vmSize": "Standard_D4s_v5",
      "bootDiagnostics": {"enabled": False}}
VM_OWN_ACCOUNT = {**VM, "bootDiagnostics": {"enabled": True, "storageUri": "https://stbootdiag.blob.core.windows.net/"}}
VM_MANAGED = {**VM, "bootDiagnostics": {"enabled": True}}
BOOT_ACCOUNT = {"type": "Microsoft.Storage/storageAccounts", "name": "stbootdiag", "isHnsEnabled": False,
                "networkAcls": {"defaultAction": "Deny", "ipRules": ["198.51.100.0/24"]}}
AKS = {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-platform", "kubernetesVersion": "1.29.9",
       "powerState": "Running", "agentPoolProfiles": [{"name": "apps", "mode": "User", "count": 5, "maxPods": 50}]}

SERIAL = "The serial console of the VM does not connect; SSH times out since the kernel update."

CASES = [
    Case("aci-restart-policy-always-reruns-finished-task", "config.missing_app_setting", "Always", [GROUP],
         "The export should run once a night, but the script finishes normally (exit code 0) and then starts again, "
         "we have 40 copies of the file.",
         near_reads=[{**GROUP, "restartPolicy": "OnFailure"}]),
    Case("aci-restart-policy-never-exited-container-stays-down", "config.missing_app_setting", "Never",
         [{**GROUP, "restartPolicy": "Never", "state": "Stopped"}],
         "The worker crashed with exit code 1 on Friday and stays Terminated; it never started again on its own.",
         near_reads=[{**GROUP, "state": "Stopped"}]),
    Case("batch-shared-key-authentication-not-allowed", "auth.credential_invalid", "SharedKey", [BATCH],
         "Every call with BatchSharedKeyCredentials fails: AuthenticationFailed, Server failed to authenticate the "
         "request.",
         near_reads=[{**BATCH, "allowedAuthenticationModes": ["AAD", "SharedKey", "TaskAuthenticationToken"]}]),
    Case("batch-account-access-selected-networks", "network.nsg_blocked", "40.113.20.0/27",
         [{**BATCH, "allowedAuthenticationModes": ["AAD", "SharedKey"],
           "accountAccess": {"defaultAction": "Deny"}, "accountIpRules": ["40.113.20.0/27"]}],
         "From the office every call to https://barender.westeurope.batch.azure.com now returns 403.",
         near_reads=[{**BATCH, "allowedAuthenticationModes": ["AAD", "SharedKey"]}]),
    Case("batch-account-public-network-access-disabled", "network.private_endpoint_dns", "publicNetworkAccess",
         [{**BATCH, "allowedAuthenticationModes": ["AAD", "SharedKey"], "publicNetworkAccess": "Disabled"}],
         "Our pipeline's calls to the Batch account get 403 Forbidden since Tuesday.",
         near_reads=[{**BATCH, "allowedAuthenticationModes": ["AAD", "SharedKey"]}]),
    Case("disk-network-access-policy-deny-all", "network.nsg_blocked", "DenyAll", [DISK],
         "az disk grant-access for the detached data disk fails, so we cannot export it for the migration.",
         near_reads=[{**DISK, "networkAccessPolicy": "AllowAll"}]),
    Case("disk-network-access-policy-private-only", "network.nsg_blocked", "AllowPrivate", [SNAPSHOT],
         "Downloading the snapshot's SAS URL with azcopy from the office fails with 403 This request is not "
         "authorized to perform this operation.",
         near_reads=[{**SNAPSHOT, "networkAccessPolicy": "AllowAll"}]),
    Case("vm-serial-console-boot-diagnostics-disabled", "config.missing_app_setting", "boot diagnostics", [VM],
         SERIAL, near_reads=[VM_MANAGED]),
    Case("vm-boot-diagnostics-account-firewall-blocks-serial-console", "network.storage_firewall", "stbootdiag",
         [VM_OWN_ACCOUNT, BOOT_ACCOUNT],
         "Serial console: A Forbidden response was encountered when accessing this VM's boot diagnostic storage "
         "account.",
         near_reads=[VM_MANAGED, BOOT_ACCOUNT]),
    Case("vm-boot-diagnostics-account-hierarchical-namespace", "config.invalid_connection_string",
         "hierarchical namespace",
         [VM_OWN_ACCOUNT, {**BOOT_ACCOUNT, "isHnsEnabled": True, "networkAcls": {"defaultAction": "Allow"}}],
         SERIAL, near_reads=[VM_OWN_ACCOUNT, {**BOOT_ACCOUNT, "networkAcls": {"defaultAction": "Allow"}}]),
    Case("aks-cgroup-v2-memory-accounting-after-upgrade", "runtime.out_of_memory", "cgroup v2", [AKS],
         "Since the cluster upgrade kubectl top node shows 90% memory and pods get evicted, same workload as before.",
         near_reads=[{**AKS, "kubernetesVersion": "1.24.10"}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_crash_loop_is_not_read_as_a_finished_task_started_again() -> None:
    report = "The container finishes after a minute and restarts again and again; exit code 137, OOMKilled."
    assert finding_id(reads_state(report, [GROUP])) != "aci-restart-policy-always-reruns-finished-task"


def test_a_batch_key_refused_with_shared_key_allowed_is_not_the_authentication_mode() -> None:
    report = "BatchSharedKeyCredentials calls fail with AuthenticationFailed after we rotated the key."
    reads = [{**BATCH, "allowedAuthenticationModes": ["SharedKey", "AAD"]}]
    assert finding_id(reads_state(report, reads)) != "batch-shared-key-authentication-not-allowed"


def test_a_boot_diagnostics_account_firewall_is_not_the_generic_storage_verdict() -> None:
    report = "Serial console: A Forbidden response was encountered when accessing the boot diagnostic storage account."
    assert finding_id(reads_state(report, [VM_OWN_ACCOUNT, BOOT_ACCOUNT])) != "storage-account-denies-by-default"


def test_a_storage_firewall_report_without_boot_diagnostics_keeps_the_generic_verdict() -> None:
    report = "Uploads to stbootdiag fail with 403 AuthorizationFailure since Monday."
    assert finding_id(reads_state(report, [BOOT_ACCOUNT])) == "storage-account-denies-by-default"



@pytest.mark.parametrize(("resource_type", "body", "expected"), [
    ("Microsoft.ContainerInstance/containerGroups",
     {"properties": {"restartPolicy": "Never", "osType": "Linux", "instanceView": {"state": "Stopped"},
                     "ipAddress": {"type": "Private"},
                     "containers": [{"name": "worker", "properties": {
                         "image": "crops.azurecr.io/worker:1", "instanceView": {
                             "restartCount": 0, "currentState": {"state": "Terminated", "exitCode": 1}}}}]}},
     {"restartPolicy": "Never", "state": "Stopped", "ipAddressType": "Private",
      "containers": [{"name": "worker", "image": "crops.azurecr.io/worker:1", "instanceView.restartCount": 0,
                      "instanceView.currentState.state": "Terminated", "instanceView.currentState.exitCode": 1}]}),
    ("Microsoft.Batch/batchAccounts",
     {"properties": {"accountEndpoint": "barender.westeurope.batch.azure.com", "poolAllocationMode": "BatchService",
                     "allowedAuthenticationModes": ["AAD"], "publicNetworkAccess": "Enabled",
                     "networkProfile": {"accountAccess": {"defaultAction": "Deny", "ipRules": [
                         {"action": "Allow", "value": "40.113.20.0/27"}]}}}},
     {"allowedAuthenticationModes": ["AAD"], "publicNetworkAccess": "Enabled",
      "accountAccess": {"defaultAction": "Deny"}, "accountIpRules": ["40.113.20.0/27"]}),
    ("Microsoft.Compute/disks",
     {"managedBy": None, "sku": {"name": "Premium_LRS"},
      "properties": {"diskState": "Unattached", "networkAccessPolicy": "DenyAll", "publicNetworkAccess": "Enabled",
                     "dataAccessAuthMode": "AzureActiveDirectory"}},
     {"diskState": "Unattached", "networkAccessPolicy": "DenyAll", "dataAccessAuthMode": "AzureActiveDirectory",
      "sku": "Premium_LRS"}),
    ("Microsoft.Compute/snapshots",
     {"properties": {"networkAccessPolicy": "AllowPrivate", "diskAccessId": "/x/diskAccesses/da"}},
     {"networkAccessPolicy": "AllowPrivate", "diskAccessId": "/x/diskAccesses/da"}),
    ("Microsoft.Compute/virtualMachines",
     {"properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v5"}, "diagnosticsProfile": {"bootDiagnostics": {
         "enabled": True, "storageUri": "https://stbootdiag.blob.core.windows.net/"}}}},
     {"bootDiagnostics": {"enabled": True, "storageUri": "https://stbootdiag.blob.core.windows.net/"}}),
])
def test_the_round_24_e_fields_are_read_from_the_resource(resource_type: str, body: dict[str, Any],
                                                         expected: dict[str, Any]) -> None:
    extracted = extract_fields(body, _fields(resource_type))
    assert {key: extracted.get(key) for key in expected} == expected
