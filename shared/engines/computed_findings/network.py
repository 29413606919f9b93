"""Computed findings for networks: firewall rules and the caller's addresses, service endpoints, routes, NSG
rules on a port, private endpoints, DNS zones, gateway and Front Door host headers."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from typing import Any

from shared.engines import gateway_backend, private_dns
from shared.engines.analyzers.common import picked, regex, table, table_entry
from shared.engines.analyzers.ledger import latest, read_resources, reads_of_type
from shared.engines.analyzers.storage_azure import covered
from shared.engines.nsg_rules import address_prefixes, by_priority, port_matches
from shared.engines.nsg_tables import pasted_groups
from shared.engines.session_reads import (
    IPV4,
    SITES,
    Facts,
    allowed_by_restrictions,
    denies_by_default,
    last_segment,
    logged_lines,
    said_by_client,
    said_or_logged,
    succeeded_events,
)
from shared.session.state import SessionState

# resource types whose IP firewall get_resource reads as `ipRules` (api_versions.yaml), and how a reader names them
_IP_FIREWALLS = {"microsoft.documentdb/databaseaccounts": "Cosmos DB account",
                 "microsoft.eventgrid/topics": "Event Grid topic", "microsoft.eventgrid/domains": "Event Grid domain"}
# the property of each type's REST resource that holds those rules: what the client changes (ARM, Bicep, the portal's
# JSON view), named in the answer beside its values
_IP_RULES_PROPERTY = {"microsoft.documentdb/databaseaccounts": "ipRules",
                      "microsoft.eventgrid/topics": "inboundIpRules", "microsoft.eventgrid/domains": "inboundIpRules"}


def firewall_excludes_app(state: SessionState) -> dict[str, str] | None:
    """A resource whose IP rules miss some of the addresses the app sends from now (IP coverage, computed): App
    Service uses any of its current outbound addresses, so each one must be allowed; a scale into another pricing
    tier changes them."""
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")
    app_ips = [str(ip) for site in sites[:1] for ip in (site.get("outboundIpAddresses")
                                                         or site.get("possibleOutboundIpAddresses") or [])]
    if not app_ips:
        return None
    firewalled = r"(?i)^Microsoft\.(?:DocumentDB/databaseAccounts|EventGrid/(?:topics|domains))$"
    for resource in reads_of_type(state, firewalled):
        rules = [str(r) for r in resource.get("ipRules") or []]
        if not rules or str(resource.get("publicNetworkAccess") or "Enabled") == "Disabled":
            continue
        # Cosmos DB's "accept connections from within public Azure datacenters" is the 0.0.0.0 entry: it admits every
        # Azure datacenter address, App Service's included
        cosmos = "documentdb" in str(resource.get("type")).lower()
        if cosmos and "0.0.0.0" in rules:
            continue
        outside = [ip for ip in app_ips if not covered(ip, rules)]
        if outside:
            kind = str(resource.get("type")).lower()
            return {"name": str(resource.get("name")), "type": _IP_FIREWALLS[kind],
                    "property": _IP_RULES_PROPERTY[kind], "rules": ", ".join(rules[:6]),
                    "app_ips": ", ".join(outside[:6]),
                    "datacenters": "no" if cosmos else ""}
    return None


def front_door_id_mismatch(state: SessionState) -> dict[str, str] | None:
    """An app access-restriction rule that admits the AzureFrontDoor.Backend service tag only with X-Azure-FDID
    values, none of which is the frontDoorId of the Front Door profile read in the same session."""
    profiles = {str(p["frontDoorId"]).lower(): p for p in reads_of_type(state, r"(?i)^Microsoft\.Cdn/profiles$")
                if p.get("frontDoorId")}
    site = next(iter(reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")), {})
    for config in reads_of_type(state, r"(?i)^Microsoft\.Web/sites/config$") if profiles else []:
        for rule in config.get("ipSecurityRestrictions") or []:
            if not isinstance(rule, dict) or str(rule.get("action")).lower() != "allow" \
                    or "azurefrontdoor.backend" not in str(rule.get("ipAddress")).lower():
                continue
            headers = rule.get("headers")
            headers = headers if isinstance(headers, dict) else {}
            wanted = [str(v).lower() for key, values in headers.items() if key.lower() == "x-azure-fdid"
                      for v in (values if isinstance(values, list) else [values])]
            if wanted and not set(wanted) & set(profiles):
                profile_id, profile = next(iter(profiles.items()))
                return {"app": str(site.get("name") or "the app"), "rule": str(rule.get("name") or "the rule"),
                        "allowed_ids": ", ".join(wanted), "profile": str(profile.get("name")),
                        "front_door_id": profile_id}
    return None


_APP_PLATFORM_HOST = re.compile(r"(?i)\.(?:azurewebsites\.net|azurecontainerapps\.io|azurestaticapps\.net)$")


def gateway_host_header_not_app(state: SessionState) -> dict[str, str] | None:
    """An Application Gateway with an App Service backend (an *.azurewebsites.net address in a pool) and HTTP
    settings that neither pick the host name from the backend address nor override it."""
    for gateway in reads_of_type(state, r"(?i)^Microsoft\.Network/applicationGateways$"):
        hosts = [str(a.get("fqdn")) for pool in gateway.get("backendAddressPools") or [] if isinstance(pool, dict)
                 for a in pool.get("backendAddresses") or [] if isinstance(a, dict)
                 and _APP_PLATFORM_HOST.search(str(a.get("fqdn") or ""))]
        plain = [s for s in gateway.get("backendHttpSettings") or [] if isinstance(s, dict)
                 and s.get("pickHostNameFromBackendAddress") is not True and not s.get("hostName")]
        if hosts and plain:
            return {"name": str(gateway.get("name")), "settings": str(plain[0].get("name")), "backend": hosts[0]}
    return None


_REFUSED_LINE = re.compile(r"(?i)\b403\b|AuthorizationFailure|Forbidden|not authorized|timed? ?out")


def private_endpoint_misses_service(state: SessionState) -> dict[str, str] | None:
    """A storage account closed to public traffic whose private endpoints do not serve the storage service (blob,
    queue, table, file) that the refused calls in the report or the logs go to."""
    endpoints = reads_of_type(state, r"(?i)^Microsoft\.Network/privateEndpoints$")
    refused = [line for line in said_or_logged(state) if _REFUSED_LINE.search(line)]
    for account in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$"):
        name = str(account.get("name") or "")
        closed = (str((account.get("networkAcls") or {}).get("defaultAction")) == "Deny"
                  or str(account.get("publicNetworkAccess")) == "Disabled")
        if not name or not closed or not account.get("privateEndpointConnections"):
            continue
        served = {str(g).lower() for pe in endpoints
                  for c in [*(pe.get("connections") or []), *(pe.get("manualConnections") or [])] if isinstance(c, dict)
                  and f"/storageaccounts/{name.lower()}" in str(c.get("privateLinkServiceId") or "").lower()
                  for g in c.get("groupIds") or []}
        host = re.compile(rf"(?i)\b{re.escape(name)}\.(blob|queue|table|file|dfs)\.core\.windows\.net")
        failing = {m.group(1).lower() for line in refused for m in host.finditer(line)} | _clients_refused(refused)
        missing = sorted(failing - served)
        if served and missing:
            found = {"name": name, "missing": missing[0], "served": ", ".join(sorted(served))}
            return {**found, "others": " and ".join(missing[1:])} if missing[1:] else found
    return None


# the storage service a refused call went to, named by the client library in its stack or message rather than by a
# host (Azure.Storage.Queues.QueueRestClient, a runtime that "failed to initialize table ..."): a host runtime
# (Functions, Logic Apps Standard) reports its queue and table calls that way
_STORAGE_CLIENTS = {
    "queue": re.compile(r"(?i)\bAzure\.Storage\.Queues\b|\bazure\.storage\.queue\b|\bQueue(?:Rest|Service)?Client\b"),
    # the Table service's own error body is OData JSON ({"odata.error":{"code":...}}); Blob and Queue answer in XML
    "table": re.compile(r"(?i)\bAzure\.Data\.Tables\b|\bazure\.data\.tables\b|\bTable(?:Rest|Service)?Client\b|"
                        r"\b(?:initiali[sz]e|create|open) table '|\\?\"odata\.error\\?\"\s*:"),
    "blob": re.compile(r"(?i)\bAzure\.Storage\.Blobs\b|\bazure\.storage\.blob\b|"
                       r"\bBlob(?:Rest|Service|Container)?Client\b"),
}


def _clients_refused(refused: list[str]) -> set[str]:
    return {service for service, words in _STORAGE_CLIENTS.items() if any(words.search(line) for line in refused)}


# a resource type -> the service endpoint its virtual network rules need on the client's subnet
_SERVICE_ENDPOINTS = {"microsoft.cognitiveservices/accounts": "Microsoft.CognitiveServices",
                      "microsoft.storage/storageaccounts": "Microsoft.Storage",
                      "microsoft.keyvault/vaults": "Microsoft.KeyVault",
                      "microsoft.servicebus/namespaces": "Microsoft.ServiceBus",
                      "microsoft.eventhub/namespaces": "Microsoft.EventHub",
                      "microsoft.documentdb/databaseaccounts": "Microsoft.AzureCosmosDB"}


def subnet_lacks_service_endpoint(state: SessionState) -> dict[str, str] | None:
    """A resource whose virtual network rules list a caller's subnet (an app's integration subnet, a Container Apps
    environment's or a cluster's node subnet) while that subnet has no service endpoint for the resource's service:
    the caller's traffic then leaves with a public address, which the rule does not cover (subnet and rule
    coverage, computed)."""
    subnets = {str(s.get("id") or "").lower(): s
               for s in reads_of_type(state, r"(?i)^Microsoft\.Network/virtualNetworks/subnets$")}
    networks = reads_of_type(state, r"(?i)^Microsoft\.Network/virtualNetworks$")
    subnets.update({str(s.get("id") or "").lower(): s for v in networks
                    for s in v.get("subnets") or [] if str(s.get("id") or "").lower() not in subnets})
    for subnet_id, caller in ((s.lower(), n) for s, n in _caller_subnets(state)):
        if subnet_id not in subnets:
            continue
        endpoints = {str(e.get("service") if isinstance(e, dict) else e).lower()
                     for e in subnets[subnet_id].get("serviceEndpoints") or []}
        for resource in reads_of_type(state, "."):
            needed = _SERVICE_ENDPOINTS.get(str(resource.get("type") or "").lower())
            rules = [str(r).lower() for r in (resource.get("networkAcls") or {}).get("virtualNetworkRules") or []]
            if needed and subnet_id in rules and needed.lower() not in endpoints:
                return {"name": str(resource.get("name")), "subnet": subnet_id.rsplit("/", 1)[-1],
                        "service_endpoint": needed, "app": caller}
    return None


def _caller_subnets(state: SessionState) -> list[tuple[str, str]]:
    """(subnet id, caller name) of the resources read that call out from a subnet of theirs: an app's integration
    subnet, a Container Apps environment's infrastructure subnet, a cluster's node subnets."""
    found = [(d.get("virtualNetworkSubnetId"), d.get("name")) for d in reads_of_type(state, SITES)]
    found += [(d.get("infrastructureSubnetId"), d.get("name"))
              for d in reads_of_type(state, r"(?i)^Microsoft\.App/managedEnvironments$")]
    found += [(s, d.get("name")) for d in reads_of_type(state, r"(?i)^Microsoft\.ContainerService/managedClusters$")
              for s in d.get("vnetSubnetIds") or []]
    return [(str(s), str(n)) for s, n in found if s]


def _outbound_admitted(state: SessionState, ip_rules: list[str]) -> bool:
    """Whether the IP rules admit every outbound address of the app read (it may reach the vault from those)."""
    ips = [str(ip) for site in reads_of_type(state, SITES)
           for ip in site.get("outboundIpAddresses") or site.get("possibleOutboundIpAddresses") or []]
    return bool(ips) and all(covered(ip, ip_rules) for ip in ips)


def vault_firewall_omits_caller_subnet(state: SessionState) -> dict[str, str] | None:
    """A vault reached over its public endpoint that admits only selected networks (default Deny, no private
    endpoint) and whose virtual network rules leave out the subnet the caller read in Azure calls from."""
    callers = _caller_subnets(state)
    for vault in reads_of_type(state, r"(?i)^Microsoft\.KeyVault/vaults$"):
        acls = vault.get("networkAcls") or {}
        if str(acls.get("defaultAction")).lower() != "deny" or vault.get("privateEndpointConnections") \
                or str(vault.get("publicNetworkAccess")).lower() == "disabled":
            continue  # open to all networks, or reached (or meant to be reached) privately
        rules = [str(r) for r in acls.get("virtualNetworkRules") or []]
        missing = [(s, n) for s, n in callers if s.lower() not in {r.lower() for r in rules}]
        if missing and not _outbound_admitted(state, [str(r) for r in acls.get("ipRules") or []]):
            allowed = [last_segment(r) for r in rules] + [str(r) for r in acls.get("ipRules") or []]
            return {"vault": str(vault.get("name")), "subnet": last_segment(missing[0][0]), "caller": missing[0][1],
                    "allowed": ", ".join(allowed) or "no network"}
    return None


_ZONE_WORDS = re.compile(r"privatelink|windows|azure|core|net|com|io")  # a zone name's parts that name no service


def private_dns_zone_misnamed(state: SessionState) -> dict[str, str] | None:
    """A read resource whose private endpoints' zone is missing from its group while the group holds a privatelink
    zone that no Azure service uses and that names the same service (privatelink.eventhub.windows.net for an Event
    Hubs namespace, whose endpoints use privatelink.servicebus.windows.net)."""
    listing = latest(state, "list_resources_in_group")
    zones = {str(r.get("name")).lower() for r in (listing.data.get("resources") or [] if listing else [])
             if str(r.get("type")).lower() == "microsoft.network/privatednszones"}
    known = {str(h["zone"]).lower() for h in table("network_service_hosts")}
    unknown = sorted(z for z in zones if z.startswith("privatelink.") and z not in known)
    for resource in reads_of_type(state, "."):
        kind = str(resource.get("type") or "").lower()
        zone = next((str(h["zone"]) for h in table("network_service_hosts")
                     if kind in {t.lower() for t in h.get("types") or []}), None)
        if zone is None or zone.lower() in zones:
            continue
        alike = [z for z in unknown if any(w and w in kind.replace("/", "") for w in
                                           _ZONE_WORDS.sub(" ", z).replace(".", " ").split())]
        if alike:
            return {"name": str(resource.get("name")), "zone": zone, "found": ", ".join(alike)}
    return None


def origin_host_header_not_app(state: SessionState) -> dict[str, str] | None:
    """A Front Door origin on App Service (or Container Apps, Static Web Apps) whose origin host header is empty or
    another name than the origin's own host name, and not a host name the app read has bound."""
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")
    for data in reads_of_type(state, r"(?i)^Microsoft\.Cdn/profiles/originGroups/origins$"):
        for origin in data.get("origins") or []:
            host = str((origin or {}).get("hostName") or "").lower()
            header = str((origin or {}).get("originHostHeader") or "").lower()
            app = next((s for s in sites if host in {str(h).lower() for h in
                                                     [s.get("defaultHostName"), *(s.get("hostNames") or [])]}), None)
            bound = {str(h).lower() for h in (app or {}).get("hostNames") or []}
            # an empty header forwards the client's host; another name is judged only against the app's bindings
            if _APP_PLATFORM_HOST.search(host) and header != host and (not header or app and header not in bound):
                return {"origin": str(origin.get("name")), "host": host,
                        "header": header or "empty, so the client's own host name is forwarded"}
    return None


def origin_on_removed_app(state: SessionState) -> dict[str, str] | None:
    """A Front Door origin whose host is an App Service default name (<app>.azurewebsites.net) of an app that is gone:
    the session's activity log shows it deleted, or its read answered not found. Another app the client names (the
    one that replaced it) is given as the host the origin should name."""
    deleted = {last_segment(str(e.get("resource_id") or "")).lower(): e for e in succeeded_events(state)
               if re.fullmatch(r"(?i)Microsoft\.Web/sites/delete", str(e.get("operation") or ""))}
    missing = {last_segment(str(e.arguments.get("resource_id") or "")).lower() for e in state.ledger
               if e.tool == "get_resource" and e.status != "success"
               and re.search(r"(?i)/providers/Microsoft\.Web/sites/[^/]+$", str(e.arguments.get("resource_id") or ""))}
    live = [s for s in reads_of_type(state, r"(?i)^Microsoft\.Web/sites$") if s.get("defaultHostName")]
    said = said_by_client(state)
    for data in reads_of_type(state, r"(?i)^Microsoft\.Cdn/profiles/originGroups/origins$"):
        for origin in data.get("origins") or []:
            host = str((origin or {}).get("hostName") or "").lower()
            app = host.split(".", 1)[0]
            if not host.endswith(".azurewebsites.net") or (app not in deleted and app not in missing):
                continue
            gone = (f"deleted ({deleted[app].get('operation')} at {deleted[app].get('time')} by "
                    f"{deleted[app].get('caller') or 'an unknown caller'})" if app in deleted else "not found")
            other = next((str(s["defaultHostName"]) for s in live if str(s.get("name") or "").lower() != app
                          and str(s.get("name") or "").lower() in said), "")
            return {"origin": str(origin.get("name")), "host": host, "app": app, "gone": gone,
                    "replacement": f" The app the report names now is {other}: that is the host name the origin "
                                   "(and its origin host header) must carry." if other else ""}
    return None


_AZURE_NAME_SERVER = re.compile(r"(?i)\bns\d-\d{2}\.azure-dns\.(?:com|net|org|info)\b")


def dns_zone_not_delegated(state: SessionState) -> dict[str, str] | None:
    """A public Azure DNS zone whose own name servers (nameServers) are not the ones the domain is delegated to:
    the report names Azure DNS name servers of another set, or the zone was deleted and created again (activity
    log), which assigns a new set that the registrar does not list."""
    said = state.material.spoken_text(" ")
    stated = sorted({m.group(0).lower() for m in _AZURE_NAME_SERVER.finditer(said)})
    changes = latest(state, "list_activity_log")
    events = (changes.data.get("events") or []) if changes is not None and changes.status == "success" else []
    for zone in reads_of_type(state, r"(?i)^Microsoft\.Network/dnszones$"):
        own = [str(n).lower().rstrip(".") for n in zone.get("nameServers") or []]
        name = str(zone.get("name") or "")
        if not own or not name:
            continue
        facts = {"zone": name, "zone_ns": ", ".join(own)}
        foreign = [n for n in stated if n not in own]
        if foreign:
            return {**facts, "evidence": f"the domain is delegated to {', '.join(foreign)}, "
                                         "which is not this zone's set"}
        deleted = next((e for e in events if re.search(r"(?i)/dnszones/delete$", str(e.get("operation") or ""))
                        and str(e.get("resource_id") or "").lower().endswith(f"/dnszones/{name.lower()}")
                        and str(e.get("status") or "").lower() != "failed"), None)
        if deleted is not None:
            return {**facts, "evidence": f"the zone was deleted ({deleted.get('time')}, by {deleted.get('caller')}) "
                                         "and created again, which gave it a new name-server set"}
    return None


def _app_subnet(state: SessionState) -> str:
    """The id of the subnet the app read is integrated into ("" without one)."""
    site = next(iter(reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")), None)
    return str((site or {}).get("virtualNetworkSubnetId") or "").lower()


def default_route_to_appliance(state: SessionState) -> dict[str, str] | None:
    """A route table on the app's integration subnet (or, without an app, any route table read) that sends
    0.0.0.0/0 to a virtual appliance: the app's outbound traffic then passes a firewall or NVA."""
    subnet = _app_subnet(state)
    for table_read in reads_of_type(state, r"(?i)^Microsoft\.Network/routeTables$"):
        subnets = [str(s).lower() for s in table_read.get("subnets") or []]
        if subnet and subnet not in subnets:
            continue
        for route in table_read.get("routes") or []:
            if isinstance(route, dict) and str(route.get("addressPrefix")) == "0.0.0.0/0" \
                    and str(route.get("nextHopType")) == "VirtualAppliance":
                return {"route_table": str(table_read.get("name")), "route": str(route.get("name")),
                        "appliance": str(route.get("nextHopIpAddress") or "the appliance"),
                        "subnet": (subnet or (subnets[0] if subnets else "its subnets")).rsplit("/", 1)[-1]}
    return None


_PORT = re.compile(r"(?i)\bport\s+(\d{2,5})\b|\b(?:tcp|udp)[/:](\d{2,5})\b|\b[a-z0-9-]+(?:\.[a-z0-9-]+)+:(\d{2,5})\b")


_ANY_DESTINATION = {"*", "internet", "any", "0.0.0.0/0"}


_SUBNET = r"(?i)^Microsoft\.Network/virtualNetworks/subnets$"


def _applies_to(prefixes: list[str], known: set[str], addresses: list[str]) -> bool | None:
    """Whether a rule's address side covers the flow: True (any, or it covers a known address), None when it names
    something that cannot be judged here (a service tag, another range)."""
    if any(p.lower() in known for p in prefixes):
        return True
    if addresses and any(covered(a, prefixes) for a in addresses):
        return True
    return None


def _destination_tags(texts: list[str]) -> set[str]:
    """The service tags (knowledge/network_service_hosts.yaml `tags`) of the Azure hosts the failing calls name;
    empty when none is named or one named has no known tag (then no rule can be ruled out by its tag)."""
    tags: set[str] = set()
    for entry in table("network_service_hosts"):
        if any(regex(str(entry["match"])).search(text) for text in texts):
            if not entry.get("tags"):
                return set()
            tags |= {str(t).lower() for t in entry["tags"]}
    return tags


def _other_service(prefixes: list[str], tags: set[str]) -> bool:
    """The rule names only service tags (or their regional forms, Storage.WestEurope) of services other than the
    destination's."""
    bases = [p.split(".")[0].lower() for p in prefixes]
    services = {str(e["tag"]).lower() for e in table("network_service_tags")}  # one service's addresses each
    return bool(tags) and bool(bases) and all(b in services and b not in tags for b in bases)


def _caller_subnet(state: SessionState) -> str:
    """The subnet the failing calls leave from: the app's integration subnet, else the subnet an API Management
    instance is injected into ("" without one)."""
    subnet = _app_subnet(state)
    if subnet:
        return subnet
    service = next(iter(reads_of_type(state, r"(?i)^Microsoft\.ApiManagement/service$")), None)
    return str((service or {}).get("subnetResourceId") or "").lower()


def nsg_denies_port(state: SessionState) -> dict[str, str] | None:
    """A network security group on the app's subnet (or an API Management instance's) whose outbound rules, taken by
    priority, deny the port the failing calls use before any rule allows it (the default rules allow outbound
    traffic, so only an explicit deny can). Rules whose addresses cannot be judged here (a service tag, a specific
    range) are skipped when they deny, and stop the evaluation when they allow; a rule that names only other
    services' tags than the host called (AzureKeyVault for a blob endpoint) does not apply to the call."""
    texts = said_or_logged(state)
    ports = sorted({int(g) for text in texts for m in _PORT.finditer(text) for g in m.groups() if g})
    ips = [ip for text in texts for ip in IPV4.findall(text)]
    tags = _destination_tags(texts)
    subnet = _caller_subnet(state)
    prefixes = [str(s.get("addressPrefix")) for s in reads_of_type(state, _SUBNET)
                if str(s.get("id") or "").lower() == subnet and s.get("addressPrefix")]
    source_ips = [p.split("/")[0] for p in prefixes]
    for group in reads_of_type(state, r"(?i)^Microsoft\.Network/networkSecurityGroups$"):
        subnets = [str(s).lower() for s in group.get("subnets") or []]
        if subnet and subnets and subnet not in subnets:
            continue
        rules = by_priority(group, "outbound")
        for port in ports:
            for rule in rules:
                if str(rule.get("protocol") or "*").lower() not in ("*", "tcp") or not port_matches(rule, port):
                    continue
                if _other_service(address_prefixes(rule, "destination"), tags):
                    continue
                source = _applies_to(address_prefixes(rule, "source") or ["*"], {"*", "any", "virtualnetwork"},
                                     source_ips)
                target = _applies_to(address_prefixes(rule, "destination") or ["*"], _ANY_DESTINATION, ips)
                allows = str(rule.get("access")).lower() == "allow"
                if source and target:
                    if allows:
                        break  # this port is allowed first
                    return {"nsg": str(group.get("name")), "rule": str(rule.get("name")),
                            "priority": str(rule.get("priority")), "port": str(port)}
                if allows:
                    break  # an allow rule that may cover the flow: no verdict
    return None


# the remote-access protocols a report names by name rather than by port
_NAMED_PORTS = ((re.compile(r"(?i)\bRDP\b|remote desktop|mstsc"), 3389), (re.compile(r"(?i)\bSSH\b"), 22))
_FROM_OUTSIDE = {"*", "any", "internet"}


def vm_inbound_nsg_denies_port(state: SessionState) -> dict[str, str] | None:
    """A virtual machine read with the network security groups on its network interface and subnet, where one of
    them, its inbound rules taken by priority and then its default rules, denies the port the client connects to
    from outside (RDP, SSH or a named port). Azure applies the subnet's group and the interface's group one after the
    other, so either one denying is enough, whatever the other allows. A rule whose source is a range that cannot be
    judged here (the client's address unknown) stops the evaluation when it allows (no verdict) and is skipped when
    it denies; without any rule that covers the port, the default DenyAllInBound refuses traffic from the internet."""
    if not reads_of_type(state, r"(?i)^Microsoft\.Compute/virtualMachines$"):
        return None
    texts = said_or_logged(state)
    ports = {int(g) for text in texts for m in _PORT.finditer(text) for g in m.groups() if g}
    ports |= {port for pattern, port in _NAMED_PORTS if any(pattern.search(text) for text in texts)}
    public = [ip for text in texts for ip in IPV4.findall(text) if ipaddress.ip_address(ip).is_global]
    nics = json.dumps(reads_of_type(state, r"(?i)^Microsoft\.Network/networkInterfaces$")).lower()
    # only the groups on the VM's path: the one its network interface names, or one on that interface's subnet
    groups = [g for g in reads_of_type(state, r"(?i)^Microsoft\.Network/networkSecurityGroups$")
              if str(g.get("id") or "").lower() in nics
              or any(str(s).lower() in nics for s in g.get("subnets") or [])]
    for port in sorted(ports):
        verdicts = [(group, _inbound_verdict(group, port, public)) for group in groups]
        allowing = [str(g.get("name")) for g, v in verdicts if v is not None and v[0] == "allow"]
        for group, verdict in verdicts:
            if verdict is not None and verdict[0] == "deny":
                rule = verdict[1]
                return {"nsg": str(group.get("name")), "rule": str(rule.get("name")),
                        "priority": str(rule.get("priority")), "port": str(port)} | (
                            {"allowing": ", ".join(allowing)} if allowing else {})
    return None


def _inbound_verdict(group: dict[str, Any], port: int, public: list[str]) -> tuple[str, dict[str, Any]] | None:
    """("allow" | "deny", the rule) for inbound traffic from outside to the port, or None when a rule that cannot be
    judged allows it first."""
    for rule in by_priority(group, "inbound"):
        if str(rule.get("protocol") or "*").lower() not in ("*", "tcp") or not port_matches(rule, port):
            continue
        sources = address_prefixes(rule, "source") or ["*"]
        applies = any(p.lower() in _FROM_OUTSIDE for p in sources) or (public and any(covered(ip, sources)
                                                                                      for ip in public))
        allows = str(rule.get("access")).lower() == "allow"
        if applies:
            return ("allow" if allows else "deny"), rule
        if allows:
            return None  # an allow for a range that may hold the client: no verdict
    default = next((r for r in group.get("defaultSecurityRules") or [] if isinstance(r, dict)
                    and str(r.get("name")).lower() == "denyallinbound"), {"name": "DenyAllInBound", "priority": 65500})
    return "deny", default


# sources that cannot hold a client on the internet: the private ranges, and the tags of traffic from inside Azure
_INSIDE_TAGS = {"virtualnetwork", "azureloadbalancer", "gatewaymanager", "azurebastion"}
_JUDGED_DESTINATIONS = {"*", "any", "virtualnetwork", "0.0.0.0/0"}


def pasted_nsg_denies_inbound(state: SessionState) -> Facts:
    """Network security group rules the report pastes as tables (`az network nsg rule list -o table`), one of which,
    its inbound rules taken by priority, denies the port a client on the internet connects to (SSH, RDP or a named
    port, to a public address or from one): Azure applies the subnet's group and the network interface's group one
    after the other, so one group denying is enough whatever another allows. Only an explicit rule decides (a pasted
    table may be trimmed, so no default rule is assumed); a rule whose source or destination cannot be judged here
    (a range that may hold the client, an application security group, a specific destination range) stops the
    evaluation when it allows and is skipped when it denies; a rule for private ranges or inside-Azure tags only
    (a Bastion subnet, VirtualNetwork) cannot admit a client on the internet."""
    texts = state.material.spoken()
    groups = pasted_groups(texts)
    if not groups:
        return None
    addresses = [ip for text in texts for ip in IPV4.findall(text) if _outside(ip)]
    if not addresses:
        return None  # a flow between private addresses: the rules are not judged for a client outside
    ports = {int(g) for text in texts for m in _PORT.finditer(text) for g in m.groups() if g}
    ports |= {port for pattern, port in _NAMED_PORTS if any(pattern.search(text) for text in texts)}
    for port in sorted(ports):
        verdicts = [(group, _pasted_verdict(group, port, addresses)) for group in groups]
        allowing = [str(g["name"]) for g, v in verdicts if v is not None and v[0] == "allow"]
        for group, verdict in verdicts:
            if verdict is not None and verdict[0] == "deny":
                rule = verdict[1]
                return {"nsg": str(group["name"]), "rule": str(rule.get("name")),
                        "priority": str(rule.get("priority")), "port": str(port)} | (
                            {"allowing": ", ".join(allowing)} if allowing else {})
    return None


def _outside(address: str) -> bool:
    """An address on the internet side: not private, loopback, link-local, shared (100.64/10) or Azure's own DNS."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    inside = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                                                "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8")]
    return not any(ip in n for n in inside) and address != "168.63.129.16" and not ip.is_multicast


def _pasted_verdict(group: dict[str, Any], port: int, addresses: list[str]) -> tuple[str, dict[str, Any]] | None:
    """("allow" | "deny", the rule) of the first inbound rule that covers a client on the internet on that port;
    None when none does or a rule that cannot be judged allows first."""
    for rule in by_priority(group, "inbound"):
        if str(rule.get("protocol") or "*").lower() not in ("*", "tcp", "any") or not port_matches(rule, port):
            continue
        allows = str(rule.get("access")).lower() == "allow"
        sources = address_prefixes(rule, "source")
        destinations = [p.lower() for p in address_prefixes(rule, "destination")]
        if not sources or rule.get("sourceApplicationSecurityGroups") \
                or any(d not in _JUDGED_DESTINATIONS for d in destinations):
            if allows:
                return None
            continue
        if all(p.lower() in _INSIDE_TAGS or not _outside_range(p) for p in sources):
            continue  # only private ranges or inside-Azure tags: never a client on the internet
        if any(p.lower() in _FROM_OUTSIDE | {"0.0.0.0/0"} for p in sources) \
                or any(covered(ip, sources) for ip in addresses):
            return ("allow" if allows else "deny"), rule
        if allows:
            return None  # an allow for a range or tag that may hold the client: no verdict
    return None


def _outside_range(prefix: str) -> bool:
    """Whether a rule's source may hold an internet address: any tag or range that is not wholly private."""
    try:
        network = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return True  # a service tag or a name: it may
    return _outside(str(network.network_address)) or network.prefixlen == 0


def app_without_nat_gateway(state: SessionState) -> Facts:
    """An app integrated into a subnet that has no NAT gateway: its outbound address is one of the shared App Service
    addresses, not a fixed one a partner can allow."""
    subnets = {str(d.get("id") or "").lower(): d for d in
               reads_of_type(state, r"(?i)^Microsoft\.Network/virtualNetworks/subnets$")}
    for site in reads_of_type(state, SITES):
        subnet_id = str(site.get("virtualNetworkSubnetId") or "").lower()
        subnet = subnets.get(subnet_id)
        if subnet is not None and not subnet.get("natGateway"):
            return {"app": str(site.get("name")), "subnet": last_segment(subnet_id)}
    return None


_UNRESOLVED = re.compile(
    r"(?i)(?:could not be resolved|failed to resolve|ENOTFOUND|no such host is known|name or service not known|"
    r"NXDOMAIN|could not resolve host|nodename nor servname|name does not resolve|no such host)")


_AZURE_HOST = re.compile(r"(?i)\b([a-z0-9][a-z0-9-]{1,62})\.(?:[a-z0-9-]+\.)*(?:azurewebsites\.net|windows\.net|"
                         r"azure\.net|azure\.com|azurecr\.io|azure-api\.net|azurefd\.net|azurecontainerapps\.io)\b")


def unresolved_host_deleted(state: SessionState) -> Facts:
    """A host name under an Azure service's DNS suffix that the report or the logs could not resolve, whose
    resource the activity log shows deleted: the name fails because the configuration still names that resource."""
    lines = [line for text in state.material.spoken() for line in text.splitlines()]
    lines += logged_lines(state, succeeded_only=True)
    names = {m.group(1).lower(): m.group(0) for line in lines if _UNRESOLVED.search(line)
             for m in _AZURE_HOST.finditer(line)}
    deletes = [e for e in succeeded_events(state) if str(e.get("operation") or "").lower().endswith("/delete")]
    for event in deletes:
        resource_id = str(event.get("resource_id") or "")
        name = resource_id.rsplit("/", 1)[-1].lower()
        if name in names:
            kind = "/".join(resource_id.split("/providers/")[-1].split("/")[:2])
            return {"host": names[name], "name": name, "type": kind, "time": str(event.get("time") or ""),
                    "caller": str(event.get("caller") or "")}
    return None


# names no public DNS answers: RFC 6762's .local, the .internal reserved for private use, RFC 8375's home.arpa and
# the suffixes organisations give their internal zones; such a zone lives only on the organisation's DNS servers
_PRIVATE_NAME = re.compile(r"(?i)\.(?:internal|local|localdomain|corp|lan|intranet|private|home\.arpa)$")
# the client places the name on its own network (the other side of a VPN or ExpressRoute)
_ON_PREMISES = re.compile(r"(?i)\bon-?prem(?:ise)?s?\b|\bdata ?cent(?:er|re)\b|\bcorporate (?:dns|network|domain)\b|"
                          r"\bdomain controllers?\b|\bexpressroute\b|\bsite-to-site\b")
# a DNS Private Resolver (or its forwarding ruleset) forwards internal zones for a network that keeps Azure DNS
_RESOLVERS = re.compile(r"(?i)^Microsoft\.Network/(?:dnsResolvers|dnsForwardingRulesets)$")


def _private_unresolved(state: SessionState) -> list[str]:
    """The host names the resolver's messages quote (the report, the answers, the logs read) that are internal
    names: a private suffix, or any name outside Azure's zones when the client says it is on premises."""
    patterns = [regex(p) for p in table_entry("network_dns_errors", "hosts")["facts"]]
    texts = [*state.material.spoken(), *logged_lines(state, succeeded_only=True)]
    hosts = dict.fromkeys(m.group("host").lower().rstrip(".") for t in texts for p in patterns for m in p.finditer(t))
    on_premises = _ON_PREMISES.search(said_by_client(state)) is not None
    return [h for h in hosts if "." in h and not _AZURE_HOST.search(h) and (_PRIVATE_NAME.search(h) or on_premises)]


def internal_name_with_azure_dns(state: SessionState) -> Facts:
    """An internal name that does not resolve, called from a virtual network that resolves with Azure-provided DNS
    (no DNS servers of its own) while no DNS Private Resolver is among the resources read: Azure DNS answers
    public names and the private zones linked to the network, never the organisation's own zones, whatever route
    (VPN, peering) reaches the host. The network's read is the evidence (`read`)."""
    hosts = _private_unresolved(state)
    if not hosts or any(_RESOLVERS.search(str(r.get("type") or "")) for r in read_resources(state)):
        return None
    callers = {v.lower() for v in private_dns.caller_networks(state)}
    for evidence in reversed(state.ledger):
        vnet = evidence.data
        if (evidence.tool == "get_resource" and evidence.status == "success"
                and str(vnet.get("type") or "").lower() == "microsoft.network/virtualnetworks"
                and str(vnet.get("name") or "").lower() in callers and not vnet.get("dnsServers")):
            return {"host": hosts[0], "vnet": str(vnet["name"]), "read": evidence.summary}
    return None


def gateway_subnet_default_route_not_internet(state: SessionState) -> Facts:
    """A v2 Application Gateway whose subnet's route table sends 0.0.0.0/0 to anything but Internet: the gateway's
    own management and health traffic no longer goes out directly, which v2 does not support."""
    tables = reads_of_type(state, r"(?i)^Microsoft\.Network/routeTables$")
    for gateway in reads_of_type(state, r"(?i)^Microsoft\.Network/applicationGateways$"):
        tier = str(picked(gateway, "sku.tier") or (gateway.get("sku") or {}).get("tier") or "")
        subnets = {str(s).lower() for s in gateway.get("gatewaySubnet") or []}
        if not subnets or "v2" not in tier.lower():
            continue
        for route_table in tables:
            if not subnets & {str(s).lower() for s in route_table.get("subnets") or []}:
                continue
            for route in route_table.get("routes") or []:
                if isinstance(route, dict) and str(route.get("addressPrefix")) == "0.0.0.0/0" \
                        and str(route.get("nextHopType")).lower() != "internet":
                    return {"gateway": str(gateway.get("name")), "route_table": str(route_table.get("name")),
                            "route": str(route.get("name")), "next_hop": str(route.get("nextHopType")),
                            "subnet": next(iter(subnets)).rsplit("/", 1)[-1]}
    return None


def probe_blocked_by_access_restrictions(state: SessionState) -> Facts:
    """A Traffic Manager endpoint whose probe status is Degraded while the app behind it denies by default in its
    access restrictions and admits no AzureTrafficManager service tag: the profile's own probes are refused (403), so
    it routes every user to the other endpoints although the app is up."""
    for profile in reads_of_type(state, r"(?i)^Microsoft\.Network/trafficManagerProfiles$"):
        for endpoint in profile.get("endpoints") or []:
            if not isinstance(endpoint, dict) or str(endpoint.get("endpointMonitorStatus")).lower() != "degraded":
                continue
            target = str(endpoint.get("targetResourceId") or "").lower()
            for config in reads_of_type(state, r"(?i)^Microsoft\.Web/sites/config$"):
                if not str(config.get("id") or "").lower().startswith(target + "/"):
                    continue
                rules = [r for r in config.get("ipSecurityRestrictions") or [] if isinstance(r, dict)]
                admits = any(str(r.get("action")).lower() == "allow"
                             and "azuretrafficmanager" in str(r.get("ipAddress")).lower() for r in rules)
                if denies_by_default(config) and not admits:
                    return {"profile": str(profile.get("name")), "endpoint": str(endpoint.get("name")),
                            "app": target.rsplit("/", 1)[-1], "allowed": allowed_by_restrictions(config),
                            "path": str(profile.get("monitorPath") or "/")}
    return None


# Azure's refusal of a new subnet whose range overlaps one the virtual network already has (NetcfgSubnetRangesOverlap)
_OVERLAP = re.compile(r"Subnet '(?P<subnet>[^'/]+)' is not valid because its IP address range overlaps")
_CIDR = r"(?P<prefix>\b(?:\d{1,3}\.){3}\d{1,3}/\d{1,2}\b)"


def subnet_range_overlaps(state: SessionState) -> Facts:
    """A subnet that a deployment adds, refused because its range overlaps an existing subnet: the range as the report
    or the template gives it, against the subnets of the virtual network read, names the subnet that holds it (often
    one created outside the template, which the template's author does not see)."""
    failed = [json.dumps(e.data, default=str) for e in state.ledger if e.tool == "list_deployment_operations"]
    said = [*state.material.spoken(), *(f.content for f in state.material.files)]
    named = next((m.group("subnet") for text in [*said, *failed] for m in [_OVERLAP.search(text)] if m), None)
    prefix = _prefix_of(named, said) if named else None
    if named is None or prefix is None:
        return None
    for vnet in reads_of_type(state, r"(?i)^Microsoft\.Network/virtualNetworks$"):
        for subnet in (s for s in vnet.get("subnets") or [] if isinstance(s, dict) and s.get("name") != named):
            ranges = [subnet.get("addressPrefix"), *(subnet.get("addressPrefixes") or [])]
            held = next((str(r) for r in ranges if r and _overlap(prefix, str(r))), None)
            if held:
                return {"subnet": named, "prefix": prefix, "other": str(subnet.get("name")), "other_prefix": held,
                        "vnet": str(vnet.get("name"))}
    return None


def _prefix_of(subnet: str, texts: list[str]) -> str | None:
    """The range given next to the subnet's name: "snet-x (10.0.2.0/24)" in prose, or the addressPrefix that follows
    its name in a template before any other name."""
    near = re.compile(re.escape(subnet) + r"(?:(?!\bname\b)[\s\S]){0,160}?" + _CIDR)
    return next((m.group("prefix") for text in texts for m in [near.search(text)] if m), None)


def _overlap(first: str, second: str) -> bool:
    try:
        return ipaddress.ip_network(first, strict=False).overlaps(ipaddress.ip_network(second, strict=False))
    except ValueError:  # not a range (a version number that looks like one)
        return False


# the address a database server says it refused: PostgreSQL's pg_hba line, MySQL's and SQL Database's firewall refusal
_REFUSED_CLIENT = re.compile(r"(?i)no pg_hba\.conf entry for host \\?\"(?P<a>[0-9.]+)\\?\""
                             r"|Client with IP address \\?'(?P<b>[0-9.]+)\\?' is not allowed"
                             r"|Host \\?'(?P<c>[0-9.]+)\\?' is not allowed to connect")
_SERVER_RULES = r"(?i)^Microsoft\.(?:DBfor(?:PostgreSQL|MySQL)/flexibleServers|Sql/servers)/firewallRules$"


def server_firewall_refuses_client(state: SessionState) -> Facts:
    """The address a database server's error says it refused, outside every range of the server's firewall rules
    read: the rules, not the login or TLS, keep that client out. With the app read whose outbound addresses hold
    it, the app is named: its addresses changed (a scale into another pricing tier) while the rules kept the old."""
    found = next((m.group("a") or m.group("b") or m.group("c") for t in state.material.spoken()
                  for m in _REFUSED_CLIENT.finditer(t)), None)
    reads = [r for r in reads_of_type(state, _SERVER_RULES) if isinstance(r.get("ranges"), list)]
    if found is None or not reads:
        return None
    rules = [r for r in reads[0]["ranges"] if isinstance(r, dict)]
    if any(_in_range(found, str(r.get("startIpAddress")), str(r.get("endIpAddress"))) for r in rules):
        return None
    listed = ", ".join(f"{r.get('name')} {r.get('startIpAddress')}-{r.get('endIpAddress')}" for r in rules[:6])
    read = next((e.summary for e in state.ledger if e.data is reads[0]), "")  # the rules' read is the evidence
    facts = {"client_ip": found, "rules": listed or "none", "read": read}
    sites = [s for s in reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")
             if found in [str(ip) for ip in s.get("outboundIpAddresses") or []]]
    if sites:
        facts["app"] = str(sites[0].get("name") or "")
        facts["app_ips"] = ", ".join(str(ip) for ip in sites[0].get("outboundIpAddresses") or [])
    return facts


def _in_range(address: str, start: str, end: str) -> bool:
    """Whether an address lies between a rule's start and end addresses (an unreadable rule admits nothing)."""
    try:
        ip, low, high = (ipaddress.ip_address(a.strip()) for a in (address, start, end))
        return low <= ip <= high  # type: ignore[operator]
    except (ValueError, TypeError):
        return False


_FRONT_DOOR_WAF = r"(?i)^Microsoft\.Network/FrontDoorWebApplicationFirewallPolicies$"


def _waf_rules(state: SessionState, rule_type: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(policy, rule) for every enabled Block custom rule of that type in the Front Door WAF policies read whose
    policy is enabled in Prevention mode (in Detection mode a rule only logs)."""
    found = []
    for policy in reads_of_type(state, _FRONT_DOOR_WAF):
        if str(policy.get("wafMode") or "") != "Prevention" or str(policy.get("wafState") or "") == "Disabled":
            continue
        for rule in policy.get("customRules") or []:
            if isinstance(rule, dict) and str(rule.get("ruleType")) == rule_type \
                    and str(rule.get("action")) == "Block" and str(rule.get("enabledState") or "Enabled") == "Enabled":
                found.append((policy, rule))
    return found


def _conditions(rule: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in rule.get("matchConditions") or [] if isinstance(c, dict)]


def front_door_waf_rate_limit(state: SessionState) -> Facts:
    """The enabled rate-limit custom rule of a Front Door WAF policy in Prevention mode that blocks the requests the
    report sees refused as too many: the one whose matched path the client names, else the only one."""
    rules = _waf_rules(state, "RateLimitRule")
    said = said_by_client(state)
    named = [(p, r) for p, r in rules if any(str(v).strip("/").lower() in said for c in _conditions(r)
                                             for v in c.get("matchValue") or [] if len(str(v).strip("/")) >= 3)]
    chosen = named[:1] if len(named) == 1 else rules if len(rules) == 1 else []
    if not chosen:
        return None
    policy, rule = chosen[0]
    groups = [str(g.get("variableName")) for g in rule.get("groupBy") or [] if isinstance(g, dict)]
    return {"policy": str(policy.get("name")), "rule": str(rule.get("name")),
            "threshold": str(rule.get("rateLimitThreshold") or "?"),
            "minutes": str(rule.get("rateLimitDurationInMinutes") or 1),
            "group": "client address (SocketAddr)" if groups in ([], ["SocketAddr"]) else ", ".join(groups),
            "status": str(policy.get("blockStatusCode") or 403)}


def front_door_waf_geo_block(state: SessionState) -> Facts:
    """The enabled GeoMatch Block custom rule of a Front Door WAF policy in Prevention mode: with the match negated
    it blocks every country except those listed, so visitors from any other country get the block response."""
    for policy, rule in _waf_rules(state, "MatchRule"):
        geo = [c for c in _conditions(rule) if str(c.get("operator")) == "GeoMatch"]
        if not geo:
            continue
        countries = ", ".join(str(v) for c in geo for v in c.get("matchValue") or [])
        negated = any(c.get("negateCondition") is True for c in geo)
        return {"policy": str(policy.get("name")), "rule": str(rule.get("name")), "countries": countries,
                "effect": f"blocks every country except {countries}" if negated
                else f"blocks requests from {countries}"}
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "vm-inbound-nsg-denies-port": vm_inbound_nsg_denies_port,
    "pasted-nsg-denies-inbound-port": pasted_nsg_denies_inbound,
    "front-door-waf-rate-limit-rule-blocks": front_door_waf_rate_limit,
    "front-door-waf-geo-match-rule-blocks": front_door_waf_geo_block,
    "database-firewall-rules-refuse-client": server_firewall_refuses_client,
    "subnet-range-overlaps-existing-subnet": subnet_range_overlaps,
    "traffic-manager-probe-blocked-by-access-restrictions": probe_blocked_by_access_restrictions,
    "service-ip-rules-exclude-app": firewall_excludes_app,
    "storage-private-endpoint-missing-for-service": private_endpoint_misses_service,
    "private-dns-zone-misnamed": private_dns_zone_misnamed,
    "subnet-rule-without-service-endpoint": subnet_lacks_service_endpoint,
    "keyvault-firewall-omits-caller-subnet": vault_firewall_omits_caller_subnet,
    "front-door-id-header-not-this-profile": front_door_id_mismatch,
    "front-door-origin-host-header-not-app": origin_host_header_not_app,
    "front-door-origin-on-removed-app": origin_on_removed_app,
    "app-gateway-app-service-host-name-not-picked": gateway_host_header_not_app,
    "dns-zone-name-servers-not-delegated": dns_zone_not_delegated,
    "app-subnet-default-route-to-appliance": default_route_to_appliance,
    "subnet-nsg-denies-port": nsg_denies_port,
    "private-dns-zone-not-linked-to-caller-network": private_dns.zone_not_linked_to_caller,
    "private-dns-zone-not-linked-to-named-network": private_dns.zone_not_linked_to_named_network,
    "private-endpoint-name-without-dns-record": private_dns.endpoint_name_without_record,
    "private-dns-record-points-elsewhere": private_dns.record_points_elsewhere,
    "private-endpoint-without-dns-zone": private_dns.endpoint_without_dns_zone,
    "app-gateway-backend-subnet-nsg-denies-gateway": gateway_backend.backend_nsg_denies_gateway,
    "app-gateway-v2-subnet-default-route-not-internet": gateway_subnet_default_route_not_internet,
    "unresolved-host-resource-deleted": unresolved_host_deleted,
    "app-outbound-without-nat-gateway": app_without_nat_gateway,
    "internal-name-with-azure-provided-dns": internal_name_with_azure_dns,
}
