"""Computed findings: a collection the session read that already holds as many children as the parent's tier allows
(shared/knowledge/count_limits.yaml), while the report shows a create refused for a quota. The count read in Azure
and the documented per-tier figure decide; a quota error alone names no limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.engines.analyzers.common import picked, table
from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.session_reads import Facts, last_segment
from shared.session.state import SessionState


def _children(data: dict[str, Any]) -> list[str]:
    """The ids of a collection read (its `ids`, else its entities' ids)."""
    ids = [str(i) for i in data.get("ids") or []]
    return ids or [str(e.get("id")) for e in data.get("entities") or [] if isinstance(e, dict) and e.get("id")]


def _tier(state: SessionState, parent_type: str, parent_id: str) -> str:
    for parent in reads_of_type(state, "(?i)^" + parent_type.replace(".", r"\.") + "$"):
        if str(parent.get("id") or "").lower() == parent_id.lower() or (
                not parent.get("id") and str(parent.get("name") or "").lower() == last_segment(parent_id).lower()):
            return str(picked(parent, "sku.name") or parent.get("sku") or "").lower()
    return ""


def collection_at_tier_limit(state: SessionState) -> Facts:
    """The first collection read whose child count reached its parent's tier limit."""
    for limit in table("count_limits"):
        segment = "/" + limit["children"].rsplit("/", 1)[-1].lower() + "/"
        for data in reads_of_type(state, "(?i)^" + limit["children"].replace(".", r"\.") + "$"):
            ids = _children(data)
            if not ids or segment not in ids[0].lower():
                continue
            holder = ids[0][: ids[0].lower().rindex(segment)]
            parent_id = "/".join(holder.split("/")[:9])  # /subscriptions/s/resourceGroups/g/providers/ns/type/name
            tier = _tier(state, limit["parent"], parent_id)
            most = (limit.get("limits") or {}).get(tier)
            if most is not None and len(ids) >= int(most):
                return {"parent": last_segment(parent_id), "holder": last_segment(holder), "tier": tier.title(),
                        "count": str(len(ids)), "limit": str(most), "what": str(limit["what"]),
                        "raise": str(limit["raise"])}
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "collection-at-tier-count-limit": collection_at_tier_limit,
}
