"""Edges of the ARM deployment analyzer: wrappers, conditional codes, honest confidence, no invented names."""

from __future__ import annotations

from shared.session.state import AskClient, Conclude, GiveUp
from tests.helpers.engine_loop import run_engine

WRAPPER_ONLY = ('{"status":"Failed","error":{"code":"DeploymentFailed","message":"At least one resource deployment '
                'operation failed. Please list deployment operations for details."}}')
LEAF = ('[{"statusMessage": {"error": {"code": "StorageAccountAlreadyTaken", "message": "The storage account named '
        'stdatahub01 is already taken."}}}]')


def test_a_wrapper_alone_asks_for_the_failed_operations() -> None:
    start = {"error_description": WRAPPER_ONLY, "context": {"environment_info": {"resource_group": "rg-x"}}}
    outcome = run_engine(start)
    assert isinstance(outcome.final, AskClient)
    assert "az deployment operation group list --resource-group rg-x" in outcome.final.request.suggested_commands[0]


def test_the_operations_the_client_pastes_decide_the_cause() -> None:
    outcome = run_engine({"error_description": WRAPPER_ONLY},
                         [{"when_asked_contains": "deployment operation", "answer": LEAF}])
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "deployment.name_conflict"
    assert "stdatahub01" in outcome.final.report.root_cause
    assert len(outcome.requests) == 1


def test_operation_not_allowed_without_quota_words_is_not_called_a_quota_error() -> None:
    error = "(OperationNotAllowed) The operation is not allowed on a VM in a deallocated state."
    outcome = run_engine({"error_description": error})
    report = outcome.final.report if isinstance(outcome.final, Conclude | GiveUp) else None
    assert report is None or report.category != "quota.exceeded"


def test_no_registered_provider_is_only_medium_and_names_the_namespace_from_the_type() -> None:
    error = ("Code: NoRegisteredProviderFound\nMessage: No registered resource provider found for location 'westus' "
             "and API version '2015-01-01' for type 'Microsoft.Web/sites'. The supported api-versions are "
             "'2022-03-01, 2022-09-01'. The supported locations are 'westus, eastus'.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.confidence == "medium"
    assert "az provider show --namespace Microsoft.Web" in " ".join(outcome.final.report.actions)
    assert "2022-03-01, 2022-09-01" in outcome.final.report.root_cause


def test_a_policy_denial_without_environment_never_invents_a_resource_group() -> None:
    error = ("(RequestDisallowedByPolicy) Resource 'st01' was disallowed by policy. Policy identifiers: "
             "'[{\"policyAssignment\":{\"name\":\"Deny public storage\",\"id\":\"/subscriptions/0b7d4c2e-6f1a-4e83-"
             "9d25-7a3c8e1f5b90/providers/Microsoft.Authorization/policyAssignments/deny-public\"}}]'.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    actions = " ".join(outcome.final.report.actions)
    assert "--resource-group <resource-group>" in actions
    assert "deny-public" in actions


def test_resource_not_found_in_a_deployment_is_a_missing_dependency() -> None:
    error = ("DeploymentFailed: At least one resource deployment operation failed. Details: (ResourceNotFound) The "
             "Resource 'Microsoft.Web/serverFarms/asp-api' under resource group 'rg-api' was not found.")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "deployment.parent_not_found"
    assert outcome.final.report.confidence == "medium"


def test_resource_not_found_outside_a_deployment_is_a_wrong_name() -> None:
    error = ("(ResourceNotFound) The Resource 'Microsoft.Web/sites/func-api-prd' under resource group 'rg-api' was "
             "not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "config.wrong_resource_name"
    assert "az resource list --name func-api-prd" in " ".join(outcome.final.report.actions)


def test_a_quota_message_reported_as_401_is_still_a_quota_error() -> None:
    error = ('StatusCode=401 -- Original Error: Code="Unauthorized" Message="Operation cannot be completed without '
             'additional quota. \\r\\nAdditional details - Location:  \\r\\nCurrent Limit (Standard VMs): 0 \\r\\n'
             'Current Usage: 0\\r\\nAmount required for this deployment (Standard VMs): 1"')
    outcome = run_engine({"error_description": error})
    assert isinstance(outcome.final, Conclude)
    assert outcome.final.report.category == "quota.exceeded"
