"""The twenty-sixth round of findings, helper U (knowledge/evidence_findings.yaml, symptom_clues.yaml, catalog
storage_files.yaml): storage pages no knowledge cited before - an Elastic SAN with public network access disabled
that clients reach through a storage service endpoint, an Azure Files account with identity-based SMB access and no
default share-level permission that a computer identity (Local System) connects to, the Elastic SAN session limit a
new cluster node runs into, and Azure NetApp Files resource provider and volume errors. Each finding fires on
recorded-like reads with the symptom it explains and stays silent for its near miss; the new api_versions fields
read a realistic body; the clue and the catalog entries read their own symptom only."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.finding_checks import FindingCase as Case
from tests.helpers.finding_checks import (
    check_case_fires,
    check_case_stays_silent,
    extracted,
    finding_id,
    reads_state,
)

UNRELATED = "The nightly export job writes an empty CSV since Monday."
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-san/providers"

SAN = {"type": "Microsoft.ElasticSan/elasticSans", "name": "esan-sql", "publicNetworkAccess": "Disabled",
       "privateEndpointConnections": 0, "provisioningState": "Succeeded"}
SMB = {"type": "Microsoft.Storage/storageAccounts", "name": "sterp", "sku": "Standard_ZRS",
       "azureFilesIdentityBasedAuthentication": {"directoryServiceOptions": "AD", "defaultSharePermission": "None"}}
SAN_REPORT = ("The VMs reach the SAN through a Microsoft.Storage.Global service endpoint on their subnet; iscsiadm "
              "login to the volume target times out.")
SYSTEM_REPORT = ("Our export service runs as Local System and gets Access to the path is denied on "
                 "\\\\sterp.file.core.windows.net\\exports; users can open the share.")

CASES = [
    Case("elastic-san-public-access-disabled-service-endpoint", "network.nsg_blocked", "publicNetworkAccess", [SAN],
         SAN_REPORT, near_reads=[{**SAN, "publicNetworkAccess": "Enabled"}]),
    Case("storage-files-computer-identity-without-default-share-permission", "auth.rbac_missing",
         "defaultSharePermission", [SMB], SYSTEM_REPORT,
         near_reads=[{**SMB, "azureFilesIdentityBasedAuthentication": {
             "directoryServiceOptions": "AD", "defaultSharePermission": "StorageFileDataSmbShareContributor"}}]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_a_round_26_u_finding_explains_its_symptom(case: Case) -> None:
    check_case_fires(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_a_round_26_u_finding_stays_silent_for_its_near_miss(case: Case) -> None:
    check_case_stays_silent(case, UNRELATED)


def test_a_san_reached_through_its_private_endpoint_is_no_service_endpoint_verdict() -> None:
    report = ("We connect through the private endpoint, the subnet also has a service endpoint; iscsiadm login "
              "times out.")
    assert finding_id(reads_state(report, [SAN])) != "elastic-san-public-access-disabled-service-endpoint"


def test_a_user_denied_on_the_share_is_no_computer_identity_verdict() -> None:
    report = "A user gets Access is denied on \\\\sterp.file.core.windows.net\\exports since Monday."
    assert finding_id(reads_state(report, [SMB])) != "storage-files-computer-identity-without-default-share-permission"


def test_the_elastic_san_public_network_access_is_read_from_the_san() -> None:
    body = {"id": f"{SUB}/Microsoft.ElasticSan/elasticSans/esan-sql", "name": "esan-sql",
            "type": "Microsoft.ElasticSan/elasticSans", "location": "westeurope",
            "properties": {"baseSizeTiB": 5, "publicNetworkAccess": "Disabled", "privateEndpointConnections": [],
                           "provisioningState": "Succeeded"}}
    data = extracted("Microsoft.ElasticSan", "elasticSans", body)
    assert data["publicNetworkAccess"] == "Disabled"
    assert data["privateEndpointConnections"] == 0
    assert data["provisioningState"] == "Succeeded"


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_the_elastic_san_session_limit_clue_reads_its_symptom_only() -> None:
    report = ("A new node of our failover cluster cannot connect the shared Elastic SAN volumes; each old node has "
              "32 sessions per volume.")
    assert _clue(report) == "elastic-san-iscsi-session-limit-new-node"
    clue = "elastic-san-iscsi-session-limit-new-node"
    assert _clue("Our Elastic SAN volume shows high latency during backups.") != clue
    assert _clue(UNRELATED) != "elastic-san-iscsi-session-limit-new-node"


@pytest.mark.parametrize(("entry_id", "text"), [
    ("storage-anf-pool-size-too-small", "volume update failed: Pool size too small for total volume size."),
    ("storage-anf-service-level-cannot-be-changed", "The pool update failed: ServiceLevel cannot be changed."),
    ("storage-anf-mixed-cifs-nfs-protocol-types", "400: Not allowed to mix protocol types CIFS and NFS"),
    ("storage-anf-netapp-accounts-restricted", "Creation of netAppAccounts has been restricted in this region."),
    ("storage-anf-could-not-query-dns-server", "Error when creating - Could not query DNS server. Verify that the "
                                               "network configuration is correct and that DNS servers are available."),
    ("storage-anf-kerberos-flag-export-policy", "Error allocating volume - Export policy rules does not match "
                                                "kerberosEnabled flag"),
    ("storage-anf-ad-join-password-mismatch", "Failed to create the Active Directory machine account. CIFS server "
                                              "account password does not match password stored in Active Directory "
                                              "(KRB5KDC_ERR_PREAUTH_FAILED)"),
    ("storage-anf-requested-throughput-not-available", "Volume update fails: Requested throughput not available."),
])
def test_a_round_26_u_catalog_entry_reads_its_error(entry_id: str, text: str) -> None:
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry_id
    assert entry_id not in [h.entry.id for h in catalog_index().hits([(UNRELATED, "error")])]
