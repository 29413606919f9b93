"""A network security group rule that admits traffic by application security group (its source or destination names
an ASG instead of addresses) applies only to the network interfaces that are members of that group. A VM whose NIC
was never added to the ASG (a new VM built from the same image, a NIC recreated) is not covered by the allow rule,
so its traffic falls through to a deny rule and times out, while its siblings in the same subnet, members of the
ASG, connect. Computed from the NSG and NIC reads (`get_resource`): the rule, the ASG and the NIC left out."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.session_reads import Facts, last_segment
from shared.session.state import SessionState

_NSG = r"(?i)^Microsoft\.Network/networkSecurityGroups$"
_NIC = r"(?i)^Microsoft\.Network/networkInterfaces$"


def _ids(value: Any) -> set[str]:
    """The resource ids a field holds, lower-cased: a list of ids, of {id: ...} items, or of such lists."""
    if isinstance(value, str):
        return {value.lower()} if value else set()
    if isinstance(value, dict):
        return _ids(value.get("id"))
    if isinstance(value, list):
        return set().union(*(_ids(v) for v in value)) if value else set()
    return set()


def _asg_rules(group: dict[str, Any]) -> list[tuple[dict[str, Any], str, set[str]]]:
    """(rule, side, ASG ids) of the group's inbound allow rules that name application security groups."""
    found = []
    for rule in group.get("securityRules") or []:
        if not isinstance(rule, dict) or str(rule.get("access")).lower() != "allow" \
                or str(rule.get("direction")).lower() != "inbound":
            continue
        for side in ("source", "destination"):
            asgs = _ids(rule.get(f"{side}ApplicationSecurityGroups"))
            if asgs:
                found.append((rule, side, asgs))
    return found


def nic_outside_rule_asg(state: SessionState) -> Facts:
    """A NIC the session read that is in no application security group an NSG allow rule names, while another NIC
    read in the same subnet is a member (its sibling connects), or whose private address the report names (the
    failing host): the rule does not cover it. When several NICs are left out, the one the report names (its
    address, or its name without the nic prefix or suffix: the VM's) is the failing one; else only a single one
    is. Nothing when no rule names an ASG or no NIC is shown left out."""
    nics = [n for n in reads_of_type(state, _NIC) if n.get("name")]
    spoken = "\n".join(state.material.spoken()).lower()
    for group in reads_of_type(state, _NSG):
        for rule, side, asgs in _asg_rules(group):
            members = [n for n in nics if _ids(n.get("applicationSecurityGroups")) & asgs]
            member_subnets = set().union(*(_ids(n.get("subnets")) for n in members)) if members else set()
            left_out = [n for n in nics if n not in members
                        and (_ids(n.get("subnets")) & member_subnets or _address_named(n, spoken))]
            named = [n for n in left_out if _address_named(n, spoken) or _stem(n) in spoken]
            nic = named[0] if named else left_out[0] if len(left_out) == 1 else None
            if nic is not None:
                return {"nsg": str(group.get("name")), "rule": str(rule.get("name")),
                        "priority": str(rule.get("priority")), "side": side,
                        "asg": ", ".join(sorted(last_segment(a) for a in asgs)), "nic": str(nic.get("name")),
                        "port": str(rule.get("destinationPortRange") or ", ".join(
                            map(str, rule.get("destinationPortRanges") or [])) or "*")}
    return None


def _address_named(nic: dict[str, Any], spoken: str) -> bool:
    return any(re.search(rf"(?<![\d.]){re.escape(str(ip))}(?![\d])", spoken)
               for ip in nic.get("privateIPAddresses") or [] if ip)


def _stem(nic: dict[str, Any]) -> str:
    """The NIC's name without a nic prefix or suffix (nic-vm-web-02, vm-web-02-nic, vm-web-02_nic1 -> vm-web-02): the
    name of the VM it was made for, which is what a report names; its VM's name when the read shows it."""
    machine = last_segment(nic.get("virtualMachine"))
    if machine:
        return machine.lower()
    return _NIC_AFFIX.sub("", str(nic.get("name")).lower())


_NIC_AFFIX = re.compile(r"^nic[-_]|[-_]nic\d*$|[-_]nic[-_]?\d*$")


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "nsg-rule-asg-excludes-nic": nic_outside_rule_asg,
}
