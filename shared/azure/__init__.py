"""Azure access for the tools: settings, credential and SDK clients (clients.py), SDK errors as evidence
(errors.py), and the resource-id helpers every Azure tool shares (here).

Nothing in this package runs in an orchestrator: only the `run_tool` activity calls Azure.

May import: the foundation (shared.models, errors, settings, telemetry, security, resilience, session) and the other
domain packages; never shared.orchestration, shared.http or the blueprints (tests/unit/test_import_cycles.py)."""

from __future__ import annotations

import re
from typing import Any

# a GUID: subscription, object (principal), client and tenant ids
GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
SUBSCRIPTION_ID = GUID
GUID_PATTERN = rf"^{SUBSCRIPTION_ID}$"
RESOURCE_GROUP_PATTERN = r"^[-\w._()]{1,90}$"
# A subscription, resource group or resource id: what ARM calls a scope.
SCOPE_PATTERN = rf"^/subscriptions/{SUBSCRIPTION_ID}(/resourceGroups/[-\w._()]{{1,90}}(/providers/[^?#\s]+)?)?/?$"
RESOURCE_ID_PATTERN = rf"^/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/[-\w._()]{{1,90}}/providers/[^?#\s]+$"

_SCOPE_PARTS = re.compile(r"^/subscriptions/(?P<sub>[^/]+)(?:/resourceGroups/(?P<rg>[^/]+))?(?P<rest>/.*)?$",
                          re.IGNORECASE)


def subscription_of(scope: str) -> str:
    """The subscription GUID of a subscription, resource group or resource id."""
    match = _SCOPE_PARTS.match(scope)
    if not match:
        raise ValueError("not an Azure scope")
    return match.group("sub")


def resource_group_of(scope: str) -> str | None:
    match = _SCOPE_PARTS.match(scope)
    return match.group("rg") if match else None


def is_resource_id(scope: str) -> bool:
    """True for a resource id (below a resource group's /providers/), False for a subscription or group."""
    return "/providers/" in scope.lower()


def resource_type_of(resource_id: str) -> tuple[str, str]:
    """(namespace, type path) of a resource id: `.../providers/Microsoft.Web/sites/app/config/web` is
    ("Microsoft.Web", "sites/config"). Nested providers (extension resources) use the last one."""
    tail = re.split(r"/providers/", resource_id, flags=re.IGNORECASE)[-1].strip("/")
    parts = tail.split("/")
    namespace, pairs = parts[0], parts[1:]
    types = pairs[0::2]  # type, name, child type, child name, ...
    return namespace, "/".join(types)


def uri_path(resource_id: str) -> str:
    """An id as the SDKs' `{resourceUri}` templates want it: they prepend the slash themselves."""
    return resource_id.strip().lstrip("/")


def rest_dict(model: Any) -> dict[str, Any]:
    """An SDK model as the REST API's JSON (camelCase keys), whatever generation of SDK made it.

    The tools read REST-shaped dicts so their field paths match the REST docs and the recorded answers."""
    if model is None:
        return {}
    if isinstance(model, dict) and not hasattr(model, "as_dict"):
        return model
    if hasattr(model, "serialize"):  # msrest-style models (monitor, authorization)
        return dict(model.serialize(keep_readonly=True))
    return dict(model.as_dict())  # typespec models (resources, subscriptions, deployments, resourcehealth)
