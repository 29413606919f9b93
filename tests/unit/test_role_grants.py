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
