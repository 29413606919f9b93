"""Tools that read Azure with the service's own identity (DEBUG_AZURE_ACCESS=app).

Every tool here is read-only, returns Evidence whatever happens (Azure errors become evidence through
shared/azure/errors.py), fits its data in the evidence budget, never reads a secret (app setting values,
keys, connection strings), and has an Azure CLI equivalent the engine can ask the client to run when
the service has no access (`DEBUG_AZURE_ACCESS=none`: the tools answer `{"access": "none"}` at once)."""

from __future__ import annotations

import functools
import json
import re
import shlex
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, Literal

import yaml
from azure.core.exceptions import AzureError, HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.azure import (
    GUID_PATTERN,
    RESOURCE_GROUP_PATTERN,
    RESOURCE_ID_PATTERN,
    SCOPE_PATTERN,
    is_resource_id,
    resource_group_of,
    resource_type_of,
    rest_dict,
    subscription_of,
    uri_path,
)
from shared.azure.clients import azure_settings, call_options, client, register_cache, run_bounded
from shared.azure.errors import AzureFailure, azure_errors, classify, error_code_and_message
from shared.breaker import BREAKERS, Dependency, azure_dependency, azure_outcome
from shared.session import MAX_EVIDENCE_DATA_CHARS, Evidence, EvidenceStatus, Material
from shared.tools.catalog import tool

_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
_BUDGET = MAX_EVIDENCE_DATA_CHARS - 600  # room for the keys next to a list, under catalog.cap_evidence's cap
_TEXT_CHARS = 300
Found = tuple[EvidenceStatus, str, dict[str, Any]]  # what a tool body returns; the boundary makes it Evidence


# --- arguments ---------------------------------------------------------------------------------------------

class _Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


_SUBSCRIPTION = Field(pattern=GUID_PATTERN, description="the subscription id (a GUID; list_subscriptions resolves "
                      "a display name)")
_GROUP = Field(pattern=RESOURCE_GROUP_PATTERN, description="the resource group name")
_RESOURCE = Field(pattern=RESOURCE_ID_PATTERN, max_length=1000,
                  description="a full resource id: /subscriptions/<guid>/resourceGroups/<group>/providers/...")
_SCOPE = Field(pattern=SCOPE_PATTERN, max_length=1000,
               description="a subscription, resource group or resource id (/subscriptions/<guid>[/resourceGroups/...])")
_PRINCIPAL = Field(pattern=GUID_PATTERN, description="the object (principal) id of a user, group or managed identity")
# Resources whose GET answers carry secrets (app settings, connection strings, publishing credentials, keys).
_SECRET_BEARING = re.compile(r"/config/(?!web/?$)[^/]+/?$|/(secrets|keys)(/|$)", re.IGNORECASE)


class NoArguments(_Arguments):
    pass


class ResourceGroupArguments(_Arguments):
    subscription_id: str = _SUBSCRIPTION
    resource_group: str = _GROUP


class ResourceArguments(_Arguments):
    resource_id: str = _RESOURCE

    @field_validator("resource_id")
    @classmethod
    def _no_secrets(cls, value: str) -> str:
        if _SECRET_BEARING.search(value):
            raise ValueError("this resource holds secrets (app settings, connection strings, keys); it is never read")
        return value.rstrip("/")


class SiteArguments(_Arguments):
    site_id: str = Field(pattern=r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Web/sites/"
                         r"[^/]+(/slots/[^/]+)?$", max_length=1000,
                         description="the id of a web or function app (or one of its slots)")


class ActivityLogArguments(_Arguments):
    scope: str = _SCOPE
    hours: int = Field(24, ge=1, le=336, description="how far back to look, in hours (at most 14 days)")
    only_failures: bool = Field(False, description="only events whose status is Failed")


class DeploymentArguments(_Arguments):
    subscription_id: str = _SUBSCRIPTION
    resource_group: str = _GROUP
    deployment_name: str = Field(pattern=r"^[-\w._()]{1,64}$", description="the deployment's name")


class LogsArguments(_Arguments):
    workspace_id: str = Field(pattern=GUID_PATTERN, description="the Log Analytics workspace id (its customerId GUID)")
    query: str = Field(min_length=1, max_length=4000, description="a read-only KQL query (see query_logs)")
    hours: int = Field(24, ge=1, le=168, description="the time window, in hours before now")

    @field_validator("query")
    @classmethod
    def _read_only(cls, value: str) -> str:
        refusal = kql_refusal(value)
        if refusal:
            raise ValueError(f"query refused: {refusal}")
        return value


MetricInterval = Literal["PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "PT6H", "PT12H", "P1D", "FULL"]


class MetricsArguments(_Arguments):
    resource_id: str = _RESOURCE
    metric_names: list[str] = Field(min_length=1, max_length=10, description="metric names, e.g. Http5xx, "
                                    "Transactions, FunctionExecutionCount")
    hours: int = Field(24, ge=1, le=720, description="the time window, in hours before now")
    interval: MetricInterval = Field("PT1H", description="the time grain (ISO 8601 duration, or FULL)")

    @field_validator("metric_names")
    @classmethod
    def _plain_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _./-]{0,99}", name):
                raise ValueError(f"not a metric name: {name[:40]!r}")
        return names


class RoleAssignmentArguments(_Arguments):
    scope: str = _SCOPE
    principal_id: str = _PRINCIPAL


# --- the tool boundary -------------------------------------------------------------------------------------

def azure_tool(arguments: type[BaseModel], cli: Callable[[Any], str], scope: Callable[[Any], str],
               action: Callable[[Any], str]) -> Callable[[Callable[[Any], Found]], Callable[[Any, Material], Evidence]]:
    """Register `body(args) -> Found` as a tool that needs Azure: the access check, the whole-call bound and the
    mapping of Azure errors to evidence happen here, once. `action` is the RBAC action the call needs."""
    def register(body: Callable[[Any], Found]) -> Callable[[Any, Material], Evidence]:
        @functools.wraps(body)
        def run(args: Any, material: Material) -> Evidence:
            return _boundary(body.__name__, args, scope(args), action(args), lambda: body(args))
        return tool(arguments, needs_azure=True, cli=cli)(run)
    return register


def _boundary(name: str, args: BaseModel, scope: str, action: str, work: Callable[[], Found]) -> Evidence:
    arguments = args.model_dump()
    settings = azure_settings()
    if settings.access == "none":
        return Evidence(tool=name, arguments=arguments, status="error", data={"access": "none"},
                        summary="the service has no Azure access here (DEBUG_AZURE_ACCESS=none)")

    dependency: Dependency = azure_dependency(name)
    if not BREAKERS.allow(dependency):  # an outage already seen: answer at once instead of waiting it out again
        return Evidence(tool=name, arguments=arguments, status="error", data={"dependency_unavailable": dependency},
                        summary=f"{dependency} is unavailable (its circuit breaker is open); not called")
    evidence = _call(name, arguments, scope, action, work, settings.tool_deadline_seconds)
    BREAKERS.record(dependency, azure_outcome(evidence.status, evidence.data))
    return evidence


def _call(name: str, arguments: dict[str, Any], scope: str, action: str, work: Callable[[], Found],
          deadline: float) -> Evidence:
    def guarded() -> Found:
        with azure_errors(scope, action):
            return work()

    try:
        status, summary, data = run_bounded(guarded, deadline)
    except AzureFailure as failure:
        return failure.evidence(name, arguments)
    except TimeoutError as exc:  # the whole-call bound passed
        return classify(exc, scope, action).evidence(name, arguments)
    return Evidence(tool=name, arguments=arguments, status=status, summary=summary, data=data)


def fit(items: list[Any], budget: int = _BUDGET) -> tuple[list[Any], list[Any]]:
    """The items that fit in `budget` characters of repr, in order, and the ones left over."""
    used = 2
    for index, item in enumerate(items):
        used += len(repr(item)) + 2
        if used > budget:
            return items[:index], items[index:]
    return items, []


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:_TEXT_CHARS]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _window(hours: float) -> tuple[datetime, datetime]:
    end = datetime.now(UTC)
    return end - timedelta(hours=hours), end


# --- subscriptions and resources ---------------------------------------------------------------------------

@azure_tool(NoArguments, cli=lambda a: 'az account list --query "[].{id:id, name:name}"',
            scope=lambda a: "/subscriptions", action=lambda a: "Microsoft.Resources/subscriptions/read")
def list_subscriptions(args: NoArguments) -> Found:
    """List the subscriptions the service's identity can read: data {"subscriptions": [{"id" (the GUID), "name",
    "state"}]}. Resolves a display name such as 'dev-subscription' to its id."""
    pages = client("subscriptions").subscriptions.list(**call_options())
    subscriptions = [{"id": s.get("subscriptionId"), "name": s.get("displayName"), "state": s.get("state")}
                     for s in map(rest_dict, islice(pages, 100))]
    kept, rest = fit(subscriptions)
    if not subscriptions:
        return "no_data", "the service's identity can read no subscription", {"subscriptions": []}
    names = ", ".join(f"{s['name']} ({s['id']})" for s in kept)
    return "success", f"{len(subscriptions)} subscriptions: {names}", {"subscriptions": kept, "truncated": bool(rest)}


@azure_tool(ResourceGroupArguments,
            cli=lambda a: f"az resource list --subscription {a.subscription_id} --resource-group "
                          f"{shlex.quote(a.resource_group)} --query \"[].{{id:id, name:name, type:type, kind:kind, "
                          f"location:location}}\"",
            scope=lambda a: f"/subscriptions/{a.subscription_id}/resourceGroups/{a.resource_group}",
            action=lambda a: "Microsoft.Resources/subscriptions/resourceGroups/resources/read")
def list_resources_in_group(args: ResourceGroupArguments) -> Found:
    """List the resources of a resource group (at most 100): data {"resources": [{"id", "name", "type", "kind",
    "location"}], "count", "truncated", "not_shown" (names of those that did not fit)}."""
    pages = client("resources", args.subscription_id).resources.list_by_resource_group(args.resource_group,
                                                                                        **call_options())
    found = [rest_dict(r) for r in islice(pages, 101)]
    resources = [{k: r.get(k) for k in ("id", "name", "type", "kind", "location")} for r in found[:100]]
    if not resources:
        return "no_data", f"resource group {args.resource_group} has no resources", {"resources": [], "count": 0}
    kept, rest = fit(resources)
    not_shown, _ = fit([r["name"] for r in rest], 600)
    kinds = ", ".join(f"{r['name']} ({r['type']})" for r in resources[:20])
    data = {"resources": kept, "count": len(resources), "truncated": len(found) > 100 or bool(rest),
            "not_shown": not_shown}
    return "success", f"{len(resources)} resources in {args.resource_group}: {kinds}", data


@lru_cache(maxsize=1)
def _api_versions() -> dict[str, Any]:
    return yaml.safe_load((_KNOWLEDGE / "api_versions.yaml").read_text(encoding="utf-8"))


def type_spec(namespace: str, resource_type: str) -> dict[str, Any] | None:
    """The knowledge entry of a type (exact match first, then `Namespace/*`), case-insensitively."""
    types = {name.lower(): spec for name, spec in _api_versions()["types"].items()}
    return types.get(f"{namespace}/{resource_type}".lower()) or types.get(f"{namespace}/*".lower())


@lru_cache(maxsize=128)
def _provider_api_version(subscription_id: str, namespace: str, resource_type: str) -> str:
    """The newest stable api-version the provider reports for a type (raises when it cannot say)."""
    provider = rest_dict(client("resources", subscription_id).providers.get(namespace, **call_options()))
    for entry in provider.get("resourceTypes") or []:
        if str(entry.get("resourceType", "")).lower() == resource_type.lower():
            versions = sorted(entry.get("apiVersions") or [], reverse=True)
            stable = [v for v in versions if "preview" not in v.lower()]
            if stable or versions:
                return (stable or versions)[0]
    raise LookupError(f"{namespace} reports no api-version for {resource_type}")


register_cache(_provider_api_version.cache_clear)


def _api_version_for(subscription_id: str, namespace: str, resource_type: str) -> str:
    spec = type_spec(namespace, resource_type)
    if spec:
        return str(spec["api_version"])
    try:
        return _provider_api_version(subscription_id, namespace, resource_type)
    except (AzureError, LookupError):  # the provider list is a convenience; a known default still may work
        return str(_api_versions()["default_api_version"])


@azure_tool(ResourceArguments, cli=lambda a: f"az resource show --ids {shlex.quote(a.resource_id)}",
            scope=lambda a: a.resource_id, action=lambda a: "/".join(resource_type_of(a.resource_id)) + "/read")
def get_resource(args: ResourceArguments) -> Found:
    """Read one resource by id: data {"id", "name", "type", "kind", "location", "identity": {"type",
    "principalId", "userAssigned"}} and the properties that matter for its type (shared/knowledge/
    api_versions.yaml: storage network rules, web app outbound addresses and VNet routing, site config/web
    access restrictions, Key Vault access model...). Secrets are never read."""
    subscription_id = subscription_of(args.resource_id)
    namespace, resource_type = resource_type_of(args.resource_id)
    api_version = _api_version_for(subscription_id, namespace, resource_type)
    resource = rest_dict(client("resources", subscription_id).resources.get_by_id(
        uri_path(args.resource_id), api_version=api_version, **call_options()))
    spec = type_spec(namespace, resource_type)
    fields = spec["fields"] if spec else _api_versions()["default_fields"]
    data: dict[str, Any] = {k: resource.get(k) for k in ("id", "name", "type", "kind", "location")}
    data["identity"] = _identity(resource.get("identity"))
    data.update(extract_fields(resource, fields))
    if not spec:
        data["property_names"] = sorted(resource.get("properties") or {})[:40]
    facts = "; ".join(f"{k}={v}" for k, v in _flatten(data).items()
                      if k not in ("id", "type", "name") and v not in (None, []))
    return "success", f"{data['type']} '{data['name']}' (api-version {api_version}): {facts}", data


def _identity(identity: Any) -> dict[str, Any] | None:
    if not isinstance(identity, dict):
        return None
    assigned = identity.get("userAssignedIdentities") or {}
    return {"type": identity.get("type"), "principalId": identity.get("principalId"),
            "userAssigned": [{"id": k, "principalId": (v or {}).get("principalId")} for k, v in assigned.items()]}


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


# --- field paths (the small language of api_versions.yaml) --------------------------------------------------

_MISSING = object()
_SPEC = re.compile(r"^(?:(?P<func>count|split)\((?P<inner>[^)]*)\)|(?P<path>[^{]*?))\.?(?:\{(?P<pick>[^}]*)\})?$")


def extract_fields(document: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """The output fields of a resource per its field specs; an output name with dots nests."""
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        value = _evaluate(document, spec)
        if value is _MISSING:
            continue
        target = out
        *parents, leaf = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return out


def _evaluate(document: Any, spec: str) -> Any:
    match = _SPEC.match(spec.strip())
    if not match:
        raise ValueError(f"bad field spec {spec!r}")
    if match.group("func"):
        value = _walk(document, match.group("inner").split("."))
        if match.group("func") == "count":
            return len(value) if isinstance(value, list) else 0
        return [p.strip() for p in value.split(",") if p.strip()] if isinstance(value, str) else value
    path = [p for p in (match.group("path") or "").split(".") if p]
    pick = match.group("pick")
    if pick is None:
        return _walk(document, path)
    keys = [k.strip() for k in pick.split(",") if k.strip()]
    return _walk(document, path, lambda node: _pick(node, keys))


def _walk(node: Any, path: list[str], finish: Callable[[Any], Any] | None = None) -> Any:
    if not path:
        return finish(node) if finish and node is not _MISSING and node is not None else node
    head, rest = path[0], path[1:]
    if head.endswith("[]"):
        items = _get(node, head[:-2])
        if not isinstance(items, list):
            return _MISSING if items is _MISSING else []
        values = [_walk(item, rest, finish) for item in items]
        return [v for v in values if v is not _MISSING]
    child = _get(node, head)
    return child if child is _MISSING else _walk(child, rest, finish)


def _get(node: Any, key: str) -> Any:
    if not isinstance(node, dict):
        return _MISSING
    if key in node:
        return node[key]
    lowered = key.lower()  # Azure is not consistent about case (App Insights uses PascalCase)
    return next((v for k, v in node.items() if k.lower() == lowered), _MISSING)


def _pick(node: Any, keys: list[str]) -> Any:
    picked = {}
    for key in keys:
        value = _walk(node, key.split("."))
        if value is not _MISSING:
            picked[key.removeprefix("properties.")] = value
    return picked


# --- web apps ----------------------------------------------------------------------------------------------

_WEB_API_VERSION = "2023-12-01"


@azure_tool(SiteArguments,
            cli=lambda a: f"az webapp config appsettings list --ids {shlex.quote(a.site_id)} "
                          "--query \"[].name\" -o tsv",
            scope=lambda a: a.site_id, action=lambda a: "Microsoft.Web/sites/config/list/action")
def list_app_setting_names(args: SiteArguments) -> Found:
    """List the NAMES of a web or function app's application settings (values are dropped as the answer is
    parsed, never stored or returned): data {"names": [...], "count"}. Tells whether a setting exists."""
    subscription_id = subscription_of(args.site_id)
    request = HttpRequest("POST", f"/{uri_path(args.site_id)}/config/appsettings/list",
                          params={"api-version": _WEB_API_VERSION})
    response = client("resources", subscription_id).send_request(request, **call_options())
    if response.status_code >= 400:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    names = _setting_names(response.text())
    del response  # the body held values; nothing past this point can see it
    kept, rest = fit(names)
    if not names:
        return "no_data", f"{args.site_id.rsplit('/', 1)[-1]} has no application settings", {"names": [], "count": 0}
    return "success", f"{len(names)} app settings (names only): {', '.join(kept)}", \
        {"names": kept, "count": len(names), "truncated": bool(rest)}


def _setting_names(body: str) -> list[str]:
    """The keys of `properties` in a settings list answer; the values go out of scope here."""
    properties = (json.loads(body) or {}).get("properties") or {}
    return sorted(str(k) for k in properties) if isinstance(properties, dict) else []


# --- activity log, health, deployments ---------------------------------------------------------------------

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
    start, end = _window(hours)
    condition = f"eventTimestamp ge '{_iso(start)}' and eventTimestamp le '{_iso(end)}'"
    if is_resource_id(scope):
        return f"{condition} and resourceUri eq '{scope}'"
    group = resource_group_of(scope)
    return f"{condition} and resourceGroupName eq '{group}'" if group else condition


@azure_tool(ActivityLogArguments, cli=_activity_cli, scope=lambda a: a.scope,
            action=lambda a: "Microsoft.Insights/eventtypes/values/read")
def list_activity_log(args: ActivityLogArguments) -> Found:
    """Who changed what: the activity log of a subscription, resource group or resource over the last `hours`,
    newest first, one event per operation, at most 25: data {"events": [{"time", "operation", "status", "caller",
    "resource_id", "message"?}], "count", "truncated"}."""
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
    message = _status_message((event.get("properties") or {}).get("statusMessage"))
    if message:
        row["message"] = message
    return row


def _status_message(raw: Any) -> str | None:
    """The error message of a failed event (statusMessage is a JSON string with an `error` object)."""
    if not raw:
        return None
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return _text(raw)
    error = parsed.get("error", parsed) if isinstance(parsed, dict) else {}
    if isinstance(error, dict) and (error.get("code") or error.get("message")):
        return _text(f"{error.get('code')}: {error.get('message')}")
    return _text(raw)


def _latest_per_operation(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    latest = []
    for event in events:  # newest first: the first seen of an operation is its final state
        key = str(event.get("operation_id") or id(event))
        if key not in seen:
            seen.add(key)
            latest.append(event)
    return latest


@azure_tool(ResourceArguments,
            cli=lambda a: f"az rest --method get --url \"https://management.azure.com{a.resource_id}/providers/"
                          f"Microsoft.ResourceHealth/availabilityStatuses/current?api-version=2025-05-01\"",
            scope=lambda a: a.resource_id, action=lambda a: "Microsoft.ResourceHealth/availabilityStatuses/read")
def get_resource_health(args: ResourceArguments) -> Found:
    """The platform's health of a resource (Resource Health): data {"availabilityState" (Available, Unavailable,
    Degraded, Unknown), "summary", "reasonType", "occuredTime" (the API's spelling), "detailedStatus"}."""
    health = client("resourcehealth", subscription_of(args.resource_id))
    status = rest_dict(health.availability_statuses.get_by_resource(uri_path(args.resource_id), **call_options()))
    properties = status.get("properties") or {}
    data = {key: _text(properties.get(key)) for key in ("availabilityState", "summary", "reasonType", "occuredTime",
                                                           "detailedStatus")}
    name = args.resource_id.rsplit("/", 1)[-1]
    return "success", f"health of {name}: {data['availabilityState']} ({data['summary']})", data


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
                       for f in kept[:5])
    summary = f"{len(failed)} of {len(operations)} operations failed" + (f": {causes}" if causes else "")
    return "success", summary, {"operations": len(operations), "failed": kept, "truncated": bool(rest)}


def _failed_operation(properties: dict[str, Any]) -> dict[str, Any]:
    message = properties.get("statusMessage") or {}
    if isinstance(message, str):
        message = {"error": {"message": message}}
    error = message.get("error") or message
    target = properties.get("targetResource") or {}
    details = [{"code": d.get("code"), "message": _text(d.get("message"))} for d in (error.get("details") or [])[:3]
               if isinstance(d, dict)]
    return {"target": {"id": target.get("id"), "type": target.get("resourceType"), "name": target.get("resourceName")},
            "status_code": properties.get("statusCode"), "code": error.get("code"),
            "message": _text(error.get("message")), "details": details}


# --- Log Analytics -----------------------------------------------------------------------------------------

ROW_CAP = 200
# Read-only guardrails: the query API runs queries only, but a query can still reach outside the workspace or
# run code. Refused (case-insensitive, anywhere in the text, string literals included, so the rule may refuse
# an innocent query): management commands (a line starting with '.'), `invoke`, `evaluate` (plugins: python,
# R, sql_request, http_request...), `externaldata`/`external_table`, `set` statements (they raise limits), and
# cross-resource functions (`workspace()`, `app()`, `resource()`, `cluster()`, `database()`, `adx()`).
_REFUSED_KQL: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^\s*\.", re.MULTILINE), "management commands (a line starting with '.') are not queries"),
    (re.compile(r"\binvoke\b", re.IGNORECASE), "'invoke' is not allowed"),
    (re.compile(r"\bevaluate\b", re.IGNORECASE), "'evaluate' plugins are not allowed"),
    (re.compile(r"\bexternal_?data\b|\bexternal_table\b", re.IGNORECASE), "external data is not allowed"),
    (re.compile(r"(^|;)\s*set\s+\w+", re.IGNORECASE | re.MULTILINE), "'set' statements are not allowed"),
    (re.compile(r"\b(workspace|app|resource|cluster|database|adx)\s*\(", re.IGNORECASE),
     "cross-resource queries are not allowed"),
]
_FINAL_LIMIT = re.compile(r"\|\s*(?:take|limit|top)\s+(\d+)\b[^|]*$", re.IGNORECASE)


def kql_refusal(query: str) -> str | None:
    """Why a query is refused (None: it may run)."""
    return next((reason for pattern, reason in _REFUSED_KQL if pattern.search(query)), None)


def capped_query(query: str) -> tuple[str, int]:
    """The query with a row cap: its own final take/limit/top when that is at most ROW_CAP, else `| take 200`."""
    stripped = query.strip().rstrip(";").rstrip()
    match = _FINAL_LIMIT.search(stripped)
    if match and int(match.group(1)) <= ROW_CAP:
        return stripped, int(match.group(1))
    return f"{stripped}\n| take {ROW_CAP}", ROW_CAP


def _logs_cli(a: LogsArguments) -> str:
    query, _ = capped_query(a.query)
    return (f"az monitor log-analytics query --workspace {a.workspace_id} --timespan PT{a.hours}H "
            f"--analytics-query {shlex.quote(query)}")


@azure_tool(LogsArguments, cli=_logs_cli, scope=lambda a: f"Log Analytics workspace {a.workspace_id}",
            action=lambda a: "Microsoft.OperationalInsights/workspaces/query/read")
def query_logs(args: LogsArguments) -> Found:
    """Run a read-only KQL query on a Log Analytics workspace over the last `hours` (at most 200 rows): data
    {"columns", "rows", "row_count", "truncated", "window_hours"}. A query that times out or answers partially
    is retried once over half the window; partial results come back with status `partial`."""
    query, cap = capped_query(args.query)
    result, failure = _query_attempt(args.workspace_id, query, args.hours)
    if failure is None and not _is_partial(result):
        return _logs_found(result, cap, args.hours, args.hours)
    half = args.hours / 2
    retried, retry_failure = _query_attempt(args.workspace_id, query, half)
    if retry_failure is None:
        return _logs_found(retried, cap, half, args.hours)  # complete, or partial over the smaller window
    if _is_partial(result):  # the smaller window failed outright: the first, partial answer is better than none
        return _logs_found(result, cap, args.hours, args.hours)
    raise retry_failure


def _query_attempt(workspace_id: str, query: str, hours: float) -> tuple[Any, AzureError | None]:
    """One query; a failure that a smaller window may fix (a timeout, a 5xx) is returned, not raised."""
    settings = azure_settings()
    try:
        result = client("logs").query_workspace(workspace_id, query, timespan=timedelta(hours=hours),
                                                server_timeout=max(1, settings.timeout_seconds - 1), **call_options())
        return result, None
    except AzureError as exc:
        if _shrinkable(exc):
            return None, exc
        raise


def _shrinkable(exc: AzureError) -> bool:
    if isinstance(exc, HttpResponseError) and exc.status_code:
        code, _ = error_code_and_message(exc)
        return exc.status_code in (408, 504) or exc.status_code >= 500 or "timeout" in (code or "").lower()
    return "timeout" in type(exc).__name__.lower()


def _is_partial(result: Any) -> bool:
    return result is not None and hasattr(result, "partial_error")


def _logs_found(result: Any, cap: int, hours: float, asked_hours: int) -> Found:
    tables = list(result.partial_data if _is_partial(result) else result.tables)
    table = tables[0] if tables else None
    columns = list(table.columns) if table is not None else []
    rows = [[_cell(v) for v in row] for row in (table.rows if table is not None else [])]
    kept, rest = fit(rows, _BUDGET - len(repr(columns)))
    data: dict[str, Any] = {"columns": columns, "rows": kept, "row_count": len(rows),
                            "truncated": len(rows) >= cap or bool(rest), "window_hours": hours}
    window = f"the last {hours:g} h" + (f" (shrunk from {asked_hours} h)" if hours != asked_hours else "")
    if _is_partial(result):
        error = result.partial_error
        data["partial_error"] = {"code": getattr(error, "code", None), "message": _text(getattr(error, "message", ""))}
        return "partial", f"partial result: {len(rows)} rows over {window}; {data['partial_error']['code']}", data
    if not rows:
        return "no_data", f"the query returned no rows over {window}", data
    return "success", f"{len(rows)} rows over {window}; columns: {', '.join(columns)[:200]}", data


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value[:_TEXT_CHARS]
    return value if isinstance(value, int | float | bool) or value is None else _text(value)


# --- metrics -----------------------------------------------------------------------------------------------

def _metrics_cli(a: MetricsArguments) -> str:
    names = " ".join(shlex.quote(n) for n in a.metric_names)
    return (f"az monitor metrics list --resource {shlex.quote(a.resource_id)} --metric {names} --interval "
            f"{a.interval} --offset {a.hours}h --aggregation Maximum Average Total")


@azure_tool(MetricsArguments, cli=_metrics_cli, scope=lambda a: a.resource_id,
            action=lambda a: "Microsoft.Insights/metrics/read")
def query_metrics(args: MetricsArguments) -> Found:
    """Platform metrics of a resource over the last `hours`, summarised per metric: data {"metrics": [{"name",
    "unit", "max", "avg", "total", "points"}]} (max of maxima, mean of averages, sum of totals)."""
    start, end = _window(args.hours)
    monitor = client("monitor", subscription_of(args.resource_id))
    response = rest_dict(monitor.metrics.list(uri_path(args.resource_id), timespan=f"{_iso(start)}/{_iso(end)}",
                                              interval=args.interval, metricnames=",".join(args.metric_names),
                                              aggregation="Maximum,Average,Total", **call_options()))
    metrics = [_metric_summary(m) for m in response.get("value") or []]
    if not any(m["points"] for m in metrics):
        return "no_data", f"no data points for {', '.join(args.metric_names)} in the last {args.hours} h", \
            {"metrics": metrics}
    text = "; ".join(f"{m['name']}: max {m['max']}, avg {m['avg']}, total {m['total']} {m['unit']}" for m in metrics)
    return "success", f"last {args.hours} h: {text}", {"metrics": fit(metrics)[0]}


def _metric_summary(metric: dict[str, Any]) -> dict[str, Any]:
    points = [p for series in metric.get("timeseries") or [] for p in series.get("data") or []]
    maxima = [p["maximum"] for p in points if p.get("maximum") is not None]
    averages = [p["average"] for p in points if p.get("average") is not None]
    totals = [p["total"] for p in points if p.get("total") is not None]
    return {"name": (metric.get("name") or {}).get("value"), "unit": metric.get("unit"),
            "max": _round(max(maxima)) if maxima else None,
            "avg": _round(sum(averages) / len(averages)) if averages else None,
            "total": _round(sum(totals)) if totals else None,
            "points": len([p for p in points if len(p) > 1])}  # a point with only a timestamp has no value


def _round(value: float) -> float:
    return float(f"{value:.4g}")


# --- role assignments --------------------------------------------------------------------------------------

_ASSIGNMENT_CAP = 50


@azure_tool(RoleAssignmentArguments,
            cli=lambda a: f"az role assignment list --assignee {a.principal_id} --scope {shlex.quote(a.scope)} "
                          f"--include-inherited --query \"[].{{role:roleDefinitionName, scope:scope}}\"",
            scope=lambda a: a.scope, action=lambda a: "Microsoft.Authorization/roleAssignments/read")
def list_role_assignments(args: RoleAssignmentArguments) -> Found:
    """The role assignments of a principal that apply at a scope (at it, inherited from above, or below it), with
    role names: data {"assignments": [{"role", "scope", "relation" (at, inherited, below), "principal_type"}],
    "count"}. Group memberships are not expanded."""
    subscription_id = subscription_of(args.scope)
    authorization = client("authorization", subscription_id)
    pages = authorization.role_assignments.list_for_scope(uri_path(args.scope),
                                                          filter=f"principalId eq '{args.principal_id}'",
                                                          **call_options())
    assignments = [(rest_dict(a).get("properties") or {}) for a in islice(pages, _ASSIGNMENT_CAP)]
    rows = [{"role": _role_name(subscription_id, str(p.get("roleDefinitionId"))), "scope": p.get("scope"),
             "relation": _relation(str(p.get("scope") or ""), args.scope), "principal_type": p.get("principalType")}
            for p in assignments]
    if not rows:
        return "no_data", f"principal {args.principal_id} has no role assignment at, above or below {args.scope}", \
            {"assignments": [], "count": 0}
    kept, rest = fit(rows)
    text = "; ".join(f"{r['role']} at {r['scope']} ({r['relation']})" for r in kept[:10])
    return "success", f"{len(rows)} role assignments of {args.principal_id}: {text}", \
        {"assignments": kept, "count": len(rows), "truncated": bool(rest) or len(rows) >= _ASSIGNMENT_CAP}


def _relation(assignment_scope: str, scope: str) -> str:
    a, s = assignment_scope.lower().rstrip("/"), scope.lower().rstrip("/")
    if a == s:
        return "at"
    above = a in ("", "/") or a.startswith("/providers/microsoft.management/managementgroups/") or s.startswith(a + "/")
    return "inherited" if above else "below"


def _role_name(subscription_id: str, role_definition_id: str) -> str | None:
    """The role's name (e.g. Storage Blob Data Reader); None when the definition cannot be read."""
    try:
        return _role_definition_name(subscription_id, role_definition_id)
    except AzureError:  # the assignment itself is the evidence; a missing name should not hide it
        return None


@lru_cache(maxsize=256)
def _role_definition_name(subscription_id: str, role_definition_id: str) -> str | None:
    authorization = client("authorization", subscription_id)
    definition = rest_dict(authorization.role_definitions.get_by_id(uri_path(role_definition_id), **call_options()))
    return (definition.get("properties") or {}).get("roleName")


register_cache(_role_definition_name.cache_clear)
