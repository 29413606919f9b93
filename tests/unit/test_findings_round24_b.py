"""Round 24 b: failure modes of Microsoft troubleshooting pages for Storage, managed identities and Azure Monitor
that no knowledge cited (tests/scenarios/cov18b). Findings: an NFS share reached from outside any allowed virtual
network (IP rules do not count for NFS), identity-based SMB access without a default share-level permission, a log
search alert rule Azure Monitor disabled. Clues: the Data Lake sticky bit, managed identities broken by a
subscription's directory transfer. Catalog entries: the portal's access-key and Entra list banners, the Application
Insights Java agent's 403 and 401. Each fires on its symptom and stays silent for its near miss; the new api_versions
fields are read from the resource; the Application Insights playbook reads the resource's workspace."""

from __future__ import annotations

from typing import Any

import pytest

from shared.catalog.index import catalog_index
from shared.engines.analyzers.common import table
from shared.engines.clues import clue_in
from shared.engines.playbooks import conclude_finding, investigate, rule_facts
from shared.engines.session_reads import FINDINGS
from shared.models import Options
from shared.session.state import Evidence, Material, RunTool, SessionState
from shared.tools.azure_fields import extract_fields
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import case_tests, finding_id, reads_state
from tests.helpers.finding_checks import kept_fields as _fields

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000024/resourceGroups/rg-files/providers"
NFS = {"type": "Microsoft.Storage/storageAccounts", "name": "stnfscache", "kind": "FileStorage",
       "networkAcls": {"defaultAction": "Deny", "ipRules": ["198.51.100.24"], "virtualNetworkRules": []},
       "privateEndpointConnections": 0, "supportsHttpsTrafficOnly": False}
SMB = {"type": "Microsoft.Storage/storageAccounts", "name": "stfileshq", "kind": "StorageV2",
       "networkAcls": {"defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": []},
       "azureFilesIdentityBasedAuthentication": {"directoryServiceOptions": "AD", "defaultSharePermission": "None"}}
RULE = {"type": "Microsoft.Insights/scheduledQueryRules", "name": "alert-failed-logins", "enabled": False,
        "scopes": [f"{SUB}/Microsoft.OperationalInsights/workspaces/log-sec-old"], "evaluationFrequency": "PT5M"}
NFS_REPORT = ("sudo mount -t nfs stnfscache.file.core.windows.net:/stnfscache/artifacts /mnt/a -o vers=4\n"
              "mount.nfs: access denied by server while mounting stnfscache.file.core.windows.net:/stnfscache/a")
VNET_RULE = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-build/subnets/snet-build"
SMB_REPORT = ("net use Z: \\\\stfileshq.file.core.windows.net\\departments\n"
              "System error 5 has occurred.\n\nAccess is denied.")

CASES = [
    Case("storage-files-identity-auth-no-share-permission", "auth.rbac_missing", "defaultSharePermission", [SMB],
         SMB_REPORT,
         near_reads=[{**SMB, "azureFilesIdentityBasedAuthentication": {
             "directoryServiceOptions": "AD", "defaultSharePermission": "StorageFileDataSmbShareContributor"}}]),
    Case("log-alert-rule-disabled", "config.wrong_resource_name", "log-sec-old", [RULE],
         "Our failed-login alert has not sent any email for a week and shows Disabled in the portal.",
         near_reads=[{**RULE, "enabled": True}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def _nfs_facts(report: str, account: dict[str, Any]) -> dict[str, str] | None:
    """The NFS finding's facts on one storage read (None: silent), judged on its own: on a report of access denied
    the table's first match is the storage-account-denies-by-default delegate, so finding_id cannot name it; the
    session concludes it (tests/scenarios/cov18b)."""
    rule = next(r for r in table(FINDINGS) if r["id"] == "storage-nfs-mount-ip-rules-ignored")
    return rule_facts(reads_state(report, [account]), rule)


def test_an_nfs_mount_refused_from_an_allowed_ip_is_the_nfs_network_rule() -> None:
    state = reads_state(NFS_REPORT, [NFS])
    rule = next(r for r in table(FINDINGS) if r["id"] == "storage-nfs-mount-ip-rules-ignored")
    facts = rule_facts(state, rule)
    assert facts is not None
    report = conclude_finding(state, rule, facts).report
    assert report.category == "network.storage_firewall" and "NFS" in report.root_cause
    assert "198.51.100.24" in report.root_cause and "{" not in report.root_cause
    assert rule["confidence"] == "medium" and rule["source"].startswith("MicrosoftDocs/")


def test_an_nfs_share_reached_through_a_vnet_rule_or_private_endpoint_is_not_blamed_on_its_ip_rules() -> None:
    assert _nfs_facts(UNRELATED, NFS) is None
    with_vnet = {**NFS, "networkAcls": {**NFS["networkAcls"], "virtualNetworkRules": [VNET_RULE]}}
    assert _nfs_facts(NFS_REPORT, with_vnet) is None
    assert _nfs_facts(NFS_REPORT, {**NFS, "privateEndpointConnections": 1}) is None


def test_a_key_based_smb_mount_is_not_blamed_on_share_level_roles() -> None:
    report = SMB_REPORT.replace("departments", "departments /user:localhost\\stfileshq <key>")
    assert finding_id(reads_state(report, [SMB])) != "storage-files-identity-auth-no-share-permission"


def test_an_smb_account_without_identity_based_access_gets_no_share_permission_verdict() -> None:
    plain = {**SMB, "azureFilesIdentityBasedAuthentication": {"directoryServiceOptions": "None"}}
    assert finding_id(reads_state(SMB_REPORT, [plain])) != "storage-files-identity-auth-no-share-permission"


def test_a_rule_the_team_disabled_itself_is_not_blamed_on_its_scope() -> None:
    report = "We disabled the failed-login alert during the migration and now it does not fire."
    assert finding_id(reads_state(report, [RULE])) != "log-alert-rule-disabled"


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_a_data_lake_403_in_a_sticky_folder_is_the_sticky_bit() -> None:
    report = ("DELETE https://dls.dfs.core.windows.net/lake/staging/a.parquet -> 403 AuthorizationPermissionMismatch\n"
              'az storage fs access show: "permissions": "rwxrwxrwt"')
    assert _clue(report) == "adls-sticky-bit-blocks-non-owner"
    assert _clue(report.replace("rwxrwxrwt", "rwxrwxrwx")) != "adls-sticky-bit-blocks-non-owner"


def test_a_managed_identity_after_a_directory_transfer_is_the_transfer() -> None:
    report = ("ManagedIdentityCredential authentication failed: Identity not found. Last week the subscription was "
              "transferred to the new Contoso tenant.")
    assert _clue(report) == "managed-identity-broken-by-subscription-directory-transfer"
    assert _clue("ManagedIdentityCredential authentication failed: Identity not found.") \
        != "managed-identity-broken-by-subscription-directory-transfer"
    assert _clue(report + " Key Vault answers 401 AKV10032: Invalid issuer.") \
        != "managed-identity-broken-by-subscription-directory-transfer"


@pytest.mark.parametrize(("text", "entry"), [
    ("You do not have permissions to use the access key to list data.", "storage-portal-access-key-list-denied"),
    ("You do not have permissions to list the data using your user account with Microsoft Entra ID. Click to learn "
     "more about authenticating with Microsoft Entra ID.", "storage-portal-entra-list-data-denied"),
    ("WARN  c.m.a.TelemetryChannel - Failed to send telemetry with status code: 403, please check your credentials",
     "integration-appinsights-java-agent-ingestion-forbidden"),
    ("WARN  c.m.a.TelemetryChannel - Failed to send telemetry with status code: 401, please check your credentials",
     "integration-appinsights-java-agent-ingestion-unauthorized"),
])
def test_the_round_24_b_entry_ranks_first(text: str, entry: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry, [h.entry.id for h in hits[:3]]



@pytest.mark.parametrize(("resource_type", "body", "expected"), [
    ("Microsoft.Storage/storageAccounts",
     {"properties": {"azureFilesIdentityBasedAuthentication": {"directoryServiceOptions": "AD",
                                                               "defaultSharePermission": "None"}}},
     {"azureFilesIdentityBasedAuthentication": {"directoryServiceOptions": "AD", "defaultSharePermission": "None"}}),
    ("Microsoft.Insights/scheduledQueryRules",
     {"properties": {"enabled": False, "scopes": ["/subscriptions/x/resourceGroups/g/providers/w"],
                     "evaluationFrequency": "PT5M", "windowSize": "PT15M", "muteActionsDuration": "PT1H"}},
     {"enabled": False, "scopes": ["/subscriptions/x/resourceGroups/g/providers/w"], "evaluationFrequency": "PT5M",
      "windowSize": "PT15M", "muteActionsDuration": "PT1H"}),
])
def test_the_round_24_b_fields_are_read_from_the_resource(resource_type: str, body: dict[str, Any],
                                                          expected: dict[str, Any]) -> None:
    extracted = extract_fields(body, _fields(resource_type))
    assert {key: extracted.get(key) for key in expected} == expected


def test_the_application_insights_playbook_reads_its_workspace() -> None:
    component = f"{SUB}/Microsoft.Insights/components/appi-shop"
    workspace = f"{SUB}/Microsoft.OperationalInsights/workspaces/log-shop"
    state = SessionState(trace_id="r" * 32, options=Options(), ttl_seconds=60, azure_access=True,
                         material=Material(error_description=f"Telemetry stops every afternoon ({component})"))
    read: list[str] = []
    while len(read) < 12 and isinstance(step := investigate(state), RunTool):
        target = str(step.arguments.get("resource_id") or "")
        read.append(target)
        data: dict[str, Any] = ({"type": "Microsoft.Insights/components", "name": "appi-shop",
                                 "WorkspaceResourceId": workspace} if target == component else {})
        state.add_evidence(Evidence(tool=step.tool, arguments=step.arguments, status="success", summary="read",
                                    data=data))
    assert workspace in read
