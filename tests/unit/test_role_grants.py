"""Which built-in roles grant an operation: RBAC's pattern matching and the least-privileged ranking."""

from __future__ import annotations

from shared.engines.role_grants import RoleDefinition, roles_granting


def _role(name: str, actions: tuple[str, ...] = (), not_actions: tuple[str, ...] = (),
          data_actions: tuple[str, ...] = (), not_data_actions: tuple[str, ...] = ()) -> RoleDefinition:
    return RoleDefinition(name, actions, not_actions, data_actions, not_data_actions)


OWNER = _role("Owner", ("*",))
CONTRIBUTOR = _role("Contributor", ("*",), ("Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write"))
READER = _role("Reader", ("*/read",))
ACR_PUSH = _role("AcrPush", ("Microsoft.ContainerRegistry/registries/pull/read",
                             "Microsoft.ContainerRegistry/registries/push/write"))
BLOB_READER = _role("Storage Blob Data Reader", ("Microsoft.Storage/storageAccounts/blobServices/containers/read",),
                    data_actions=("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",))
BLOB_CONTRIBUTOR = _role(
    "Storage Blob Data Contributor", ("Microsoft.Storage/storageAccounts/blobServices/containers/*",),
    data_actions=("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*",),
    not_data_actions=("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/modifyPermissions/action",))
ROLES = (OWNER, CONTRIBUTOR, READER, ACR_PUSH, BLOB_READER, BLOB_CONTRIBUTOR)


def test_a_service_role_that_names_the_operation_comes_before_global_wildcards() -> None:
    assert roles_granting("Microsoft.ContainerRegistry/registries/push/write", ROLES) == ["AcrPush", "Contributor",
                                                                                         "Owner"]


def test_patterns_compare_case_insensitively() -> None:
    assert roles_granting("microsoft.containerregistry/REGISTRIES/push/write", ROLES)[0] == "AcrPush"


def test_not_actions_remove_what_a_wildcard_grants() -> None:
    granting = roles_granting("Microsoft.Authorization/roleAssignments/write", ROLES)
    assert granting == ["Owner"]


def test_data_actions_are_matched_and_the_narrower_role_ranks_first() -> None:
    granting = roles_granting("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", ROLES)
    assert granting[:2] == ["Storage Blob Data Reader", "Storage Blob Data Contributor"]
    assert "Owner" not in granting  # management roles carry no data actions


def test_not_data_actions_exclude_the_operation() -> None:
    operation = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/modifyPermissions/action"
    assert roles_granting(operation, ROLES) == []


def test_a_wildcard_in_the_middle_matches_any_segment() -> None:
    reader_of_all = _role("Any Reader", ("Microsoft.Web/*/read",))
    assert roles_granting("Microsoft.Web/sites/config/read", (reader_of_all,)) == ["Any Reader"]
    assert roles_granting("Microsoft.Web/sites/config/write", (reader_of_all,)) == []


def test_the_limit_keeps_the_least_privileged() -> None:
    assert roles_granting("Microsoft.ContainerRegistry/registries/pull/read", ROLES, limit=2) == ["AcrPush", "Reader"]


# With the built-in definitions of knowledge/builtin_role_permissions.yaml

def test_the_registry_push_names_acrpush_first() -> None:
    assert roles_granting("Microsoft.ContainerRegistry/registries/push/write")[0] == "AcrPush"


def test_a_metrics_write_is_a_data_action_only_the_publisher_role_grants() -> None:
    assert roles_granting("Microsoft.Insights/Metrics/Write") == ["Monitoring Metrics Publisher"]


def test_a_data_owner_wildcard_does_not_make_a_data_action_a_control_one() -> None:
    granting = roles_granting("Microsoft.EventHub/namespaces/messages/receive/action")
    assert "Azure Event Hubs Data Receiver" in granting and "Contributor" not in granting


def test_a_control_action_under_a_data_wildcard_stays_a_control_action() -> None:
    # Key Vault Administrator's data actions include Microsoft.KeyVault/vaults/*; writing the vault is control
    assert roles_granting("Microsoft.KeyVault/vaults/write")[0] == "Key Vault Contributor"


def test_roles_made_for_another_service_are_not_advice() -> None:
    granting = roles_granting("Microsoft.Network/virtualNetworks/subnets/join/action")
    assert granting[0] == "Network Contributor"
    assert not any(name.startswith("Azure Red Hat OpenShift") for name in granting)


def test_operations_every_role_touches_get_only_the_general_roles() -> None:
    assert roles_granting("Microsoft.Resources/deployments/write") == ["Contributor", "Owner"]
