"""Round 27 (Q): a catalog entry's meaning names the fact the error itself gives (the Terraform argument refused, the
resource-group create that needs a subscription role) and BlobNotFound's meaning says names are case-sensitive; each
detail is an optional segment, so an error without that fact keeps the family's wording only."""

from __future__ import annotations

from shared.session.state import Conclude
from tests.helpers.engine_loop import run_engine


def _root_cause(text: str) -> str:
    final = run_engine({"error_description": text}).final
    assert isinstance(final, Conclude)
    return final.report.root_cause


UNSUPPORTED = ('│ Error: Unsupported argument\n│\n│   on main.tf line 14, in resource '
               '"azurerm_storage_account" "this":\n│   14:   {arg} = true\n│\n│ {tail}\n')


def test_terraform_unsupported_argument_names_the_argument() -> None:
    cause = _root_cause(UNSUPPORTED.format(arg="https_traffic_only_enabled",
                                           tail='An argument named "https_traffic_only_enabled" is not expected here.'))
    assert "'https_traffic_only_enabled'" in cause


def test_terraform_error_without_the_argument_line_keeps_no_placeholder() -> None:
    cause = _root_cause('│ Error: Missing required argument\n│\n│   on main.tf line 3, in resource "azurerm_x" "y":\n'
                        '│ The argument "location" is required, but no definition was found.\n')
    assert "argument refused" not in cause and "<argument>" not in cause


DENIED = ("(AuthorizationFailed) The client 'dev@contoso.example' with object id "
          "'84342db3-6811-54b5-9c34-d77160c07a53' does not have authorization to perform action '{action}' over scope "
          "'/subscriptions/b91f5cce-15ff-578a-a504-6bb3342ece60/resourcegroups/{scope}' or the scope is invalid.\n"
          "Code: AuthorizationFailed")


def test_resource_group_create_refused_says_it_needs_a_subscription_role() -> None:
    cause = _root_cause(DENIED.format(action="Microsoft.Resources/subscriptions/resourceGroups/write", scope="dev-rg"))
    assert "creates a new resource group" in cause and "subscription itself" in cause


def test_other_refused_action_keeps_the_generic_meaning() -> None:
    cause = _root_cause(DENIED.format(action="Microsoft.Web/sites/write",
                                      scope="dev-rg/providers/Microsoft.Web/sites/app1"))
    assert "creates a new resource group" not in cause


def test_blob_not_found_meaning_says_names_are_case_sensitive() -> None:
    cause = _root_cause("azure.core.exceptions.ResourceNotFoundError: The specified blob does not exist.\n"
                        "ErrorCode:BlobNotFound")
    assert "case-sensitive" in cause
