"""Which built-in roles grant an operation Azure refused: Azure RBAC's own matching over the role definitions.

A role grants an operation when one of its `actions` (for a data action: `dataActions`) patterns matches it and
none of its `notActions` (`notDataActions`) does; patterns compare case-insensitively and `*` stands for any
characters, as Azure evaluates them. The definitions are data (knowledge/builtin_role_permissions.yaml, from the
built-in roles reference). The roles are ranked least-privileged first: a role that names the operation's own
service comes before one that grants it through a global wildcard (Reader's `*/read`, Contributor's `*`), and a
narrower role (fewer and less wild patterns) before a broader one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from shared.engines.base import Decision
from shared.models import EvidenceItem
from shared.session.state import Conclude, SessionState
from shared.tools.azure_rbac import scope_relation

_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge" / "builtin_role_permissions.yaml"
_GLOBAL = 10_000  # a bare `*`: every operation of every service
_WILD = 50  # each wildcard widens a pattern to a family of operations


@dataclass(frozen=True)
class RoleDefinition:
    name: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    data_actions: tuple[str, ...]
    not_data_actions: tuple[str, ...]

    def grants(self, operation: str, data: bool) -> bool:
        """`data`: the operation is a data action, which `actions` never grant (Owner's `*` reads no blob)."""
        if data:
            return _any_matches(self.data_actions, operation) and not _any_matches(self.not_data_actions, operation)
        return _any_matches(self.actions, operation) and not _any_matches(self.not_actions, operation)

    def lists_as_data(self, operation: str) -> bool:
        """Whether the role names the operation itself (no wildcard) as a data action."""
        return operation.lower() in {p.lower() for p in (*self.data_actions, *self.not_data_actions)}

    @property
    def is_global(self) -> bool:
        """Reader, Contributor, Owner: nothing but patterns that cover every service."""
        return bool(self.actions) and all(p in ("*", "*/read") for p in self.actions) and not self.data_actions

    @property
    def home(self) -> str:
        """The service family the role is made for: the one most of its patterns name, leaving out the providers
        every role touches (role assignments, resource groups, deployments, support tickets) unless it names only
        those."""
        families = [_family(p) for p in (*self.actions, *self.data_actions)
                    if p not in ("*", "*/read") and not _boilerplate(p)]
        own = [f for f in families if f not in _SHARED] or families
        return max(sorted(set(own)), key=own.count) if own else ""

    def manages(self, operation: str) -> bool:
        """Whether a wildcard pattern over the operation's own provider grants it (`Microsoft.Compute/virtualMachines/*`
        for a VM write): the role is made to manage that kind of resource, whatever else it includes."""
        provider = operation.split("/", 1)[0].lower()
        return any("*" in p and p.lower().startswith(provider + "/") and not _boilerplate(p)
                   and _matches(p, operation) for p in (*self.actions, *self.data_actions))

    @property
    def breadth(self) -> int:
        patterns = (*self.actions, *self.data_actions)
        return sum(_GLOBAL if p == "*" else 1 + _WILD * p.count("*") for p in patterns)


# Providers that roles of every service include (reading role assignments and deployments, support tickets, health):
# they say nothing about which service a role is made for.
_SHARED = frozenset({"microsoft.authorization", "microsoft.resources", "microsoft.support", "microsoft.resourcehealth"})
# Of those, the one that has roles of its own to grant it: role assignments, policy, locks (User Access
# Administrator, Resource Policy Contributor)
_ADMINISTERED = frozenset({"microsoft.authorization"})
# Providers that make up one service as users see it
_FAMILIES = {"microsoft.insights": "monitoring", "microsoft.operationalinsights": "monitoring",
             "microsoft.alertsmanagement": "monitoring"}


# Patterns that service roles carry besides their own service's (alert rules and diagnostic settings on the resources
# they manage): they make no role a monitoring role.
_BOILERPLATE = ("microsoft.insights/alertrules/", "microsoft.insights/diagnosticsettings/")


def _boilerplate(permission: str) -> bool:
    return permission.lower().startswith(_BOILERPLATE)


def _family(permission: str) -> str:
    provider = permission.split("/", 1)[0].lower()
    return _FAMILIES.get(provider, provider)


@lru_cache(maxsize=4096)
def _pattern(permission: str) -> re.Pattern[str]:
    # a whole-segment `/*/` also spans no segment: Managed Identity Operator's `userAssignedIdentities/*/assign/action`
    # is the role for the `userAssignedIdentities/assign/action` an AKS or VM denial names
    joined = ".*".join(re.escape(part) for part in permission.split("*"))
    return re.compile(joined.replace("/.*/", "/(?:.*/)?"), re.IGNORECASE)


def _matches(permission: str, operation: str) -> bool:
    return _pattern(permission).fullmatch(operation) is not None


def _any_matches(permissions: tuple[str, ...], operation: str) -> bool:
    return any(_matches(p, operation) for p in permissions)


@cache
def builtin_roles() -> tuple[RoleDefinition, ...]:
    """The built-in role definitions of knowledge/builtin_role_permissions.yaml (empty when the file is absent),
    without the roles made for a product's own identity."""
    if not _KNOWLEDGE.exists():
        return ()
    found = yaml.safe_load(_KNOWLEDGE.read_text(encoding="utf-8")) or {}
    products = tuple(found.get("product_identity_roles") or ())
    return tuple(RoleDefinition(
        name=r["name"], actions=tuple(r.get("actions") or ()), not_actions=tuple(r.get("not_actions") or ()),
        data_actions=tuple(r.get("data_actions") or ()), not_data_actions=tuple(r.get("not_data_actions") or ()))
        for r in found.get("roles", ()) if not r["name"].startswith(products))


def roles_granting(operation: str, roles: tuple[RoleDefinition, ...] | None = None, limit: int = 3) -> list[str]:
    """The names of the built-in roles that grant `operation`, least-privileged first (at most `limit`)."""
    known = builtin_roles() if roles is None else roles
    control = [r for r in known if r.grants(operation, data=False)]
    data = [r for r in known if r.grants(operation, data=True)]
    # A data action is one some role names outright as such, or one that only the every-service patterns (`*`,
    # `*/read`) and roles that also grant it as data would grant as a control action (a data owner's
    # `Microsoft.EventHub/*`).
    is_data = any(r.lists_as_data(operation) for r in known) or (
        bool(data) and all(r in data or {"*", "*/read"} & set(r.actions) for r in control))
    granting = data if is_data else control
    family = _family(operation)
    # a role made for another service that happens to include the operation is no advice for it, and for the
    # operations every role touches only the general roles are
    fitting = [r for r in granting if r.is_global or (family not in _SHARED - _ADMINISTERED
                                                       and (r.home == family or r.manages(operation)))]
    fitting.sort(key=lambda r: (r.is_global, r.breadth, r.name))
    return [r.name for r in fitting[:limit]]


# An operation as Azure names it in a denial: `Microsoft.KeyVault/vaults/secrets/getSecret/action`,
# `Microsoft.DocumentDB/databaseAccounts/readMetadata`, `Microsoft.Insights/metrics/read`.
# A provider segment after `/` (`/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>`) is a resource id.
_OPERATION = re.compile(r"(?<!/)\bMicrosoft\.[A-Za-z]+(?:\.[A-Za-z]+)*(?:/[A-Za-z][\w.-]*){2,}")
_ROLE_CATEGORIES = frozenset({"auth.rbac_missing", "auth.keyvault_access_denied"})


# AuthorizationFailed's own sentence: who was refused, which action, at which scope
_REFUSED = re.compile(r"(?i)object id '(?P<principal>[0-9a-f-]{36})'[^\n]{0,120}?perform action '(?P<action>[\w./-]+)' "
                      r"(?:over|on) scope '(?P<scope>/subscriptions/[^'\s]+)'")


def with_held_roles(state: SessionState, decision: Decision) -> Decision:
    """An auth.rbac_missing conclusion names what the refused principal holds now, as the session's role-assignment
    read of that principal shows it at or above the denied scope, when none of those roles grants the refused action:
    "access was reviewed", "a role was replaced" becomes "it holds Reader, which does not include publishxml". Unchanged
    when the cause already says what it holds, the read shows nothing there, or a held role grants the action."""
    if not isinstance(decision, Conclude) or decision.report.category != "auth.rbac_missing" \
            or "holds there now" in decision.report.root_cause:
        return decision
    found = _REFUSED.search(state.material.error_description)
    if found is None:
        return decision
    principal, action, scope = found.group("principal").lower(), found.group("action"), found.group("scope").lower()
    known = {r.name.lower(): r for r in builtin_roles()}
    for read in reversed(state.ledger):
        if read.tool != "list_role_assignments" or read.status != "success" \
                or str(read.arguments.get("principal_id") or "").lower() != principal:
            continue
        assignments = [a for a in read.data.get("assignments") or [] if isinstance(a, dict)]
        held = [a for a in assignments if scope_relation(str(a.get("scope") or ""), scope) in ("at", "inherited")]
        if not held:
            return _granted_elsewhere(decision, principal, action, found.group("scope"), assignments, known)
        roles = [known.get(str(a.get("role") or "").lower()) for a in held]
        if not held or any(r is None or r.grants(action, data=False) for r in roles):
            return decision  # nothing there, a role the table does not know, or one that grants it
        listed = "; ".join(f"{a.get('role')} at {a.get('scope')}" for a in held[:4])
        said = (f" Azure shows the roles {principal} holds there now: {listed}; none of them includes '{action}'.")
        decision.report.root_cause += said
        decision.report.evidence.append(EvidenceItem(source="list_role_assignments", summary=said.strip()[:300]))
        return decision
    return decision


def _granted_elsewhere(decision: Conclude, principal: str, action: str, scope: str, assignments: list[dict[str, Any]],
                       known: dict[str, Any]) -> Decision:
    """Nothing at or above the denied scope, while the read shows the principal holding a role that grants the action
    on another scope (a sibling resource group, one resource below): the grant went to the wrong place, which the
    cause names with that scope."""
    def fits(a: dict[str, Any]) -> bool:  # a role that grants the action, or one whose definition could not be read
        role = known.get(str(a.get("role") or "").lower())
        return not a.get("role") or (role is not None and role.grants(action, data=False))

    elsewhere = [a for a in assignments if scope_relation(str(a.get("scope") or ""), scope) in ("elsewhere", "below")
                 and fits(a)]
    if not elsewhere:
        return decision
    listed = "; ".join(f"{a.get('role') or 'a role assignment'} at {a.get('scope')}" for a in elsewhere[:3])
    said = (f" Azure shows {principal} holding roles only on other scopes, none at or above the denied one: {listed}; "
            f"those scopes do not contain the denied scope {scope}, so the grant does not apply there: assign the role "
            f"on the denied scope (or a parent of it).")
    decision.report.root_cause += said
    decision.report.evidence.append(EvidenceItem(source="list_role_assignments", summary=said.strip()[:300]))
    return decision


def with_granting_roles(state: SessionState, decision: Decision) -> Decision:
    """An access-denied conclusion names the built-in roles that grant the operation the error says was refused,
    when the report does not name them yet."""
    if not isinstance(decision, Conclude) or decision.report.category not in _ROLE_CATEGORIES:
        return decision
    for found in _OPERATION.finditer(state.material.error_description):
        operation = found.group(0).rstrip(".")
        granting = roles_granting(operation)
        if granting and not any(role.lower() in decision.report.root_cause.lower() for role in granting):
            decision.report.root_cause += (f" Built-in roles that grant '{operation}', least-privileged first: "
                                           f"{', '.join(granting)}.")
            return decision
    return decision
