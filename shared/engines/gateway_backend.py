"""The network path from an Application Gateway to its backends: computed, not matched.

When the gateway's probes cannot connect to a backend server ("Cannot connect to backend server", a timeout), the
traffic leaves the gateway's subnet and enters the backend's subnet; a network security group on the backend's
subnet filters it inbound. This module reads that path in Azure (the gateway's virtual network, for its subnets'
address ranges and groups, then the group on the subnet that holds the backend addresses) and judges it: taken by
priority, the first inbound rule that matches the gateway subnet's traffic to the backend port denies it. The
judgement is a computed finding of knowledge/evidence_findings.yaml; the reads run after the playbooks
(shared/engines/playbooks.py)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from shared.engines.analyzers.ledger import azure_call, reads_of_type
from shared.engines.analyzers.storage_azure import covered
from shared.engines.nsg_rules import address_prefixes, by_priority, port_matches
from shared.session.state import RunTool, SessionState

_GATEWAYS = r"(?i)^Microsoft\.Network/applicationGateways$"
_NETWORKS = r"(?i)^Microsoft\.Network/virtualNetworks$"
_GROUPS = r"(?i)^Microsoft\.Network/networkSecurityGroups$"
# what a probe log says when no connection could be opened (not an answer with a bad status or certificate)
_NO_CONNECTION = re.compile(r"(?i)cannot connect to backend|unable to connect|connection (?:timed out|refused)|"
                            r"time[ds]? ?out|timeout")
# address sides that cover every private address of a virtual network's traffic
_ANY = {"*", "any", "virtualnetwork", "0.0.0.0/0"}


def _unreachable(state: SessionState) -> list[str]:
    """The backend addresses the gateway's probes could not connect to."""
    return [str(s.get("address")) for e in reversed(state.ledger)
            if e.tool == "get_backend_health" and e.status == "success"
            for s in e.data.get("servers") or [] if isinstance(s, dict)
            and str(s.get("health")).lower() != "healthy" and _NO_CONNECTION.search(str(s.get("log") or ""))]


def _gateway(state: SessionState) -> dict[str, Any] | None:
    found = reads_of_type(state, _GATEWAYS)
    return found[0] if found else None


def _gateway_subnet(gateway: dict[str, Any]) -> str:
    subnet = gateway.get("gatewaySubnet")
    subnet = subnet[0] if isinstance(subnet, list) and subnet else subnet
    return str(subnet or "")


def _network_of(subnet_id: str) -> str:
    return subnet_id.rsplit("/subnets/", 1)[0] if "/subnets/" in subnet_id.lower() else ""


def _subnets(state: SessionState, network_id: str) -> list[dict[str, Any]]:
    """The subnets of the network read: id, address prefix and the id of its network security group."""
    for network in reads_of_type(state, _NETWORKS):
        if str(network.get("id") or "").lower() != network_id.lower():
            continue
        return [{"id": str(s.get("id") or f"{network_id}/subnets/{s.get('name')}"),
                 "prefix": str(s.get("addressPrefix") or ""),
                 "nsg": str((s.get("networkSecurityGroup") or {}).get("id") or "")}
                for s in network.get("subnets") or [] if isinstance(s, dict)]
    return []


def _backend_subnet(subnets: list[dict[str, Any]], addresses: list[str]) -> dict[str, Any] | None:
    return next((s for s in subnets if s["prefix"] and any(covered(a, [s["prefix"]]) for a in addresses)), None)


def next_read(state: SessionState) -> RunTool | None:
    """The gateway's network, then the group on the backend's subnet; None when read (or not a connection failure)."""
    gateway = _gateway(state)
    addresses = _unreachable(state)
    if not state.azure_access or gateway is None or not addresses:
        return None
    network = _network_of(_gateway_subnet(gateway))
    if not network:
        return None
    step = azure_call(state, "get_resource", {"resource_id": network},
                      "reading the gateway's virtual network: its subnets, their ranges and network security groups")
    if isinstance(step, RunTool):
        return step
    backend = _backend_subnet(_subnets(state, network), addresses)
    if backend is None or not backend["nsg"]:
        return None
    step = azure_call(state, "get_resource", {"resource_id": backend["nsg"]},
                      "reading the network security group on the backend's subnet (its inbound rules by priority)")
    return step if isinstance(step, RunTool) else None


def _ports(gateway: dict[str, Any]) -> list[int]:
    found = [str(s.get("port")) for s in gateway.get("backendHttpSettings") or [] if isinstance(s, dict)]
    return sorted({int(p) for p in found if p.isdigit()})


def _side(rule: dict[str, Any], side: str, addresses: list[str]) -> bool | None:
    """Whether a rule's source or destination covers the flow's private addresses: True, False (a range that misses
    them, or a service tag of public addresses such as Internet or AzureFrontDoor.Backend), or None (an application
    security group or anything else that cannot be judged here)."""
    prefixes = address_prefixes(rule, side)
    if not prefixes:
        return None
    if any(p.lower() in _ANY for p in prefixes) or any(covered(a, prefixes) for a in addresses):
        return True
    if all(_is_range(p) or re.fullmatch(r"[A-Za-z][\w.]*", p) for p in prefixes):
        return False  # ranges that miss the addresses, or service tags, which name public Azure addresses
    return None


def _is_range(prefix: str) -> bool:
    try:
        ipaddress.ip_network(prefix, strict=False)
        return True
    except ValueError:
        return False


def backend_nsg_denies_gateway(state: SessionState) -> dict[str, str] | None:
    """The group on the backend's subnet whose inbound rules, taken by priority, deny the gateway subnet's traffic to
    the backend port before any rule allows it (the default AllowVnetInBound would allow it, so only an explicit deny
    can). A rule that cannot be judged stops the evaluation when it allows, and is skipped when it denies."""
    gateway = _gateway(state)
    addresses = _unreachable(state)
    if gateway is None or not addresses:
        return None
    subnets = _subnets(state, _network_of(_gateway_subnet(gateway)))
    own = next((s for s in subnets if s["id"].lower() == _gateway_subnet(gateway).lower()), None)
    backend = _backend_subnet(subnets, addresses)
    if own is None or not own["prefix"] or backend is None or not backend["nsg"] or backend is own:
        return None
    group = next((g for g in reads_of_type(state, _GROUPS)
                  if str(g.get("id") or "").lower() == backend["nsg"].lower()), None)
    if group is None:
        return None
    sources = [own["prefix"].split("/")[0]]
    rules = [r for r in by_priority(group, "inbound") if str(r.get("protocol") or "*").lower() in ("*", "tcp")]
    for port in _ports(gateway):
        for rule in rules:
            if not port_matches(rule, port):
                continue
            source, target = _side(rule, "source", sources), _side(rule, "destination", addresses)
            allows = str(rule.get("access")).lower() == "allow"
            if source is False or target is False:
                continue  # the rule is about other traffic
            if source and target:
                if allows:
                    break
                return {"nsg": str(group.get("name")), "rule": str(rule.get("name")),
                        "priority": str(rule.get("priority")), "port": str(port),
                        "gateway_prefix": own["prefix"], "backend_subnet": backend["id"].rsplit("/", 1)[-1],
                        "backends": ", ".join(dict.fromkeys(addresses))}
            if allows:
                break  # an allow rule that may cover the flow: no verdict
    return None

