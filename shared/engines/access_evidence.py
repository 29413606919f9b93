"""Show an access-denied conclusion's roles: which role assignments the calling identity holds on the resource.

Once the engine has concluded that an identity is refused data access (a Key Vault reference denied, a 403 from
Service Bus, Storage, Search...), and the session has read both the calling resource (with its managed identity)
and the resource it calls, one more read settles what the identity holds there: its role assignments at, above and
below that resource. The report then names them (a Key Vault Reader that reads metadata only, a Secrets User held on
one secret, nothing at all) and the role that grants the access (knowledge/data_access_roles.yaml). The read is
evidence beside the cause; it never changes the category or the confidence."""

from __future__ import annotations

import re
from typing import Any

from shared.azure import GUID
from shared.engines.analyzers.azure_scope import resource_groups, subscription_id
from shared.engines.analyzers.common import Entry, regex, report, table
from shared.engines.analyzers.ledger import azure_call, read_resources, reads_of_type
from shared.engines.base import Decision
from shared.engines.session_reads import IDENTITY_CALLERS, said_by_client
from shared.models import EvidenceItem
from shared.session.state import Conclude, RunTool, SessionState

DATA_ACCESS_ROLES = "data_access_roles"
DELIVERY_ROLES = "delivery_identity_roles"
ACCESS_CATEGORIES = frozenset({"auth.keyvault_access_denied", "auth.rbac_missing", "container.image_pull_failed"})
# Resources that call a key vault with their identity for a customer-managed key (encryption at rest).
_KEY_CALLERS = ("microsoft.storage/storageaccounts", "microsoft.sql/servers", "microsoft.documentdb/databaseaccounts",
                "microsoft.dbforpostgresql/flexibleservers", "microsoft.dbformysql/flexibleservers")


def with_role_assignments(state: SessionState, decision: Decision) -> Decision:
    """The access-denied conclusion with the caller's role assignments on the called resource cited, or the read
    that gets them first (unchanged without Azure access, or when the caller or the resource is not known)."""
    if not (isinstance(decision, Conclude) and decision.report.category in ACCESS_CATEGORIES and state.azure_access):
        return decision
    target = _called_resource(state, decision.report.root_cause)
    caller = _caller(state, *target) if target else None
    if target is not None and caller is None:
        found = _caller_read(state, target[0])
        if isinstance(found, RunTool):
            return found
        caller = _caller(state, *target)
    if target is None or caller is None:
        return decision
    resource, kind = target
    kind = {**kind, "needed": kind.get("needed_for_keys") or kind["needed"]} if caller[2] else kind
    full_roles = kind["roles"]
    if _writes(state):  # a Reader data role does not let the caller write: it does not grant this access
        kind = {**kind, "roles": [r for r in kind["roles"] if not r.endswith("Reader")]}
    read = azure_call(state, "list_role_assignments", {"scope": resource["id"], "principal_id": caller[1]},
                      f"reading the role assignments of {caller[0]}'s identity on {resource['name']}")
    if isinstance(read, RunTool):
        return read
    if read is None or read.status not in ("success", "no_data"):
        return decision
    assignments = read.data.get("assignments") or []
    unused = None if _grants(assignments, kind) or caller[3] else _unused_identity_holds(state, resource, kind, caller)
    if isinstance(unused, RunTool):
        return unused
    sibling = (None if _grants(assignments, kind) or unused is not None
               else _granted_on_sibling(state, resource, kind, caller))
    if isinstance(sibling, RunTool):
        return sibling
    # an identity that holds nothing at all there may be a re-created one: who holds the role instead (read when the
    # conclusion is still the error family's own reading; a missing role is already what it says)
    orphaned = (None if assignments or unused is not None or sibling is not None or caller[3]
                or decision.report.category == "auth.rbac_missing" or not identity_recreated(state)
                else _granted_to_another_principal(state, resource, kind, caller))
    if isinstance(orphaned, RunTool):
        return orphaned
    said = _held(assignments, kind, str(resource["name"]), caller[0]) + _assigned_note(caller) + (sibling or "")
    readers = [str(a.get("role")) for a in assignments if a.get("role") in full_roles
               and a.get("role") not in kind["roles"] and a.get("relation") in ("at", "inherited")]
    if readers and not _grants(assignments, kind):
        said = said.replace("None of them grants data access;", "None of them grants this access;")
        said += (f" {readers[0]} allows reading data only; the refused operation writes (an upload, a write or a "
                 f"delete), which needs a Contributor (or Owner) data role.")
    decision.report.root_cause += " " + said
    decision.report.evidence.append(EvidenceItem(source="list_role_assignments", summary=said[:300]))
    if unused is not None:
        return _identity_not_used(decision, caller, resource, unused, said)
    if orphaned is not None:
        return _role_on_another_principal(decision, caller, resource, kind, orphaned)
    if not _grants(assignments, kind):
        decision.report.actions.append(_grant_action(caller, kind, resource, "<role>") + ".")
    return decision


_WRITES = re.compile(r"(?i)\b(?:upload|write|delete|append|put|send|set)_?\w*\(|\bPUT\s+https?://|"
                     r"\b(?:upload|writ|delet)\w* (?:\w+ )?(?:fails?|failed|is refused|returns? 403)|"
                     r"\bread(?:ing|s)? (?:\w+ )?(?:works?|is fine|succeeds?|ok)\b")


def _writes(state: SessionState) -> bool:
    """Whether the refused operation writes data (an upload or delete call fails, reading the same data works)."""
    return any(_WRITES.search(t) for t in state.material.spoken())


_SIBLINGS_READ = 3  # a group of many registries or vaults: the first few listed beside the refused one


def _granted_on_sibling(state: SessionState, resource: dict[str, Any], kind: Entry,
                        caller: tuple[str, str, bool, str]) -> str | RunTool | None:
    """The identity holds no data role on the refused resource: does it hold one on another listed resource of the
    same type (a prod registry refused, the dev one granted)? A grant made with the wrong name or id (a runbook's
    `--attach-acr` given the other registry) succeeds and leaves the refused one without it; the sentence that says
    so, or the read that checks the next sibling first."""
    kind_of = str(resource.get("type") or "").lower()
    siblings = {str(r["id"]).lower(): r for r in read_resources(state) if r.get("id") and r.get("name")
                and str(r.get("type") or "").lower() == kind_of and str(r["id"]).lower() != str(resource["id"]).lower()}
    for sibling in list(siblings.values())[:_SIBLINGS_READ]:
        read = azure_call(state, "list_role_assignments", {"scope": sibling["id"], "principal_id": caller[1]},
                          f"checking whether {caller[0]}'s identity holds its role on {sibling['name']} instead")
        if isinstance(read, RunTool):
            return read
        held = (read.data.get("assignments") or []) if read is not None and read.status == "success" else []
        if any(a.get("relation") == "at" for a in held) and _grants(held, kind):
            return (f" It does hold that role on '{sibling['name']}', another resource of the same type: the grant "
                    f"meant for '{resource['name']}' was most likely made on the wrong resource (a command or runbook "
                    f"step given '{sibling['name']}', such as `az aks update --attach-acr` with the other registry), "
                    f"so '{resource['name']}' still refuses it.")
    return None


# the report says the identity was removed and turned on again, or the app re-created: what gives a system-assigned
# identity a new principal id (without it, another principal's role on a shared vault or registry is just another app's)
_RECREATED = re.compile(
    r"(?is)\bidentit(?:y|ies)\b(?:\s+(?:was|were|got|has been|had been|is))?\s+(?:removed|turned off|disabled|"
    r"switched off|toggled|re-?created|re-?enabled)\b|"
    r"\b(?:removed|turned off|disabled|switched off|toggled|re-?created|played with)\b[^.\n]{0,60}?"
    r"\bidentit(?:y|ies)\b|"
    r"\b(?:deleted|removed) and re-?created\b|\bre-?created (?:the |our )?(?:\w+ )?app\b")


def identity_recreated(state: SessionState) -> bool:
    """Whether the report says the app's identity was turned off and on again, or the app deleted and re-created, or
    the activity log read shows a write that removed a resource's system-assigned identity followed by one that set
    it again."""
    return any(_RECREATED.search(t) for t in state.material.spoken()) or _identity_reset_logged(state)


def _identity_reset_logged(state: SessionState) -> bool:
    """A resource whose logged writes set its identity to one without SystemAssigned, then to one with it."""
    removed: set[str] = set()
    events = [e for r in state.ledger if r.tool == "list_activity_log" and r.status == "success"
              for e in r.data.get("events") or [] if isinstance(e, dict) and e.get("identity_type")]
    for event in sorted(events, key=lambda e: str(e.get("time") or "")):
        resource, system = str(event.get("resource_id") or "").lower(), "systemassigned" in \
            str(event["identity_type"]).lower().replace(" ", "")
        if not system:
            removed.add(resource)
        elif resource in removed:
            return True
    return False


def _granted_to_another_principal(state: SessionState, resource: dict[str, Any], kind: Entry,
                                  caller: tuple[str, str, bool, str]) -> list[dict[str, Any]] | RunTool | None:
    """The caller's system-assigned identity holds no data role on the resource: the assignments of every principal
    there, and those of a granting role held by a service principal that is not the caller's current identity (and
    not the identity of any other resource the session read). A system-assigned identity turned off and on again
    gets a new principal id, and the assignments made for the old one stay behind with it."""
    read = azure_call(state, "list_role_assignments", {"scope": resource["id"]},
                      f"reading which principals hold a role on {resource['name']}")
    if isinstance(read, RunTool):
        return read
    if read is None or read.status != "success":
        return None
    known = {str(p).lower() for r in read_resources(state) if isinstance(r.get("identity"), dict)
             for p in [r["identity"].get("principalId"),
                       *[u.get("principalId") for u in r["identity"].get("userAssigned") or [] if isinstance(u, dict)]]
             if p}
    granting = {r.lower() for r in kind["roles"]}
    others = [a for a in read.data.get("assignments") or [] if str(a.get("role") or "").lower() in granting
              and a.get("relation") == "at" and str(a.get("principal_type") or "").lower() == "serviceprincipal"
              and a.get("principal_id") and str(a["principal_id"]).lower() not in known | {caller[1].lower()}]
    return others or None


def _role_on_another_principal(decision: Conclude, caller: tuple[str, str, bool, str], resource: dict[str, Any],
                               kind: Entry, others: list[dict[str, Any]]) -> Conclude:
    """The role the call needs is assigned on the resource, but to another principal id than the caller's current
    system-assigned identity: the assignment is missing for the identity that calls, so the refusal is a missing role
    (whatever the error's own family), and the likely story is an identity that was re-created."""
    held = ", ".join(f"{a.get('role')} for principal {a.get('principal_id')}" for a in others[:3])
    if decision.report.category != "auth.keyvault_access_denied":  # a vault's refusal keeps its own category
        decision.report.category = "auth.rbac_missing"
    decision.report.root_cause = (
        f"'{resource['name']}' grants {held}, but {caller[0]}'s system-assigned identity now has principal id "
        f"{caller[1]}, which holds no role there: the assignment belongs to another principal. A system-assigned "
        "identity that is turned off and on again (or an app deleted and re-created with the same name) gets a new "
        "principal id, and role assignments made for the old one do not follow it, so the call is refused although "
        "the role still shows on the resource. " + decision.report.root_cause)
    decision.report.evidence.append(EvidenceItem(source="list_role_assignments", summary=(
        f"Role assignments on '{resource['name']}' (every principal): {held}; none for {caller[1]}.")[:300]))
    decision.report.actions.insert(0, _grant_action(caller, kind, resource, str(others[0].get("role")))
                                   + f", and remove the stale assignment of principal {others[0].get('principal_id')}"
                                   " if it belonged to the old identity.")
    return decision


def _unused_identity_holds(state: SessionState, resource: dict[str, Any], kind: Entry,
                           caller: tuple[str, str, bool, str]) -> dict[str, Any] | RunTool | None:
    """The caller's user-assigned identity that holds the data role its system-assigned identity lacks, unless a
    setting of the app names that identity's client id: a credential that names no identity (DefaultAzureCredential
    without AZURE_CLIENT_ID, a Logic Apps action's managed identity authentication without `identity`) uses the
    system-assigned one, so the role given to the user-assigned identity is never used."""
    host = next((r for r in read_resources(state)
                 if r.get("name") == caller[0] and isinstance(r.get("identity"), dict)), None)
    assigned = [u for u in (host or {}).get("identity", {}).get("userAssigned") or [] if u.get("principalId")]
    named = {str(i).lower() for e in state.ledger if e.tool == "list_app_setting_names"
             for i in (e.data.get("client_ids") or {}).values()}
    for identity in assigned[:2]:
        if str(identity.get("clientId") or "").lower() in named:
            continue
        read = azure_call(state, "list_role_assignments", {"scope": resource["id"],
                                                           "principal_id": str(identity["principalId"])},
                          f"reading the role assignments of {caller[0]}'s user-assigned identity on {resource['name']}")
        if isinstance(read, RunTool):
            return read
        if read is not None and read.status == "success" and _grants(read.data.get("assignments") or [], kind):
            return identity
    return None


def _identity_not_used(decision: Conclude, caller: tuple[str, str, bool, str], resource: dict[str, Any],
                       identity: dict[str, Any], held: str) -> Conclude:
    """The role is there, on the identity the call does not use: the identity is the cause, not a missing role (the
    text's general reading of the refusal, which asks for a role, is replaced)."""
    name = str(identity.get("id") or "").rstrip("/").rsplit("/", 1)[-1] or "the user-assigned identity"
    if decision.report.category == "container.image_pull_failed":  # a registry pull stays the pull failure it is
        decision.report.root_cause += (
            f" The registry pull runs as the system-assigned identity ({caller[1]}), while AcrPull on "
            f"'{resource['name']}' is held by '{name}'.")
        decision.report.actions.insert(0, (
            f"Make the registry entry pull with '{name}' (`az containerapp registry set --name {caller[0]} "
            f"--resource-group <group> --server {resource['name']}.azurecr.io --identity <resource id of {name}>`), "
            f"or grant AcrPull on '{resource['name']}' to the system-assigned identity ({caller[1]})."))
        return decision
    decision.report.category = "auth.managed_identity_missing"
    decision.report.root_cause = (
        f"{caller[0]} has a system-assigned and a user-assigned identity ('{name}'). The data role on "
        f"'{resource['name']}' is held by '{name}', but the call names no identity, so it runs as the system-assigned "
        f"identity ({caller[1]}), which holds no data role there: the request is refused although the role exists. "
        + held)
    decision.report.actions.insert(0, (
        f"Make the call use '{name}': name it by its client id {identity.get('clientId')} (AZURE_CLIENT_ID or "
        "ManagedIdentityCredential(client_id=...); in a Logic Apps action's managed identity authentication set "
        f"`identity` to its resource id), or grant the same role to the system-assigned identity ({caller[1]})."))
    return decision


def claimed_role_missing(state: SessionState) -> Decision | None:
    """Before asking: the report says an identity was given a data role ("the kubelet identity has AcrPull") on a
    resource the session read; its role assignments there show whether it holds one that grants the access. None
    when nothing is claimed or the claim holds (the question stands); the read that checks it first."""
    said = said_by_client(state)
    for resource, kind in _named_first(_typed([r for r in reads_of_type(state, ".") if r.get("id")], said), said):
        claimed = [r for r in kind["roles"] if re.search(rf"(?<![\w-]){re.escape(r.lower())}(?![\w-])", said)]
        caller = _caller(state, resource, kind) if claimed else None
        if caller is None:
            continue
        read = azure_call(state, "list_role_assignments", {"scope": resource["id"], "principal_id": caller[1]},
                          f"checking the {claimed[0]} role the report names for {caller[0]}'s identity")
        if isinstance(read, RunTool):
            return read
        if read is None or read.status not in ("success", "no_data"):
            continue
        assignments = read.data.get("assignments") or []
        if _grants(assignments, kind):
            return None
        held = _held(assignments, kind, str(resource["name"]), caller[0])
        root_cause = (f"The report says {claimed[0]} was given, but it does not reach '{resource['name']}' for the "
                      f"identity that calls it: {held}" + _assigned_note(caller))
        action = (_grant_action(caller, kind, resource, claimed[0])
                  + " (one on another resource or identity does not count).")
        found = report(state, category="auth.rbac_missing", confidence="medium", root_cause=root_cause,
                       actions=[action], evidence=[EvidenceItem(source="list_role_assignments", summary=held[:300])])
        return Conclude(message=f"{claimed[0]} is not held where it is needed.", report=found)
    return None


# deliveries the destination refused for want of authorization (a dead-lettered event's outcome, the metrics' words)
_REFUSED_DELIVERY = re.compile(r"(?i)\b(?:Forbidden|Unauthori[sz]ed|AuthorizationFailure|not authori[sz]ed)\b"
                               r"|lastHttpStatusCode\W{0,4}40[13]\b|\b40[13] (?:Forbidden|Unauthori[sz]ed)")
_TOPICS = r"(?i)^Microsoft\.EventGrid/(?:topics|systemTopics|domains)$"


def delivery_identity_refused(state: SessionState) -> Decision | None:
    """An Event Grid event subscription that delivers with its topic's managed identity, while the report shows the
    deliveries refused (Forbidden, Unauthorized): the identity's role assignments on the destination decide whether
    it holds the sender role that destination type needs (knowledge/delivery_identity_roles.yaml). None when no such
    subscription was read, the topic has no identity (another finding), or the identity holds a granting role; the
    read of its role assignments first."""
    if not state.azure_access or not _REFUSED_DELIVERY.search(said_by_client(state)):
        return None
    topics = [t for t in reads_of_type(state, _TOPICS) if isinstance(t.get("identity"), dict)]
    for sub in reads_of_type(state, r"(?i)^Microsoft\.EventGrid/(?:topics|systemTopics|domains)/eventSubscriptions$"):
        destination, kind = str(sub.get("identityDestinationId") or ""), str(sub.get("identityEndpointType") or "")
        rule = next((r for r in table(DELIVERY_ROLES) if regex(r["endpoint"]).search(kind)), None)
        topic = next((t for t in topics if str(sub.get("id") or "").lower().startswith(str(t.get("id")).lower() + "/")),
                     None)
        principal = _principal(topic["identity"])[0] if topic is not None else None
        if rule is None or topic is None or not destination or not principal:
            continue
        name = str(topic.get("name"))
        read = azure_call(state, "list_role_assignments", {"scope": destination, "principal_id": principal},
                          f"reading the role assignments of topic {name}'s identity on the destination")
        if isinstance(read, RunTool):
            return read
        if read is None or read.status not in ("success", "no_data"):
            continue
        held = read.data.get("assignments") or []
        granting = {r.lower() for r in rule["granting"]}
        if any(str(a.get("role") or "").lower() in granting and a.get("relation") in ("at", "inherited") for a in held):
            continue
        target = _tail(destination) + (f" (queue {sub['identityQueueName']})" if sub.get("identityQueueName") else "")
        listed = "; ".join(f"{a.get('role') or 'an unreadable role'} at scope {_tail(a.get('scope'))} "
                           f"({a.get('relation')})" for a in held[:6]) or "none"
        root_cause = (
            f"Event subscription '{sub.get('name')}' delivers to {kind} {target} with the managed identity of topic "
            f"'{name}' (deliveryWithResourceIdentity), and the destination refuses the deliveries: the identity "
            f"({principal}) needs {rule['needed']} on the destination, but its role assignments there are: {listed}. "
            f"None of them lets it send there, so Event Grid retries every event and then drops or dead-letters it "
            f"while publishing to the topic still succeeds.")
        action = (f"Give the topic's identity {rule['needed']} on the destination: `az role assignment create "
                  f"--assignee-object-id {principal} --assignee-principal-type ServicePrincipal --role "
                  f"\"{rule['needed']}\" --scope {destination}`, then replay the dead-lettered events.")
        summary = f"{principal} on {_tail(destination)}: {listed}"[:300]
        found = report(state, category="auth.rbac_missing", confidence="medium", root_cause=root_cause,
                       actions=[action], evidence=[EvidenceItem(source="list_role_assignments", summary=summary)])
        return Conclude(message=f"{rule['needed']} is not held on the delivery destination.", report=found)
    return None


def _named_first(typed: list[tuple[dict[str, Any], Entry]], said: str) -> list[tuple[dict[str, Any], Entry]]:
    """Of the resources read, those the client names (the account the error is about), when the client names one:
    a sibling account of the same group that the report never mentions is not where the claimed role must be."""
    named = [(r, k) for r, k in typed if re.search(rf"(?<![\w-]){re.escape(str(r.get('name') or '').lower())}(?![\w-])",
                                                  said)]
    return named or typed


def _typed(resources: list[dict[str, Any]], said: str = "") -> list[tuple[dict[str, Any], Entry]]:
    """Those of the resources that are of a data-access type, each with its roles entry (narrowed to the one
    sub-service the client's words name)."""
    return [(r, _narrowed(e, said)) for r in resources for e in table(DATA_ACCESS_ROLES)
            if regex(f"(?i){e['type']}").search(str(r.get("type") or ""))]


def _narrowed(entry: Entry, said: str) -> Entry:
    """The entry with only the roles of the one sub-service (table, blob, queue) whose marker the client's words
    match: a Blob Data Owner does not let a TableClient insert. Unchanged when none or several match."""
    hits = [s for s in entry.get("services") or [] if regex(s["marker"]).search(said)]
    if len(hits) != 1:
        return entry
    return {**entry, "roles": hits[0]["roles"], "needed": hits[0]["needed"]}


def _assigned_note(caller: tuple[str, str, bool, str]) -> str:
    """The caller's user-assigned identity by name, when that is the identity whose roles were read."""
    return f" {caller[0]}'s identity here is its user-assigned identity '{caller[3]}'." if caller[3] else ""


def _grant_action(caller: tuple[str, str, bool, str], kind: Entry, resource: dict[str, Any], role: str) -> str:
    kind_of = "User" if "@" in caller[0] else "ServicePrincipal"
    return (f"Give {caller[0]}'s identity {kind['needed']} on '{resource['name']}': `az role assignment create "
            f"--assignee-object-id {caller[1]} --assignee-principal-type {kind_of} --role \"{role}\" "
            f"--scope {resource['id']}`")


def _caller_read(state: SessionState, called: dict[str, Any]) -> RunTool | None:
    """The read that would show the caller the client names: the listing of a resource group the client names, then
    the caller itself (its managed identity is only in its own read)."""
    said = said_by_client(state)
    listed = [r for r in read_resources(state) if r.get("id") != called.get("id")
              and str(r.get("type") or "").lower().startswith(IDENTITY_CALLERS)
              and str(r.get("name") or "").lower() in said]
    read_ids = {str(e.data.get("id") or "").lower() for e in state.ledger if e.tool == "get_resource"}
    if listed:
        if any(str(r.get("id") or "").lower() in read_ids for r in listed):
            return None  # the caller was read: it has no identity to look up
        read = azure_call(state, "get_resource", {"resource_id": str(listed[0]["id"])},
                          f"reading {listed[0].get('name')}'s managed identity")
        return read if isinstance(read, RunTool) else None
    subscription = subscription_id(state)
    for group in resource_groups(state)[:3] if isinstance(subscription, str) else []:
        listing = azure_call(state, "list_resources_in_group",
                             {"subscription_id": subscription, "resource_group": group},
                             f"listing resource group {group} to find the calling resource")
        if isinstance(listing, RunTool):
            return listing
    return None


def _grants(assignments: list[dict[str, Any]], kind: Entry) -> bool:
    """Whether a held role grants data access on the whole resource (at it or inherited from above)."""
    granting = {r.lower() for r in kind["roles"]}
    return any(str(a.get("role") or "").lower() in granting and a.get("relation") in ("at", "inherited")
               for a in assignments)


def _called_resource(state: SessionState, root_cause: str) -> tuple[dict[str, Any], Entry] | None:
    """The read resource of a data-access type that the conclusion names (else the only one the client names)."""
    typed = _typed(read_resources(state), said_by_client(state))
    for text in (root_cause.lower(), said_by_client(state)):
        named = {str(r["id"]).lower(): (r, e) for r, e in typed if str(r.get("name") or "").lower() in text}
        if len(named) > 1:  # the caller and the callee both named (a search service calling an OpenAI account)
            named = _refused_side(state, named)
        if len(named) == 1:
            return next(iter(named.values()))
    return None


# the principal a data-plane refusal names ("The principal `<guid>` lacks the required data action `Microsoft.X/...`")
_REFUSED_PRINCIPAL = re.compile(rf"(?i)\bprincipal\W{{0,3}}({GUID})")
_DATA_ACTION = re.compile(r"(?i)\bdata ?action\W{1,3}(Microsoft\.[A-Za-z]+/[A-Za-z]+)/")


def _refused_side(state: SessionState, named: dict[str, tuple[dict[str, Any], Entry]]
                  ) -> dict[str, tuple[dict[str, Any], Entry]]:
    """Of several named resources, the ones that can be the refused callee: not the resource whose own managed
    identity is the principal the error says was refused (that one is the caller), and of the type whose data action
    the error names, when it names one."""
    spoken = " ".join(state.material.spoken())
    refused = {m.group(1).lower() for m in _REFUSED_PRINCIPAL.finditer(spoken)}
    actions = {m.group(1).lower() for m in _DATA_ACTION.finditer(spoken)}

    def principals(resource: dict[str, Any]) -> set[str]:
        identity: dict[str, Any] = resource["identity"] if isinstance(resource.get("identity"), dict) else {}
        found = {str(identity.get("principalId") or "").lower()}
        found |= {str(u.get("principalId") or "").lower() for u in identity.get("userAssigned") or []
                  if isinstance(u, dict)}
        return found - {""}

    kept = {k: v for k, v in named.items() if not (refused and principals(v[0]) & refused)}
    if actions:
        kept = {k: v for k, v in kept.items() if str(v[0].get("type") or "").lower().startswith(tuple(actions))}
    return kept


def _caller(state: SessionState, called: dict[str, Any], entry: Entry) -> tuple[str, str, bool, str] | None:
    """The calling resource's name, its managed identity's principal id, whether it calls for an encryption key and
    the user-assigned identity's name (empty for the system-assigned one):
    the one resource read with an identity whose type calls others (the one the client names, when several); a
    storage account or database calls a key vault for its customer-managed key."""
    callers = IDENTITY_CALLERS + (_KEY_CALLERS if entry.get("needed_for_keys") else ())
    pulls = str(called.get("type") or "").lower() == "microsoft.containerregistry/registries"
    callers += (_CLUSTER,) if pulls else ()
    found: dict[str, tuple[str, str, bool, str]] = {}
    for resource in read_resources(state):
        kind, identity = str(resource.get("type") or "").lower(), resource.get("identity") or {}
        principal, assigned = _principal(identity) if isinstance(identity, dict) else (None, "")
        if kind == _CLUSTER:  # a cluster's nodes pull with its kubelet identity, not the cluster's own
            principal, assigned = _kubelet(resource)
        if principal and resource.get("id") != called.get("id") and kind.startswith(callers):
            found[str(resource["id"]).lower()] = (str(resource.get("name")), principal, kind.startswith(_KEY_CALLERS),
                                                  assigned)
    if len(found) > 1:
        said = said_by_client(state)
        found = {k: v for k, v in found.items() if v[0].lower() in said}
    if not found:
        return _stated_principal(state)
    return next(iter(found.values())) if len(found) == 1 else None


_OID = re.compile(rf"(?i)\boid=({GUID})\b|object id '({GUID})'")


def _stated_principal(state: SessionState) -> tuple[str, str, bool, str] | None:
    """The caller when no calling resource with a managed identity was read: the one principal (object) id the client
    states - an environment_info object or principal id (a signed-in user's, a service principal's), else the one
    oid= / object id the error prints - named by the user or service principal the client names beside it. None when
    none, or several different ones, are stated."""
    env = state.material.environment
    stated = {str(v).lower() for k, v in env.items() if isinstance(v, str)
              and re.fullmatch(GUID, v.strip()) and re.search(r"(?i)object_?id|principal_?id|\boid\b", str(k))}
    if not stated:
        stated = {(m.group(1) or m.group(2)).lower() for t in state.material.spoken() for m in _OID.finditer(t)}
    if len(stated) != 1:
        return None
    principal = next(iter(stated))
    names = [str(v) for k, v in env.items() if isinstance(v, str) and not re.fullmatch(GUID, v.strip())
             and re.search(r"(?i)user|service_principal|upn|account_name", str(k)) and "@" in str(v)]
    return (names[0] if names else f"the principal {principal}", principal, False, "")


_CLUSTER = "microsoft.containerservice/managedclusters"


def _kubelet(cluster: dict[str, Any]) -> tuple[str | None, str]:
    """An AKS cluster's kubelet identity: its object id and its name (from its resource id)."""
    kubelet = cluster.get("kubeletIdentity") or {}
    if not isinstance(kubelet, dict) or not kubelet.get("objectId"):
        return None, ""
    return str(kubelet["objectId"]), str(kubelet.get("resourceId") or "").rstrip("/").rsplit("/", 1)[-1]


def _principal(identity: dict[str, Any]) -> tuple[str | None, str]:
    """The system-assigned principal, else the only user-assigned one with that identity's name."""
    if identity.get("principalId"):
        return str(identity["principalId"]), ""
    assigned = [u for u in identity.get("userAssigned") or [] if u.get("principalId")]
    if len(assigned) != 1:
        return None, ""
    return str(assigned[0]["principalId"]), str(assigned[0].get("id") or "").rstrip("/").rsplit("/", 1)[-1]


def _held(assignments: list[dict[str, Any]], kind: Entry, name: str, caller: str) -> str:
    """What the identity holds on the resource, and whether any of it grants data access there."""
    granting = {r.lower() for r in kind["roles"]}
    if not assignments:
        return (f"Azure shows no role assignment of {caller}'s identity at, above or below '{name}': it needs "
                f"{kind['needed']} there.")
    listed = "; ".join(f"{a.get('role') or 'an unreadable role'} at scope {_tail(a.get('scope'))} "
                       f"({a.get('relation')})" for a in assignments[:6])
    held = f"Role assignments of {caller}'s identity read for '{name}': {listed}."
    if _grants(assignments, kind):
        limited = conditional_grant(assignments, kind)
        return held + (limited or " One of them grants data access on the whole resource.")
    below = [a for a in assignments if str(a.get("role") or "").lower() in granting and a.get("relation") == "below"]
    elsewhere = [a for a in assignments if str(a.get("role") or "").lower() in granting
                 and a.get("relation") == "elsewhere"]
    if elsewhere and not below:
        return (held + f" The data role is held on another resource, {_tail(elsewhere[0].get('scope'))}, not on "
                f"'{name}': it needs {kind['needed']} on '{name}' itself (or above it).")
    if below:
        note = f" ({kind['scope_note']})" if kind.get("scope_note") else ""
        return (held + f" The data role is held only below '{name}', on {_tail(below[0].get('scope'))}{note}: "
                f"it needs {kind['needed']} at the scope of everything it reads.")
    if any(not a.get("role") for a in assignments):
        return held + f" A data role there would be {kind['needed']}."
    return held + f" None of them grants data access; it needs {kind['needed']}."


def conditional_grant(assignments: list[dict[str, Any]], kind: Entry) -> str:
    """When every assignment that grants the data role on the whole resource carries a condition (ABAC), what that
    condition limits: a request outside it is refused as if the role were absent. Empty otherwise."""
    granting = {r.lower() for r in kind["roles"]}
    held = [a for a in assignments if str(a.get("role") or "").lower() in granting
            and a.get("relation") in ("at", "inherited")]
    if not held or not all(a.get("condition") for a in held):
        return ""
    condition = str(held[0]["condition"])
    names = sorted(set(re.findall(r"(?i):name\]\s*String\w*\s*'([^']+)'", condition)))
    matched = re.findall(r"ActionMatches\{'([^']+)'\}", condition)
    actions = sorted({"/".join(a.rsplit("/", 2)[-2:]) if a.endswith("/action") else a.rsplit("/", 1)[-1]
                      for a in matched})
    limited = (f" to {', '.join(repr(n) for n in names)} only" if names else "")
    what = f" ({', '.join(actions)})" if actions else ""
    return (f" The {held[0].get('role')} assignment carries a role assignment condition (ABAC) that limits the "
            f"operations it allows{what}{limited}: a request outside the condition is refused with 403 as if the "
            f"role were absent. Condition: {condition[:300]}")


def _tail(scope: Any) -> str:
    """A scope as a reader names it: the part after the provider namespace (vaults/kv-app/secrets/db-conn)."""
    parts = str(scope or "").strip("/").split("/")
    at = next((i for i, p in enumerate(parts) if p.lower() == "providers"), None)
    return "/".join(parts[at + 2:]) if at is not None and len(parts) > at + 2 else "/" + "/".join(parts)
