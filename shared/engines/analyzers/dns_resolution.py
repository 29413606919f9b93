"""network.dns_resolution: a host name does not resolve where the code runs.

The resolver's own words ("Name or service not known", "getaddrinfo failed", "No such host is known")
state it; which host is read from the message. A name under privatelink. or a public name of a service
whose private endpoint answers from a private zone points at the private DNS setup instead."""

from __future__ import annotations

from shared.engines.analyzers.common import (
    conclude_entry,
    facts_for,
    first_entry,
    grounded,
    other_cloud,
    search,
    table,
    texts,
    unknown,
)
from shared.engines.analyzers.network_path import service_host
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.session import SessionState

TABLE = "network_dns_errors"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit):
        return unknown(state)
    foreign = other_cloud(state)
    if foreign is not None:
        return foreign
    found = first_entry([e for e in table(TABLE) if e.get("match")], state)
    if found is None:
        return unknown(state)
    entry, facts = found
    hosts = next(e for e in table(TABLE) if e["id"] == "hosts")
    facts = {**search(hosts["facts"], texts(state)), **facts}
    service = service_host(state)
    if service is not None and (not facts.get("host") or facts["host"] == service[1]["host"]):
        facts = {**service[1], **facts}
    if facts.get("host"):
        facts.setdefault("name", facts["host"].split(".")[0])
    return conclude_entry(state, hit, entry, facts_for(state, hit, facts))
