"""Edges of the identity and permission analyzers: ask-then-conclude, ruling out, roles derived from the error."""

from __future__ import annotations

from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine

KV_403 = "GET https://kv-ops-prod.vault.azure.net/secrets/api-key?api-version=7.4 returned 403 Forbidden"
DEFAULT_CREDENTIAL = ("ClientAuthenticationError: DefaultAzureCredential failed to retrieve a token from the included "
                      "credentials.\nAttempted credentials:\n\tManagedIdentityCredential: ManagedIdentityCredential "
                      "authentication unavailable, no response from the IMDS endpoint.")


def test_a_bare_key_vault_403_asks_for_the_permission_model() -> None:
    outcome = run_engine({"error_description": KV_403})
    assert isinstance(outcome.final, AskClient)
    assert outcome.final.request.suggested_commands == [
        "az keyvault show --name kv-ops-prod --query properties.enableRbacAuthorization"]


def test_access_policies_in_the_answer_lead_to_set_policy_with_medium_confidence() -> None:
    rules = [{"when_asked_contains": "enableRbacAuthorization", "answer": '{"enableRbacAuthorization": false}'}]
    outcome = run_engine({"error_description": KV_403}, rules)
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.confidence == "medium"
    assert "az keyvault set-policy --name kv-ops-prod" in " ".join(outcome.final.report.actions)


def test_an_unusable_answer_about_the_vault_ends_in_fail() -> None:
    rules = [{"when_asked_contains": "enableRbacAuthorization", "answer": "I cannot run az here."}]
    outcome = run_engine({"error_description": KV_403}, rules)
    assert isinstance(outcome.final, GiveUp) and outcome.final.reason == "exhausted"
    assert outcome.final.report.category == "auth.keyvault_access_denied"


def test_a_system_assigned_identity_rules_out_a_missing_identity() -> None:
    answer = ('{"principalId": "4c1f7e2a-9b36-4d58-a0e7-2f8c6d1b3e95", "tenantId": "t", '
              '"type": "SystemAssigned"}')
    outcome = run_engine({"error_description": DEFAULT_CREDENTIAL},
                         [{"when_asked_contains": "identity show", "answer": answer}])
    assert isinstance(outcome.final, GiveUp) and outcome.final.reason == "exhausted"


def test_only_a_user_assigned_identity_and_no_client_id_in_code_is_the_wrong_identity() -> None:
    answer = ('{"type": "UserAssigned", "principalId": null, "userAssignedIdentities": {"/subscriptions/s/'
              'resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app": {"clientId": '
              '"2d8e4f1a-7c93-4b56-a0e1-9f3c5b7d2e68", "principalId": "p"}}}')
    outcome = run_engine({"error_description": DEFAULT_CREDENTIAL},
                         [{"when_asked_contains": "identity show", "answer": answer}])
    assert isinstance(outcome.final, Conclude)
    assert "2d8e4f1a-7c93-4b56-a0e1-9f3c5b7d2e68" in outcome.final.report.root_cause
    assert "AZURE_CLIENT_ID" in " ".join(outcome.final.report.actions)


def test_the_storage_role_follows_the_service_endpoint() -> None:
    error = ("This request is not authorized to perform this operation using this permission.\n"
             "ErrorCode:AuthorizationPermissionMismatch\nurl: https://stjobs01.queue.core.windows.net/jobs/messages")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert "Storage Queue Data Contributor" in outcome.final.report.root_cause


def test_a_403_symptom_is_settled_by_the_body_the_client_pastes() -> None:
    error = "Upload failed: Status: 403 (Forbidden)"
    answer = ("ErrorCode:AuthorizationPermissionMismatch This request is not authorized to perform this operation "
              "using this permission. https://stuploads01.blob.core.windows.net/in")
    outcome = run_engine({"error_description": error}, [{"when_asked_contains": "403", "answer": answer}])
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "auth.rbac_missing"
    assert len(outcome.requests) == 1


def test_a_cosmos_data_role_is_assigned_with_cosmos_role_assignments_not_azure_rbac() -> None:
    error = ("Request blocked by Auth cosmos-app-dev : Request is blocked because principal "
             "[3b7e1f9c-2d46-4a85-b0c3-7e9f1a2d5c84] does not have required RBAC permissions to perform action "
             "[Microsoft.DocumentDB/databaseAccounts/readMetadata] on resource [/]. Learn more: "
             "https://aka.ms/cosmos-native-rbac.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert "az cosmosdb sql role assignment create --account-name cosmos-app-dev" in " ".join(
        outcome.final.report.actions)
