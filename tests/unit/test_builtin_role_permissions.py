"""The built-in role permissions table (knowledge/builtin_role_permissions.yaml) is well formed: every role has a
name, a GUID and its four permission lists of operation strings, names and ids are unique, and an id that the role
ids table also knows carries the same name there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

_KNOWLEDGE = Path(__file__).resolve().parents[2] / "shared" / "knowledge"
_LISTS = ("actions", "not_actions", "data_actions", "not_data_actions")
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# `*`, `*/read`, or `Provider.Namespace/segment/...` whose segments may be `*` or a `{placeholder}`.
_OPERATION = re.compile(r"\*(/[A-Za-z]+)?|[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+(/[A-Za-z0-9*{}._-]+)+")
_SOURCE = re.compile(r"MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/[a-z-]+\.md")


def _load(name: str) -> dict:
    return yaml.safe_load((_KNOWLEDGE / name).read_text(encoding="utf-8"))


ROLES = _load("builtin_role_permissions.yaml")["roles"]


def test_the_table_loads_with_roles() -> None:
    assert isinstance(ROLES, list)
    assert len(ROLES) >= 50


@pytest.mark.parametrize("role", ROLES, ids=lambda r: str(r.get("name")))
def test_every_role_has_a_name_a_guid_four_permission_lists_and_a_source(role: dict) -> None:
    assert isinstance(role["name"], str) and role["name"].strip() == role["name"] and role["name"]
    assert _GUID.fullmatch(str(role["id"]))
    for key in _LISTS:
        assert isinstance(role[key], list), key
        assert all(isinstance(p, str) for p in role[key]), key
    assert role["actions"] or role["data_actions"], "a role grants something"
    assert _SOURCE.fullmatch(role["source"])


@pytest.mark.parametrize("role", ROLES, ids=lambda r: str(r.get("name")))
def test_every_permission_looks_like_a_provider_operation(role: dict) -> None:
    for key in _LISTS:
        for permission in role[key]:
            assert _OPERATION.fullmatch(permission), f"{key}: {permission!r}"


def test_names_and_ids_are_unique() -> None:
    names = [r["name"].lower() for r in ROLES]
    ids = [r["id"] for r in ROLES]
    assert len(set(names)) == len(names), sorted({n for n in names if names.count(n) > 1})
    assert len(set(ids)) == len(ids), sorted({i for i in ids if ids.count(i) > 1})


def test_an_id_known_to_the_role_ids_table_carries_the_same_name() -> None:
    known = _load("builtin_role_ids.yaml")["roles"]
    shared = [r for r in ROLES if r["id"] in known]
    assert shared
    assert {r["id"]: r["name"] for r in shared} == {r["id"]: known[r["id"]] for r in shared}


def test_the_common_roles_are_there_with_their_defining_permissions() -> None:
    by_name = {r["name"]: r for r in ROLES}
    assert by_name["Owner"]["actions"] == ["*"]
    assert by_name["Reader"]["actions"] == ["*/read"]
    assert "Microsoft.Authorization/*/Write" in by_name["Contributor"]["not_actions"]
    assert by_name["Key Vault Secrets User"]["data_actions"] == [
        "Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"]
    assert by_name["Storage Blob Data Reader"]["data_actions"] == [
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"]
