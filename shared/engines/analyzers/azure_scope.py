"""Where in Azure to look: the subscription and resource group a session is about (not an analyzer).

Taken from what the client stated (environment_info, resource ids in the text), and a subscription's
display name is resolved with `list_subscriptions`. Nothing is guessed."""

from __future__ import annotations

import re
from typing import Any

from shared.azure import GUID, RESOURCE_GROUP_PATTERN
from shared.engines.analyzers.ledger import azure_call, recorded
from shared.session.state import Evidence, RunTool, SessionState

_SUBSCRIPTION_IN_ID = re.compile(rf"/subscriptions/({GUID})", re.IGNORECASE)
_GROUP_IN_ID = re.compile(r"/resourceGroups/([\w().-]{1,90})(?=/|$|\s|['\"])", re.IGNORECASE)
# environment_info keys that name resource groups: resource_group(s), and per resource (sql_resource_group, rg_app)
_GROUP_KEY = re.compile(r"(?i)^(?:\w+_)?resource_?groups?(?:_\w+)?$|^(?:\w+_)?rgs?(?:_\w+)?$")
_GROUP_NAME = re.compile(RESOURCE_GROUP_PATTERN.strip("^$"))  # what Azure accepts as a group name: no path
_LIST_SEPARATOR = re.compile(r"[,;\s]+")  # "rg-app, rg-data": resource group names hold none of these


def _texts(state: SessionState) -> list[str]:
    material = state.material
    return [*material.spoken(), *(f.content for f in material.files)]


_SUBSCRIPTION_KEYS = ("subscription_id", "subscriptionId", "subscription", "azure_subscription_id")


def subscription_id(state: SessionState) -> str | RunTool | None:
    """The subscription GUID; a RunTool when a display name must be resolved; None when unknown."""
    environment = state.material.environment
    stated = str(environment.get("azure_subscription") or "").strip()
    if re.fullmatch(GUID, stated):
        return stated.lower()
    # the same GUID under the key Azure's own JSON and the CLI use (subscription_id, subscriptionId, subscription)
    other = next((str(environment.get(k) or "").strip() for k in _SUBSCRIPTION_KEYS
                  if re.fullmatch(GUID, str(environment.get(k) or "").strip())), "")
    if other:
        return other.lower()
    for text in _texts(state):
        found = _SUBSCRIPTION_IN_ID.search(text)
        if found:
            return found.group(1).lower()
    listed = azure_call(state, "list_subscriptions", {}, "resolving the subscription's name to its id")
    if listed is None or isinstance(listed, RunTool):
        return listed
    subscriptions = listed.data.get("subscriptions") or []
    named = [s for s in subscriptions if stated and s.get("name", "").lower() == stated.lower()]
    if len(named) == 1:
        return str(named[0]["id"])
    return str(subscriptions[0]["id"]) if len(subscriptions) == 1 else None


def group_resources(state: SessionState) -> list[dict[str, Any]] | RunTool | None:
    """The resources of the session's resource group (list_resources_in_group); a RunTool for the next read; None
    when the subscription or the group is unknown, or the listing cannot be read here."""
    subscription = subscription_id(state)
    group = resource_group(state)
    if not isinstance(subscription, str) or group is None:
        return subscription if isinstance(subscription, RunTool) else None
    listed = azure_call(state, "list_resources_in_group", {"subscription_id": subscription, "resource_group": group},
                        f"listing the resources of {group}")
    if not isinstance(listed, Evidence):
        return listed
    return list(listed.data.get("resources") or [])


def resource_group(state: SessionState) -> str | None:
    """The resource group the session is about: the first one the client named."""
    groups = resource_groups(state)
    return groups[0] if groups else None


def resource_groups(state: SessionState) -> list[str]:
    """Every resource group environment_info names (`resource_group`, a `resource_groups` list, or one per resource
    such as `sql_resource_group`, when the app and the resources it calls live apart), the plain keys first; without
    one, the group of the first resource id in the text."""
    environment = state.material.environment
    stated: list[str] = []
    keys = sorted(environment, key=lambda k: k not in ("resource_group", "resource_groups"))  # the plain keys first
    for key in (k for k in keys if names_groups(k)):
        value = environment.get(key)
        items = value if isinstance(value, list) else _LIST_SEPARATOR.split(str(value or ""))
        stated += [item.strip() for item in items if isinstance(item, str) and _GROUP_NAME.fullmatch(item.strip())]
    # then a group a resource's name value places it in ("storage_account: stfleet (rg-fleet-data)")
    placed = (state.material.stated_group(k) for k in keys if not names_groups(k))
    stated += [group for group in placed if group and _GROUP_NAME.fullmatch(group)]
    if not stated:
        found = next((m for text in _texts(state) for m in [_GROUP_IN_ID.search(text)] if m), None)
        stated = [found.group(1)] if found else []
    first: dict[str, str] = {}
    for group in stated:
        first.setdefault(group.lower(), group)  # Azure compares group names case-insensitively
    return list(first.values())


def names_groups(key: str) -> bool:
    """Whether an environment_info key names resource groups (resource_group(s), sql_resource_group, rg_app)."""
    return _GROUP_KEY.search(key) is not None


def listed_resources(state: SessionState, subscription: str, groups: list[str]) -> list[dict[str, Any]]:
    """The resources of these groups as the session's successful group listings show them (no new call)."""
    listings = [recorded(state, "list_resources_in_group", {"subscription_id": subscription, "resource_group": g})
                for g in groups]
    return [r for e in listings if e is not None and e.status == "success" for r in e.data.get("resources") or []]
