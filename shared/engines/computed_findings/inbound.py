"""Computed findings for the far end of a private connection: the inbound rules of the network security group on the
destination VM's network interface (or its subnet), evaluated by priority for the app's integration subnet as the
source, the address the failing calls go to and their port."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.nsg_rules import address_prefixes, by_priority, port_matches
from shared.engines.session_reads import IPV4, Facts, said_or_logged
from shared.session.state import SessionState

_NIC = r"(?i)^Microsoft\.Network/networkInterfaces$"
_NSG = r"(?i)^Microsoft\.Network/networkSecurityGroups$"
_SUBNET = r"(?i)^Microsoft\.Network/virtualNetworks/subnets$"
# a port as a report prints it: "port 1433", "tcp:1433", "host:5432", an address's ",1433" in a SQL connection string
_PORT = re.compile(r"(?i)\bport\s+(\d{2,5})\b|\b(?:tcp|udp)[/:](\d{2,5})\b|\b(?:\d{1,3}\.){3}\d{1,3}[:,](\d{2,5})\b")
# the port a client library uses when the report names none: the well-known port of the protocol its error names
_DEFAULT_PORTS = ((re.compile(r"(?i)SqlException|\bSQL Server\b|\bTCP Provider\b"), 1433),
                  (re.compile(r"(?i)\bPostgreSQL\b|\bpsql\b|\bNpgsql\b"), 5432),
                  (re.compile(r"(?i)\bMySQL\b"), 3306))
_ANY = {"*", "any", "0.0.0.0/0"}


def nsg_denies_inbound(state: SessionState) -> Facts:
    """The NSG on the network interface (or subnet) of the address the app's calls go to, whose inbound rules, taken
    by priority, deny the app's integration subnet on the calls' port before any rule allows it. The default rules
    allow traffic within a virtual network, so only an explicit rule can. A rule that allows the port from another
    range (an integration subnet the app left) is named as the rule the change outdated."""
    texts = said_or_logged(state)
    source = _app_prefix(state)
    port = _port(texts)
    if source is None or port is None:
        return None
    targets = {ip for text in texts for ip in IPV4.findall(text)}
    for group, address in _groups_of(state, targets):
        verdict = _first_match(by_priority(group, "inbound"), source, address, port)
        if verdict is not None and str(verdict.get("access")).lower() == "deny":
            stale = next((r for r in by_priority(group, "inbound") if str(r.get("access")).lower() == "allow"
                          and port_matches(r, port) and _side(r, "destination", address) and _ranges(r, "source")),
                         None)
            facts = {"nsg": str(group.get("name")), "rule": str(verdict.get("name")),
                     "priority": str(verdict.get("priority")), "port": str(port), "source": str(source),
                     "address": address, "allowed_rule": str((stale or {}).get("name") or ""),
                     "allowed_from": ", ".join(_ranges(stale or {}, "source"))}
            return {k: v for k, v in facts.items() if v}  # an optional [[segment]] needs its facts absent, not empty
    return None


def _app_prefix(state: SessionState) -> ipaddress.IPv4Network | None:
    """The address range of the app's integration subnet: from the subnet's read, else from its network's read
    (a subnet listed by name there)."""
    site = next(iter(reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")), None)
    subnet = str((site or {}).get("virtualNetworkSubnetId") or "").lower()
    if not subnet:
        return None
    network, _, name = subnet.rpartition("/subnets/")
    prefixes = [s.get("addressPrefix") for s in reads_of_type(state, _SUBNET)
                if str(s.get("id") or "").lower() == subnet]
    for vnet in reads_of_type(state, r"(?i)^Microsoft\.Network/virtualNetworks$"):
        if str(vnet.get("id") or "").lower() in ("", network):
            prefixes += [s.get("addressPrefix") for s in vnet.get("subnets") or []
                         if isinstance(s, dict) and str(s.get("name") or "").lower() == name]
    return next((n for n in (_network(str(p)) for p in prefixes if p) if n is not None), None)


def _port(texts: list[str]) -> int | None:
    found = [int(g) for text in texts for m in _PORT.finditer(text) for g in m.groups() if g]
    if found:
        return found[0]
    return next((port for words, port in _DEFAULT_PORTS if any(words.search(t) for t in texts)), None)


def _groups_of(state: SessionState, targets: set[str]) -> list[tuple[dict[str, Any], str]]:
    """(NSG read, address) for each network interface read that holds an address the report names: the group on
    the interface and the groups on its subnets."""
    groups = reads_of_type(state, _NSG)
    found = []
    for nic in reads_of_type(state, _NIC):
        address = next((a for a in nic.get("privateIPAddresses") or [] if str(a) in targets), None)
        if address is None:
            continue
        nic_id, subnets = str(nic.get("id") or "").lower(), {str(s).lower() for s in nic.get("subnets") or []}
        found += [(g, str(address)) for g in groups
                  if str(g.get("id") or "").lower() == str(nic.get("networkSecurityGroup") or "").lower()
                  or nic_id in {str(n).lower() for n in g.get("networkInterfaces") or []}
                  or subnets & {str(s).lower() for s in g.get("subnets") or []}]
    return found


def _first_match(rules: list[dict[str, Any]], source: ipaddress.IPv4Network, address: str,
                 port: int) -> dict[str, Any] | None:
    """The first rule by priority that covers the flow; None when none does or a rule that cannot be judged here
    (a service tag other than VirtualNetwork) comes first."""
    for rule in rules:
        if str(rule.get("protocol") or "*").lower() not in ("*", "tcp") or not port_matches(rule, port):
            continue
        src = _covers_source(rule, source)
        dst = _side(rule, "destination", address)
        if src is None or dst is None:
            return None
        if src and dst:
            return rule
    return None


def _covers_source(rule: dict[str, Any], source: ipaddress.IPv4Network) -> bool | None:
    prefixes = _all(rule, "source")
    if any(p.lower() in _ANY | {"virtualnetwork"} for p in prefixes):
        return True
    networks = [_network(p) for p in prefixes]
    if any(n is None for n in networks):
        return None  # a service tag or an application security group: not judged here
    return any(n is not None and source.subnet_of(n) for n in networks)


def _side(rule: dict[str, Any], side: str, address: str) -> bool | None:
    prefixes = _all(rule, side)
    if any(p.lower() in _ANY | {"virtualnetwork"} for p in prefixes):
        return True
    networks = [_network(p) for p in prefixes]
    if any(n is None for n in networks):
        return None
    return any(n is not None and ipaddress.ip_address(address) in n for n in networks)


def _all(rule: dict[str, Any], side: str) -> list[str]:
    return address_prefixes(rule, side) or ["*"]


def _ranges(rule: dict[str, Any], side: str) -> list[str]:
    """The address ranges (not tags) a rule names on that side."""
    return [p for p in _all(rule, side) if p not in _ANY and _network(p) is not None] if rule else []


def _network(text: str) -> ipaddress.IPv4Network | None:
    try:
        found = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    return found if isinstance(found, ipaddress.IPv4Network) else None


# a Kubernetes Service's source ranges as a manifest gives them: a flow list or the block list under the key
_SOURCE_RANGES = re.compile(r"loadBalancerSourceRanges:\s*(?:\[(?P<flow>[^\]\n]*)\]|"
                            r"(?P<block>(?:\s*-\s*[\"']?[\d./:a-fA-F]+[\"']?[ \t]*(?:#[^\n]*)?)+))")
# the address the failing caller comes from, as the report words it ("their egress 198.51.100.40", "from 203.0.113.9")
_CALLER_ADDRESS = re.compile(r"(?i)\b(?:egress|outbound|source|client|caller|from)\b(?: (?:ip|address|is|of))*[:\s(]+"
                             r"(?P<ip>(?:\d{1,3}\.){3}\d{1,3})\b(?!/)")
# no answer at all, as the tools print it: curl/nc "timed out", Test-NetConnection "TCP connect to (ip : port) failed"
# and "TcpTestSucceeded : False", telnet "Could not open connection", Windows sockets "did not properly respond"
_UNANSWERED = re.compile(r"(?i)tim(?:ed|es) ?out|timeout|cannot connect|can't connect|could not connect|unreachable"
                         r"|TCP connect to \(?[\d.]+ ?: ?\d+\)? failed|TcpTestSucceeded\s*:\s*False"
                         r"|could not open connection to the host|did not properly respond after a period of time")


def service_source_ranges_exclude_caller(state: SessionState) -> Facts:
    """A LoadBalancer Service whose manifest restricts loadBalancerSourceRanges, and a caller whose stated address
    none of the ranges covers, that gets no answer: AKS turns the ranges into NSG rules on the nodes that admit only
    them, so that caller's packets are dropped (a timeout, not a refusal)."""
    text = state.material.spoken_text()
    ranges = _SOURCE_RANGES.search(text)
    if ranges is None or not _UNANSWERED.search(text):
        return None
    listed = re.findall(r"[\d.]+/\d{1,2}|(?:\d{1,3}\.){3}\d{1,3}", ranges.group("flow") or ranges.group("block") or "")
    networks = [n for r in listed if (n := _network(r)) is not None]
    outside = [m.group("ip") for m in _CALLER_ADDRESS.finditer(text) if _network(m.group("ip")) is not None
               and not any(ipaddress.ip_address(m.group("ip")) in n for n in networks)]
    if not networks or not outside:
        return None
    return {"ranges": ", ".join(str(n) for n in networks), "caller": outside[0]}


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "service-source-ranges-exclude-caller": service_source_ranges_exclude_caller,
    "destination-nsg-denies-app-subnet": nsg_denies_inbound,
}
