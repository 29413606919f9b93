"""A network security group conclusion names the service tag the blocked traffic needs.

An NSG that denies outbound traffic (a deny-all rule added in a hardening) blocks every Azure service the workload
calls whose tag no allow rule above it names: the call to login.microsoftonline.com times out while Storage, which an
allow rule names, still works. The fix is one allow rule for the right service tag, and which tag covers the host the
failing line names is table knowledge (knowledge/service_tags.yaml). When the session read the group's rules, the
answer says which tags the outbound allow rules name and that this one is missing (never when one of them names it).
Inbound entries name the source of traffic an inbound deny blocks (a load balancer's health probes)."""

from __future__ import annotations

import re
from typing import Any

from shared.engines.analyzers.common import regex, table
from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.base import Decision
from shared.engines.nsg_rules import address_prefixes, by_priority
from shared.engines.session_reads import logged_lines
from shared.session.state import Conclude, SessionState

SERVICE_TAGS = "service_tags"
# a line that says a call failed to connect (the host on it is the one the rule blocks)
_FAILING = re.compile(r"(?i)time[ds]?[ -]?out|timeout|connect|unreachable|no route|refused|could ?n.t|fail|error")
_NSG_TYPE = r"(?i)^Microsoft\.Network/networkSecurityGroups$"


def _failing_lines(state: SessionState) -> list[str]:
    return [line for text in [*state.material.spoken(), *logged_lines(state)] for line in text.splitlines()
            if _FAILING.search(line)]


def _outbound_allowed_tags(state: SessionState) -> list[str] | None:
    """The destinations the outbound allow rules of the NSGs the session read name (None: no NSG read)."""
    groups = reads_of_type(state, _NSG_TYPE)
    if not groups:
        return None
    named: list[str] = []
    for group in groups:
        for rule in by_priority(group, "outbound"):
            if str(rule.get("access")).lower() == "allow":
                named += address_prefixes(rule, "destination")
    return named


def _covers(prefix: str, tag: str) -> bool:
    """A destination prefix that admits the tag's addresses: the tag itself or a regional form of it, or any."""
    return prefix in ("*", "Internet") or prefix.lower().split(".")[0] == tag.lower()


def _outbound_sentence(entry: dict[str, Any], host: str, allowed: list[str] | None) -> str | None:
    tag = str(entry["tag"])
    said = (f" The failing call goes to {host}, an address of the service tag {tag}: an outbound rule allowing {tag},"
            f" with a priority number lower than the deny rule's, lets it through without opening the Internet.")
    if allowed is None:
        return said
    if any(_covers(p, tag) for p in allowed):
        return None  # an allow rule names it: the tag is not what is missing
    listed = ", ".join(dict.fromkeys(p for p in allowed if p not in ("VirtualNetwork",))) or "none"
    return said + f" The group's outbound allow rules name {listed}, not {tag}."


def with_service_tag(state: SessionState, decision: Decision) -> Decision:
    """The NSG conclusion, with the service tag of the host the failing call reaches (or the inbound source that the
    deny blocks too), unless the answer names that tag already."""
    if not isinstance(decision, Conclude) or decision.report.category != "network.nsg_blocked":
        return decision
    said = decision.report.root_cause + " " + " ".join(e.summary for e in decision.report.evidence)
    lines = _failing_lines(state)
    spoken = state.material.spoken_text()
    for entry in table(SERVICE_TAGS):
        tag = str(entry["tag"])
        if re.search(rf"\b{re.escape(tag)}\b", said):
            continue
        if entry.get("direction") == "inbound":
            if regex(str(entry["when"])).search(spoken) and re.search(r"(?i)\binbound\b", said):
                decision.report.root_cause = decision.report.root_cause.rstrip() + " " + " ".join(
                    str(entry["sentence"]).split())
                decision.report.actions.append(" ".join(str(entry["action"]).split()))
                return decision
            continue
        host = next((m.group(0) for line in lines for m in [re.search(
            rf"(?i)[\w.-]*(?:{entry['hosts']})", line)] if m), None)
        if host is None:
            continue
        sentence = _outbound_sentence(entry, host.strip("."), _outbound_allowed_tags(state))
        if sentence is None:
            continue
        decision.report.root_cause = decision.report.root_cause.rstrip() + sentence
        decision.report.actions.append(
            f"Allow the service tag {tag} outbound (TCP 443) above the deny: `az network nsg rule create --nsg-name"
            f" <nsg> --resource-group <group> --name Allow-Out-{tag} --priority <lower-than-the-deny> --direction"
            f" Outbound --access Allow --protocol Tcp --destination-address-prefixes {tag}"
            f" --destination-port-ranges 443`.")
        return decision
    return decision
