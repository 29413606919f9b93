"""network.dns_resolution: a host name does not resolve where the code runs.

The resolver's own words ("Name or service not known", "getaddrinfo failed", "No such host is known")
state it; which host is read from the message. A name under privatelink. or a public name of a service
whose private endpoint answers from a private zone points at the private DNS setup instead."""

from __future__ import annotations

import re

from shared.engines.analyzers.common import (
    conclude_entry,
    facts_for,
    matched_entry,
    search,
    table_entry,
    texts,
)
from shared.engines.analyzers.network_path import service_host
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session.state import SessionState

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
    if private is not None and entry["id"] not in ("privatelink-name", "privatelink-record-missing"):
        # the setup resolves through private endpoints' zones: a name that does not resolve is that setup's gap
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
