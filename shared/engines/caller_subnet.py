"""The caller's integration subnet against the virtual network rules of the resource that refused it.

A resource that denies networks by default (networkAcls.defaultAction Deny) admits the subnets its virtual network
rules list. When the session read both that resource and the calling app (its `virtualNetworkSubnetId`), a network
conclusion names whether the app's subnet is among the rules: after a move to another plan or subnet the rules often
still list the old one, and the subnet's name is the deciding fact the fix needs."""

from __future__ import annotations

from typing import Any

from shared.engines.base import Decision
from shared.engines.session_reads import last_segment
from shared.models import EvidenceItem
from shared.session.state import Conclude, SessionState


def _rule_ids(resource: dict[str, Any]) -> list[str]:
    acls = resource.get("networkAcls") if isinstance(resource.get("networkAcls"), dict) else {}
    rules = (acls or {}).get("virtualNetworkRules") or resource.get("virtualNetworkRules") or []
    ids = []
    for rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, str):
            ids.append(rule)
        elif isinstance(rule, dict):
            found = rule.get("id") or rule.get("virtualNetworkResourceId") or rule.get("subnetId")
            if isinstance(found, str):
                ids.append(found)
    return ids


def with_caller_subnet(state: SessionState, decision: Decision) -> Decision:
    """A network-refusal conclusion about a resource whose rules the session read gains the calling app's subnet
    when that subnet is not among the resource's virtual network rules (and the cause does not name it yet)."""
    if not isinstance(decision, Conclude) or decision.report.category != "network.nsg_blocked":
        return decision
    reads = [r.data for r in state.ledger if r.tool == "get_resource" and r.status == "success"
             and isinstance(r.data, dict)]
    callers = [r for r in reads if isinstance(r.get("virtualNetworkSubnetId"), str) and r.get("virtualNetworkSubnetId")]
    guarded = [r for r in reads if _rule_ids(r) and str(r.get("name") or "") in decision.report.root_cause]
    if len(callers) != 1 or not guarded:
        return decision
    subnet = str(callers[0]["virtualNetworkSubnetId"])
    target = guarded[0]
    rules = _rule_ids(target)
    name = last_segment(subnet)
    if any(r.lower().rstrip("/") == subnet.lower().rstrip("/") for r in rules) \
            or name.lower() in decision.report.root_cause.lower():
        return decision
    said = (f" The calling app '{callers[0].get('name')}' reaches it from subnet '{name}' ({subnet}), which "
            f"is not among '{target.get('name')}''s virtual network rules (it allows "
            f"{', '.join(repr(last_segment(r)) for r in rules[:4])}): add a rule for '{name}' (with the service "
            f"endpoint on that subnet) or remove the stale one.")
    decision.report.root_cause += said
    decision.report.evidence.append(EvidenceItem(source="get_resource", summary=said.strip()[:300]))
    return decision
