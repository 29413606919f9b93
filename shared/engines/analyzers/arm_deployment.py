"""deployment.* and quota.*: Azure Resource Manager refused or failed a deployment or an operation.

The codes and their meaning are data (knowledge/deployment_arm_errors.yaml). DeploymentFailed,
InvalidTemplateDeployment, Conflict and BadRequest only wrap the real error, so the analyzer reads every
code in the text (and in the failed deployment operations read in Azure) and concludes on the first one that names
a cause; a catalog entry of the service comes next; failed operations read whose error no knowledge names are quoted
as the answer; with only a wrapper and no operations read, it asks once for them."""

from __future__ import annotations

from typing import Any

from shared.catalog.index import EntryHit
from shared.catalog.similar import similar_entries
from shared.engines.analyzers.azure_scope import resource_group, subscription_id
from shared.engines.analyzers.catalog_entry import decide_from_entry
from shared.engines.analyzers.common import (
    Entry,
    conclude_entry,
    delegate,
    facts_for,
    regex,
    report,
    search,
    specific_hit,
    table,
    texts,
)
from shared.engines.analyzers.ledger import ask_once, azure_call, cli_for, env, read_resources, since_last_answer
from shared.engines.base import Decision
from shared.engines.catalog_hits import decisive, evidence_text
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem
from shared.session.state import Conclude, Evidence, RunTool, SessionState
from shared.tools.azure_resources import USAGE_CLI

TOOL = "list_error_codes"
TABLE = "deployment_arm_errors"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    codes = since_last_answer(state, TOOL)
    if codes is None:
        return RunTool(tool=TOOL, purpose="reading every error code in the deployment error, outermost first")
    found = [c["code"] for c in codes.data.get("codes", [])]
    entry = cause_entry(found, state)
    known = _catalog_entry(state) if entry is not None and entry.get("generic") else None
    if known is not None:
        return decide_from_entry(state, known)  # a service's own error that shares the code (Service Bus QuotaExceeded)
    refused = _refused_write(state) if entry is not None and entry.get("id") == "policy-denied" else None
    if isinstance(refused, RunTool):
        return refused
    if entry is not None:
        facts = facts_for(state, hit, search(entry.get("facts") or [], [*texts(state, files=True),
                                                                         *_operations_read(state)]))
        unnamed = _policy_unnamed(state, entry, facts)
        if unnamed is not None:
            return unnamed
        held = _deleted_vault(state, entry, facts) or _locks_at_scope(state, entry, facts)
        if isinstance(held, RunTool):
            return held
        evidence = [EvidenceItem(source=TOOL, summary=codes.summary)] if found else []
        if isinstance(held, Evidence):
            evidence.append(EvidenceItem(source=held.tool, summary=held.summary))
        return conclude_entry(state, hit, entry, facts, evidence)
    other = specific_hit(state, exclude_analyzers={"arm_deployment"})
    if other is not None:
        return delegate(state, other)
    known = _catalog_entry(state)  # a catalog entry for the error itself, or for the operations' error read in Azure
    if known is not None:
        return decide_from_entry(state, known)
    inner = _inner_errors(state)
    if inner:  # the operations were read: their own error is the answer, never a question for what Azure told
        return _conclude_from_operations(state, inner)
    reached = _regional_limit_reached(state)  # a validation failure that hides its reason: a regional limit?
    if isinstance(reached, RunTool):
        return reached
    if reached is not None:
        return _conclude_limit_reached(state, *reached)
    return _ask_for_operations(state, hit, found)


def _refused_write(state: SessionState) -> RunTool | None:
    """A policy refusal whose pasted error names no assignment (the one-line message a portal, PowerShell or CLI
    create shows): with Azure access, the resource group's failed operations of the last three days, whose refused
    write records the assignment that denied it and what the request asked for (its VM size, region or SKU)."""
    said = " ".join(texts(state, files=True))
    subscription, group = subscription_id(state), resource_group(state)
    if not state.azure_access or regex(r"(?i)policyAssignments?\b").search(said) \
            or not isinstance(subscription, str) or not group \
            or any(e.tool in ("list_activity_log", "list_deployment_operations") and e.status == "success"
                   and "disallowed by policy" in evidence_text(e.tool, e.data) for e in state.ledger):
        return None
    read = azure_call(state, "list_activity_log",
                      {"scope": f"/subscriptions/{subscription}/resourceGroups/{group}", "hours": 72,
                       "only_failures": True},
                      "reading the refused write in the activity log: the policy assignment that denied it and "
                      "what it asked for")
    return read if isinstance(read, RunTool) else None


def _deleted_vault(state: SessionState, entry: Entry, facts: dict[str, str]) -> RunTool | Evidence | None:
    """A vault name held by a soft-deleted vault: with Azure access, the subscription's deleted vaults, whose record
    of that name says until when it is held and whether purge protection keeps it from being purged (then only a
    recovery or another name helps). Adds `purge_protection` ('on'/'off') and `scheduled_purge` to the facts."""
    if entry.get("id") != "keyvault-soft-deleted-name":
        return None
    subscription = subscription_id(state)
    if not isinstance(subscription, str):
        return None
    read = azure_call(state, "get_resource",
                      {"resource_id": f"/subscriptions/{subscription}/providers/Microsoft.KeyVault/deletedVaults"},
                      "reading the subscription's soft-deleted key vaults: until when the name is held and whether "
                      "purge protection keeps it from being purged")
    if isinstance(read, RunTool):
        return read
    vaults = read.data.get("deletedVaults") if read is not None and read.status == "success" else None
    named = {str(n).lower() for n in (facts.get("name"), env(state, "key_vault", "")) if n}
    listed = [v for v in vaults or [] if isinstance(v, dict)]
    found = [v for v in listed if str(v.get("name") or "").lower() in named]
    if not found or read is None:
        return None
    vault = found[0]
    facts["name"] = str(vault.get("name"))
    facts["purge_protection"] = "on: nobody can purge it before its scheduled purge date, so only recovering it " \
                                "or another name helps" if vault.get("purgeProtectionEnabled") else \
                                "off: it can be purged (or recovered)"
    if vault.get("scheduledPurgeDate"):
        facts["scheduled_purge"] = str(vault["scheduledPurgeDate"])
    return read


# what each lock level refuses (MicrosoftDocs lock-resources.md): the level read decides whether a read-looking POST
# such as listKeys() is refused too
_LOCK_EFFECT = {
    "readonly": "it refuses every write and also the POST operations that only look like reads (listKeys(), "
                "listSecrets, listing connection strings), so a template or an SDK call that only reads a key fails "
                "under it as a write",
    "cannotdelete": "it refuses deletions only; writes and updates still pass",
}


def _locks_at_scope(state: SessionState, entry: Entry, facts: dict[str, str]) -> RunTool | Evidence | None:
    """A scope lock: with Azure access, the management locks of the locked scope the message names, whose name and
    level (ReadOnly or CanNotDelete) say what it refuses. Adds `lock`, `level` and `level_effect` to the facts."""
    scope = facts.get("locked_scope") or ""
    if entry.get("id") != "scope-locked" or not regex(r"(?i)^/subscriptions/[^/]+").match(scope):
        return None
    locks = f"{scope.rstrip('/')}/providers/Microsoft.Authorization/locks"
    read = azure_call(state, "get_resource", {"resource_id": locks},
                      "reading the management locks of the locked scope: their name and level (a ReadOnly lock also "
                      "refuses read-looking POSTs such as listKeys)")
    if not isinstance(read, Evidence) or read.status != "success":
        return read if isinstance(read, RunTool) else None
    levels, names = read.data.get("levels") or [], read.data.get("lockNames") or []
    found = [(str(n), str(lv)) for n, lv in zip(names, levels, strict=False) if str(lv).lower() in _LOCK_EFFECT]
    if not found:
        return None
    name, level = next((f for f in found if f[1].lower() == "readonly"), found[0])
    facts.update(lock=name, level=level, level_effect=_LOCK_EFFECT[level.lower()])
    return read


def _policy_unnamed(state: SessionState, entry: Entry, facts: dict[str, str]) -> RunTool | None:
    """A policy denial whose text names neither the definition nor what it evaluated (a custom reason, "see error
    details"): with Azure access, the resource group's activity log first, where the failed write carries the
    policies it was denied by (the definition's display name), before concluding on the text alone."""
    if entry.get("id") != "policy-denied" or not state.azure_access or \
            any(facts.get(k) for k in ("definition", "builtin", "policy_field", "evaluated_field")) or \
            any(e.tool == "list_activity_log" and e.status == "success" for e in state.ledger):
        return None  # named, or the group's activity log was read already (_refused_write)
    subscription, group = subscription_id(state), resource_group(state)
    if not isinstance(subscription, str) or group is None:
        return subscription if isinstance(subscription, RunTool) else None
    read = azure_call(state, "list_activity_log",
                      {"scope": f"/subscriptions/{subscription}/resourceGroups/{group}", "hours": 72},
                      f"reading the activity log of {group} for the policy the failed write was denied by")
    return read if isinstance(read, RunTool) else None


def _regional_limit_reached(state: SessionState) -> RunTool | tuple[dict[str, Any], dict[str, Any]] | None:
    """With Azure access and the deployment's own error unknown: the regional usages of the providers whose
    resources the template or the resource group holds, in the group's region; the first usage at its limit."""
    subscription, location = subscription_id(state), _group_location(state)
    if not (state.azure_access and isinstance(subscription, str) and location):
        return None
    said = " ".join([*texts(state, files=True), *(str(r.get("type") or "") for r in read_resources(state))]).lower()
    for namespace in [n for n in USAGE_CLI if f"{n.lower()}/" in said][:2]:
        read = azure_call(state, "list_regional_usages",
                          {"subscription_id": subscription, "namespace": namespace, "location": location},
                          f"reading {namespace}'s usages against the subscription's limits in {location}")
        if isinstance(read, RunTool):
            return read
        full = [u for u in (read.data.get("usages") or []) if u.get("name") in (read.data.get("reached") or [])] \
            if read is not None and read.status == "success" else []
        if full and read is not None:
            return read.arguments, full[0]
    return None


def _group_location(state: SessionState) -> str | None:
    """The region of the resource group's resources as listed (the most common one), as a region name."""
    regions = [str(r.get("location") or "").replace(" ", "").lower() for r in read_resources(state)
               if r.get("location") and str(r.get("location")).lower() != "global"]
    return max(set(regions), key=regions.count) if regions else None


def _conclude_limit_reached(state: SessionState, read: dict[str, Any], usage: dict[str, Any]) -> Conclude:
    """The usage at its limit, from the list_regional_usages read with these arguments."""
    label, where, namespace = usage.get("label") or usage.get("name"), read["location"], read["namespace"]
    root_cause = (f"The subscription has reached its regional limit of {label} in {where}: {usage.get('current')} "
                  f"of {usage.get('limit')} used ({namespace}, read in Azure). Resource Manager refuses every new one "
                  f"there at validation, so the deployment fails before any resource is created, while the same "
                  f"template still deploys in other regions. The template itself is not at fault.")
    actions = [f"See the usage: `{cli_for('list_regional_usages', read)}`.",
               "Delete unused ones in that region, deploy to another region, or request a higher limit (Quotas in the "
               "portal, or a support request for limits that Quotas does not adjust)."]
    found = report(state, category="quota.exceeded", confidence="medium", root_cause=root_cause, actions=actions,
                   evidence=[EvidenceItem(source="list_regional_usages",
                                          summary=f"{label} in {where}: {usage.get('current')}/{usage.get('limit')}")])
    return Conclude(message=f"The subscription reached its limit of {label} in {where}.", report=found)


def _operations_read(state: SessionState) -> list[str]:
    """The failed deployment operations and activity-log events read in Azure, as text: the facts the pasted error
    lacks (the policy that denied, the field it evaluated) are in the operations' own errors, and a create that a
    tool ran outside a deployment (Terraform, the CLI) leaves them in the activity log's failed write instead."""
    return [evidence_text(e.tool, e.data) for e in state.ledger
            if e.tool in ("list_deployment_operations", "list_activity_log") and e.status == "success"]


def _catalog_entry(state: SessionState) -> EntryHit | None:
    """The catalog's conclusive entry for the report or the operations read, when it names a cause (no wrapper)."""
    known = decisive(state)
    return known if known is not None and known.entry.conclusive and not known.entry.wrapper else None


def _inner_errors(state: SessionState) -> list[dict[str, Any]]:
    """The failed operations read in Azure that carry their own error (code or message)."""
    return [f for e in state.ledger if e.tool == "list_deployment_operations" and e.status == "success"
            for f in e.data.get("failed") or [] if isinstance(f, dict) and (f.get("code") or f.get("message"))]


def _conclude_from_operations(state: SessionState, inner: list[dict[str, Any]]) -> Conclude:
    """No knowledge entry names the operation's error: the error Resource Manager recorded is the root cause, in its
    own words, with the category of the known errors it reads closest to (BM25), or a refused template otherwise;
    confidence stays low, because nothing checked that reading."""
    said = "; ".join(f"{f['target'].get('type') or 'a resource'} '{f['target'].get('name') or '?'}' failed with "
                     f"{f.get('code') or 'an error'}: {f.get('message') or ''}".rstrip(": .")
                     + "".join(f" ({d.get('code')}: {d.get('message')})" for d in f.get("details") or [])
                     for f in inner[:3])
    lead = similar_entries().lead(" ".join(f"{f.get('code') or ''} {f.get('message') or ''}" for f in inner[:3]),
                                  outside=("runtime.", "functions.", "container.", "out_of_scope"))
    category = lead.category if lead else "deployment.template_invalid"
    nearest = lead.entries[0].meaning if lead else ""
    meaning = f" This reads closest to known errors where {nearest[:1].lower()}{nearest[1:]}" if lead else ""
    root_cause = f"The deployment's failed operation says why: {said}.{meaning}"
    target = inner[0]["target"].get("name") or "the resource"
    read = next(e.arguments for e in reversed(state.ledger) if e.tool == "list_deployment_operations"
                and e.status == "success")  # the deployment whose operations were read
    actions = [f"Change the template for '{target}' (or the resource it depends on) so it meets what the error "
               f"asks ({str(inner[0].get('message') or inner[0].get('code')).rstrip('.')}), then deploy again.",
               f"Read the whole error: `az deployment operation group list --resource-group "
               f"{read.get('resource_group')} --name {read.get('deployment_name')} --query "
               "\"[?properties.provisioningState=='Failed'].properties.statusMessage\"`."]
    evidence = [EvidenceItem(source="list_deployment_operations", summary=said[:600])]
    if lead:
        evidence.append(EvidenceItem(source="catalog", summary=f"nearest known errors: "
                                     f"{', '.join(e.id for e in lead.entries[:3])}"))
    found = report(state, category=category, confidence="low", root_cause=root_cause, actions=actions,
                   evidence=evidence)
    return Conclude(message=f"The deployment failed at '{target}': {inner[0].get('code') or 'see its message'}.",
                    report=found)


def cause_entry(codes: list[str], state: SessionState) -> Entry | None:
    """The first table entry (most specific first) whose code was found or whose message is in the text."""
    sources = [*texts(state), *_operations_read(state)]  # the inner errors read in Azure too
    for entry in table(TABLE):
        if entry.get("wrapper"):
            continue
        by_code = bool(set(entry.get("codes") or []) & set(codes)) or _named_in_prose(entry, sources)
        by_message = any(regex(entry["match"]).search(t) for t in sources) if entry.get("match") else False
        if (by_code or by_message) and _condition_holds(entry, sources):
            return entry
    return None


_PROSE_CODE = 12  # characters: a code this long (RequestDisallowedByPolicy, SkuNotAvailable...) names one error


def _named_in_prose(entry: Entry, sources: list[str]) -> bool:
    """A long, distinctive code that the report names in its own sentence ("it fails with RequestDisallowedByPolicy
    for ..."), where no JSON or CLI syntax marks it as a code."""
    return any(len(code) >= _PROSE_CODE and regex(rf"\b{code}\b").search(text)
               for code in entry.get("codes") or [] for text in sources)


def _condition_holds(entry: Entry, sources: list[str]) -> bool:
    """Some codes mean a cause only with certain words (OperationNotAllowed is a quota error only with 'quota')."""
    when = entry.get("when")
    return when is None or any(regex(when).search(t) for t in sources)


def _ask_for_operations(state: SessionState, hit: Hit | None, codes: list[str]) -> Decision:
    group = env(state, "resource_group", "<resource-group>")
    wrapper = ", ".join(codes[:3]) or "DeploymentFailed"
    return ask_once(state, ClientRequest(
        question=f"The error only shows the wrapper code ({wrapper}), not the operation that failed. Please paste the "
                 f"failed deployment operations: their statusMessage holds the inner error code and message.",
        why="The inner code (for example StorageAccountAlreadyTaken, RequestDisallowedByPolicy, SkuNotAvailable) "
            "decides the cause and the fix.",
        suggested_commands=[
            f"az deployment operation group list --resource-group {group} --name <deployment-name> "
            "--query \"[?properties.provisioningState=='Failed'].properties.statusMessage\" -o json",
            f"az deployment group show --resource-group {group} --name <deployment-name> --query properties.error"]),
        "The deployment's inner error is still unknown; only the wrapper code was seen.",
        hit.signature.category if hit and not hit.signature.id.startswith("symptom-") else None)
