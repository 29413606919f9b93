"""Round 25 b: Microsoft Entra ID for developers - custom authentication extension errors (the Authentication
Events tab of the sign-in log), a claims challenge (insufficient_claims) the app does not answer, and federated
identity credentials blocked by the "Not allowed resource types" policy. These are catalog entries (no evidence
finding): each paste ranks its entry first and the engine concludes its category; the near misses stay with the
entries they belong to."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.session.state import Conclude
from tests.helpers.engine_loop import run_engine

CASES = [
    ("entra-custom-extension-timed-out", "runtime.timeout",
     "Sign-ins fail. Authentication Events tab: Error code 1003005 CustomExtensionTimedOut"),
    ("entra-custom-extension-receive-payload-not-consented", "auth.rbac_missing",
     "Every sign-in fails, sign-in log shows 1003021 CustomExtensionPermissionNotGrantedToServicePrincipal"),
    ("entra-custom-extension-domain-name-mismatch", "config.invalid_connection_string",
     "After moving the API the sign-in log shows 1003015 CustomExtensionDomainNameDoesNotMatch"),
    ("entra-custom-extension-invalid-response-body", "runtime.code_defect",
     "The function returns 200 but sign-in fails: 1003003 CustomExtensionInvalidResponseBody"),
    ("entra-custom-extension-resource-id-format", "config.invalid_connection_string",
     "Sign-in log Authentication Events: 1003014 CustomExtensionIncorrectResourceIdFormat"),
    ("entra-claims-challenge-insufficient-claims-not-handled", "runtime.code_defect",
     'GET https://graph.microsoft.com/v1.0/me -> 401\nwww-authenticate: Bearer realm="", '
     'authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", '
     'claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ=="'),
    ("entra-federated-credential-blocked-by-not-allowed-resource-types", "deployment.policy_denied",
     "$ az identity federated-credential create --name gh --identity-name id-deploy --resource-group rg "
     "--issuer https://token.actions.githubusercontent.com --subject repo:o/r:ref:refs/heads/main\n"
     "(RequestDisallowedByPolicy) Resource 'gh' was disallowed by policy. Policy identifiers: "
     "'[{\"policyAssignment\":{\"name\":\"Block\",\"id\":\"/subscriptions/1/providers/Microsoft.Authorization/"
     "policyAssignments/block-fic\"},\"policyDefinition\":{\"name\":\"Not allowed resource types\"}}]'."),
]


@pytest.mark.parametrize(("entry_id", "category", "text"), CASES, ids=[c[0] for c in CASES])
def test_the_new_entry_ranks_first_and_concludes(entry_id: str, category: str, text: str):
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude) and final.report.category == category, final


def test_a_plain_audience_challenge_stays_with_easy_auth():
    text = ('HTTP 401 from https://app-orders.azurewebsites.net/api/orders\n'
            'WWW-Authenticate: Bearer realm="app-orders", '
            'authorization_uri="https://login.microsoftonline.com/t/oauth2/authorize", resource_id="api://orders"')
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "appservice-easy-auth-bearer-audience-rejected"
    assert all(h.entry.id != "entra-claims-challenge-insufficient-claims-not-handled" for h in hits)


def test_a_not_allowed_resource_type_elsewhere_keeps_the_generic_entry():
    text = ("(RequestDisallowedByPolicy) Resource 'vm1' was disallowed by policy. Policy identifiers: "
            "'[{\"policyDefinition\":{\"name\":\"Not allowed resource types\"}}]'.")
    hits = catalog_index().hits([(text, "error")])
    assert hits and hits[0].entry.id == "arm-policy-not-allowed-resource-types"
    assert all(h.entry.id != "entra-federated-credential-blocked-by-not-allowed-resource-types" for h in hits)
