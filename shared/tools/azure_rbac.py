"""The Azure tool for access: the role assignments that apply to a principal at a scope, with the roles' names.

Role definitions change rarely, so their names are cached (and emptied with the other caches of Azure answers)."""

from __future__ import annotations

import shlex
from functools import lru_cache
from itertools import islice
from pathlib import Path

import yaml
from azure.core.exceptions import AzureError
from cachetools.func import ttl_cache
from pydantic import Field

from shared.azure import GUID_PATTERN, rest_dict, subscription_of, uri_path
from shared.azure.clients import call_options, client, register_cache
from shared.tools.azure_common import SCOPE_FIELD, AzureArguments, Found, azure_tool, fit

_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
_PRINCIPAL = Field(default=None, pattern=GUID_PATTERN,
                   description="the object (principal) id of a user, group or managed identity; without it, the "
                               "assignments of every principal at the scope and above it")


class RoleAssignmentArguments(AzureArguments):
    scope: str = SCOPE_FIELD
    principal_id: str | None = _PRINCIPAL


_ASSIGNMENT_CAP = 50


@azure_tool(RoleAssignmentArguments,
            cli=lambda a: "az role assignment list" + (f" --assignee {a.principal_id}" if a.principal_id else "")
                          + f" --scope {shlex.quote(a.scope)} --include-inherited --query "
                          "\"[].{role:roleDefinitionName, scope:scope, principal:principalId}\"",
            scope=lambda a: a.scope, action=lambda a: "Microsoft.Authorization/roleAssignments/read")
def list_role_assignments(args: RoleAssignmentArguments) -> Found:
    """The role assignments of a principal that apply at a scope (at it, inherited from above, or below it), with
    role names: data {"assignments": [{"role", "scope", "relation" (at, inherited, below, or elsewhere for another
    resource's), "principal_type", "principal_id", "condition" (an ABAC condition that limits the role, when set)}],
    "count"}. Without a principal, the assignments of every
    principal at the scope and above it (who holds which role there). Group memberships are not expanded."""
    subscription_id = subscription_of(args.scope)
    authorization = client("authorization", subscription_id)
    principal = (args.principal_id or "").lower()
    pages = authorization.role_assignments.list_for_scope(
        uri_path(args.scope), filter=f"principalId eq '{args.principal_id}'" if principal else "atScope()",
        **call_options())
    assignments = [(rest_dict(a).get("properties") or {}) for a in islice(pages, _ASSIGNMENT_CAP)]
    # The filter is Azure's; keeping only this principal's rows also holds if an answer ignores it.
    assignments = [p for p in assignments if not principal or str(p.get("principalId") or principal).lower()
                   == principal]
    rows = [{"role": _role_name(subscription_id, str(p.get("roleDefinitionId"))), "scope": p.get("scope"),
             "relation": scope_relation(str(p.get("scope") or ""), args.scope),
             "principal_type": p.get("principalType"),
             **({"condition": str(p["condition"])[:600]} if p.get("condition") else {}),  # ABAC: it limits the role
             **({} if principal else {"principal_id": p.get("principalId")})}  # who holds it, when all are listed
            for p in assignments]
    whose = f"principal {args.principal_id}" if principal else "any principal"
    if not rows:
        return "no_data", f"{whose} has no role assignment at, above or below {args.scope}", \
            {"assignments": [], "count": 0}
    kept, rest = fit(rows)
    text = "; ".join(f"{r['role']} at {r['scope']} ({r['relation']})"
                     + (" with a condition" if r.get("condition") else "")
                     + ("" if principal else f" for {r['principal_type'] or 'principal'} {r['principal_id']}")
                     for r in kept[:10])
    return "success", f"{len(rows)} role assignments of {whose}: {text}", \
        {"assignments": kept, "count": len(rows), "truncated": bool(rest) or len(rows) >= _ASSIGNMENT_CAP}


def scope_relation(assignment_scope: str, scope: str) -> str:
    """Where an assignment's scope stands to a scope: at it, inherited from above it (a parent, a management group,
    the root), below it, or elsewhere."""
    a, s = assignment_scope.lower().rstrip("/"), scope.lower().rstrip("/")
    if a == s:
        return "at"
    above = a in ("", "/") or a.startswith("/providers/microsoft.management/managementgroups/") or s.startswith(a + "/")
    if above:
        return "inherited"
    return "below" if a.startswith(s + "/") else "elsewhere"  # a listing may carry another resource's assignment


def _role_name(subscription_id: str, role_definition_id: str) -> str | None:
    """The role's name (e.g. Storage Blob Data Reader): a built-in role's from its well-known id, another's read
    from Azure; None when the definition cannot be read."""
    builtin = _builtin_roles().get(role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower())
    if builtin:
        return builtin
    try:
        return _role_definition_name(subscription_id, role_definition_id)
    except AzureError:  # the assignment itself is the evidence; a missing name should not hide it
        return None


@ttl_cache(maxsize=256, ttl=3600)  # role names change rarely; bounded by entries and age
def _role_definition_name(subscription_id: str, role_definition_id: str) -> str | None:
    authorization = client("authorization", subscription_id)
    definition = rest_dict(authorization.role_definitions.get_by_id(uri_path(role_definition_id), **call_options()))
    return (definition.get("properties") or {}).get("roleName")


register_cache(_role_definition_name.cache_clear)


@lru_cache(maxsize=1)
def _builtin_roles() -> dict[str, str]:
    """Built-in roles by role-definition id (knowledge/builtin_role_ids.yaml): the same in every tenant."""
    found = yaml.safe_load((_KNOWLEDGE / "builtin_role_ids.yaml").read_text(encoding="utf-8"))
    return {str(k).lower(): str(v) for k, v in found["roles"].items()}
