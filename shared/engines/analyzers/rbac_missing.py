"""auth.rbac_missing: Azure Resource Manager denied an action the identity has no role for."""

from __future__ import annotations

import re
from functools import cache

from shared.engines.analyzers.common import regex, table
from shared.engines.analyzers.ledger import ask_once, azure_call
from shared.engines.base import Decision
from shared.engines.role_grants import RoleDefinition, builtin_roles, roles_granting
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem, Report
from shared.session.report import checked_list
from shared.session.state import Conclude, RunTool, SessionState

_OBJECT_ID = re.compile(r"object id '([0-9a-fA-F-]{36})'")


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    assert hit is not None
    action, scope = hit.facts.get("action"), hit.facts.get("scope")
    if not action or not scope:
        return ask_once(state, ClientRequest(
            question="Please paste the complete AuthorizationFailed message: it names the client, the "
                     "denied action and the scope.",
            why="The action and scope decide which role assignment is missing.",
            suggested_commands=["az monitor activity-log list --offset 1d --status Failed "
                                "--query \"[?contains(properties.statusCode, 'Forbidden')]\""]),
            "The denied action and scope are still unknown.", hit.signature.category)
    found = _OBJECT_ID.search(state.material.error_description)
    principal = found.group(1) if found else _identity_read(state, scope)
    assignee = principal or "<principal-object-id>"
    held = _held_now(state, principal, scope)
    if isinstance(held, RunTool):
        return held
    granting = roles_granting(action)
    held = held or _held_stated(state, scope, action)
    named = _named_granting_role(state, action)
    role = f'"{named or granting[0]}"' if named or granting else "<role-name>"
    report = Report(
        category=hit.signature.category, confidence="high", checked=checked_list(state),
        evidence=[*(EvidenceItem(source="error", summary=q) for q in (hit.lines or hit.quotes)[:2]),
                  *_assignments_read(state, principal)],
        root_cause=(f"The identity {assignee} has no role assignment that grants '{action}' at scope "
                    f"'{scope}' (or above), so Azure Resource Manager refused the call with AuthorizationFailed."
                    + (f" Built-in roles that grant it, least-privileged first: {', '.join(granting)}."
                       if granting else "") + held),
        actions=[f"See what it has now: `az role assignment list --assignee {assignee} --scope {scope} -o table`.",
                 *([f"Roles that grant '{action}': {roles}."] if (roles := _roles_for(action)) else []),
                 *([] if granting else [
                     "Pick the least-privileged built-in role that includes the action: `az role definition list "
                     f"--query \"[?permissions[?contains(actions, '{action.split('/')[0]}/')]].roleName\"`."]),
                 (f"Assign {role} where the call needs it - the scope the error names, not the one it was given "
                  f"on: `az role assignment create --assignee {assignee} --role {role} --scope {scope}`." if named else
                  f"Assign it: `az role assignment create --assignee {assignee} --role {role} --scope {scope}`."),
                 "Role assignments can take up to 10 minutes to apply; retry after that."])
    return Conclude(message=f"The identity lacks a role granting '{action}'.", report=report)


def _assignments_read(state: SessionState, principal: str | None) -> list[EvidenceItem]:
    """The denied identity's role assignments as the session read them in Azure: the conclusion rests on that read
    (what it holds, and where), not on the error's words alone, so no unrelated playbook needs to run before it."""
    return [EvidenceItem(source=e.tool, summary=e.summary[:300]) for e in state.ledger
            if principal and e.tool == "list_role_assignments" and e.status == "success"
            and str(e.data.get("principal_id") or principal).lower() == principal.lower()][-1:]


def _named_granting_role(state: SessionState, action: str) -> str | None:
    """A built-in role the report names ("we gave it Network Contributor") that grants the refused action: the
    refusal shows it does not reach the scope the error names (given on another group or resource), so that role,
    at that scope, is the grant to make rather than the narrowest role that happens to include the action."""
    said = " ".join(state.material.spoken()).lower()
    return next((r for r in roles_granting(action, limit=12)
                 if re.search(rf"(?<![\w-]){re.escape(r.lower())}(?![\w-])", said)), None)


def _roles_for(action: str) -> str | None:
    """The built-in roles that grant this action (knowledge/rbac_action_roles.yaml), if the table knows it."""
    return next((e["roles"] for e in table("rbac_action_roles") if regex(e["action"]).search(action)), None)


def _identity_read(state: SessionState, scope: str) -> str | None:
    """The principal of the one managed identity the session read on a resource (a logic app, a function app) when
    the pasted message is only its tail and names no client: the caller is that identity. None when no resource
    with an identity was read, or several identities were (which one called is then unknown). The denied resource's
    own identity (a VM at the scope) is not the caller and does not count."""
    denied = scope.rstrip("/").lower()
    seen = {str(p).lower() for e in state.ledger if e.tool == "get_resource" and e.status == "success"
            and str(e.data.get("id") or "").rstrip("/").lower() != denied
            for p in [((e.data.get("identity") or {}) if isinstance(e.data.get("identity"), dict) else {})
                      .get("principalId")] if p}
    return seen.pop() if len(seen) == 1 else None


_EXTENSION = re.compile(r"(?i)^(/subscriptions/[^/]+)/providers/[\w.]+/\w+/[^/]+$")
_GROUP_SCOPE = re.compile(r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/?")


def _assignable_scope(scope: str) -> str:
    """Where role assignments for a denied scope are listed: a role assignment's own id, or an extension resource
    right under a subscription (its diagnostic setting, a policy assignment), is governed by the roles of
    that subscription or group - the scope a role is assigned at - not by a listing under the child itself."""
    cut = re.split(r"(?i)/providers/Microsoft\.Authorization/", scope, maxsplit=1)[0]
    if cut != scope:
        return cut or scope
    found = _EXTENSION.match(scope.rstrip("/"))
    return found.group(1) if found else scope


def _held_now(state: SessionState, principal: str | None, scope: str) -> RunTool | str:
    """What the denied identity holds at the scope, read from Azure when the session may: "it was granted access"
    usually means a role that does not include the action (Reader cannot start a VM), and naming that role is
    the answer the client needs; a role held only below the scope (on one resource group, when the action is at the
    subscription) is named too, since it does not reach the scope. Empty when nothing could be read; the RunTool
    that reads it first."""
    if principal is None:
        return ""
    where = _assignable_scope(scope)
    read = azure_call(state, "list_role_assignments", {"scope": where, "principal_id": principal},
                      f"reading the role assignments of {principal} at the denied scope")
    if isinstance(read, RunTool):
        return read
    group = _GROUP_SCOPE.match(where)
    if (read is None or read.status != "success") and group and group.group(0).rstrip("/") != where.rstrip("/"):
        # the listing under a resource failed (a child scope the listing does not take): the group's listing still
        # shows what the identity holds there and above, which is what reaches the resource
        where = group.group(0).rstrip("/")
        read = azure_call(state, "list_role_assignments", {"scope": where, "principal_id": principal},
                          f"reading the role assignments of {principal} on the denied resource's group")
        if isinstance(read, RunTool):
            return read
    if read is None or read.status != "success":
        return ""
    assignments = read.data.get("assignments") or []
    rows = [a for a in assignments if a.get("relation") in ("at", "inherited")]
    below = [a for a in assignments if a.get("relation") == "below"]
    said = ""
    if rows and all(a.get("role") for a in rows):  # a role not read may be the one that grants: say nothing held
        listed = "; ".join(f"{a.get('role')} at {a.get('scope')}" for a in rows[:4])
        said = f" Azure shows the roles it holds there now: {listed}."
    if below:
        listed = "; ".join(f"{a.get('role') or 'an unreadable role'} at {a.get('scope')}" for a in below[:4])
        said += (f" It holds roles only at narrower scopes below {where}: {listed}; an assignment on a resource "
                 f"group or resource does not reach an action at the {_scope_kind(where)} scope, so the role must "
                 f"be assigned at {where} (or above).")
    return said


# "<role> (role) on|at|over (the) (resource group|subscription) <name>": a role the client says the identity holds
_STATED_AT = (r"(?:\s+role)?\s+(?:on|at|over|for|in)\s+(?:the\s+)?(?:resource[ -]group\s+|subscription\s+|rg\s+)?"
              r"['\"`]?(?P<where>[-\w.()]+)")


def _held_stated(state: SessionState, scope: str, action: str) -> str:
    """A built-in role the client says the identity holds at the denied scope or one above it (a segment of the scope
    names where), which does not grant the denied action: what it has is the answer to "it was granted access"
    (Reader on the group can read the resource, not list its keys). Empty when the report states none."""
    said = "\n".join(state.material.spoken())
    segments = {part.lower() for part in scope.split("/") if part}
    folded = said.casefold()
    for role, pattern in _stated_patterns():
        if role.name.casefold() not in folded:
            continue
        for match in pattern.finditer(said):
            where = match.group("where").strip(".,;:()").lower()
            # AuthorizationFailed names a control-plane action, which only `actions` grant
            if where in segments and not role.grants(action, False):
                return (f" The report says it holds {role.name} on {match.group('where').strip('.,;:()')}, within the "
                        f"denied scope: {role.name} does not include '{action}'.")
    return ""


@cache
def _stated_patterns() -> tuple[tuple[RoleDefinition, re.Pattern[str]], ...]:
    """Each built-in role with its "<role> on <where>" pattern, longest name first (compiled once, not per report)."""
    return tuple((role, re.compile(r"(?<![\w-])" + re.escape(role.name) + _STATED_AT, re.IGNORECASE))
                 for role in sorted(builtin_roles(), key=lambda r: -len(r.name)))


def _scope_kind(scope: str) -> str:
    parts = scope.strip("/").split("/")
    return "subscription" if len(parts) == 2 else "resource group" if len(parts) == 4 else "resource"
