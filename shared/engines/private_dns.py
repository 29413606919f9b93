"""The private DNS chain of a service reached over a private endpoint: computed, not matched.

A client inside a virtual network reaches a service's private endpoint only when its network resolves the service's
name to the endpoint's address: a private DNS zone (privatelink.<service zone>) holds an A record per name of the
endpoint and is linked to the networks that resolve through it. This module reads that chain in Azure (the
endpoints the named resource groups hold, each endpoint's DNS zone groups, the zone found through them or by the
zone name its host maps to in knowledge/network_service_hosts.yaml, the zone's virtual network links and A records)
and judges it: no zone group and no zone for the endpoint at all, the caller's network not linked to the zone,
a name of the endpoint without a record, a record that points at an address the endpoint does not have. The
judgements are computed findings of knowledge/evidence_findings.yaml; the reads run after the resource's own
playbook (shared/engines/playbooks.py)."""

from __future__ import annotations

import re
from typing import Any

from shared.engines.analyzers.azure_scope import listed_resources, resource_groups, subscription_id
from shared.engines.analyzers.common import regex, table
from shared.engines.analyzers.ledger import azure_call, reads_of_type, recorded
from shared.session.state import RunTool, SessionState

HOSTS = "network_service_hosts"
_MAX_ENDPOINTS = 2
_MAX_ZONES = 2
# The report says the service is meant to be reached privately, or refuses the public path.
_PRIVATE_INTENT = (r"(?i)private[ -]?endpoint|privatelink|private[ -]dns|public (?:network )?access (?:is |was )?"
                   r"(?:disabled|turned off)|disabl\w* (?:the )?public (?:network )?access|"
                   r"(?-i:(?<![\w-])PEs?(?![\w-]))|"
                   r"ForbiddenByConnection|publicNetworkAccess\W{1,4}Disabled|not allowed by the network|"
                   r"ip (?:address )?\S* ?(?:is )?(?:rejected|not allowed)")
_ENDPOINTS = r"(?i)^Microsoft\.Network/privateEndpoints$"
_ZONES = r"(?i)^Microsoft\.Network/privateDnsZones$"
_LINKS = r"(?i)^Microsoft\.Network/privateDnsZones/virtualNetworkLinks$"
_RECORDS = r"(?i)^Microsoft\.Network/privateDnsZones/A$"
_VNET_IN_ID = re.compile(r"(?i)/providers/Microsoft\.Network/virtualNetworks/([-\w.]{2,64})")
# a network's name as people write it (vnet-spoke2, shop-vnet), not the word (VNets, VNet-integrated, vnet-peering)
_VNET_NAME = re.compile(r"(?i)(?<![\w-])(vnet[-_.](?!integrat|inject|peer|link|rule|enabled)[-\w.]*\w|"
                        r"[-\w.]*\w[-_]vnet(?:[-_.][-\w.]*\w)?)(?![\w-])")


# on-premises or VPN clients whose DNS forwards to a DNS Private Resolver (its inbound endpoint): the resolver answers
# from the private zones linked to its own network, so that network is where the failing lookup happens
_FORWARDS_TO_RESOLVER = re.compile(r"(?i)\bforward\w*\b[^.\n]{0,80}\b(?:private resolver|inbound endpoint)|"
                                   r"\binbound endpoint\b[^.\n]{0,40}\bresolver\b")


def _said(state: SessionState) -> str:
    material = state.material
    stated = [str(v) for value in material.environment.values()
              for v in (value if isinstance(value, list) else [value])]
    return "\n".join([*material.spoken(), *stated])


def intended(state: SessionState) -> bool:
    return regex(_PRIVATE_INTENT).search(_said(state)) is not None


# --- reads ------------------------------------------------------------------------------------------------------


def next_read(state: SessionState) -> RunTool | None:
    """The next read of the chain, or None when it is read (or the report is not about a private endpoint)."""
    if not state.azure_access or not intended(state):
        return None
    for endpoint in _endpoint_ids(state)[:_MAX_ENDPOINTS]:
        for suffix, purpose in (("", "reading the private endpoint: its subnet, names and addresses"),
                                ("/privateDnsZoneGroups", "reading which private DNS zone holds its records")):
            step = _read(state, endpoint + suffix, purpose)
            if step is not None:
                return step
    zones = _zone_ids(state)
    if isinstance(zones, RunTool):
        return zones
    for zone in zones:
        for suffix, purpose in (("/virtualNetworkLinks", "reading which virtual networks resolve through the zone"),
                                ("/A", "reading the zone's A records")):
            step = _read(state, zone + suffix, purpose)
            if step is not None:
                return step
    return None


def _read(state: SessionState, resource_id: str, purpose: str) -> RunTool | None:
    found = azure_call(state, "get_resource", {"resource_id": resource_id}, purpose)
    return found if isinstance(found, RunTool) else None


def _listed(state: SessionState) -> list[dict[str, Any]]:
    """The resources of the named groups the session has listed."""
    subscription = subscription_id(state)
    return listed_resources(state, subscription, resource_groups(state)) if isinstance(subscription, str) else []


def _endpoint_ids(state: SessionState) -> list[str]:
    """The private endpoints read or listed, those the report names first."""
    said = _said(state).lower()
    found = [str(d.get("id")) for d in reads_of_type(state, _ENDPOINTS) if d.get("id")]
    found += [str(r["id"]) for r in _listed(state)
              if regex(_ENDPOINTS).search(str(r.get("type") or "")) and r.get("id")]
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda i: i.rsplit("/", 1)[-1].lower() not in said)


def _zone_ids(state: SessionState) -> list[str] | RunTool:
    """The zones that hold the endpoints' records: from their zone groups, else found by the zone name their hosts
    map to, listed in a named group or looked up there (the endpoint's own group first)."""
    grouped = [str(z) for d in reads_of_type(state, r"(?i)/privateEndpoints/privateDnsZoneGroups$")
               for z in _flat(d.get("zoneIds"))]
    if grouped:
        return list(dict.fromkeys(grouped))[:_MAX_ZONES]
    read = [str(d["id"]) for d in reads_of_type(state, _ZONES) if d.get("id")]
    names = _zone_names(state)
    listed = [str(r["id"]) for r in _listed(state) if str(r.get("name") or "").lower() in names and r.get("id")]
    if read or listed:
        return list(dict.fromkeys([*read, *listed]))[:_MAX_ZONES]
    subscription = subscription_id(state)
    if not names or not isinstance(subscription, str):
        return []
    groups = [e.rsplit("/providers/", 1)[0].split("/")[4] for e in _endpoint_ids(state)] + resource_groups(state)
    for group in list(dict.fromkeys(groups))[:3]:
        for name in sorted(names):
            guessed = f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/" \
                      f"privateDnsZones/{name}"
            step = _read(state, guessed, "looking for the private DNS zone of the endpoint's service")
            if step is not None:
                return step
            done = recorded(state, "get_resource", {"resource_id": guessed})
            if done is not None and done.status == "success":
                return [guessed]
    return []


def _zone_names(state: SessionState) -> set[str]:
    """The privatelink zones the endpoints' names belong to (knowledge/network_service_hosts.yaml's zones)."""
    zones = {str(h["zone"]).lower() for h in table(HOSTS)}
    fqdns = [c.get("fqdn") for d in reads_of_type(state, _ENDPOINTS) for c in d.get("customDnsConfigs") or []]
    if not fqdns:  # the endpoint could not be read: the service hosts the report's failing calls name
        fqdns = [m.group(0) for m in _HOST.finditer(_said(state))]
    return {z for f in fqdns for z in [_zone_of(str(f or ""), zones)] if z}


_HOST = re.compile(r"(?i)\b[a-z0-9][-a-z0-9]{1,62}(?:\.[-a-z0-9]{1,63}){2,6}\b")


def _zone_of(fqdn: str, zones: set[str]) -> str | None:
    fqdn = fqdn.lower().rstrip(".")
    owning = [z for z in zones if fqdn.endswith("." + z.removeprefix("privatelink."))]
    return max(owning, key=len) if owning else None


def _flat(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [item for v in value for item in _flat(v)]
    return [] if value is None else [value]


# --- judgements (computed findings) ---------------------------------------------------------------------------


def _collection_of(data: dict[str, Any], suffix: str) -> str:
    """The zone id of a collection read (…/privateDnsZones/<zone>/virtualNetworkLinks)."""
    return str(data.get("id") or "").lower().removesuffix(suffix.lower())


def _vnet(resource_id: Any) -> str | None:
    found = _VNET_IN_ID.search(str(resource_id or ""))
    return found.group(1) if found else None


def _caller_networks(state: SessionState) -> tuple[list[str], list[str]]:
    """The networks the callers sit in as Azure shows them (an app's integration subnet, an API Management gateway's,
    a container environment's, the cluster's node subnets), and the networks the client names (in environment_info
    or its words)."""
    subnets = [d.get("virtualNetworkSubnetId") for d in reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")]
    subnets += [d.get("infrastructureSubnetId")
                for d in reads_of_type(state, r"(?i)^Microsoft\.App/managedEnvironments$")]
    subnets += [s for d in reads_of_type(state, r"(?i)^Microsoft\.ContainerService/managedClusters$")
                for s in _flat(d.get("vnetSubnetIds"))]
    subnets += [d.get("subnetResourceId") for d in reads_of_type(state, r"(?i)^Microsoft\.ApiManagement/service$")]
    if _FORWARDS_TO_RESOLVER.search(_said(state)):  # the resolver looks the name up from its own network
        subnets += [d.get("virtualNetwork") for d in reads_of_type(state, r"(?i)^Microsoft\.Network/dnsResolvers$")]
    shown = [v for v in dict.fromkeys(_vnet(s) for s in subnets) if v]
    named = [m.group(1) for m in _VNET_NAME.finditer(_said(state))]
    return shown, [v for v in dict.fromkeys(named) if v.lower() not in {s.lower() for s in shown}]


def caller_networks(state: SessionState) -> list[str]:
    """The networks the callers sit in as Azure shows them (an app's or gateway's subnet, an environment's, a
    cluster's)."""
    return _caller_networks(state)[0]


def _custom_dns(state: SessionState, vnet: str) -> bool:
    """Whether the network resolves through its own DNS servers (then the link belongs on the forwarder's network)."""
    return any(str(d.get("name") or "").lower() == vnet.lower() and d.get("dnsServers")
               for d in reads_of_type(state, r"(?i)^Microsoft\.Network/virtualNetworks$"))


def _unlinked(state: SessionState, from_reads: bool) -> dict[str, str] | None:
    shown, named = _caller_networks(state)
    callers = shown if from_reads else named
    for links in reads_of_type(state, _LINKS):
        if "linkedNetworks" not in links:
            continue
        linked = [v for v in (_vnet(i) for i in _flat(links.get("linkedNetworks"))) if v]
        zone = _collection_of(links, "/virtualNetworkLinks").rsplit("/", 1)[-1]
        for vnet in callers:
            if vnet.lower() not in {v.lower() for v in linked} and not _custom_dns(state, vnet):
                return {"zone": zone, "vnet": vnet, "linked": ", ".join(linked) or "no network"}
    return None


def zone_not_linked_to_caller(state: SessionState) -> dict[str, str] | None:
    """The private DNS zone is linked to other networks, not to the one the app, environment or cluster calls from."""
    return _unlinked(state, from_reads=True) if intended(state) else None


def zone_not_linked_to_named_network(state: SessionState) -> dict[str, str] | None:
    """The same, for a network the client names (the new spoke, the cluster's network) but Azure did not show as the
    caller's."""
    return _unlinked(state, from_reads=False) if intended(state) else None


def _records(state: SessionState) -> dict[str, dict[str, list[str]]]:
    """Per zone name: each A record set's relative name and its addresses."""
    zones: dict[str, dict[str, list[str]]] = {}
    for data in reads_of_type(state, _RECORDS):
        if "records" not in data:
            continue
        zone = _collection_of(data, "/A").rsplit("/", 1)[-1]
        zones.setdefault(zone, {}).update({str(r.get("name") or "").lower(): [
            str(a.get("ipv4Address")) for a in r.get("aRecords") or [] if isinstance(a, dict)]
            for r in data["records"] if isinstance(r, dict)})
    return zones


def _endpoint_names(state: SessionState) -> list[tuple[str, list[str]]]:
    return [(str(c.get("fqdn") or "").lower().rstrip("."), [str(ip) for ip in c.get("ipAddresses") or []])
            for d in reads_of_type(state, _ENDPOINTS) for c in d.get("customDnsConfigs") or [] if c.get("fqdn")]


def endpoint_name_without_record(state: SessionState) -> dict[str, str] | None:
    """A name the private endpoint serves (a registry's regional data endpoint, a Cosmos DB account's new region) has
    no A record in the zone read: that name resolves publicly, the others privately."""
    zones = _records(state)
    for fqdn, _addresses in _endpoint_names(state):
        zone = _zone_of(fqdn, set(zones))
        if zone is None:
            continue
        record = fqdn[: -len(zone.removeprefix("privatelink.")) - 1]
        if record not in zones[zone]:
            return {"fqdn": fqdn, "zone": zone, "record": record, "records": ", ".join(sorted(zones[zone])) or "none"}
    return None


def record_points_elsewhere(state: SessionState) -> dict[str, str] | None:
    """The zone's record for a name of the endpoint holds addresses the endpoint does not have (a record written by
    hand, left from an endpoint that was re-created)."""
    zones = _records(state)
    for fqdn, addresses in _endpoint_names(state):
        zone = _zone_of(fqdn, set(zones))
        if zone is None or not addresses:
            continue
        recorded_at = zones[zone].get(fqdn[: -len(zone.removeprefix("privatelink.")) - 1])
        if recorded_at and not set(recorded_at) & set(addresses):
            return {"fqdn": fqdn, "zone": zone, "recorded": ", ".join(recorded_at), "endpoint_ip": ", ".join(addresses)}
    return None


def endpoint_without_dns_zone(state: SessionState) -> dict[str, str] | None:
    """The private endpoint has no DNS zone group and no privatelink zone for its name exists where the session
    looked (its group's resources, the zone looked up by name): nothing answers the name privately, so every
    caller resolves it to the public address the service refuses."""
    networks = reads_of_type(state, r"(?i)^Microsoft\.Network/virtualNetworks$")
    if not intended(state) or any(d.get("dnsServers") for d in networks):
        return None  # a network with its own DNS servers may answer the name from a zone kept elsewhere
    groups = {str(d.get("id") or "").lower().removesuffix("/privatednszonegroups"): d
              for d in reads_of_type(state, r"(?i)/privateEndpoints/privateDnsZoneGroups$")}
    known = {str(h["zone"]).lower() for h in table(HOSTS)}
    present = {str(d.get("name") or "").lower() for d in reads_of_type(state, _ZONES)}
    present |= {str(r.get("name") or "").lower() for r in _listed(state)
                if regex(_ZONES).search(str(r.get("type") or ""))}
    for endpoint in reads_of_type(state, _ENDPOINTS):
        group = groups.get(str(endpoint.get("id") or "").lower())
        if group is None or "zoneIds" not in group or _flat(group.get("zoneIds")):
            continue
        for config in endpoint.get("customDnsConfigs") or []:
            fqdn = str(config.get("fqdn") or "").lower().rstrip(".")
            zone = _zone_of(fqdn, known)
            if zone and zone not in present:
                return {"endpoint": str(endpoint.get("name") or ""), "fqdn": fqdn, "zone": zone,
                        "endpoint_ip": ", ".join(str(ip) for ip in config.get("ipAddresses") or []) or "its address",
                        "misnamed": ", ".join(misnamed_zones(zone, present - known))}
    return None


_GENERIC_ZONE_WORDS = frozenset({"privatelink", "windows", "azure", "core", "net", "com", "io", "cloud"})


def misnamed_zones(zone: str, unknown: set[str]) -> list[str]:
    """The privatelink zones no Azure service uses (`unknown`) that share a word naming the service with the zone
    an endpoint needs: privatelink.search.azure.com beside privatelink.search.windows.net, a zone created under a
    guessed name that no endpoint's record will ever be written to."""
    words = set(zone.lower().split(".")) - _GENERIC_ZONE_WORDS
    return sorted(z for z in unknown if z.startswith("privatelink.")
                  and words & (set(z.lower().split(".")) - _GENERIC_ZONE_WORDS))
