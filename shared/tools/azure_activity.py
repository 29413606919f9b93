"""Azure tools for what happened to a resource: who changed what (the activity log), how the platform sees it
(Resource Health) and which operations of a deployment failed, with their errors."""

from __future__ import annotations

import json
import shlex
from itertools import islice
from typing import Any

from pydantic import Field

from shared.azure import is_resource_id, resource_group_of, rest_dict, subscription_of, uri_path
from shared.azure.clients import call_options, client
from shared.tools.azure_common import (
    GROUP_FIELD,
    SCOPE_FIELD,
    SUBSCRIPTION_FIELD,
    AzureArguments,
    Found,
    ResourceArguments,
    SubscriptionArguments,
    azure_tool,
    clip_text,
    fit,
    iso_utc,
    time_window,
)


class ActivityLogArguments(AzureArguments):
    scope: str = SCOPE_FIELD
    hours: int = Field(24, ge=1, le=336, description="how far back to look, in hours (at most 14 days)")
    only_failures: bool = Field(False, description="only events whose status is Failed")


class DeploymentArguments(AzureArguments):
    subscription_id: str = SUBSCRIPTION_FIELD
    resource_group: str = GROUP_FIELD
    deployment_name: str = Field(pattern=r"^[-\w._()]{1,64}$", description="the deployment's name")


_EVENT_FIELDS = "eventTimestamp,operationName,status,caller,resourceId,properties,operationId"


def _activity_cli(a: ActivityLogArguments) -> str:
    if is_resource_id(a.scope):
        target = f"--resource-id {shlex.quote(a.scope)}"
    elif group := resource_group_of(a.scope):
        target = f"--subscription {subscription_of(a.scope)} --resource-group {shlex.quote(group)}"
    else:
        target = f"--subscription {subscription_of(a.scope)}"
    failures = " --status Failed" if a.only_failures else ""
    return (f"az monitor activity-log list {target} --offset {a.hours}h{failures} --query \"[].{{time:eventTimestamp, "
            f"operation:operationName.value, status:status.value, caller:caller, resource:resourceId}}\"")


def _activity_filter(scope: str, hours: int) -> str:
    start, end = time_window(hours)
    condition = f"eventTimestamp ge '{iso_utc(start)}' and eventTimestamp le '{iso_utc(end)}'"
    if is_resource_id(scope):
        return f"{condition} and resourceUri eq '{scope}'"
    group = resource_group_of(scope)
    return f"{condition} and resourceGroupName eq '{group}'" if group else condition


@azure_tool(ActivityLogArguments, cli=_activity_cli, scope=lambda a: a.scope,
            action=lambda a: "Microsoft.Insights/eventtypes/values/read")
def list_activity_log(args: ActivityLogArguments) -> Found:
    """Who changed what: the activity log of a subscription, resource group or resource over the last `hours`,
    newest first, one event per operation, at most 25: data {"events": [{"time", "operation", "status", "caller",
    "resource_id", "message"?, "status_code"? (of a failed one)}], "count", "truncated"}."""
    monitor = client("monitor", subscription_of(args.scope))
    pages = monitor.activity_logs.list(filter=_activity_filter(args.scope, args.hours), select=_EVENT_FIELDS,
                                       **call_options())
    events = [_event(rest_dict(e)) for e in islice(pages, 500)]
    if args.only_failures:
        events = [e for e in events if str(e["status"]).lower() == "failed"]
    events = _latest_per_operation(sorted(events, key=lambda e: str(e["time"]), reverse=True))
    kept, rest = fit([{k: v for k, v in e.items() if k != "operation_id"} for e in events[:25]])
    if not events:
        what = "failed operations" if args.only_failures else "events"
        return "no_data", f"no {what} in the activity log of {args.scope} in the last {args.hours} h", {"events": []}
    lines = "; ".join(f"{e['time']} {e['operation']} {e['status']} by {e['caller']}" for e in kept[:8])
    return "success", f"{len(events)} operations in the last {args.hours} h: {lines}", \
        {"events": kept, "count": len(events), "truncated": len(events) > len(kept)}


def _event(event: dict[str, Any]) -> dict[str, Any]:
    row = {"time": event.get("eventTimestamp"), "operation": (event.get("operationName") or {}).get("value"),
           "status": (event.get("status") or {}).get("value"), "caller": event.get("caller"),
           "resource_id": event.get("resourceId"), "operation_id": event.get("operationId")}
    properties = event.get("properties") or {}
    status_message = properties.get("statusMessage")
    message = _status_message(status_message)
    if message:
        row["message"] = message
    code = properties.get("statusCode")
    if isinstance(code, str) and code and str(row["status"] or "").lower() == "failed":
        row["status_code"] = code  # what a failed operation was answered (Forbidden: the caller holds no role for it)
    policy = _policy_violation(_status_error(status_message))  # a Deny's evaluated fields, as deployments show them
    policy = policy or _policy_event(properties.get("policies"))
    if policy:
        row["policy"] = policy
    asked = _requested(properties.get("requestbody")) if message and "disallowed by policy" in message else {}
    if asked:
        row["request"] = asked
    identity = _identity_set(properties.get("requestbody"))
    if identity is not None:
        row["identity_type"] = identity
    target = _move_target(properties.get("requestbody"))
    if target:
        row["target_group"] = target
    farm = _server_farm(event.get("operationName") or {}, properties.get("requestbody"))
    if farm:
        row["server_farm"] = farm
    if str((event.get("category") or {}).get("value") or "").lower() == "servicehealth":
        row["service_health"] = _service_health(properties)
    return row


# what a policy refusal usually turns on, read from a refused write's request body (never anything else of it: the
# body of a VM write can hold an admin password)
_REQUESTED = {"vmSize": ("properties", "hardwareProfile", "vmSize"), "location": ("location",),
              "sku": ("sku", "name")}


def _requested(raw: Any) -> dict[str, str]:
    """The VM size, region and SKU name a refused write asked for, from its request body (a JSON string)."""
    body = _request_body(raw)
    found: dict[str, str] = {}
    for name, path in _REQUESTED.items():
        value: Any = body
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str) and value:
            found[name] = value
    return found


def _request_body(raw: Any) -> dict[str, Any]:
    """A write's request body as the activity log keeps it (a JSON string, or already parsed); {} when it is none."""
    try:
        body = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _move_target(raw: Any) -> str | None:
    """The resource group a move sent its resources to (moveResources' request body: targetResourceGroup, a group's
    id), when the activity log kept the body."""
    target = _request_body(raw).get("targetResourceGroup")
    if not isinstance(target, str) or "/resourcegroups/" not in target.lower():
        return None
    return target.rstrip("/").rsplit("/", 1)[-1] or None


def _identity_set(raw: Any) -> str | None:
    """The managed identity type a write set (its request body's identity.type: None, SystemAssigned,
    UserAssigned...), when the activity log kept the body: a system-assigned identity set to None and back gets a
    new principal id."""
    identity = _request_body(raw).get("identity")
    kind = identity.get("type") if isinstance(identity, dict) else None
    return str(kind) if isinstance(kind, str) and kind else None


def _server_farm(operation: dict[str, Any], raw: Any) -> str | None:
    """The App Service plan a site write puts the site on (its request body's properties.serverFarmId), when the
    activity log kept the body: a new app on a shared plan takes that plan's memory and CPU."""
    if str(operation.get("value") or "").lower() != "microsoft.web/sites/write":
        return None
    properties = _request_body(raw).get("properties")
    farm = properties.get("serverFarmId") if isinstance(properties, dict) else None
    return farm if isinstance(farm, str) and farm.lower().startswith("/subscriptions/") else None


def _service_health(properties: dict[str, Any]) -> dict[str, Any]:
    """A Service Health notice posted to the activity log (category ServiceHealth), in the shape of
    list_service_health_events' events."""
    kind = str(properties.get("incidentType") or "Incident")
    return {"title": clip_text(properties.get("title")), "tracking_id": properties.get("trackingId"),
            "services": [s for s in [properties.get("service")] if s],
            "regions": [r for r in [properties.get("region")] if r],
            "status": "Active" if str(properties.get("stage") or "Active").lower() == "active" else "Resolved",
            "kind": "PlannedMaintenance" if kind.lower() == "maintenance" else "ServiceIssue"}


def _status_error(raw: Any) -> dict[str, Any]:
    """The `error` object of a failed event's statusMessage (a JSON string), or {} when it holds none."""
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    error = parsed.get("error", parsed) if isinstance(parsed, dict) else {}
    return error if isinstance(error, dict) else {}


def _status_message(raw: Any) -> str | None:
    """The error message of a failed event (statusMessage is a JSON string with an `error` object)."""
    if not raw:
        return None
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return clip_text(raw)
    error = parsed.get("error", parsed) if isinstance(parsed, dict) else {}
    if isinstance(error, dict) and (error.get("code") or error.get("message")):
        return clip_text(f"{error.get('code')}: {error.get('message')}")
    return clip_text(raw)


def _latest_per_operation(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    latest = []
    for event in events:  # newest first: the first seen of an operation is its final state
        key = str(event.get("operation_id") or id(event))
        if key not in seen:
            seen[key] = event
            latest.append(event)
        elif event.get("server_farm") and not seen[key].get("server_farm"):
            seen[key]["server_farm"] = event["server_farm"]  # the request body is kept on the operation's first event
    return latest


@azure_tool(ResourceArguments,
            cli=lambda a: f"az rest --method get --url \"https://management.azure.com{a.resource_id}/providers/"
                          f"Microsoft.ResourceHealth/availabilityStatuses/current?api-version=2025-05-01\"",
            scope=lambda a: a.resource_id, action=lambda a: "Microsoft.ResourceHealth/availabilityStatuses/read")
def get_resource_health(args: ResourceArguments) -> Found:
    """The platform's health of a resource (Resource Health): data {"availabilityState" (Available, Unavailable,
    Degraded, Unknown), "summary", "reasonType", "occuredTime" (the API's spelling), "detailedStatus", and the
    "tracking_id" and "event_title" of the Service Health event it links, if any, and "past_state", "past_title",
    "past_reason_type", "past_summary", "past_time" of the newest time in the last week it was not Available}."""
    health = client("resourcehealth", subscription_of(args.resource_id))
    status = rest_dict(health.availability_statuses.get_by_resource(uri_path(args.resource_id), **call_options()))
    status = _current_status(status)
    listed = _listed_statuses(health, args.resource_id)  # read once: the current state's fallback and the history
    properties = status.get("properties") or _listed_current(health, args.resource_id, listed)
    data = {key: clip_text(properties.get(key)) for key in ("availabilityState", "summary", "reasonType", "occuredTime",
                                                           "detailedStatus")}
    data.update(_impacting_event(properties))
    data.update(_past_event(health, args.resource_id, listed))
    name = args.resource_id.rsplit("/", 1)[-1]
    event = f"; Service Health event {data['tracking_id']}: {data['event_title']}" if data.get("tracking_id") else ""
    past = (f"; earlier {data['past_state']} at {data['past_time']} ({data['past_title']}: {data['past_summary']})"
            if data.get("past_state") else "")
    return "success", f"health of {name}: {data['availabilityState']} ({data['summary']}){event}{past}", data


def _listed_statuses(health: Any, resource_id: str) -> list[dict[str, Any]]:
    """The resource's status list (the current status and its history), read once per call of the tool so the same
    GET is never made twice; empty when it cannot be read (it only adds to the direct read of the current status)."""
    try:
        return [rest_dict(s) for s in islice(health.availability_statuses.list(uri_path(resource_id),
                                                                            **call_options()), 50)]
    except Exception:  # noqa: BLE001 - the current state stays the direct read's, the history unknown
        return []


def _listed_current(health: Any, resource_id: str, listed: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The properties of the status named "current" in the resource's status list (`listed`, else read here), when
    the direct read of the current status gave no properties (the list holds the current status too)."""
    listed = _listed_statuses(health, resource_id) if listed is None else listed
    return next((s.get("properties") or {} for s in listed if str(s.get("name") or "") == "current"), {})


def _current_status(status: dict[str, Any]) -> dict[str, Any]:
    """The current status itself; an answer shaped as the collection (a `value` list, as a proxy or a recording of
    the list call returns it) gives its item named "current", else its first item."""
    items = [s for s in status.get("value") or [] if isinstance(s, dict)] if not status.get("properties") else []
    return next((s for s in items if str(s.get("name") or "") == "current"), items[0] if items else status)


_HEALTH_HISTORY_HOURS = 168  # a week: "last night", "on Monday" are still in it; older transitions explain nothing now


def _past_event(health: Any, resource_id: str, listed: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """The newest time in the last week the resource was not Available (Resource Health's history: planned
    maintenance, a platform-initiated failover), as past_state, past_title, past_reason_type, past_summary,
    past_time. A failure that is over shows only there, as the current state is Available again. Nothing when the
    history cannot be read: it only adds to the current state. `listed` is the status list when already read."""
    listed = _listed_statuses(health, resource_id) if listed is None else listed
    start = iso_utc(time_window(_HEALTH_HISTORY_HOURS)[0])
    own = [s for s in listed if str(s.get("name") or "") != "current"
           and str(s.get("id") or resource_id).lower().startswith(resource_id.lower())]  # a status of this resource
    past = [p for p in (s.get("properties") or {} for s in own)
            if str(p.get("availabilityState") or "Available") != "Available" and str(p.get("occuredTime")) >= start]
    if not past:
        return {}
    newest = max(past, key=lambda p: str(p.get("occuredTime")))
    return {"past_state": str(newest.get("availabilityState")), "past_title": str(clip_text(newest.get("title"))),
            "past_reason_type": str(newest.get("reasonType") or ""),
            "past_summary": str(clip_text(newest.get("summary"))), "past_time": str(newest.get("occuredTime"))}


def _impacting_event(properties: dict[str, Any]) -> dict[str, str]:
    """The Service Health event Resource Health links to the resource's state: its tracking id (the event's
    correlationId, the id Service Health and support use) and title; nothing when none is linked."""
    event = next((e for e in properties.get("serviceImpactingEvents") or [] if isinstance(e, dict)), None)
    if event is None or not event.get("correlationId"):
        return {}
    title = (event.get("incidentProperties") or {}).get("title") or ""
    return {"tracking_id": str(clip_text(event["correlationId"])), "event_title": str(clip_text(title))}


_SERVICE_EVENTS = 50  # events read per call: a subscription rarely has more than a handful active


@azure_tool(SubscriptionArguments,
            cli=lambda a: f"az rest --method get --url \"https://management.azure.com/subscriptions/{a.subscription_id}/"
                          f"providers/Microsoft.ResourceHealth/events?api-version=2022-10-01\" --query \"value[?"
                          f"properties.eventType=='ServiceIssue' || properties.eventType=='PlannedMaintenance']."
                          f"{{id:name, status:properties.status, title:properties.title, impact:properties.impact}}\"",
            scope=lambda a: f"/subscriptions/{a.subscription_id}",
            action=lambda a: "Microsoft.ResourceHealth/events/read")
def list_service_health_events(args: SubscriptionArguments) -> Found:
    """The Azure service issues and planned maintenance of the subscription in the last three days (Service
    Health): data {"events": [{"tracking_id", "kind" (ServiceIssue, PlannedMaintenance), "status" (Active,
    Resolved), "title", "services", "regions", "start", "end", "summary"}]}. An issue of the service and region a
    failing resource is in explains failures that no change of the customer's does."""
    health = client("resourcehealth", args.subscription_id)
    start = (time_window(72)[0]).strftime("%m/%d/%Y")  # the API's query_start_time format
    listed = islice(health.events.list_by_subscription_id(query_start_time=start, **call_options()), _SERVICE_EVENTS)
    events = [e for e in (_service_event(rest_dict(raw)) for raw in listed) if e is not None]
    if not events:
        return "no_data", "no Azure service issue or planned maintenance for this subscription", {"events": []}
    kept, _ = fit(events)
    titles = "; ".join(f"{e['tracking_id']} ({e['kind']}, {e['status']}): {e['title']}" for e in kept)
    return "success", f"{len(events)} Service Health event(s): {titles}", {"events": kept}


def _service_event(event: dict[str, Any]) -> dict[str, Any] | None:
    """A service issue or planned maintenance as the tools show it; None for other events (advisories, security)."""
    properties = event.get("properties") or event
    if properties.get("eventType") not in ("ServiceIssue", "PlannedMaintenance"):
        return None
    impact = properties.get("impact") or []
    return {"tracking_id": event.get("name"), "kind": properties.get("eventType"), "status": properties.get("status"),
            "title": clip_text(properties.get("title")),
            "services": [str(i.get("impactedService")) for i in impact],
            "regions": sorted({str(r.get("impactedRegion")) for i in impact for r in i.get("impactedRegions") or []}),
            "start": properties.get("impactStartTime"), "end": properties.get("impactMitigationTime"),
            "summary": clip_text(properties.get("summary"))}


@azure_tool(DeploymentArguments,
            cli=lambda a: f"az deployment operation group list --subscription {a.subscription_id} --resource-group "
                          f"{shlex.quote(a.resource_group)} --name {shlex.quote(a.deployment_name)} --query "
                          f"\"[?properties.provisioningState=='Failed'].{{target:properties.targetResource.id, "
                          f"error:properties.statusMessage.error}}\"",
            scope=lambda a: f"/subscriptions/{a.subscription_id}/resourceGroups/{a.resource_group}/providers/"
                            f"Microsoft.Resources/deployments/{a.deployment_name}",
            action=lambda a: "Microsoft.Resources/deployments/operations/read")
def list_deployment_operations(args: DeploymentArguments) -> Found:
    """The failed operations of a resource group deployment: data {"operations" (how many in all), "failed":
    [{"target": {"id", "type", "name"}, "status_code", "code", "message", "details": [{"code", "message"}]}]}."""
    deployments = client("deployments", args.subscription_id)
    pages = deployments.deployment_operations.list(args.resource_group, args.deployment_name, **call_options())
    operations = [rest_dict(o) for o in islice(pages, 500)]
    failed = [_failed_operation(o.get("properties") or {}) for o in operations
              if str((o.get("properties") or {}).get("provisioningState", "")).lower() == "failed"]
    if not operations:
        return "no_data", f"deployment {args.deployment_name} has no operations", {"operations": 0, "failed": []}
    kept, rest = fit(failed)
    causes = "; ".join(f"{f['target'].get('type')} {f['target'].get('name')}: {f['code']}: {f['message']}"
                       + _policy_said(f.get("policy")) for f in kept[:5])
    summary = f"{len(failed)} of {len(operations)} operations failed" + (f": {causes}" if causes else "")
    return "success", summary, {"operations": len(operations), "failed": kept, "truncated": bool(rest)}


def _failed_operation(properties: dict[str, Any]) -> dict[str, Any]:
    message = properties.get("statusMessage") or {}
    if isinstance(message, str):
        message = {"error": {"message": message}}
    error = message.get("error") or message
    target = properties.get("targetResource") or {}
    details = [{"code": d.get("code"), "message": clip_text(d.get("message"))} for d in (error.get("details") or [])[:3]
               if isinstance(d, dict)]
    resource = {"id": target.get("id"), "type": target.get("resourceType"), "name": target.get("resourceName")}
    failed = {"target": resource, "status_code": properties.get("statusCode"), "code": error.get("code"),
              "message": clip_text(error.get("message")), "details": details}
    policy = _policy_violation(error)
    return {**failed, "policy": policy} if policy else failed


def _policy_said(policy: dict[str, Any] | None) -> str:
    if not policy:
        return ""
    fields = f"; it evaluates {', '.join(policy['fields'])}" if policy["fields"] else ""
    return f" (policy '{policy['definition']}', assignment '{policy['assignment']}' at {policy['scope']}{fields})"


def _policy_event(raw: Any) -> dict[str, Any] | None:
    """The policy of a Policy-category event ('deny' Policy action): its properties.policies, a JSON string list of
    the assignments evaluated, is where the assignment that denied a resource an AKS or other service created for the
    caller (a node pool's scale set) shows, when the caller's own error only says "see error details"."""
    try:
        listed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
    found = [p for p in listed or [] if isinstance(p, dict)] if isinstance(listed, list) else []
    denied = [p for p in found if str(p.get("policyDefinitionEffect") or "").lower() == "deny"] or found
    if not denied:
        return None
    first = denied[0]
    scope = str(first.get("policyAssignmentId") or "").split("/providers/Microsoft.Authorization/")[0] or None
    return {"definition": first.get("policyDefinitionDisplayName") or first.get("policyDefinitionName"),
            "assignment": first.get("policyAssignmentDisplayName") or first.get("policyAssignmentName"),
            "scope": scope, "effect": first.get("policyDefinitionEffect"), "fields": [],
            "assignment_name": first.get("policyAssignmentName"), "definition_name": first.get("policyDefinitionName")}


def _policy_violation(error: dict[str, Any]) -> dict[str, Any] | None:
    """The policy that denied an operation, from its PolicyViolation additional info: the definition and the
    assignment (names and scope) and the fields the policy evaluated against what it requires, e.g.
    "Microsoft.Web/sites/httpsOnly NotEquals true" (the property the resource must set)."""
    found = next((i.get("info") for i in error.get("additionalInfo") or [] if isinstance(i, dict)
                  and i.get("type") == "PolicyViolation" and isinstance(i.get("info"), dict)), None)
    if found is None:
        return None
    evaluated = (found.get("evaluationDetails") or {}).get("evaluatedExpressions") or []
    fields = [f"{e.get('expression')} {e.get('operator')} {e.get('targetValue')}" for e in evaluated
              if isinstance(e, dict) and e.get("expressionKind") == "Field" and e.get("path") != "type"]
    return {"definition": found.get("policyDefinitionDisplayName") or found.get("policyDefinitionName"),
            "assignment": found.get("policyAssignmentDisplayName") or found.get("policyAssignmentName"),
            "scope": found.get("policyAssignmentScope"), "effect": found.get("policyDefinitionEffect"),
            "fields": [clip_text(f) for f in fields[:4]], "assignment_name": found.get("policyAssignmentName"),
            "definition_name": found.get("policyDefinitionName")}
