"""Azure tools over Resource Manager: which subscriptions and resources there are, one resource's settings that
matter for its type, and the names (never the values) of an app's settings.

The api-version of a resource read comes from shared/knowledge/api_versions.yaml, else from the provider; the
fields kept come from the same file through azure_fields."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import yaml
from azure.core.exceptions import AzureError, HttpResponseError
from azure.core.polling import LROPoller
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat
from azure.mgmt.core.polling.arm_polling import ARMPolling
from cachetools.func import ttl_cache
from pydantic import Field

from shared.azure import resource_type_of, rest_dict, subscription_of, uri_path
from shared.azure.clients import azure_settings, call_options, client, register_cache
from shared.azure.scope import covers
from shared.tools.azure_common import (
    GROUP_FIELD,
    SUBSCRIPTION_FIELD,
    SUBSCRIPTIONS_SCOPE,
    AzureArguments,
    Found,
    ReadArguments,
    ResourceArguments,
    SubscriptionArguments,
    azure_tool,
    fit,
)
from shared.tools.azure_fields import extract_fields

_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


class NoArguments(AzureArguments):
    pass


class ResourceGroupArguments(AzureArguments):
    subscription_id: str = SUBSCRIPTION_FIELD
    resource_group: str = GROUP_FIELD


class NamedResourceArguments(AzureArguments):
    subscription_id: str = SUBSCRIPTION_FIELD
    resource_name: str = Field(pattern=r"^[A-Za-z0-9][-\w.()]{0,79}$", max_length=80,
                               description="the resource's name")
    resource_type: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9.]*/[A-Za-z][A-Za-z0-9]*$",
                               max_length=120,
                               description="its type, Namespace/type (e.g. Microsoft.Network/virtualNetworks)")


class SiteArguments(AzureArguments):
    site_id: str = Field(pattern=r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Web/sites/"
                         r"[^/]+(/slots/[^/]+)?$", max_length=1000,
                         description="the id of a web or function app (or one of its slots)")


class AppSettingsArguments(AzureArguments):
    site_id: str = Field(pattern=r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Web/"
                         r"(?:sites/[^/]+(/slots/[^/]+)?|staticSites/[^/]+)$", max_length=1000,
                         description="the id of a web or function app (or one of its slots), or of a static web app")


def _static_site(site_id: str) -> bool:
    """A static web app's id (its settings are read by the listAppSettings action, not config/appsettings/list)."""
    return "/providers/microsoft.web/staticsites/" in site_id.lower()


def _static_site_cli(site_id: str) -> str:
    """The command that lists a static web app's settings (az staticwebapp takes its name and group, not --ids)."""
    parts = site_id.strip("/").split("/")
    return (f"az staticwebapp appsettings list --name {shlex.quote(parts[-1])} --resource-group "
            f"{shlex.quote(parts[3])} --query \"keys(properties)\"")


class GatewayArguments(AzureArguments):
    gateway_id: str = Field(pattern=r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/"
                            r"applicationGateways/[^/]+$", max_length=1000,
                            description="the id of an Application Gateway")


# --- subscriptions and resources ---------------------------------------------------------------------------

@azure_tool(NoArguments, cli=lambda a: 'az account list --query "[].{id:id, name:name}"',
            scope=lambda a: SUBSCRIPTIONS_SCOPE, action=lambda a: "Microsoft.Resources/subscriptions/read")
def list_subscriptions(args: NoArguments) -> Found:
    """List the subscriptions the service's identity can read: data {"subscriptions": [{"id" (the GUID), "name",
    "state"}]}. Resolves a display name such as 'dev-subscription' to its id."""
    pages = client("subscriptions").subscriptions.list(**call_options())
    allowed = azure_settings().investigation_scopes  # the deployment's bound (shared/azure/scope.py)
    subscriptions = [{"id": s.get("subscriptionId"), "name": s.get("displayName"), "state": s.get("state")}
                     for s in map(rest_dict, islice(pages, 100))
                     if not allowed or any(covers(f"/subscriptions/{s.get('subscriptionId')}", scope)
                                           or covers(scope, f"/subscriptions/{s.get('subscriptionId')}")
                                           for scope in allowed)]
    kept, rest = fit(subscriptions)
    if not subscriptions:
        return "no_data", "the service's identity can read no subscription", {"subscriptions": []}
    names = ", ".join(f"{s['name']} ({s['id']})" for s in kept)
    return "success", f"{len(subscriptions)} subscriptions: {names}", {"subscriptions": kept, "truncated": bool(rest)}


@azure_tool(SubscriptionArguments,
            cli=lambda a: f"az account show --subscription {a.subscription_id} "
                          "--query \"{name:name, state:state, tenantId:tenantId}\"",
            scope=lambda a: f"/subscriptions/{a.subscription_id}",
            action=lambda a: "Microsoft.Resources/subscriptions/read")
def get_subscription(args: SubscriptionArguments) -> Found:
    """Read one subscription: data {"id", "name", "state" (Enabled, Warned, PastDue, Disabled, Deleted), "tenantId"
    (the directory it trusts now: after a transfer to another directory, resources that keep their own tenant id,
    such as a key vault, still name the old one)}."""
    found = rest_dict(client("subscriptions").subscriptions.get(args.subscription_id, **call_options()))
    data = {"id": found.get("subscriptionId") or args.subscription_id, "name": found.get("displayName"),
            "state": found.get("state"), "tenantId": found.get("tenantId")}
    return "success", f"subscription {data['name']} ({data['id']}): state {data['state']}, tenant {data['tenantId']}", \
        data


@azure_tool(ResourceGroupArguments,
            cli=lambda a: f"az resource list --subscription {a.subscription_id} --resource-group "
                          f"{shlex.quote(a.resource_group)} --query \"[].{{id:id, name:name, type:type, kind:kind, "
                          f"location:location, sku:sku}}\"",
            scope=lambda a: f"/subscriptions/{a.subscription_id}/resourceGroups/{a.resource_group}",
            action=lambda a: "Microsoft.Resources/subscriptions/resourceGroups/resources/read")
def list_resources_in_group(args: ResourceGroupArguments) -> Found:
    """List the resources of a resource group (at most 100): data {"resources": [{"id", "name", "type", "kind",
    "location", "sku" (when the resource has one), "service_tag" (its azd-service-name tag, when it has one)}],
    "count", "truncated", "not_shown" (names of those that did not fit)}."""
    pages = client("resources", args.subscription_id).resources.list_by_resource_group(args.resource_group,
                                                                                        **call_options())
    found = [rest_dict(r) for r in islice(pages, 101)]
    resources = [_listed(r) for r in found[:100]]
    if not resources:
        return "no_data", f"resource group {args.resource_group} has no resources", {"resources": [], "count": 0}
    kept, rest = fit(resources)
    not_shown, _ = fit([r["name"] for r in rest], 600)
    kinds = ", ".join(f"{r['name']} ({r['type']})" for r in resources[:20])
    data = {"resources": kept, "count": len(resources), "truncated": len(found) > 100 or bool(rest),
            "not_shown": not_shown}
    return "success", f"{len(resources)} resources in {args.resource_group}: {kinds}", data


@azure_tool(NamedResourceArguments,
            cli=lambda a: f"az resource list --subscription {a.subscription_id} --name {shlex.quote(a.resource_name)} "
                          f"--resource-type {shlex.quote(a.resource_type)} "
                          "--query \"[].{id:id, resourceGroup:resourceGroup, location:location}\"",
            scope=lambda a: f"/subscriptions/{a.subscription_id}",
            action=lambda a: "Microsoft.Resources/subscriptions/resources/read")
def find_resource_by_name(args: NamedResourceArguments) -> Found:
    """Find the resources of one type and name anywhere in a subscription (a reference a template or setting makes
    to a resource that is not where it looks): data {"resources": [{"id", "name", "type", "location",
    "resource_group"}], "count"}. The name and type are validated before they enter the listing's filter."""
    wanted = f"name eq '{args.resource_name}' and resourceType eq '{args.resource_type}'"
    pages = client("resources", args.subscription_id).resources.list(filter=wanted, **call_options())
    found = [rest_dict(r) for r in islice(pages, 200)]
    same = [_listed(r) for r in found if str(r.get("name", "")).lower() == args.resource_name.lower()
            and str(r.get("type", "")).lower() == args.resource_type.lower()][:10]
    for resource in same:
        group = re.search(r"(?i)/resourceGroups/([^/]+)/", str(resource.get("id") or ""))
        resource["resource_group"] = group.group(1) if group else None
    if not same:
        return "no_data", f"no {args.resource_type} named {args.resource_name} in {args.subscription_id}", \
            {"resources": [], "count": 0}
    where = ", ".join(f"resource group {r['resource_group']}" for r in same)
    return "success", f"{args.resource_type} '{args.resource_name}' exists in {where}", \
        {"resources": same, "count": len(same)}


# Tags that tools use to find a resource (azd deploy finds each service's host by azd-service-name): kept by name, so
# a finding can say which resources claim the same service; other tags are the owner's and stay out of the evidence.
_LOOKUP_TAGS = {"azd-service-name": "service_tag"}


def _listed(resource: dict[str, Any]) -> dict[str, Any]:
    """One resource of a group's listing: its identity, kind, location, sku when it has one, and its lookup tags."""
    kept = {k: resource.get(k) for k in ("id", "name", "type", "kind", "location", "sku")
            if k != "sku" or resource.get(k)}
    found = resource.get("tags")
    tags: dict[str, Any] = found if isinstance(found, dict) else {}
    kept.update({field: str(tags[tag]) for tag, field in _LOOKUP_TAGS.items() if tags.get(tag)})
    return kept


@lru_cache(maxsize=1)
def _api_versions() -> dict[str, Any]:
    return yaml.safe_load((_KNOWLEDGE / "api_versions.yaml").read_text(encoding="utf-8"))


def type_spec(namespace: str, resource_type: str) -> dict[str, Any] | None:
    """The knowledge entry of a type (exact match first, then `Namespace/*`), case-insensitively."""
    types = {name.lower(): spec for name, spec in _api_versions()["types"].items()}
    return types.get(f"{namespace}/{resource_type}".lower()) or types.get(f"{namespace}/*".lower())


def namespace_of(resource_type: str) -> str | None:
    """The provider namespace of a type as an error names it: `Microsoft.Web/sites` gives Microsoft.Web; a bare
    top-level type (`managedClusters`) gives the namespace of the known type with that name, if exactly one."""
    if "/" in resource_type:
        namespace = resource_type.split("/")[0]
        return namespace if "." in namespace else None
    known = {name.split("/")[0] for name in _api_versions()["types"]
             if name.count("/") == 1 and name.split("/")[1].lower() == resource_type.lower()}
    return known.pop() if len(known) == 1 else None


@ttl_cache(maxsize=128, ttl=3600)  # bounded by entries and age
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


@azure_tool(ReadArguments, cli=lambda a: f"az resource show --ids {shlex.quote(a.resource_id)}",
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
    data["id"] = data["id"] or args.resource_id  # some child resources answer without their id and type
    data["type"] = data["type"] or f"{namespace}/{resource_type}"
    data["identity"] = _identity(resource.get("identity"))
    data.update(extract_fields(resource, fields))
    if data["type"].lower() in ("microsoft.app/containerapps", "microsoft.app/jobs"):
        ids = _container_client_ids(resource)
        if ids:
            data["envClientIds"] = ids
        regions = setting_regions(_container_env(resource))
        if regions:
            data["envRegions"] = regions
    if not spec:
        data["property_names"] = sorted(resource.get("properties") or {})[:40]
    facts = "; ".join(f"{k}={v}" for k, v in _flatten(data).items()
                      if k not in ("id", "type", "name") and v not in (None, []))
    return "success", f"{data['type']} '{data['name']}' (api-version {api_version}): {facts}", data


def _container_client_ids(resource: dict[str, Any]) -> dict[str, str]:
    """The client ids a container app's (or job's) containers name in plain env values (AZURE_CLIENT_ID...): which
    user-assigned identity the code asks tokens for. Only values named as a client id and shaped as one GUID are kept;
    secret references and every other value stay unread."""
    found: dict[str, str] = {}
    template = (resource.get("properties") or {}).get("template") or {}
    for container in template.get("containers") or []:
        env = {str(e.get("name")): e.get("value") for e in (container or {}).get("env") or []
               if isinstance(e, dict) and e.get("name") and "value" in e}
        found.update(setting_client_ids(env))
    return found


def _container_env(resource: dict[str, Any]) -> dict[str, Any]:
    """The plain env values of a container app's (or job's) containers, by name (secret references have none)."""
    template = (resource.get("properties") or {}).get("template") or {}
    return {str(e.get("name")): e.get("value") for container in template.get("containers") or []
            for e in (container or {}).get("env") or [] if isinstance(e, dict) and e.get("name") and "value" in e}


@lru_cache(maxsize=1)
def _region_names() -> frozenset[str]:
    entries = yaml.safe_load((_KNOWLEDGE / "regional_endpoints.yaml").read_text(encoding="utf-8"))
    return frozenset(str(n) for e in entries if e.get("id") == "regions" for n in e.get("names") or [])


_REGION_SETTING = re.compile(r"(?i)region|location")


def setting_regions(properties: dict[str, Any]) -> dict[str, str]:
    """For each setting named as a region or location whose whole value is an Azure region's name (`eastus`,
    `West Europe`): that region (nothing else of any value). Which region a client calls is configuration, not a
    secret; an SDK built from a key and a region needs the resource's own region."""
    found: dict[str, str] = {}
    for name, value in properties.items():
        region = re.sub(r"\s+", "", str(value or "")).lower()
        if _REGION_SETTING.search(str(name)) and region in _region_names():
            found[str(name)] = region
    return found


def _identity(identity: Any) -> dict[str, Any] | None:
    if not isinstance(identity, dict):
        return None
    assigned = identity.get("userAssignedIdentities") or {}
    found = {"type": identity.get("type"), "principalId": identity.get("principalId"),
             "userAssigned": [{"id": k, "principalId": (v or {}).get("principalId"),
                               "clientId": (v or {}).get("clientId")} for k, v in assigned.items()]}
    if identity.get("tenantId"):  # the directory the system identity's tokens come from
        found["tenantId"] = identity["tenantId"]
    return found


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


# --- regional quotas --------------------------------------------------------------------------------------

# the providers whose regional usages the tool reads, with the CLI command that shows them
USAGE_CLI: dict[str, str] = {"Microsoft.Storage": "storage account show-usage", "Microsoft.Compute": "vm list-usage",
                             "Microsoft.Network": "network list-usages"}


class UsageArguments(SubscriptionArguments):
    namespace: str = Field(pattern=rf"^(?i:{'|'.join(map(re.escape, USAGE_CLI))})$",
                           description="the resource provider whose regional usages to read")
    location: str = Field(pattern=r"^[a-z][a-z0-9]{2,39}$", description="the region's name, e.g. westeurope")


@azure_tool(UsageArguments,
            cli=lambda a: f"az {USAGE_CLI[_usage_namespace(a.namespace)]} --location {a.location} "
                          f"--subscription {a.subscription_id} -o table",
            scope=lambda a: f"/subscriptions/{a.subscription_id}",
            action=lambda a: f"{a.namespace}/locations/usages/read")
def list_regional_usages(args: UsageArguments) -> Found:
    """A provider's usages against its limits in one region of the subscription (storage accounts, vCPUs per VM
    family, public IPs...): data {"location", "usages": [{"name", "label", "current", "limit"}], "reached": the
    names at or over their limit}. A limit reached makes every new resource of that kind fail validation there."""
    spec = type_spec(args.namespace, "locations/usages") or {}
    response = _arm_send(args.subscription_id, HttpRequest(
        "GET", f"/subscriptions/{args.subscription_id}/providers/{args.namespace}/locations/{args.location}/usages",
        params={"api-version": spec.get("api_version")}))
    usages = [{"name": (u.get("name") or {}).get("value"), "label": (u.get("name") or {}).get("localizedValue"),
               "current": u.get("currentValue"), "limit": u.get("limit")}
              for u in (response.json() or {}).get("value") or [] if isinstance(u, dict)]
    reached = [u["name"] for u in usages if isinstance(u["limit"], int | float) and u["limit"] > 0
               and isinstance(u["current"], int | float) and u["current"] >= u["limit"]]
    if not usages:
        return "no_data", f"{args.namespace} reports no usages in {args.location}", {"location": args.location,
                                                                                    "usages": [], "reached": []}
    shown = sorted(usages, key=lambda u: u["name"] not in reached)
    kept, rest = fit(shown)
    said = "; ".join(f"{u['label'] or u['name']} {u['current']}/{u['limit']}" for u in kept[:8])
    return "success", f"{args.namespace} usages in {args.location}: {said}", \
        {"location": args.location, "usages": kept, "reached": reached, "truncated": bool(rest)}


def _usage_namespace(namespace: str) -> str:
    """The namespace as USAGE_CLI spells it (the argument is matched case-insensitively)."""
    return next(n for n in USAGE_CLI if n.lower() == namespace.lower())


def _arm_send(subscription_id: str, request: HttpRequest) -> Any:
    """A raw Resource Manager request (an action or collection the SDK has no verb for); an error status raises as
    the SDK's own calls do."""
    response = client("resources", subscription_id).send_request(request, **call_options())
    if response.status_code >= 400:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    return response


# --- web apps ----------------------------------------------------------------------------------------------

_WEB_API_VERSION = "2023-12-01"


@azure_tool(AppSettingsArguments,
            cli=lambda a: (_static_site_cli(a.site_id) if _static_site(a.site_id) else
                           f"az webapp config appsettings list --ids {shlex.quote(a.site_id)} "
                           "--query \"[].name\" -o tsv"),
            scope=lambda a: a.site_id,
            action=lambda a: ("Microsoft.Web/staticSites/listAppSettings/action" if _static_site(a.site_id)
                              else "Microsoft.Web/sites/config/list/action"))
def list_app_setting_names(args: AppSettingsArguments) -> Found:
    """List the NAMES of a web, function or static web app's application settings (values are dropped as the answer is
    parsed, never stored or returned): data {"names": [...], "count", "targets": {name: host}}. Tells whether a
    setting exists, and for a connection string, URL or Key Vault reference, which host or vault it points at (the
    host only: no key, password, token, query or path beyond a Key Vault secret's name)."""
    action = "listAppSettings" if _static_site(args.site_id) else "config/appsettings/list"  # a static web app's verb
    response = _arm_send(subscription_of(args.site_id), HttpRequest(
        "POST", f"/{uri_path(args.site_id)}/{action}", params={"api-version": _WEB_API_VERSION}))
    properties = _settings(response.text())
    del response  # the body held values
    names, targets, client_ids = sorted(properties), setting_targets(properties), setting_client_ids(properties)
    regions = setting_regions(properties)
    sas_expiries = setting_sas_expiries(properties)
    loaded = loaded_certificates(properties)
    flagged = {key: find(properties) for key, _, find in _FLAGGED_SETTINGS}
    del properties  # so did the parsed settings: nothing past this point can see a value
    kept, rest = fit(names)
    if not names:
        return "no_data", f"{args.site_id.rsplit('/', 1)[-1]} has no application settings", {"names": [], "count": 0}
    shown = {name: host for name, host in targets.items() if name in kept}
    pointed = "; ".join(f"{name} -> {host}" for name, host in shown.items())
    ids = {name: guid for name, guid in client_ids.items() if name in kept}
    named = "; ".join(f"{name} = {guid}" for name, guid in ids.items())
    return "success", f"{len(names)} app settings (names only): {', '.join(kept)}" + \
        (f"; they point at: {pointed}" if pointed else "") + (f"; client ids: {named}" if named else "") + \
        "".join(f"; {said}: {', '.join(flagged[key])}" for key, said, _ in _FLAGGED_SETTINGS if flagged[key]) + \
        (f"; shared access signatures expire: {'; '.join(f'{n} se={e}' for n, e in expiries.items())}"
         if (expiries := {n: e for n, e in sas_expiries.items() if n in kept}) else "") + \
        (f"; WEBSITE_LOAD_CERTIFICATES loads: {', '.join(loaded)}" if loaded else ""), \
        {"names": kept, "count": len(names), "truncated": bool(rest), "targets": shown, "client_ids": ids,
         "regions": {n: r for n, r in regions.items() if n in kept}, "sas_expiries": expiries,
         "loaded_certificates": loaded,
         **{key: [n for n in found if n in kept] for key, found in flagged.items()}}


# An Azure OpenAI request path (what the portal's playground or a REST sample shows as the full URL): the SDKs take
# the resource's base endpoint and append this path themselves, so an endpoint setting holding it doubles the path
_OPERATION_PATH = re.compile(r"(?i)^https://[-a-z0-9.]+\.(?:openai\.azure\.com|cognitiveservices\.azure\.com|"
                             r"services\.ai\.azure\.com)/+openai/(?:deployments/|(?:v1/)?(?:chat|completions|embeddings|responses)\b)")


def setting_operation_urls(properties: dict[str, Any]) -> list[str]:
    """The settings whose value is a full Azure OpenAI request URL instead of a base endpoint (their names only)."""
    return sorted(str(name) for name, value in properties.items() if _OPERATION_PATH.match(str(value or "").strip()))


# The settings the Functions host itself parses as a storage connection string (name=value pairs): a bare endpoint
# URL there (what the identity-based AzureWebJobsStorage__blobServiceUri takes) makes the parser throw
# "Settings must be of the form name=value", so the host does not start and trigger sync fails.
_HOST_CONNECTION_SETTINGS = frozenset({"azurewebjobsstorage", "azurewebjobsdashboard",
                                       "website_contentazurefileconnectionstring"})
_URL_VALUE = re.compile(r"(?i)^\s*https?://\S+\s*$")


def setting_url_for_connection_string(properties: dict[str, Any]) -> list[str]:
    """The host connection-string settings whose value is a URL instead of a connection string (names only)."""
    return sorted(str(name) for name, value in properties.items()
                  if str(name).lower() in _HOST_CONNECTION_SETTINGS and _URL_VALUE.match(str(value or "")))


# A Redis address without TLS aimed at a port that only speaks TLS (Azure Cache for Redis 6380, Azure Managed Redis
# 10000): a redis:// URL (rediss:// is the TLS form) or a StackExchange string with ssl=false. The server drops the
# plain handshake, so clients report a reset or closed connection rather than a TLS error.
_PLAIN_ON_TLS_PORT = re.compile(r"(?i)^\s*redis://(?:[^@/\s]*@)?[-a-z0-9.]+:(?:6380|10000)(?!\d)"
                                r"|\.redis\.(?:cache\.windows\.net|azure\.net):(?:6380|10000)(?!\d).*\bssl\s*=\s*false\b")


def setting_plain_on_tls_port(properties: dict[str, Any]) -> list[str]:
    """The settings whose value is a non-TLS Redis address on a TLS-only port (their names only)."""
    return sorted(str(name) for name, value in properties.items() if _PLAIN_ON_TLS_PORT.search(str(value or "")))


# Oryx's per-platform switches (DISABLE_NODEJS_BUILD, DISABLE_PYTHON_BUILD, DISABLE_DOTNETCORE_BUILD, ...): set to
# true, Oryx drops that platform from the ones it may build, so a build of that language fails with "'nodejs'
# platform is not supported" (or detects no platform) although the language is one Oryx supports.
_BUILD_SWITCH = re.compile(r"(?i)^DISABLE_[A-Z]+_BUILD$")
_TRUE_VALUE = re.compile(r"(?i)^\s*(?:true|1|yes)\s*$")


def setting_build_disabled(properties: dict[str, Any]) -> list[str]:
    """The Oryx DISABLE_<PLATFORM>_BUILD settings that are on (their names only)."""
    return sorted(str(name) for name, value in properties.items()
                  if _BUILD_SWITCH.match(str(name)) and _TRUE_VALUE.match(str(value or "")))


# The settings list_app_setting_names flags by the shape of their value (names only): its data key, how its summary
# says it, and the test over the parsed settings.
_FLAGGED_SETTINGS: tuple[tuple[str, str, Callable[[dict[str, Any]], list[str]]], ...] = (
    ("operation_urls", "full request URLs instead of an endpoint", setting_operation_urls),
    ("plain_on_tls_port", "plain (non-TLS) Redis addresses on a TLS-only port", setting_plain_on_tls_port),
    ("url_as_connection_string", "a URL where a connection string belongs", setting_url_for_connection_string),
    ("build_disabled", "an Oryx platform build switched off", setting_build_disabled),
)


# The non-secret part of a setting value that says where it points: a Key Vault reference's vault and secret name,
# a connection string's endpoint or server, a URL's host (never its path, query or credentials).
_VAULT_REFERENCE = re.compile(r"(?i)@Microsoft\.KeyVault\((?:.*?VaultName=(?P<vault>[-\w]{3,24});.*?"
                              r"SecretName=(?P<secret>[-\w]{1,127})|.*?SecretUri=https://(?P<vault_host>[-\w]{3,24})\.vault\.[\w.]+/secrets/"
                              r"(?P<secret_of_uri>[-\w]{1,127}))")
# a host counts only under an Azure service's own domain: any other dotted word of a value could be part of a secret
_AZURE_DOMAIN = (r"(?:windows\.net|azure\.com|azure\.net|azurewebsites\.net|azconfig\.io|azurecr\.io|azure-api\.net|"
                 r"azurefd\.net|azureedge\.net|azurecontainerapps\.io|azmk8s\.io|azure-devices\.net|azuresynapse\.net|"
                 r"cloudapp\.net)")
_TARGET_HOST = re.compile(r"(?i)(?:\b(?:Endpoint|AccountEndpoint|Server|Data Source|Host|HostName|IngestionEndpoint)"
                          r"\s*=\s*"
                          r"(?:[a-z]+:(?://)?)?|^(?:[a-z][a-z0-9+.-]*://)?)(?P<host>[a-z0-9][-a-z0-9.]{0,250}\."
                          + _AZURE_DOMAIN + r")(?P<port>[:,]\d{2,5})?(?![-\w.])"
                          r"|\bAccountName\s*=\s*(?P<account>[a-z0-9]{3,24});")


def setting_targets(properties: dict[str, Any]) -> dict[str, str]:
    """For each setting whose value names a host, account or Key Vault secret: that name alone."""
    found: dict[str, str] = {}
    for name, value in properties.items():
        text = str(value or "")
        reference = _VAULT_REFERENCE.search(text)
        if reference:
            found[str(name)] = (f"{reference.group('vault') or reference.group('vault_host')}.vault.azure.net/secrets/"
                                f"{reference.group('secret') or reference.group('secret_of_uri')}")
            continue
        host = _TARGET_HOST.search(text)
        if host and host.group("account"):
            found[str(name)] = f"{host.group('account').lower()} (storage account)"
        elif host:
            found[str(name)] = host.group("host").lower() + (host.group("port") or "").replace(",", ":")
    return found


# A setting that names which identity the code asks tokens for (AZURE_CLIENT_ID, <connection>__clientId): its value is
# an application's public identifier, not a credential, and says which user-assigned identity the app must carry.
_CLIENT_ID_SETTING = re.compile(r"(?i)(?:^|_)CLIENT_?ID$")
_GUID = re.compile(r"(?i)^\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*$")


_THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")


def loaded_certificates(properties: dict[str, Any]) -> list[str]:
    """The thumbprints WEBSITE_LOAD_CERTIFICATES lists (a certificate's thumbprint is its public fingerprint, not a
    secret), or ["*"] when it loads every certificate; anything else in the value is dropped."""
    value = next((str(v or "") for n, v in properties.items() if str(n).upper() == "WEBSITE_LOAD_CERTIFICATES"), "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    if "*" in items:
        return ["*"]
    return [item.upper() for item in items if _THUMBPRINT.match(item)][:20]


def setting_client_ids(properties: dict[str, Any]) -> dict[str, str]:
    """For each setting named as a client id whose value is one GUID: that GUID (nothing else of any value)."""
    found: dict[str, str] = {}
    for name, value in properties.items():
        guid = _GUID.match(str(value or "")) if _CLIENT_ID_SETTING.search(str(name)) else None
        if guid:
            found[str(name)] = guid.group(1).lower()
    return found


# A shared access signature's expiry (se=) is its metadata, not its secret (sig= is): where a setting holds a SAS (a
# connection string's SharedAccessSignature=, a URL's query), its expiry tells whether the token still works.
_SAS_EXPIRY = re.compile(r"(?i)(?:^|[?&;=])se=(?P<expiry>\d{4}-\d{2}-\d{2}(?:T\d{2}(?::|%3A)\d{2}(?:(?::|%3A)\d{2})?"
                         r"(?:\.\d+)?Z?)?)(?=&|;|$)")
_SAS_SIGNED = re.compile(r"(?i)(?:^|[?&;=])sig=")


def setting_sas_expiries(properties: dict[str, Any]) -> dict[str, str]:
    """For each setting whose value carries a signed SAS: its expiry as written (se=), nothing else of the value."""
    found: dict[str, str] = {}
    for name, value in properties.items():
        text = str(value or "")
        expiry = _SAS_EXPIRY.search(text) if _SAS_SIGNED.search(text) else None
        if expiry:
            found[str(name)] = expiry.group("expiry").replace("%3A", ":").replace("%3a", ":")
    return found


def _settings(body: str) -> dict[str, Any]:
    """The `properties` of a settings list answer (setting name -> value), parsed once."""
    properties = (json.loads(body) or {}).get("properties") or {}
    return {str(k): v for k, v in properties.items()} if isinstance(properties, dict) else {}


# --- application gateways ----------------------------------------------------------------------------------

_NETWORK_API_VERSION = "2023-09-01"  # specification/network/.../stable/2023-09-01/applicationGateway.json
_POLL_SECONDS = 5  # between polls when Resource Manager sends no Retry-After


@azure_tool(GatewayArguments,
            cli=lambda a: f"az network application-gateway show-backend-health --ids {shlex.quote(a.gateway_id)}",
            scope=lambda a: a.gateway_id, action=lambda a: "Microsoft.Network/applicationGateways/backendhealth/action")
def get_backend_health(args: GatewayArguments) -> Found:
    """Ask an Application Gateway how its health probes see each backend server (a long-running POST: the gateway
    probes, then Resource Manager answers): data {"servers": [{"pool", "address", "health", "log"}], "unhealthy"}.
    The probe log says why a server is unhealthy (status code, certificate, timeout, no connection)."""
    arm = client("resources", subscription_of(args.gateway_id))
    request = HttpRequest("POST", f"/{uri_path(args.gateway_id)}/backendhealth",
                          params={"api-version": _NETWORK_API_VERSION})
    first = arm.send_request(request, _return_pipeline_response=True, **call_options())
    if first.http_response.status_code >= 400:
        raise HttpResponseError(response=first.http_response, error_format=ARMErrorFormat)
    poller = LROPoller(arm._client, first, lambda response: response.http_response.json(),
                       ARMPolling(_POLL_SECONDS, lro_options={"final-state-via": "location"}))
    servers = _backend_servers(poller.result(timeout=azure_settings().tool_deadline_seconds) or {})
    if not servers:
        return "no_data", f"{args.gateway_id.rsplit('/', 1)[-1]} reports no backend servers", {"servers": []}
    kept, rest = fit(servers)
    unhealthy = [s for s in servers if str(s.get("health")).lower() != "healthy"]
    lines = "; ".join(f"{s['address']} {s['health']}" + (f": {s['log']}" if s.get("log") else "") for s in kept)
    return "success", f"backend health of {len(servers)} server(s), {len(unhealthy)} not healthy: {lines}", \
        {"servers": kept, "unhealthy": len(unhealthy), "truncated": bool(rest)}


def _backend_servers(body: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per backend server of every pool and backend setting, as the probes see it."""
    rows: list[dict[str, Any]] = []
    for pool in body.get("backendAddressPools") or []:
        pool_name = str((pool.get("backendAddressPool") or {}).get("id") or "").rsplit("/", 1)[-1]
        for setting in pool.get("backendHttpSettingsCollection") or []:
            for server in setting.get("servers") or []:
                rows.append({"pool": pool_name, "address": server.get("address") or server.get("ipConfiguration"),
                             "health": server.get("health"), "log": server.get("healthProbeLog")})
    return rows
