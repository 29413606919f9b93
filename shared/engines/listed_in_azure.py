"""A resource the report seeks that Resource Manager does not hold, set against what the session listed beside it.

A deploy step's "Resource 'func-billing-prod' doesn't exist", a slot "app/staging" that was never created, a URL whose
app name no longer resolves: when the resource group listings the session read hold no resource of that type and
name but one whose name is near (a region suffix added, a slot named otherwise, a "-02" after a rebuild), that listed
name is what the client must use. Azure's own listing decides it, so the answer says which name exists. Computed here
(difflib's ratio over names of the same type) because no phrase of the error can say it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.engines.analyzers.common import regex, table
from shared.engines.base import Decision
from shared.engines.listed_names import MEANT, name_ratio
from shared.engines.session_reads import reference_not_found
from shared.models import EvidenceItem
from shared.session.state import Conclude, SessionState

_NOT_FOUND_CATEGORIES = frozenset({"config.wrong_resource_name", "deployment.parent_not_found"})
_DNS = "network.dns_resolution"
_PRIVATE_DNS = "network.private_endpoint_dns"
# the taxonomy's "configuration names a resource that does not exist", the app the URL names
_WRONG_URL = "config.wrong_resource_name"
_ENDPOINTS = "microsoft.network/privateendpoints"
_REGISTRIES = "microsoft.containerregistry/registries"
_IMAGE_PULL = "container.image_pull_failed"
_PULLING = re.compile(r"(?i)\bpull(?:ing|ed)?\b|ImagePull|ErrImagePull|\bmanifests?\b|failed to resolve reference")
_COMPARED = 100  # listed resources compared, at most (a listing holds at most 100)
# the deploy tasks' "Resource app/staging of type Microsoft.Web/Sites/Slots doesn't exist", "Resource 'x' doesn't exist"
_SAID_MISSING = re.compile(r"(?i)\bResource\s+['\"]?(?P<name>[A-Za-z0-9][\w.()/-]{0,160}?)['\"]?"
                           r"(?:\s+of type\s+['\"]?(?P<type>[A-Za-z][\w.]*/\w+(?:/\w+)?)['\"]?)?"
                           r"\s+(?:doesn't|does not) exist")
# the Azure Pipelines tasks' lookup by name: "Failed to get resource ID for resource type 'Microsoft.Web/Sites' and
# resource name 'app-x'", and its inner "Could not find the resource with name app-x"
_LOOKUP_FAILED = re.compile(r"(?i)\bFailed to get resource ID for resource type\s+['\"]?(?P<type>[A-Za-z][\w.]*/\w+"
                            r"(?:/\w+)?)['\"]?\s+and resource name\s+['\"]?(?P<name>[A-Za-z0-9][\w.()/-]{0,160}?)['\"]?"
                            r"(?=[\s.,;]|$)")
# a resource's own id (a child's too: .../sites/app/slots/preprod); a collection or setting path is not a resource
_RESOURCE_ID = re.compile(r"(?i)/resourceGroups/(?P<group>[^/]+)/providers/(?P<namespace>[\w.]+)/"
                          r"(?P<path>[\w.()-]+/[\w.()-]+(?:/[\w.()-]+/[\w.()-]+)?)$")
_UNRESOLVED = re.compile(r"(?i)could not be resolved|name or service not known|no such host|getaddrinfo|"
                         r"nodename nor servname|name resolution|ENOTFOUND|EAI_AGAIN|NXDOMAIN|non-existent domain")
_SETTING_SEGMENTS = frozenset({"config", "providers", "deployments", "basicpublishingcredentialspolicies"})


@dataclass(frozen=True)
class Sought:
    name: str
    type: str | None  # None when the report gives the name only


def with_listed_in_azure(state: SessionState, decision: Decision) -> Decision:
    """A not-found conclusion, or a DNS failure of an Azure host name, completed with the resource of the same type
    and a near name that the session's listings show, when they hold none by the name sought."""
    if not isinstance(decision, Conclude) or decision.report.category not in (*_NOT_FOUND_CATEGORIES, _DNS,
                                                                               _PRIVATE_DNS):
        return decision
    rows = listed(state)
    lookup = decision.report.category in (_DNS, _PRIVATE_DNS)
    if lookup and any(t.lower() == _ENDPOINTS for _, t, _ in rows):
        return decision  # a private endpoint in the groups read (its resource may live elsewhere): DNS keeps it
    if lookup:
        sought = unresolved_hosts(state)
    else:
        typed = read_missing(state)
        named = {s.name.lower() for s in typed}
        sought = [s for s in said_missing(state) if s.type or s.name.lower() not in named] + typed
    found = nearest_listed(sought, rows)
    if found is None:
        return decision
    wanted, actual, kind, group = found
    fact = (f"Resource Manager holds no {kind} '{wanted}' in the resource groups read; '{group}' holds '{actual}' of"
            f" that type")
    if lookup and _pulled_from(state, kind):
        decision.report.category, decision.report.confidence = _IMAGE_PULL, "medium"
        decision.report.root_cause = (
            f"The image reference names registry '{wanted}', which does not exist: {fact}, so the host name"
            f" {wanted}.azurecr.io has no DNS record and every pull of that image fails before any sign-in or tag"
            f" lookup. The image name and registry server in the app's configuration must name '{actual}'.")
        decision.report.actions = [f"Change the image and the registry server from '{wanted}.azurecr.io' to"
                                   f" '{actual}.azurecr.io' (template, pipeline variable or `az containerapp update"
                                   f" --image {actual}.azurecr.io/<repository>:<tag>`), then deploy again.",
                                   f"Confirm the registry and tag: `az acr repository show-tags --name {actual}"
                                   f" --repository <repository> -o table`."]
    elif lookup:
        decision.report.category, decision.report.confidence = _WRONG_URL, "medium"
        decision.report.root_cause = (
            f"The host name the call uses names '{wanted}', which does not exist: {fact}, so that Azure host name has"
            f" no DNS record any more (a deleted, renamed or rebuilt resource). The setting, connection string or"
            f" backend that holds it still points at the old name: change it to '{actual}' (or the resource meant).")
        decision.report.actions = [f"Point the URL or backend setting at '{actual}' instead of '{wanted}', then call"
                                   f" it again.", f"Confirm with: `az resource list --name {actual} --query"
                                   f" \"[].{{name:name, type:type, rg:resourceGroup}}\" -o table`."]
    else:
        decision.report.root_cause = (decision.report.root_cause.rstrip() + f" {fact}: use '{actual}' (or create"
                                      f" '{wanted}').")
    decision.report.evidence.append(EvidenceItem(source="list_resources_in_group", summary=fact[:300]))
    return decision


def _pulled_from(state: SessionState, kind: str) -> bool:
    """A misnamed registry in an image reference that is being pulled: the taxonomy's image that cannot be pulled
    (a wrong registry name is one of its causes), not a setting that names a missing resource."""
    return kind.lower() == _REGISTRIES and _PULLING.search(" ".join(state.material.spoken())) is not None


def said_missing(state: SessionState) -> list[Sought]:
    """The resources the report says do not exist (a deploy task's words, Resource Manager's ResourceNotFound)."""
    found: list[Sought] = []
    for text in state.material.spoken():
        found += [Sought(m.group("name"), m.group("type")) for m in _SAID_MISSING.finditer(text)]
        found += [Sought(m.group("name").rstrip("."), m.group("type")) for m in _LOOKUP_FAILED.finditer(text)]
        reference = reference_not_found(" ".join(text.split()))
        if reference is not None:
            found.append(Sought(reference["name"], reference["type"]))
    return found


def read_missing(state: SessionState) -> list[Sought]:
    """The resources (not their settings or collections) that a read of this session found missing (404)."""
    found: list[Sought] = []
    for evidence in state.ledger:
        if evidence.tool != "get_resource" or evidence.status != "no_data":
            continue
        matched = _RESOURCE_ID.search(str(evidence.arguments.get("resource_id") or ""))
        if matched is None:
            continue
        parts = matched.group("path").split("/")
        if any(p.lower() in _SETTING_SEGMENTS for p in parts[::2]):
            continue
        kind = "/".join([matched.group("namespace"), *parts[::2]])
        found.append(Sought("/".join(parts[1::2]), kind))
    return found


def unresolved_hosts(state: SessionState) -> list[Sought]:
    """The Azure resources whose host names the report's failed name lookups name (func-x.azurewebsites.net)."""
    lines = [line for text in state.material.spoken() for line in text.split("\n") if _UNRESOLVED.search(line)]
    found: list[Sought] = []
    for host in table("network_service_hosts"):
        for line in lines:
            found += [Sought(m.group("name"), kind) for m in regex(host["match"]).finditer(line.lower())
                      for kind in host.get("types") or [host.get("named")] if kind]
    return found


def listed(state: SessionState) -> list[tuple[str, str, str]]:
    """(name, type, resource group) of every resource the session's resource group listings hold."""
    rows: list[tuple[str, str, str]] = []
    for evidence in state.ledger:
        if evidence.tool == "list_resources_in_group" and evidence.status == "success":
            group = str(evidence.arguments.get("resource_group") or "")
            rows += [(str(r["name"]), str(r.get("type") or ""), group) for r in _resources(evidence.data)]
    return rows


def _resources(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in data.get("resources") or [] if isinstance(r, dict) and r.get("name")][:_COMPARED]


def nearest_listed(sought: list[Sought], rows: list[tuple[str, str, str]]) -> tuple[str, str, str, str] | None:
    """(sought name, listed name, type, group) of the nearest listed resource of the sought one's type, when no
    listed resource of that type has the sought name and the nearest reads as the one meant."""
    best: tuple[float, str, str, str, str] | None = None
    for wanted in sought:
        kinds = {t.lower() for _, t, _ in rows} if wanted.type is None else {wanted.type.lower()}
        same = [(n, t, g) for n, t, g in rows if t.lower() in kinds]
        if any(n.lower() == wanted.name.lower() for n, _, _ in same):
            continue  # it exists: the not-found is about something else (another group, a child, a setting)
        for name, kind, group in same:
            ratio = name_ratio(wanted.name, name)
            if ratio >= MEANT and (best is None or ratio > best[0]):
                best = (ratio, wanted.name, name, kind, group)
    return best[1:] if best else None
