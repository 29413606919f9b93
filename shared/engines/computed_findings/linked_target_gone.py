"""Computed findings (brief F2, round 41): a resource whose configuration still links to another resource that the
activity log shows deleted, itself or with its whole resource group (an Application Insights component's
WorkspaceResourceId, a diagnostic or backup target): the link outlives its target, so what flows through it stops."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.session_reads import Facts, succeeded_deletes
from shared.session.state import SessionState

_RESOURCE_ID = re.compile(r"(?i)^/subscriptions/[^/]+/resourceGroups/(?P<group>[^/]+)/providers/"
                          r"(?P<type>Microsoft\.[^/]+/[^/]+)/(?P<name>[^/]+)$")
# the fields that link a resource to the one its data goes to (not its own id, not a parent such as a plan)
_LINK_FIELDS = re.compile(r"(?i)^(?:WorkspaceResourceId|workspaceId|logAnalyticsWorkspaceResourceId|"
                          r"storageAccountResourceId|storageAccountId|eventHubAuthorizationRuleId)$")


def _deleted(state: SessionState, group: str, resource_id: str) -> dict[str, Any] | None:
    """The succeeded activity-log delete of that resource or of its whole resource group."""
    group_id = resource_id.lower().split("/providers/")[0]
    for event in succeeded_deletes(state):
        operation = str(event.get("operation") or "").lower()
        target = str(event.get("resource_id") or "").lower().rstrip("/")
        if (operation == "microsoft.resources/subscriptions/resourcegroups/delete" and target == group_id) \
                or target == resource_id.lower():
            return event
    return None


def link_to_deleted_resource(state: SessionState) -> Facts:
    """A read resource whose link field names a resource the activity log shows deleted (or whose resource group
    was deleted)."""
    for data in reads_of_type(state, "."):
        for field, value in data.items():
            linked = _RESOURCE_ID.match(str(value or "")) if _LINK_FIELDS.match(str(field)) else None
            if linked is None:
                continue
            event = _deleted(state, linked["group"], str(value).rstrip("/"))
            if event is not None:
                what = "its resource group" if str(event.get("operation") or "").lower().endswith(
                    "resourcegroups/delete") else "it"
                return {"name": str(data.get("name") or ""), "field": str(field), "target": linked["name"],
                        "target_group": linked["group"], "deleted": what, "time": str(event.get("time") or ""),
                        "caller": str(event.get("caller") or "")}
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "linked-resource-deleted": link_to_deleted_resource,
}
