"""Computed findings about the platform and tiers: a Service Health event for the resource read, a value an
entry tier refuses, a deployment tool's lookup tag that several resources of the group carry."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shared.engines.analyzers.common import regex, region_key, table_entry
from shared.engines.analyzers.ledger import latest, reads_of_type
from shared.engines.session_reads import FINDINGS, Facts, is_mentioned, missing_reference, said_in_report
from shared.session.state import SessionState

# a report of a failure that is over (it recovered by itself): a resolved Service Health event can explain it
_PAST = re.compile(r"(?i)\brecovered\b|\bcame back\b|\bresolved (?:it|by )?itself|\bwent away\b|\bovernight\b|"
                   r"\bfor (?:a few|some|about \d+) minutes\b|\bbriefly\b|\bwhat happened\b")


def service_issue_for_resource(state: SessionState) -> dict[str, str] | None:
    """A Service Health event (an issue or planned maintenance; a resolved one only when the report describes a
    failure that is over) whose service is a read resource's (its type's service name) and whose regions include
    that resource's location (or name none)."""
    rule = table_entry(FINDINGS, "service-health-event-for-resource")
    issues = _service_health_events(state)
    if not issues:
        return None
    said = state.material.spoken()
    for resource in reads_of_type(state, "."):
        pattern = next((p for kind, p in rule["services"].items()
                        if kind.lower() == str(resource.get("type") or "").lower()), None)
        place = region_key(str(resource.get("location") or ""))
        for issue in issues if pattern else []:
            if issue.get("status") != "Active" and not any(_PAST.search(t) for t in said):
                continue  # a resolved event explains only a failure that is over too
            service = next((s for s in issue.get("services") or [] if regex(pattern).search(str(s))), None)
            regions = [str(r) for r in issue.get("regions") or []]
            if service and (not regions or not place or place in {region_key(r) for r in regions}):
                return {"service": service, "region": ", ".join(regions) or "all regions",
                        "kind": "planned maintenance" if issue.get("kind") == "PlannedMaintenance"
                        else "service incident",
                        "status": str(issue.get("status") or "").lower(),
                        "tracking_id": str(issue.get("tracking_id")), "title": str(issue.get("title")),
                        "name": str(resource.get("name")), **_health_of(state, str(resource.get("id") or "")),
                        **_write_region_stays(resource)}
    return None


def _write_region_stays(resource: dict[str, Any]) -> dict[str, str]:
    """{write_region, read_regions} for a Cosmos DB account replicated to other regions that writes in one region
    and has automatic (service-managed) failover off: a regional outage of its write region is not failed over."""
    if str(resource.get("type") or "").lower() != "microsoft.documentdb/databaseaccounts":
        return {}
    if str(resource.get("enableAutomaticFailover")).lower() != "false" \
            or str(resource.get("enableMultipleWriteLocations")).lower() == "true":
        return {}
    regions = [str(r) for r in _listed(resource.get("locations"))]
    writes = [str(r) for r in _listed(resource.get("writeLocations"))] or regions[:1]
    others = [r for r in regions if region_key(r) not in {region_key(w) for w in writes}]
    return {"write_region": writes[0], "read_regions": ", ".join(others)} if writes and others else {}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [v.strip() for v in str(value or "").split(",") if v.strip()]


def _service_health_events(state: SessionState) -> list[dict[str, Any]]:
    """The Service Health events read (list_service_health_events), then those the activity log carries."""
    issues = latest(state, "list_service_health_events")
    listed = list(issues.data.get("events") or []) if issues is not None and issues.status == "success" else []
    logged = [e["service_health"] for r in state.ledger if r.tool == "list_activity_log" and r.status == "success"
              for e in r.data.get("events") or [] if isinstance(e, dict) and isinstance(e.get("service_health"), dict)]
    return [i for i in [*listed, *logged] if isinstance(i, dict)]


def _health_of(state: SessionState, resource_id: str) -> dict[str, str]:
    """What Resource Health said of that resource when it was not Available (Degraded, Unavailable), as facts."""
    read = next((e for e in reversed(state.ledger) if e.tool == "get_resource_health" and e.status == "success"
                 and str(e.arguments.get("resource_id") or "").lower() == resource_id.lower()), None)
    state_now = str((read.data if read else {}).get("availabilityState") or "")
    if not state_now or state_now == "Available":
        return {}
    return {"health": state_now.lower()}


# the provider refused a property value or a feature as out of range or not offered, without saying why
_REFUSED_VALUE = re.compile(
    r"(?i)out of the allowed range|Allowed range:?\s*\d|Invalid value given for parameter|\bInvalidParameterValue\b"
    r"|is not (?:supported|available|allowed|offered) (?:for|on|in|with) (?:the |this |your )?(?:[\w-]+ )?"
    r"(?:tier|sku|pricing tier|edition|service tier|namespace|plan)\b|\bnot supported (?:for|on|in) (?:the )?"
    r"(?:Basic|Burstable|Free|Standard|Developer|Consumption)\b|\bfeature is not (?:available|supported)\b"
    r"|\bcannot be changed for this (?:entity|resource|namespace|tier|sku)\b")


def _tier(read: dict[str, Any]) -> str:
    """A read's service tier as Resource Manager shows it: a `tier` field, or the sku's tier or name."""
    sku = read.get("sku")
    if isinstance(sku, dict):
        return str(read.get("tier") or sku.get("tier") or sku.get("name") or "")
    return str(read.get("tier") or sku or "")


def value_refused_by_tier(state: SessionState) -> Facts:
    """The provider refused a value or a feature (out of range, invalid value) and the resource the report names
    runs on an entry tier of its type (knowledge: entry_tiers): the tier is what does not offer it."""
    said = state.material.spoken_text()
    refused = _REFUSED_VALUE.search(said)
    if refused is None:
        return None
    rule = table_entry("evidence_findings", "value-refused-by-entry-tier")
    reads = [r for r in reads_of_type(state, rule["types"]) if _tier(r)]
    said = said_in_report(state)
    named = [r for r in reads if is_mentioned(str(r.get("name") or ""), said)]
    for read in named or (reads if len(reads) == 1 else []):  # the resource the client names, else the only one
        tier = _tier(read)
        entry = regex(rule["entry_tiers"]).search(tier)
        above = regex(rule["premium_above"]).search(str(read.get("type") or ""))
        if entry or (tier.lower() == "standard" and above):
            return {"name": str(read.get("name")), "tier": tier, "refused": refused.group(0),
                    "type": str(read.get("type") or "the resource")}
    return None


# the service whose host azd looks up by tag, as its error quotes it ('azd-service-name: api') or a command sets it
_AZD_SERVICE = re.compile(r"(?i)\bazd-service-name\W{1,3}(?P<service>[A-Za-z0-9][\w.-]{0,63})")


def azd_service_tag_shared(state: SessionState) -> Facts:
    """Several resources of the group listed carry the azd-service-name tag of the service the report names (a host
    left from an earlier layout, a copy): azd deploy needs exactly one, so the facts name them all."""
    listing = latest(state, "list_resources_in_group")
    services = {m.group("service").lower() for m in _AZD_SERVICE.finditer(state.material.spoken_text(" "))}
    if listing is None or not services:
        return None
    for service in sorted(services):
        tagged = [r for r in listing.data.get("resources") or []
                  if str(r.get("service_tag") or "").lower() == service]
        if len(tagged) > 1:
            return {"service": str(tagged[0]["service_tag"]), "count": str(len(tagged)),
                    "tagged": ", ".join(f"{r.get('name')} ({r.get('type')})" for r in tagged)}
    return None


_PARENT_NOT_FOUND = re.compile(r"(?i)Parent resource ['\"](?P<parent>[A-Za-z0-9][\w.-]{0,127})['\"] not found")


def parent_misnamed_in_group(state: SessionState) -> Facts:
    """The parent a ParentResourceNotFound error names is not in the resource group listed, while the group holds one
    resource whose name starts with it or that it starts with (sb-orders-prod vs sb-orders-prod-weu): the template
    or its parameter gives a shortened or outdated name of a parent that exists."""
    named = next((m.group("parent") for t in state.material.spoken() for m in _PARENT_NOT_FOUND.finditer(t)), None)
    listing = latest(state, "list_resources_in_group")
    if named is None or listing is None or listing.status != "success":
        return None
    group = [r for r in listing.data.get("resources") or [] if isinstance(r, dict) and r.get("name")]
    parent = named.split("/")[-1].lower()
    if any(str(r["name"]).lower() == parent for r in group):
        return None
    near = [r for r in group if str(r["name"]).lower() != parent and len(parent) >= 4
            and (str(r["name"]).lower().startswith(parent) or parent.startswith(str(r["name"]).lower()))]
    if len(near) != 1:
        return None
    return {"parent": named, "actual": str(near[0]["name"]), "actual_type": str(near[0].get("type") or "")}


# the parent's full id as Resource Manager prints it: "... because the parent resource '/subscriptions/<s>/
# resourceGroups/<g>/providers/<namespace>/<type>/<name>' could not be found" (a nested parent keeps its last type)
_PARENT_ID_NOT_FOUND = re.compile(r"(?i)\bparent resource ['\"]/subscriptions/[^/'\"]+/resourceGroups/"
                                  r"(?P<group>[^/'\"]+)/providers/(?P<namespace>[\w.]+)/(?P<type>[\w]+)/(?P<name>[^/'\"\s]+)['\"]")


def parent_in_other_group(state: SessionState) -> Facts:
    """The parent a ParentResourceNotFound error looked for in the deployment's group is listed, with that type and
    name, in another resource group the session read (a hub's private DNS zones, a shared network): the child is
    deployed to the wrong group (a module without the parent group's scope), not before its parent."""
    texts = [*state.material.spoken(), *(e.summary for e in state.ledger if e.tool == "list_deployment_operations")]
    wanted = next((m for t in texts for m in [_PARENT_ID_NOT_FOUND.search(t)] if m), None)
    if wanted is None:
        return None
    kind = f"{wanted.group('namespace')}/{wanted.group('type')}".lower()
    for listing in (e for e in state.ledger if e.tool == "list_resources_in_group" and e.status == "success"):
        group = str(listing.arguments.get("resource_group") or "")
        found = [r for r in listing.data.get("resources") or [] if isinstance(r, dict)
                 and str(r.get("name") or "").lower() == wanted.group("name").lower()
                 and str(r.get("type") or "").lower() == kind]
        if found and group and group.lower() != wanted.group("group").lower():
            return {"parent": wanted.group("name"), "parent_type": str(found[0].get("type")),
                    "searched_group": wanted.group("group"), "actual_group": group}
    return None


def reference_in_other_group(state: SessionState) -> Facts:
    """A deployment looked for a resource in one resource group (ResourceNotFound "... under resource group '<g>' was
    not found") and the subscription holds a resource of that type and name in another group: the reference lacks
    the scope of the group the resource lives in."""
    missing = missing_reference(state)
    found = latest(state, "find_resource_by_name")
    if missing is None or found is None or found.status != "success":
        return None
    if str(found.arguments.get("resource_name", "")).lower() != missing["name"].lower():
        return None
    groups = [str(r.get("resource_group")) for r in found.data.get("resources") or []
              if isinstance(r, dict) and r.get("resource_group")]
    if not groups or any(g.lower() == missing["group"].lower() for g in groups):
        return None
    return {"reference": missing["name"], "reference_type": missing["type"], "searched_group": missing["group"],
            "actual_group": groups[0], "groups": ", ".join(groups[:4])}


_DIAGNOSTIC_SETTINGS = r"(?i)^Microsoft\.Insights/diagnosticSettings$"
_WORKSPACE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_WORKSPACE_ID = re.compile(r"(?i)/resourceGroups/(?P<group>[^/]+)/providers/Microsoft\.OperationalInsights/workspaces/"
                           r"(?P<name>[^/]+)$")


def diagnostics_to_other_workspace(state: SessionState) -> Facts:
    """A resource whose diagnostic settings send its logs to Log Analytics, none of them to the workspace the client
    queries (environment_info's workspace): the logs are there, in the workspace the setting names, not missing."""
    settings = [s for data in reads_of_type(state, _DIAGNOSTIC_SETTINGS) for s in data.get("diagnosticSettings") or []
                if isinstance(s, dict) and s.get("workspaceId")]
    destinations = [(s, m) for s in settings if (m := _WORKSPACE_ID.search(str(s.get("workspaceId") or "")))]
    if not destinations:
        return None
    stated = str(state.material.stated_name("log_analytics_workspace") or state.material.stated_name("workspace")
                 or "")
    named = _WORKSPACE_NAME.match(stated.strip())  # "law-ops (subscription x, rg-y)": the name is the first word
    if named is None:
        return None
    queried = named.group(0).lower()
    if any(m.group("name").lower() == queried for _, m in destinations):
        return None  # a setting does send there: the logs' absence has another cause
    setting, where = destinations[0]
    enabled = [str(c.get("category") or c.get("categoryGroup") or "") for c in setting.get("logs") or []
               if isinstance(c, dict) and c.get("enabled")]
    return {"diag_setting": str(setting.get("name") or ""), "destination": where.group("name"),
            "destination_group": where.group("group"), "queried": queried,
            "categories": ", ".join(c for c in enabled if c) or "its log categories"}


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "diagnostic-setting-sends-to-other-workspace": diagnostics_to_other_workspace,
    "deployment-parent-in-other-group": parent_in_other_group,
    "deployment-parent-misnamed-in-group": parent_misnamed_in_group,
    "deployment-reference-in-other-group": reference_in_other_group,
    "service-health-event-for-resource": service_issue_for_resource,
    "value-refused-by-entry-tier": value_refused_by_tier,
    "azd-service-tag-on-several-resources": azd_service_tag_shared,
}
