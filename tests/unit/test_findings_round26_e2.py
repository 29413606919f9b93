"""Round 26 e2: Microsoft Entra application provisioning (quarantine, SCIM endpoints, API-driven inbound
provisioning /bulkUpload) and Azure AD B2C error codes, added to the catalog (knowledge/catalog/entra.yaml). Each
pasted error ranks its new entry first; the near misses (the same generic words from another Graph call or another
service) do not reach the provisioning entries."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index

CASES = [
    ("entra-provisioning-quarantine-invalid-admin-credentials",
     '"status": {"code": "Quarantine", "quarantine": {"reason": "EncounteredQuarantineException"}}'),
    ("entra-provisioning-scim-404-instead-of-200",
     "An HTTP/404 Not Found response was returned rather than the expected HTTP/200 OK response. GET /scim/Users"),
    ("entra-inbound-provisioning-bulkupload-forbidden",
     'POST https://graph.microsoft.com/v1.0/servicePrincipals/x/synchronization/jobs/y/bulkUpload returned 403 '
     '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}'),
    ("entra-inbound-provisioning-bulkupload-invalid-data-format",
     "Sending the SCIM BulkRequest to the /bulkUpload endpoint: 400 Bad Request - Invalid Data Format"),
    ("entra-b2c-aadb2c90006-redirect-uri-not-registered",
     "AADB2C90006: The redirect URI 'https://shop.contoso.com/signin-oidc' provided in the request is not registered "
     "for the client ID '5b0c2a6e-91d4-4f3a-8a0e-0c1d2e3f4a5b'."),
    ("entra-b2c-aadb2c90057-implicit-flow-not-allowed",
     "AADB2C90057: The provided application is not configured to allow the OAuth Implicit flow."),
    ("entra-b2c-aadb2c90079-client-secret-not-sent",
     "AADB2C90079: Clients must send a client_secret when redeeming a confidential grant."),
    ("entra-b2c-aadb2c90205-api-permission-not-granted",
     "AADB2C90205: This application does not have sufficient permissions against this web resource to perform the "
     "operation."),
    ("entra-b2c-aadb2c90220-policy-key-certificate-invalid",
     "AADB2C90220: The key container in tenant 'contosob2c.onmicrosoft.com' with storage identifier "
     "'B2C_1A_SamlIdpCert' exists but does not contain a valid certificate."),

    ("entra-provisioning-ad-insufficient-access-rights",
     "Provisioning log: HybridSynchronizationActiveDirectoryInsufficientAccessRights - 00002098: SecErr: "
     "DSID-03150F94, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0"),
    ("entra-b2c-aadb2c90118-forgot-password-not-handled",
     "error_description: 'AADB2C90118: The user has forgotten their password."),
    ("entra-b2c-aadb2c90224-ropc-not-enabled",
     "AADB2C90224: Resource owner flow has not been enabled for the application."),
]

NEAR_MISSES = [
    # the same Graph denial from a role assignment is a directory-read problem, not the bulkUpload permission
    ("entra-inbound-provisioning-bulkupload-forbidden",
     "az role assignment create failed: Insufficient privileges to complete the operation. "
     "Authorization_RequestDenied"),
    # an "invalid data format" from another API is not the provisioning endpoint's Content-Type
    ("entra-inbound-provisioning-bulkupload-invalid-data-format",
     "The IoT device upload returned 400: Invalid Data Format in the telemetry batch."),
    # an LDAP write refused to a script's own account is not the provisioning agent's gMSA
    ("entra-provisioning-ad-insufficient-access-rights",
     "Set-ADUser : Insufficient access rights to perform the operation. 00002098: SecErr: DSID-03150F94, "
     "problem 4003 (INSUFF_ACCESS_RIGHTS), data 0"),
]


@pytest.mark.parametrize(("entry_id", "text"), CASES, ids=[c[0] for c in CASES])
def test_the_new_entry_ranks_first(entry_id: str, text: str):
    hits = catalog_index().hits([(text, "error")])
    assert hits, f"no catalog entry matches: {text[:120]!r}"
    assert hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


@pytest.mark.parametrize(("entry_id", "text"), NEAR_MISSES, ids=[c[0] for c in NEAR_MISSES])
def test_the_near_miss_does_not_reach_the_entry(entry_id: str, text: str):
    assert entry_id not in [h.entry.id for h in catalog_index().hits([(text, "error")])]


def test_the_b2c_facts_are_read():
    text = CASES[8][1]
    hits = catalog_index().hits([(text, "error")], [text])
    assert hits[0].facts.get("policy_key") == "B2C_1A_SamlIdpCert"
