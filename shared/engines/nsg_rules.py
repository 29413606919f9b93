"""Network security group rules as Resource Manager returns them (securityRules): what one rule applies to. Shared by
the computed findings that judge an NSG (inbound to an app, outbound from a subnet) and the gateway backend check."""

from __future__ import annotations

from typing import Any


def port_matches(rule: dict[str, Any], port: int) -> bool:
    """Whether the rule's destination port (a number, a range `8000-8999`, `*`, or one of destinationPortRanges)
    covers the port."""
    ranges = [str(rule.get("destinationPortRange") or "")] + [str(r) for r in rule.get("destinationPortRanges") or []]
    for entry in (r.strip() for r in ranges if r):
        low, _, high = entry.partition("-")
        if entry == "*" or (low.isdigit() and int(low) <= port <= int(high or low)):
            return True
    return False


def by_priority(group: dict[str, Any], direction: str) -> list[dict[str, Any]]:
    """The group's rules of one direction (inbound, outbound), in the order Azure applies them: lowest priority
    number first."""
    return sorted((r for r in group.get("securityRules") or [] if isinstance(r, dict)
                   and str(r.get("direction")).lower() == direction), key=lambda r: int(r.get("priority") or 65000))


def address_prefixes(rule: dict[str, Any], side: str) -> list[str]:
    """What a rule names on one side (source, destination): its single prefix (an address range, `*` or a service
    tag), else its list (Azure sets one of the two); empty when it names neither."""
    single = str(rule.get(f"{side}AddressPrefix") or "")
    return [single] if single else [str(p) for p in rule.get(f"{side}AddressPrefixes") or [] if p]
