"""Name the recent change behind a concluded cause: the newest successful activity-log operation of the kind that can
bring that category about (knowledge/change_kinds.yaml), on a resource the report or the cause names.

"What changed?" is the first question asked of any failure. The engine reads the activity log in its playbooks; when
it has concluded a cause, the report says which change fits it (operation, resource, time, caller), so the client
knows what to undo. The change is evidence beside the cause, never the reason for a category."""

from __future__ import annotations

import re
from typing import Any

from shared.engines.analyzers.common import regex, table
from shared.engines.analyzers.ledger import latest, read_resources
from shared.engines.base import Decision
from shared.engines.session_reads import logged_lines, said_by_client
from shared.models import EvidenceItem
from shared.session.state import Conclude, SessionState

CHANGE_KINDS = "change_kinds"
_SHORTEST_NAME = 4  # shorter resource-id names ("api", "web") are too common a word to tie a change to a report
_GENERIC = frozenset({"default", "current", "remove", "add", "replace", "web", "appsettings", "connectionstrings"})


def with_recent_change(state: SessionState, decision: Decision) -> Decision:
    """The conclusion, with the newest fitting change cited in its root cause and evidence (unchanged when the
    session read no activity log, or no change of a fitting kind touched a resource the report or cause names)."""
    if not isinstance(decision, Conclude) or not decision.report.category:
        return decision
    read = latest(state, "list_activity_log")
    if read is None or read.status != "success":
        return decision
    resources = read_resources(state)
    named = _squeezed(" ".join([said_by_client(state), decision.report.root_cause, *logged_lines(state)]))
    named += _squeezed(" ".join(_referenced_names(resources, named)))
    change = fitting_change(decision.report.category, read.data.get("events") or [], named)
    if change is None or _tail(change).lower() in decision.report.root_cause.lower():
        return decision  # the cause already names this change (an activity-log finding concluded it)
    cited = (f"{change.get('operation')} on {_tail(change)}{_now(resources, change)}{_on_plan(change)} at "
             f"{change.get('time')} by {change.get('caller') or 'an unknown caller'}")
    decision.report.root_cause += f" The activity log shows a recent change of the kind that causes this: {cited}."
    decision.report.evidence.append(EvidenceItem(source="list_activity_log", summary=f"recent change: {cited}"[:300]))
    return decision


def _referenced_names(resources: list[dict[str, Any]], named: str) -> list[str]:
    """Names of the resources that a named resource points to (a site's serverFarmId, a private endpoint's
    subnet): the app's own plan or subnet is part of its failure, though the report names only the app."""
    names: list[str] = []
    for resource in resources:
        if not any(_squeezed(n) in named for n in _names(str(resource.get("id") or ""))):
            continue
        names += [n for value in resource.values() if isinstance(value, str) and value.startswith("/subscriptions/")
                  for n in _names(value)]
    return names


def _now(resources: list[dict[str, Any]], change: dict[str, Any]) -> str:
    """The changed resource's SKU as the session last read it ("now sku B1"): a scale-down shows what it became."""
    changed = str(change.get("resource_id") or "").lower()
    sku = next((r.get("sku") for r in reversed(resources)
                if str(r.get("id") or "").lower() == changed and r.get("sku")), None)
    if isinstance(sku, dict):
        sku = " ".join(str(sku[k]) for k in ("name", "tier", "capacity") if sku.get(k) not in (None, ""))
    return f" (now sku {sku})" if sku else ""


def fitting_change(category: str, events: list[dict[str, Any]], named: str) -> dict[str, Any] | None:
    """The newest successful event (the tool lists them newest first) whose operation is of a kind that brings
    `category` about, on a resource whose id carries a name found in `named` (text squeezed by `_squeezed`)."""
    kinds = [k for k in table(CHANGE_KINDS) if k["category"] == category]
    for event in events:
        operation, resource_id = str(event.get("operation") or ""), str(event.get("resource_id") or "")
        if str(event.get("status") or "").lower() in ("failed", "canceled", "started"):
            continue
        fitting = [k for k in kinds if regex(f"(?i){k['operations']}").search(operation)
                   and regex(f"(?i){k.get('resource', '')}").search(resource_id)]
        if any(not k.get("tied_by") for k in fitting) and any(_squeezed(name) in named for name in _names(resource_id)):
            return event
        if any(_tied(k, event, named) for k in fitting):
            return event
    return None


def _tied(kind: dict[str, Any], event: dict[str, Any], named: str) -> bool:
    """A change tied to the failure through a field of the event rather than its resource (`tied_by`: a site written
    onto the plan the named app runs on), made to another resource than the ones the report names."""
    field = str(kind.get("tied_by") or "")
    through = str(event.get(field) or "") if field else ""
    if not through or any(_squeezed(n) in named for n in _names(str(event.get("resource_id") or ""))):
        return False
    return any(_squeezed(name) in named for name in _names(through))


def _on_plan(change: dict[str, Any]) -> str:
    """For a site written onto a plan: ", placed on plan <name>" (the plan the failing app shares with it)."""
    names = _names(str(change.get("server_farm") or ""))
    return f", placed on plan {names[-1]}" if names else ""


def _names(resource_id: str) -> list[str]:
    """The names in a resource id (the segment after each type, across nested providers), skipping short or
    generic ones."""
    parts = resource_id.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    names, at = [], lowered.index("providers") if "providers" in lowered else len(parts)  # not the sub or group
    while at < len(parts):
        if parts[at].lower() == "providers":
            at += 2  # past "providers" and the namespace: then type, name, type, name...
            continue
        if at + 1 < len(parts):
            names.append(parts[at + 1])
        at += 2
    return [n for n in names if len(n) >= _SHORTEST_NAME and n.lower() not in _GENERIC]


def _squeezed(text: str) -> str:
    """Lower-case letters and digits only: a forwarding rule `corp-northwind` is the `corp.northwind` domain."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _tail(event: dict[str, Any]) -> str:
    """The changed resource as a reader names it: its id after the namespace (dnszones/contoso.com/CNAME/api)."""
    parts = str(event.get("resource_id") or "").strip("/").split("/")
    at = next((i for i, p in enumerate(parts) if p.lower() == "providers"), None)
    return "/".join(parts[at + 2:]) if at is not None and len(parts) > at + 2 else "/".join(parts[-2:])
