"""Round 29, audit G (app registrations and consent, workload identity federation, Microsoft Graph permissions,
Azure Policy, subscription and management-group limits): Graph's /me with an app-only token, a token without any
permission claim, mailbox access denied and a Graph 403 from the caller's own code; a policy definition's missing
alias or unescaped policy function; the Azure Policy add-on's Helm, provider and aad-pod-identity failures; consent
refused by tenant policy or as a risky app; an assignment with enforcement disabled, the management-group depth,
the tag limit and Guest Configuration removing user-assigned identities; and each one's near miss."""

from __future__ import annotations

import pytest

from shared.catalog.index import catalog_index
from shared.engines.clues import clue_in
from shared.session.state import Conclude
from tests.helpers.clue_checks import concludes, final_of

CATALOG_CASES = {
    "entra-graph-me-with-app-only-token":
        "az ad signed-in-user show --query id -o tsv\n"
        "ERROR: /me request is only valid with delegated authentication flow.",
    "entra-graph-token-without-scp-or-roles":
        '401 {"error":{"code":"InvalidAuthenticationToken","message":"Either scp or roles claim need to be present in '
        'the token."}}',
    "entra-graph-exchange-error-access-denied":
        'GET https://graph.microsoft.com/v1.0/users/ops@contoso.com/messages\n403 {"error":{"code":"ErrorAccessDenied",'
        '"message":"Access is denied. Check credentials and try again."}}',
    "entra-graph-request-denied-missing-graph-permission":
        "graph_client.users.get() -> APIError Code: 403 error: MainError(code='Authorization_RequestDenied', "
        "message='Insufficient privileges to complete the operation.')  (msgraph, GraphServiceClient)",
    "arm-policy-definition-alias-not-found":
        "(InvalidPolicyAlias) The policy definition 'deny-ftp' rule is invalid. The 'field' property "
        "'Microsoft.Web/sites/ftpsState' of the policy rule doesn't exist as an alias under provider 'Microsoft.Web'.",
    "arm-policy-addon-helm-release-name-in-use":
        "helm install azure-policy-addon azure-policy/azure-policy-addon-arc-clusters\n"
        "Error: INSTALLATION FAILED: cannot re-use a name that is still in use",
    "arm-policy-addon-helm-password-comma":
        "helm install azure-policy-addon azure-policy/azure-policy-addon-arc-clusters --set a=b,c\n"
        'Error: failed parsing --set data: key "x" has no value (cannot end with ,)',
    "arm-policy-addon-policyinsights-not-registered":
        "The resource provider 'Microsoft.PolicyInsights' is not registered in subscription '1111'. See "
        "https://aka.ms/policy-register-subscription for how to register subscriptions.",
    "arm-policy-addon-aad-pod-identity-intercepts":
        "adal: Refresh request failed. Status Code = '404'. Response body: getting assigned identities for pod "
        "kube-system/azure-policy-8c785548f-r882p in CREATED state failed after 16 attempts",
    "entra-aadsts90093-user-consent-not-allowed":
        "AADSTS90093: An administrator of Fabrikam has set a policy that prevents you from granting Sync the "
        "permissions it's requesting.",
    "entra-aadsts900941-risky-app-admin-consent":
        "AADSTS900941: Administrator consent is required. App is considered risky. (AdminConsentRequiredDueToRiskyApp)",
}


@pytest.mark.parametrize("entry_id", list(CATALOG_CASES))
def test_the_new_entry_ranks_first(entry_id: str) -> None:
    hits = catalog_index().hits([(CATALOG_CASES[entry_id], "error")])
    assert hits and hits[0].entry.id == entry_id, [h.entry.id for h in hits[:3]]


def _first(text: str) -> str:
    hits = catalog_index().hits([(text, "error")])
    return hits[0].entry.id if hits else ""


def test_graph_invalid_token_keeps_its_entry_unless_the_token_has_no_permission_claim() -> None:
    expired = ('401 {"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet '
               'valid."}}')
    assert _first(expired) == "entra-graph-invalid-authentication-token"


def test_insufficient_privileges_of_app_creation_or_a_plain_message_is_not_the_graph_permission_entry() -> None:
    create = "az ad app create --display-name x\nInsufficient privileges to complete the operation."
    assert _first(create) != "entra-graph-request-denied-missing-graph-permission"
    plain = "Authorization_RequestDenied: Insufficient privileges to complete the operation."
    assert _first(plain) != "entra-graph-request-denied-missing-graph-permission"


def test_a_helm_name_conflict_of_another_chart_is_not_the_policy_add_on() -> None:
    other = "helm install ingress-nginx ingress-nginx/ingress-nginx\nError: cannot re-use a name that is still in use"
    assert _first(other) != "arm-policy-addon-helm-release-name-in-use"


def test_an_unescaped_policy_function_in_a_template_is_not_the_generic_invalid_template() -> None:
    text = ("InvalidTemplate: Deployment template validation failed: 'The template function 'field' is not expected "
            "at this location.'")
    final = final_of(text)
    assert isinstance(final, Conclude) and final.report.category == "deployment.template_invalid"
    assert "doubled opening bracket" in final.report.root_cause
    generic = "InvalidTemplate: Deployment template validation failed: 'The template resource 'x' is not valid.'"
    final = final_of(generic)
    assert isinstance(final, Conclude) and "doubled opening bracket" not in final.report.root_cause


ENFORCEMENT_OFF = ("We assigned Allowed locations to the subscription, but people can still create VMs in eastus and "
                   "nothing in the activity log. The assignment shows Policy enforcement Disabled.")


def test_an_assignment_with_enforcement_disabled_is_the_policy_verdict() -> None:
    found = clue_in([ENFORCEMENT_OFF])
    assert found and found["id"] == "policy-assignment-enforcement-disabled"
    assert concludes(ENFORCEMENT_OFF, "deployment.policy_denied")


def test_an_enforced_assignment_or_a_disabled_feature_is_no_enforcement_verdict() -> None:
    enforced = "We assigned Allowed locations; people can still create VMs in eastus. Enforcement mode is Default."
    found = clue_in([enforced])
    assert not found or found["id"] != "policy-assignment-enforcement-disabled"
    https = "HTTPS enforcement is disabled on the app and it still works over http; no policy involved? It fails."
    found = clue_in([https])
    assert not found or found["id"] != "policy-assignment-enforcement-disabled"


def test_the_management_group_depth_is_a_quota_but_a_plain_group_move_is_not() -> None:
    deep = "Creating a management group under mg-eu fails: the hierarchy would exceed the maximum depth."
    assert concludes(deep, "quota.exceeded")
    move = "Moving a subscription to management group mg-prod fails with an error."
    found = clue_in([move])
    assert not found or found["id"] != "management-group-hierarchy-depth-limit"


def test_guest_configuration_removing_a_user_assigned_identity_but_not_a_bare_identity_question() -> None:
    lost = ("After assigning the Guest Configuration initiative our VMs lost their user-assigned identity; only a "
            "system-assigned one is left.")
    assert concludes(lost, "auth.managed_identity_missing")
    found = clue_in(["How do I add a user-assigned identity to a VM for Guest Configuration?"])
    assert not found or found["id"] != "guest-configuration-policy-removed-user-assigned-identity"


def test_more_than_fifty_tags_is_refused_but_blob_index_tags_are_another_limit() -> None:
    assert concludes("The deployment fails: the storage account would have 54 tags, more than 50 allowed.",
                     "deployment.template_invalid")
    found = clue_in(["Setting blob index tags fails: more than 10 tags... the limit of 50 blob index tags per blob?"])
    assert not found or found["id"] != "resource-tag-count-limit"
