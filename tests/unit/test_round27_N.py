"""Round 27 N (robustness: the rob_N failures told in other words): the API Management backend-trust clue reads the
.NET "trust relationship" wording and a corporate PKI as well as "self-signed"; a refused switch to continuous backup
on a customer-managed-key Cosmos DB account is recognised in its template form (backupPolicy type Continuous), not
only as the az CLI flag; the InvalidBlobOrBlock entry names the block-ID length mismatch."""

from __future__ import annotations

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from tests.helpers.clue_checks import concludes
from tests.helpers.finding_checks import finding_id, reads_state

APIM_CLUE = "apim-backend-certificate-not-trusted"
TRUST_ROW = ("ApiManagementGatewayLogs: ResponseCode 500, BackendResponseCode 0, LastErrorReason "
             "BackendConnectionFailure, LastErrorMessage: The underlying connection was closed: Could not establish "
             "trust relationship for the SSL/TLS secure channel.")


def _clue(text: str) -> str | None:
    found = clue_in([text])
    return found["id"] if found else None


def test_the_trust_relationship_wording_is_an_untrusted_backend_certificate() -> None:
    assert _clue(TRUST_ROW) == APIM_CLUE
    assert concludes(TRUST_ROW, "auth.credential_invalid")


def test_a_corporate_pki_backend_behind_apim_is_the_same_clue() -> None:
    text = "APIM returns 500 for every call since the backend got a certificate from our corporate PKI."
    assert _clue(text) == APIM_CLUE


def test_a_backend_connection_failure_without_a_certificate_word_stays_silent() -> None:
    assert _clue("APIM gateway log: BackendConnectionFailure, the backend timed out after 30 seconds; 500 to "
                 "callers.") != APIM_CLUE
    assert _clue("Our corporate PKI issued a new certificate for the intranet web server.") != APIM_CLUE


CMK = {"type": "Microsoft.DocumentDB/databaseAccounts", "name": "cosmos-shop", "backupPolicy": "Periodic",
       "enableAnalyticalStorage": False, "keyVaultKeyUri": "https://kv-shop.vault.azure.net/keys/cmk",
       "defaultIdentity": "FirstPartyIdentity", "publicNetworkAccess": "Enabled", "privateEndpointConnections": 0}
PLAIN = {**CMK, "keyVaultKeyUri": None}
BICEP = ("Our bicep added backupPolicy: { type: 'Continuous' } to cosmos-shop for point-in-time restore; the account "
         "is encrypted with customer managed keys and the deployment of the change fails.")


def test_a_template_switch_to_continuous_on_a_cmk_account_is_the_key_identity() -> None:
    assert finding_id(reads_state(BICEP, [CMK])) == "cosmos-cmk-continuous-backup-first-party-identity"


def test_the_template_switch_without_a_customer_managed_key_keeps_the_periodic_finding() -> None:
    text = "Our bicep added backupPolicy: { type: 'Continuous' } to cosmos-shop; point-in-time restore is not there."
    assert finding_id(reads_state(text, [PLAIN])) == "cosmos-periodic-backup-no-point-in-time-restore"


def test_the_invalid_blob_or_block_entry_names_the_block_id_length() -> None:
    hits = catalog_index().hits([("ErrorCode:InvalidBlobOrBlock The specified blob or block content is invalid.",
                                  "error")])
    assert hits and hits[0].entry.id == "storage-invalid-blob-or-block"
    assert "length" in hits[0].entry.meaning and "same length" in " ".join(hits[0].entry.fix)
    assert "storage-invalid-blob-or-block" not in [
        h.entry.id for h in catalog_index().hits([("The nightly export job writes an empty CSV.", "error")])]
