"""Ninth-session knowledge: Windows-built Python packages on a Linux app, an AI Search indexer behind a shared
private link, Service Bus entity management without Manage, a deny assignment's code; and the engine paths that
use them (a clue whose deciding fact is stated answers instead of the family analyzer's generic question)."""

from __future__ import annotations

from shared.engines.clues import clue_in
from shared.session.state import AskClient, Conclude
from tests.helpers.clue_checks import concludes, final_of

_PYD = ("func-quotes (Linux, Python 3.11) lists no functions: ModuleNotFoundError: No module named "
        "'pydantic_core._pydantic_core'. The build runs pip install --target .python_packages/lib/site-packages on "
        "our windows-2022 agent and the zip holds _pydantic_core.cp311-win_amd64.pyd.")


def test_windows_built_packages_on_a_linux_app_are_named_as_such():
    final = final_of(_PYD)
    assert isinstance(final, Conclude) and final.report.category == "runtime.dependency_missing"
    assert "installed on Windows" in final.report.root_cause and "Linux" in final.report.root_cause
    assert any("manylinux" in a or "remote build" in a for a in final.report.actions)


def test_a_module_missing_without_windows_or_linux_named_is_not_that_clue():
    found = clue_in(["ModuleNotFoundError: No module named 'requests' after deploying with the VS Code extension."])
    assert found is None or found["id"] != "python-packages-built-on-windows-for-linux-app"


_INDEXER = ("Storage stdocs01 has public network access disabled; we created a shared private link from our search "
            "service to its blob endpoint and it is Approved. The indexer still fails: Error with data source: The "
            "remote server returned an error: (403) This request is not authorized to perform this operation. "
            'Indexer: {"name": "docs-indexer", "parameters": {"configuration": '
            '{"dataToExtract": "contentAndMetadata"}}}')


def test_an_indexer_behind_an_approved_shared_private_link_without_the_private_environment_concludes():
    assert concludes(_INDEXER, "network.private_endpoint_dns")
    final = final_of(_INDEXER)
    assert "executionEnvironment" in final.report.root_cause


def test_the_same_indexer_configured_private_is_not_concluded_by_the_clue():
    final = final_of(_INDEXER.replace('"dataToExtract"', '"executionEnvironment": "private", "dataToExtract"'))
    assert not (isinstance(final, Conclude) and "executionEnvironment" in final.report.root_cause)


def test_creating_a_subscription_at_startup_without_manage_is_a_role_gap():
    final = final_of("Hosting failed to start System.UnauthorizedAccessException: Unauthorized access for "
                     "'CreateOrUpdateSubscription' operation on endpoint 'sb://sb-notify.servicebus.windows.net/"
                     "notifications/subscriptions/worker-1'. Status: 401 (SubCode=40100: Unauthorized)")
    assert isinstance(final, Conclude) and final.report.category == "auth.rbac_missing"
    assert "Data Owner" in " ".join(final.report.actions)


def test_a_deny_assignment_code_is_the_owning_stack_or_application():
    final = final_of("az keyvault network-rule add --name kv-pay --ip-address 203.0.113.7/32\n"
                     "(DenyAssignmentAuthorizationFailed) The client 'ops@contoso.example' with object id "
                     "'67311c16-5b06-5670-be92-111d9073f3d1' has permission to perform action "
                     "'Microsoft.KeyVault/vaults/write' on scope '/subscriptions/x/resourceGroups/rg/providers/"
                     "Microsoft.KeyVault/vaults/kv-pay'; however, the access is denied")
    assert isinstance(final, Conclude) and final.report.category == "deployment.resource_locked"
    assert "deployment stack" in final.report.root_cause
    assert not isinstance(final, AskClient)
