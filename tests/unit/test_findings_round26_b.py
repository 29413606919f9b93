"""Round 26 b of findings (knowledge/evidence_findings.yaml): storage accounts whose SAS expiration policy blocks long
or short SAS (a blocking policy refuses key-signed links valid longer than its period; a period under eight hours
breaks Azure file share backup), a ReadOnly lock that stops file share backup, a restore refused by an account that
does not let trusted services through, and a file service whose SMB security settings accept no AES-256 Kerberos
ticket. Each fires on recorded-like reads with the symptom it explains and stays silent for its near miss; the
fields and playbook reads the findings need are kept and made."""

from __future__ import annotations

import pytest

from shared.engines.playbooks import conclude_finding, finding
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    case_tests,
    check_case_stays_silent,
    extracted,
    kept_fields,
    playbook_reads,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000026/resourceGroups/rg-files/providers"
ACCOUNT_ID = f"{SUB}/Microsoft.Storage/storageAccounts/stshares"

STORAGE = {"type": "Microsoft.Storage/storageAccounts", "name": "stshares", "sasExpirationPeriod": "1.00:00:00",
           "sasExpirationAction": "Block", "networkAcls": {"defaultAction": "Allow", "bypass": "AzureServices"}}
BACKUP_STORAGE = {**STORAGE, "sasExpirationPeriod": "0.04:00:00", "sasExpirationAction": "Log"}
LOCKS = {"type": "Microsoft.Authorization/locks", "name": None, "levels": ["ReadOnly"], "lockNames": ["freeze-hr"]}
CLOSED = {**STORAGE, "sasExpirationAction": None,
          "networkAcls": {"defaultAction": "Deny", "bypass": "None", "ipRules": []}}
FILE_SERVICE = {"type": "Microsoft.Storage/storageAccounts/fileServices", "name": "default",
                "smbKerberosTicketEncryption": "RC4-HMAC;", "smbVersions": "SMB3.0;SMB3.1.1;"}

SAS_LINK = ("GET https://stshares.blob.core.windows.net/packages/pack.zip?sv=2022-11-02&st=2025-01-20T00:00Z"
            "&se=2025-02-19T00:00Z&sr=b&sp=r&sig=abc returns 403 AuthenticationFailed: Server failed to authenticate "
            "the request.")
BACKUP = ("Backup of the share finance fails: Error Code: CloudStorageAccountAuthenticationFailed. Invalid credentials "
          "specified for accessing backup data store.")
LOCKED = ("Error Code: UserErrorStorageAccountIsLocked - Backup or restore jobs failed due to storage account being "
          "in locked state.")
RESTORE = ("Restore fails: UserErrorSourceOrTargetAccountNotAccessible - Source or Target storage account is not "
           "accessible from the Azure Files restore service.")
MOUNT = ("Since the DC update net use Z: \\\\stshares.file.core.windows.net\\profiles gives System error 5, Access is "
         "denied; klist shows an AES-256 ticket for cifs/stshares.file.core.windows.net.")

CASES = [
    Case("storage-sas-expiration-policy-blocks-long-sas", "auth.credential_invalid", "sasExpirationPeriod", [STORAGE],
         SAS_LINK, near_reads=[{**STORAGE, "sasExpirationAction": "Log"}]),
    Case("storage-files-backup-sas-expiration-period-under-8-hours", "auth.credential_invalid", "0.04:00:00",
         [BACKUP_STORAGE], BACKUP, near_reads=[{**BACKUP_STORAGE, "sasExpirationPeriod": "0.12:00:00"}]),
    Case("storage-account-read-only-lock-stops-file-share-backup", "deployment.resource_locked", "ReadOnly",
         [STORAGE, LOCKS], LOCKED, near_reads=[STORAGE, {**LOCKS, "levels": ["CanNotDelete"]}]),
    Case("storage-files-smb-kerberos-encryption-without-aes256", "auth.credential_invalid", "kerberosTicketEncryption",
         [STORAGE, FILE_SERVICE], MOUNT,
         near_reads=[STORAGE, {**FILE_SERVICE, "smbKerberosTicketEncryption": "RC4-HMAC;AES-256;"}]),
]


test_finding_explains_its_symptom, test_finding_stays_silent_for_its_near_miss = case_tests(CASES, UNRELATED)


def test_a_restore_refused_by_an_account_without_trusted_services_is_named_by_its_bypass() -> None:
    # the catalog entry of the restore error consults the findings that conclude by themselves (not the delegated
    # storage-account-denies-by-default, which hands any closed account to the firewall analyzer)
    rule, facts = finding(reads_state(RESTORE, [CLOSED]), delegates=False) or ({}, {})
    assert rule.get("id") == "storage-restore-account-without-trusted-services"
    report = conclude_finding(reads_state(RESTORE, [CLOSED]), rule, facts).report
    assert report.category == "network.storage_firewall" and "bypass" in report.root_cause
    assert "{" not in report.root_cause and rule.get("confidence") == "medium"
    allowed = {**CLOSED, "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"}}
    for report_text, reads in ((RESTORE, [allowed]), (UNRELATED, [CLOSED])):
        found = finding(reads_state(report_text, reads), delegates=False)
        assert found is None or found[0]["id"] != "storage-restore-account-without-trusted-services"


def test_a_user_delegation_sas_is_not_measured_by_the_expiration_policy() -> None:
    report = SAS_LINK.replace("sr=b", "skoid=1&ske=2025-01-21T00:00Z&sr=b")
    case = Case("storage-sas-expiration-policy-blocks-long-sas", "auth.credential_invalid", "x", [STORAGE], report)
    check_case_stays_silent(case, UNRELATED)


@pytest.mark.parametrize(("field", "value"), [("sasExpirationPeriod", "1.00:00:00"), ("sasExpirationAction", "Block")])
def test_the_storage_account_read_keeps_the_sas_policy(field: str, value: str) -> None:
    assert field in kept_fields("Microsoft.Storage/storageAccounts")
    body = {"properties": {"sasPolicy": {"sasExpirationPeriod": "1.00:00:00", "expirationAction": "Block"}}}
    assert extracted("Microsoft.Storage", "storageAccounts", body)[field] == value


@pytest.mark.parametrize(("field", "value"), [("smbKerberosTicketEncryption", "RC4-HMAC;"),
                                              ("smbVersions", "SMB3.1.1;"),
                                              ("smbAuthenticationMethods", "Kerberos;"),
                                              ("smbChannelEncryption", "AES-256-GCM;")])
def test_the_file_service_read_keeps_its_smb_security_settings(field: str, value: str) -> None:
    body = {"properties": {"protocolSettings": {"smb": {
        "kerberosTicketEncryption": "RC4-HMAC;", "versions": "SMB3.1.1;", "authenticationMethods": "Kerberos;",
        "channelEncryption": "AES-256-GCM;"}}}}
    assert extracted("Microsoft.Storage", "storageAccounts/fileServices", body)[field] == value


@pytest.mark.parametrize(("report", "suffix"), [
    (LOCKED, "/providers/Microsoft.Authorization/locks"),
    ("New mounts fail with access denied; klist shows an AES-256 Kerberos ticket.", "/fileServices/default"),
])
def test_the_storage_playbook_reads_what_round_26_b_needs(report: str, suffix: str) -> None:
    assert ("get_resource", ACCOUNT_ID + suffix) in playbook_reads(ACCOUNT_ID, report)


def test_the_round_26_b_steps_wait_for_their_symptom() -> None:
    reads = playbook_reads(ACCOUNT_ID, "Uploads get 403 Forbidden")
    assert ("get_resource", ACCOUNT_ID + "/fileServices/default") not in reads
    assert ("get_resource", ACCOUNT_ID + "/providers/Microsoft.Authorization/locks") not in reads
