"""network.dns_resolution: a host name does not resolve where the code runs.

The resolver's own words ("Name or service not known", "getaddrinfo failed", "No such host is known")
state it; which host is read from the message. A name under privatelink. or a public name of a service
whose private endpoint answers from a private zone points at the private DNS setup instead."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import (
    conclude_entry,
    facts_for,
    fill,
    matched_entry,
    regex,
    search,
    table_entry,
    texts,
)
from shared.engines.analyzers.network_path import service_host
from shared.engines.base import Decision
from shared.engines.catalog_hits import contradicted
from shared.engines.signatures import Hit
from shared.session.state import Conclude, SessionState

TABLE = "network_dns_errors"
# The setup resolves through private DNS: a private endpoint or zone, a VNet-injected server (its own delegated
# subnet, private access), or a name that resolves from the internet but not from inside the network.
_PRIVATE_DNS = re.compile(r"(?i)private ?endpoint|privatelink\.|private dns (?:zone|resolver)|dns private resolver|"
                          r"conditional(?:ly)? forward|\bprivate access\b|\bdedicated subnet\b|"
                          r"\b(?:can|could) (?:connect|resolve|reach)[^.\n]{0,60}\bfrom my (?:laptop|machine|pc|home)|"
                          r"\bfrom my (?:laptop|machine|pc)\b[^.\n]{0,40}\b(?:works|resolves|connects)\b")


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    found = matched_entry(state, hit, TABLE, other_clouds=True)
    if not isinstance(found, tuple):
        return found
    entry, facts = found
    private = next((t for t in texts(state) if _PRIVATE_DNS.search(t)), None)
    # the setup resolves through private endpoints' zones: a name that does not resolve is that setup's gap, unless
    # the entry names its own cause, or the material rules the zone out (Azure DNS answers the private record;
    # another resolver in between fails)
    if private is not None and not entry.get("beats_private_dns") \
            and not contradicted(state, "network.private_endpoint_dns"):
        entry = ({**table_entry(TABLE, "privatelink-name"), "confidence": "medium"} if "privatelink" in private.lower()
                 else table_entry(TABLE, "private-zone-not-seen"))  # the ordinary name, zone not seen
    hosts = table_entry(TABLE, "hosts")
    facts = {**search(hosts["facts"], texts(state)), **facts}
    service = service_host(state)
    if service is not None and (not facts.get("host") or facts["host"] == service[1]["host"]):
        facts = {**service[1], **facts}
    if facts.get("host"):
        facts.setdefault("name", facts["host"].split(".")[0])
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts))


def with_malformed_host(state: SessionState, decision: Decision) -> Decision:
    """A name-resolution conclusion (from this analyzer or a catalog entry) whose unresolved host cannot be a name
    Azure gave out: the setting that builds the host is wrong, not DNS."""
    if not isinstance(decision, Conclude) or decision.report.category != "network.dns_resolution":
        return decision
    host = search(table_entry(TABLE, "hosts")["facts"], texts(state)).get("host") or ""
    why = _malformed(state, host) if host else None
    if why is None:
        return decision
    return conclude_entry(state, None, table_entry(TABLE, "host-malformed"),
                          facts_for(state, None, {"host": host, "why": why}))


def _malformed(state: SessionState, host: str) -> str | None:
    """Why the host cannot be a name Azure gave out, or None: the service's domain with more after it, a language
    code as a speech region, the public cloud's suffix for a resource in a sovereign cloud."""
    rule = table_entry(TABLE, "host-malformed")
    shown = next((m["why"] for m in rule["malformed"] if regex(m["pattern"]).search(host)), None)
    if shown is not None:
        return str(shown)
    endpoint = _resource_endpoint(state, rule, host)
    if endpoint is not None:
        return " ".join(fill(str(rule["resource_endpoint_why"]), {"endpoint": endpoint}).split())
    sovereign = next((m.group(0) for t in texts(state) for m in [regex(rule["sovereign_context"]).search(t)] if m),
                     None)
    if sovereign is not None and regex(rule["public_suffix"]).search(host):
        suffix = next((v for k, v in rule["sovereign_suffix"].items() if regex(k).search(sovereign)), "its own")
        return (f"it ends in the public cloud's domain while the resource is in a sovereign cloud ({sovereign}), "
                f"whose endpoints end in {suffix}")
    return None


def _resource_endpoint(state: SessionState, rule: dict, host: str) -> str | None:
    """The endpoint the material shows for the resource the host is named after, when it is another host."""
    name = host.split(".")[0]
    if len(name) < 3:
        return None
    pattern = re.compile(str(rule["resource_endpoint"]).replace("{name}", re.escape(name)))
    for text in texts(state):
        for found in pattern.finditer(text):
            endpoint = found.group("endpoint").rstrip(".")
            shown = endpoint.split("//", 1)[1].lower()
            if shown != host.lower() and ".privatelink." not in shown:  # a private endpoint's alias is the same
                return endpoint
    if regex(rule["regional_endpoint_hosts"]).search(host):  # the resource has the regional endpoint only
        regional = next((m.group("endpoint") for t in texts(state) for m in [regex(rule["regional_endpoint"]).search(t)]
                         if m), None)
        if regional is not None:
            return regional
    return None
