"""Computed findings for identities and Key Vault tenants: a vault left in another tenant, a system-assigned
identity lost when its resource was created again."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shared.engines.analyzers.common import regex, table
from shared.engines.analyzers.ledger import latest, reads_of_type
from shared.engines.session_reads import (
    IDENTITY_CALLERS,
    Facts,
    is_mentioned,
    logged_lines,
    said_in_report,
    succeeded_events,
)
from shared.session.state import SessionState


def vault_tenant_not_identity_tenant(state: SessionState) -> dict[str, str] | None:
    """A key vault whose tenantId is not the directory of a managed identity read in the same session (an app's,
    a container app's): the vault accepts tokens of its own tenant only, which a subscription move does not
    update."""
    holders = [(r, str((r.get("identity") or {}).get("tenantId") or "").lower())
               for r in reads_of_type(state, ".") if isinstance(r.get("identity"), dict)]
    holders = [(r, t) for r, t in holders if t]
    for vault in reads_of_type(state, r"(?i)^Microsoft\.KeyVault/vaults$"):
        tenant = str(vault.get("tenantId") or "").lower()
        other = next(((r, t) for r, t in holders if tenant and t != tenant), None)
        if other is not None:
            return {"vault": str(vault.get("name")), "vault_tenant": tenant, "identity_tenant": other[1],
                    "holder": str(other[0].get("name"))}
    return None


def _recreated(state: SessionState) -> dict[str, str]:
    """Resource id -> when it was written again after a deletion, per the activity log."""
    events = succeeded_events(state)
    deleted = {str(e.get("resource_id") or "").lower(): str(e.get("time") or "") for e in events
               if str(e.get("operation") or "").lower().endswith("/delete")}
    return {str(e.get("resource_id") or "").lower(): str(e.get("time") or "") for e in events
            if str(e.get("operation") or "").lower().endswith("/write")
            and str(e.get("resource_id") or "").lower() in deleted
            and str(e.get("time") or "") > deleted[str(e.get("resource_id") or "").lower()]}


def _rebuilt(state: SessionState) -> tuple[dict[str, Any], str] | None:
    """The read resource that was deleted and created again (with when), holding a system-assigned identity."""
    recreated = _recreated(state)
    rebuilt = next((r for r in reads_of_type(state, r".") if str(r.get("id") or "").lower() in recreated
                    and (r.get("identity") or {}).get("principalId")), None)
    return None if rebuilt is None else (rebuilt, recreated[str(rebuilt.get("id")).lower()])


def identity_lost_with_recreated_resource(state: SessionState) -> Facts:
    """A resource deleted and created again under the same name, whose system-assigned identity is therefore a new
    principal: the role assignments its old identity held on the resources it calls are gone with it."""
    found = _rebuilt(state)
    if found is None:
        return None
    rebuilt, time = found
    roles = table("data_access_roles")
    targets = [f"{r.get('name')} ({entry['needed']})" for r in reads_of_type(state, r".") if r is not rebuilt
               for entry in roles
               if regex(f"(?i){entry['type']}").search(str(r.get("type") or ""))][:2]
    if not targets:
        return None
    return {"name": str(rebuilt.get("name") or ""), "time": time,
            "principal": str(rebuilt["identity"]["principalId"]), "targets": "; ".join(targets)}


def recreated_identity_not_in_vault_policies(state: SessionState) -> Facts:
    """The same re-creation, where the resource's calls go to a key vault on the access-policy model whose
    policies do not name the new principal: the vault's access policy, not a role, must be granted again."""
    found = _rebuilt(state)
    if found is None:
        return None
    rebuilt, time = found
    principal = str(rebuilt["identity"]["principalId"]).lower()
    for vault in reads_of_type(state, r"(?i)^Microsoft\.KeyVault/vaults$"):
        if vault.get("enableRbacAuthorization") is True or vault.get("accessPolicies_count"):
            continue  # RBAC, or a policy list the read cut short: a principal not shown may still be listed
        named = {str(p.get("objectId") or "").lower() for p in vault.get("accessPolicies") or [] if isinstance(p, dict)}
        if principal not in named:
            return {"name": str(rebuilt.get("name") or ""), "time": time, "principal": principal,
                    "vault": str(vault.get("name") or ""), "policies": str(len(named))}
    return None


_INVALID_ISSUER = re.compile(r"AKV10032[^\n]{0,40}Expected one of https://sts\.windows\.net/(?P<expected>[0-9a-f-]{36})/"
                             r"[^\n]{0,200}?found https://sts\.windows\.net/(?P<found>[0-9a-f-]{36})/", re.IGNORECASE)


_DIRECTORY_MOVE = re.compile(r"(?i)\b(?:moved|transferr?ed|migrated|changed?)\b[^.\n]{0,80}\b(?:directory|tenant)\b|"
                             r"\b(?:directory|tenant)\b[^.\n]{0,40}\b(?:move|transfer|change|migration)\b|\bmerger\b")


def vault_tenant_left_behind(state: SessionState) -> Facts:
    """A vault that refuses tokens of another tenant (AKV10032, its own tenantId the expected issuer), or whose tenantId
    is not the directory of its subscription (get_subscription), in a subscription the report says moved to another
    directory: the vault's tenantId was not updated."""
    if not _DIRECTORY_MOVE.search(said_in_report(state)):
        return None
    logged = logged_lines(state, succeeded_only=True)
    subscription = latest(state, "get_subscription")
    current = str(subscription.data.get("tenantId") or "").lower() \
        if subscription is not None and subscription.status == "success" else ""
    for vault in reads_of_type(state, r"(?i)^Microsoft\.KeyVault/vaults$"):
        tenant = str(vault.get("tenantId") or "").lower()
        for line in [*logged, said_in_report(state)]:
            match = _INVALID_ISSUER.search(line)
            if tenant and match and match.group("expected").lower() == tenant != match.group("found").lower():
                return {"vault": str(vault.get("name") or ""), "vault_tenant": tenant,
                        "caller_tenant": match.group("found").lower()}
        if tenant and current and tenant != current:  # the subscription's own directory, read in Azure
            return {"vault": str(vault.get("name") or ""), "vault_tenant": tenant, "caller_tenant": current}
    return None


_VAULT_POLICY_LIMIT = 1024  # access policy entries a key vault holds at the most


def vault_access_policies_full(state: SessionState) -> Facts:
    """A vault on the access-policy model that holds as many access policy entries as a vault can, while the report
    adds or changes one (set-policy, an access policy write): the vault refuses any further entry."""
    said = said_in_report(state)
    if not re.search(r"(?i)set-policy|access ?polic|Set-AzKeyVaultAccessPolicy|accessPolicies", said):
        return None
    for vault in reads_of_type(state, r"(?i)^Microsoft\.KeyVault/vaults$"):
        listed = vault.get("accessPolicies")
        count = vault.get("accessPolicies_count") or (len(listed) if isinstance(listed, list) else 0)
        if vault.get("enableRbacAuthorization") is not True and int(count) >= _VAULT_POLICY_LIMIT:
            return {"vault": str(vault.get("name") or ""), "count": str(count), "limit": str(_VAULT_POLICY_LIMIT)}
    return None


def credited_identity_not_attached(state: SessionState) -> Facts:
    """A user-assigned identity the report names (the one given the role) that the calling resource the report
    names does not carry: the caller signs in with the identities it has, so a role held by another one is no
    role of its own."""
    said = said_in_report(state).lower()
    named = [u for u in reads_of_type(state, r"(?i)^Microsoft\.ManagedIdentity/userAssignedIdentities$")
             if str(u.get("name") or "").lower() in said]
    callers = [r for r in reads_of_type(state, ".") if str(r.get("type") or "").lower().startswith(IDENTITY_CALLERS)
               and isinstance(r.get("identity"), dict) and str(r.get("name") or "").lower() in said]
    for identity in named:
        name = str(identity.get("name")).lower()
        attached = [[str(a.get("id") or "").rsplit("/", 1)[-1] for a in c["identity"].get("userAssigned") or []]
                    for c in callers]
        if callers and not any(name in (a.lower() for a in names) for names in attached):
            caller = callers[0]
            return {"identity": str(identity.get("name")), "caller": str(caller.get("name")),
                    "caller_identity": str(caller["identity"].get("type") or "None"),
                    "attached": ", ".join(attached[0]) or "none"}
    return None


# a role assignment's id below the resource it was given on (a resource-group or subscription scope names none)
_ASSIGNED_ON = re.compile(r"(?i)^(?P<scope>/subscriptions/[^/]+/resourceGroups/[^/]+/providers/"
                          r"(?P<type>Microsoft\.[^/]+/[^/]+)/(?P<name>[^/]+))/providers/Microsoft\.Authorization/"
                          r"roleAssignments/")


def _role_grants(state: SessionState) -> list[tuple[re.Match[str], dict[str, Any]]]:
    """The succeeded role assignment writes of the activity log, each with the resource it was given on."""
    grants = [(_ASSIGNED_ON.match(str(e.get("resource_id") or "")), e) for e in succeeded_events(state)
              if str(e.get("operation") or "").lower() == "microsoft.authorization/roleassignments/write"]
    return [(m, e) for m, e in grants if m is not None]


def role_granted_on_sibling(state: SessionState) -> Facts:
    """A role was assigned (activity log) on one resource, while the refused request names another resource of the
    same type that the session read and that got none: the role went to the wrong one (the dev account, not prod),
    so the caller still has nothing on the resource it calls. A grant on the named resource itself decides nothing."""
    grants, said = _role_grants(state), said_in_report(state)
    granted = {m["scope"].lower() for m, _ in grants}
    for match, event in grants:
        if is_mentioned(match["name"], said):
            continue
        refused = next((r for r in reads_of_type(state, rf"(?i)^{re.escape(match['type'])}$")
                        if str(r.get("id") or "").lower() not in granted and is_mentioned(str(r.get("name")), said)),
                       None)
        if refused is not None:
            return {"granted_on": match["name"], "refused_on": str(refused.get("name")), "type": match["type"],
                    "time": str(event.get("time") or ""), "caller": str(event.get("caller") or ""),
                    "role": _role_at(state, match["scope"])}
    return None


def _role_at(state: SessionState, scope: str) -> str:
    """The role the caller's assignments read hold at that scope ("" when none was read there)."""
    listed = latest(state, "list_role_assignments")
    rows = (listed.data.get("assignments") or []) if listed is not None and listed.status == "success" else []
    tail = "/".join(scope.lower().split("/")[-2:])  # the scope as the read shortens it: vaults/<name>
    return next((str(r.get("role")) for r in rows if isinstance(r, dict) and r.get("role")
                 and str(r.get("scope") or "").lower().endswith(tail)), "")


def vault_role_granted_on_sibling(state: SessionState) -> Facts:
    """The same, where the refused resource is a key vault: the vault's own refusal (ForbiddenByRbac) is the
    category's, a data role on the other vault."""
    found = role_granted_on_sibling(state)
    return found if found is not None and found["type"].lower() == "microsoft.keyvault/vaults" else None


def _as_caller(guid: str) -> re.Pattern[str]:
    """The id named as the caller of a refused request: Key Vault's `appid=...;oid=...`, Resource Manager's
    `The client '...' with object id '...'`, a token's oid / appid claim."""
    named_as = r"(?:\b(?:appid|oid|object ?id|client ?id|client)\W{0,4}|\bCaller:[^\n]{0,60}?)"
    return re.compile(rf"(?i){named_as}{re.escape(guid)}\b")


def denied_caller_is_kubelet_identity(state: SessionState) -> Facts:
    """An AKS cluster whose kubelet identity (the node pool's managed identity) is the caller a refused request names,
    in a report about a pod's own identity (workload identity): the pod got no workload identity token, so the
    SDK's managed identity probe reached the node's instance metadata endpoint and signed in as the nodes."""
    said = said_in_report(state)
    for cluster in reads_of_type(state, r"(?i)^Microsoft\.ContainerService/managedClusters$"):
        kubelet = cluster.get("kubeletIdentity")
        if not isinstance(kubelet, dict):
            continue
        ids = [str(kubelet.get(k) or "") for k in ("objectId", "clientId")]
        if any(guid and _as_caller(guid).search(said) for guid in ids):
            return {"cluster": str(cluster.get("name") or ""), "kubelet": ids[1] or ids[0],
                    "kubelet_name": str(kubelet.get("resourceId") or "").rstrip("/").rsplit("/", 1)[-1]}
    return None


_REFUSED = re.compile(r"(?i)\bAuthorizationFailed\b|StatusCode=403\b|\b403 Forbidden\b|Status(?:Code)?:? ?403\b")


def assignments_lost_with_recreated_target(state: SessionState) -> Facts:
    """A resource the activity log shows deleted and written again, whose id or name the refused call (403,
    AuthorizationFailed) names: role assignments at a resource's scope are deleted with it, so whoever held a role
    there before the re-creation holds none on the new one."""
    said = said_in_report(state)
    if not _REFUSED.search(said):
        return None
    events = {str(e.get("resource_id") or "").lower(): e for e in succeeded_events(state)}
    for resource_id, time in sorted(_recreated(state).items()):
        name = resource_id.rstrip("/").rsplit("/", 1)[-1]
        if len(name) >= 4 and (resource_id in said.lower() or re.search(rf"(?i)(?<![\w.-]){re.escape(name)}(?![\w-])",
                                                                         said)):
            event = events.get(resource_id) or {}
            return {"name": name, "resource_id": str(event.get("resource_id") or resource_id), "time": time,
                    "caller": str(event.get("caller") or "someone")}
    return None


# a Key Vault key operation as an SDK's stack frame or call names it (.UnwrapKey, .unwrapKey, .unwrap_key(, with
# an Async suffix), against the access policy permission that allows it (MicrosoftDocs key-vault/keys/about-keys.md,
# key-vault/general/assign-access-policy.md): prose such as "failed to decrypt" names no operation
_KEY_OPERATION = re.compile(r"(?i)\.(?P<op>unwrap_?key|wrap_?key|decrypt|encrypt|sign|verify)(?:async)?\b")
_KEY_PERMISSION = {"unwrapkey": "unwrapKey", "wrapkey": "wrapKey", "decrypt": "decrypt", "encrypt": "encrypt",
                   "sign": "sign", "verify": "verify"}


def _callers(state: SessionState) -> dict[str, str]:
    """Principal id -> name of every resource read whose managed identity (system-assigned) signs its calls."""
    found = {}
    for resource in reads_of_type(state, "."):
        identity = resource.get("identity")
        principal = (identity or {}).get("principalId") if isinstance(identity, dict) \
            else resource.get("identity.principalId")
        if principal:
            found[str(principal).lower()] = str(resource.get("name") or "")
    return found


def vault_policy_lacks_key_operation(state: SessionState) -> Facts:
    """A key operation the refused call names (its SDK frame), and a vault on the access-policy model whose policy
    for the caller's identity holds key permissions without that operation: the policy exists, the permission not."""
    said = said_in_report(state)
    match = _KEY_OPERATION.search(said) if re.search(r"(?i)key ?vault|\.vault\.azure\.net", said) else None
    if match is None:
        return None
    needed = _KEY_PERMISSION[match.group("op").lower().replace("_", "")]
    callers = _callers(state)
    for vault in reads_of_type(state, r"(?i)^Microsoft\.KeyVault/vaults$"):
        if vault.get("enableRbacAuthorization") is True:
            continue
        for policy in vault.get("accessPolicies") or []:
            principal = str((policy or {}).get("objectId") or "").lower() if isinstance(policy, dict) else ""
            keys = [str(k) for k in ((policy.get("permissions") or {}).get("keys") or [])] if principal else []
            if principal in callers and needed.lower() not in {k.lower() for k in keys} and "all" not in keys:
                return {"vault": str(vault.get("name") or ""), "caller": callers[principal], "principal": principal,
                        "permission": needed, "held": " ".join(keys) or "none"}
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "keyvault-access-policy-lacks-key-operation": vault_policy_lacks_key_operation,
    "role-assignments-lost-with-recreated-target": assignments_lost_with_recreated_target,
    "keyvault-role-granted-on-sibling-vault": vault_role_granted_on_sibling,
    "denied-caller-is-aks-kubelet-identity": denied_caller_is_kubelet_identity,
    "role-granted-on-sibling-resource": role_granted_on_sibling,
    "keyvault-access-policies-full": vault_access_policies_full,
    "keyvault-tenant-not-identity-tenant": vault_tenant_not_identity_tenant,
    "keyvault-tenant-left-after-directory-move": vault_tenant_left_behind,
    "identity-lost-with-recreated-resource": identity_lost_with_recreated_resource,
    "recreated-identity-not-in-vault-access-policies": recreated_identity_not_in_vault_policies,
    "credited-identity-not-attached-to-caller": credited_identity_not_attached,
}
