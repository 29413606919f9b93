"""network.private_endpoint_dns / network.nsg_blocked: a connection to an Azure service times out or arrives
over the public endpoint although the service is meant to be reached privately.

How the service's host name resolves from the app decides between the two: a public address means the
private DNS zone is not used (not linked to the VNet, no record, custom DNS not forwarding), a private
address means DNS is right and something on the path (NSG, route, firewall) drops the traffic. The
client is asked once for nslookup output when the error does not include it."""

from __future__ import annotations

import re
from collections.abc import Callable

from shared.engines import private_dns
from shared.engines.analyzers.common import (
    Entry,
    delegate,
    facts_for,
    fill,
    grounded,
    other_cloud,
    quotes,
    regex,
    report,
    specific_hit,
    table,
    table_entry,
    texts,
    unknown,
)
from shared.engines.analyzers.ledger import ask_once, latest, since_last_answer
from shared.engines.base import Decision
from shared.engines.playbooks import conclude_finding, conclude_first_finding, investigate
from shared.engines.session_reads import FINDINGS
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem, Report
from shared.session.state import Conclude, Evidence, GiveUp, RunTool, SessionState
from shared.tools.text_tools import private_address

DNS = "get_dns_answer"
HOSTS = "network_service_hosts"
OUTCOMES = "network_path_outcomes"
# Words that say the service is meant to be reached over a private endpoint.
_PRIVATE_INTENT = (r"(?i)private ?endpoint|privatelink|Public network access is disabled|\bForbiddenByConnection\b|"
                   r"publicNetworkAccess\W{1,4}Disabled")


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    if not grounded(state, hit) or hit is None:
        return unknown(state)
    foreign = other_cloud(state)
    if foreign is not None:
        return foreign
    misnamed = misnamed_zone_in_text(state)
    if misnamed is not None:  # the report lists the zones: one is near the service's zone name but not it
        return conclude_finding(state, table_entry(FINDINGS, "private-dns-zone-misnamed"), misnamed)
    outside = _caller_outside(state)
    if outside is not None:  # a hosted runner or a laptop never takes the private path, whatever DNS says
        return outside
    if hit.signature.id.startswith("symptom-"):
        specific = specific_hit(state, exclude_analyzers={"network_path"})
        if specific is not None:
            return delegate(state, specific)
    service = service_host(state)
    if service is None:
        return _ask(state, hit, None)
    entry, facts = service
    dns = since_last_answer(state, DNS)
    if dns is None:
        return RunTool(tool=DNS, arguments={"host": facts["host"]},
                       purpose=f"reading how {facts['host']} resolves, from the error or the client's answers")
    if dns.status != "success":
        return _ask(state, hit, facts)
    return _conclude(state, hit, entry, facts, dns)


# The report says the call comes from a machine on the public internet, outside any virtual network.
_PUBLIC_CALLER = (r"(?i)\bgithub[- ]hosted (?:runners?|agents?)\b|\bmicrosoft[- ]hosted (?:agents?|pools?)\b|"
                  r"\bruns-on:\s*['\"]?(?:ubuntu|windows|macos)-|\bcloud ?shell\b|"
                  r"\bfrom (?:my|our|a) (?:laptop|local machine|dev(?:elopment)? machine|home office|home)\b")
_REFUSED_PUBLIC = (r"(?i)public network access is disabled|\bForbiddenByConnection\b|"
                   r"publicNetworkAccess\W{1,4}Disabled|not allowed from (?:the )?public network|"
                   r"Public access is disabled")


def _caller_outside(state: SessionState) -> Conclude | None:
    """A service that refuses its public endpoint, called from a hosted CI runner, Cloud Shell or a laptop: the
    caller is outside the network, which no DNS fix changes. None when the report names a self-hosted runner (it may
    sit in the network) or no such caller."""
    said = "\n".join(texts(state))
    caller = regex(_PUBLIC_CALLER).search(said)
    if caller is None or not regex(_REFUSED_PUBLIC).search(said) or re.search(r"(?i)self[- ]hosted", said):
        return None
    facts = facts_for(state, None, {"caller": caller.group(0).strip()})
    evidence = _lines_saying(state, lambda line: regex(_REFUSED_PUBLIC).search(line) is not None)[:1]
    message, cause = _outcome(state, "caller-outside-network", facts, evidence)
    return Conclude(message=message, report=cause)


def service_host(state: SessionState) -> tuple[Entry, dict[str, str]] | None:
    """The first Azure service host named in the error, the answers or (last) the files, with its DNS zone."""
    for text in texts(state, files=True):
        for entry in table(HOSTS):
            for match in regex(entry["match"]).finditer(text):
                if match.group("name").lower() != "privatelink":  # a zone's name, not a service's host
                    return entry, {"host": match.group("host"), "name": match.group("name"), "zone": entry["zone"],
                                   "service": entry["service"]}
    return None


_ZONE_NAME = re.compile(r"(?i)\bprivatelink\.[a-z0-9-]+(?:\.[a-z0-9-]+)+")
_HOST_LABEL_BEFORE = re.compile(r"[A-Za-z0-9-]\.\Z")


def misnamed_zone_in_text(state: SessionState) -> dict[str, str] | None:
    """A privatelink zone the report shows (a zone listing, a template) that no private endpoint uses, whose service
    label is a shortened or lengthened form of a real zone's (privatelink.vault.azure.net for
    privatelink.vaultcore.azure.net), while the real zone does not appear: the records went to a zone nobody asks."""
    found_in = [(m.group(0).lower().rstrip("."), text[:m.start()]) for text in texts(state)
                for m in _ZONE_NAME.finditer(text)]
    # a zone named as a zone (a listing, a template); not the tail of a host name inside it, which is what a lookup's
    # alias chain shows for any private-link service (vault.azure.net -> <vault>.privatelink.vaultcore.azure.net)
    as_zone = {name for name, before in found_in if not _HOST_LABEL_BEFORE.search(before)}
    zones = {str(h["zone"]).lower(): h for h in table(HOSTS)}
    for found in sorted(as_zone - zones.keys()):
        label = found.split(".")[1]
        for zone, host in zones.items():
            own = zone.split(".")[1]
            if zone not in as_zone and own != label and len(label) >= 4 and (own.startswith(label)
                                                                           or label.startswith(own)):
                return {"zone": zone, "found": found, "name": f"the {host['service']}"}
    return None


def private_name_resolved_publicly(state: SessionState, hit: Hit) -> Decision | None:
    """For a service meant to be reached privately (the report names a private endpoint or privatelink), a pasted
    name resolution that answers with a public address: the private DNS setup is the gap, not the service's
    firewall that refuses the public path. None when the material shows no such answer."""
    service = service_host(state)
    if service is None or not any(regex(_PRIVATE_INTENT).search(t) for t in texts(state)):
        return None
    dns = latest(state, DNS)
    if dns is None or dns.arguments.get("host") != service[1]["host"]:
        return RunTool(tool=DNS, arguments={"host": service[1]["host"]},
                       purpose=f"reading how {service[1]['host']} resolves, from the error or the client's answers")
    if dns.status != "success" or dns.data.get("private"):
        return None
    return _conclude(state, hit, *service, dns)


# The address a connection test actually used for the host (Test-NetConnection, curl -v, telnet)
_IP = r"\d{1,3}(?:\.\d{1,3}){3}"
_CONNECTED_TO = (rf"(?i)RemoteAddress\s*:\s*(?P<ip>{_IP})|TCP connect to \((?P<ip2>{_IP})\s*:|"
                 rf"\bTrying (?P<ip3>{_IP})\.\.\.|Connected to \S+ \((?P<ip4>{_IP})\)")


def _connected_elsewhere(state: SessionState, dns: Evidence) -> str | None:
    """The address the client's own connection test used, when DNS answered public addresses and it is none of them:
    something on the machine (a hosts entry, a VPN or proxy rule) overrides the answer."""
    addresses = set(dns.data.get("addresses") or [])
    if not addresses or dns.data.get("private"):
        return None
    for text in texts(state):
        for match in regex(_CONNECTED_TO).finditer(text):
            connected = next(ip for ip in match.groups() if ip)
            # a private address where DNS gave only public ones (another public one may be DNS's round robin)
            if connected not in addresses and private_address(connected):
                return connected
    return None


# what the private DNS chain read in Azure can show behind a public answer, most specific first
_CHAIN_FINDINGS = ("private-dns-zone-not-linked-to-caller-network", "private-endpoint-name-without-dns-record",
                   "private-dns-record-points-elsewhere", "private-dns-zone-not-linked-to-named-network")


def private_chain(state: SessionState, *, without_zone: bool = False) -> Decision | None:
    """Behind a public answer for a privately reached service, with Azure access: the next read of its private DNS
    chain (endpoint, zone group, zone links and records), then the link or record that is missing, so the report
    names the network to link instead of listing every possible gap; None when the chain shows none.
    `without_zone`: also an endpoint with no zone group and no zone at all (for a caller with no pasted lookup)."""
    step = private_dns.next_read(state)
    if step is not None:
        return step
    return conclude_first_finding(state, (*_CHAIN_FINDINGS,
                                          *(("private-endpoint-without-dns-zone",) if without_zone else ())))


# The service itself refused the request for not arriving through an approved private link (a refusal, not a drop)
_NOT_APPROVED_LINK = (r"(?i)not from a trusted service nor via an approved private link|\bForbiddenByConnection\b|"
                      r"not an approved private link")
# what Azure can show behind that refusal once the name resolves privately: the endpoint's connection not approved
_APPROVAL_FINDINGS = ("private-endpoint-manual-connection-not-approved", "private-endpoint-connection-not-approved")


def _refused_as_unapproved(state: SessionState, dns: Evidence) -> bool:
    """The name resolves to a private address and the service says the request came through no approved link."""
    return bool(dns.data.get("private")) and any(regex(_NOT_APPROVED_LINK).search(t) for t in texts(state))


def _refused_unapproved(state: SessionState, dns: Evidence) -> Decision | None:
    """The name resolves to the private endpoint's address, yet the service refuses the request as not coming
    through an approved private link: traffic reaches an endpoint whose connection the resource has not approved
    (a manual request from another subscription waits for the owner), not a drop on the path. With Azure access the
    playbook and the private endpoint chain are read first, and a connection state that is not Approved decides."""
    if not _refused_as_unapproved(state, dns):
        return None
    if state.azure_access:
        step = investigate(state)
        if step is not None:
            return step
        return conclude_first_finding(state, _APPROVAL_FINDINGS)
    return None


def _conclude(state: SessionState, hit: Hit, host_entry: Entry, found: dict[str, str], dns: Evidence) -> Decision:
    connected = _connected_elsewhere(state, dns)
    if connected is not None:
        return _local_override(state, hit, found, dns, connected)
    data = dns.data
    unapproved = _refused_unapproved(state, dns)
    if unapproved is not None:
        return unapproved
    chain = None if data.get("private") else private_chain(state)
    if chain is not None:
        return chain
    facts = facts_for(state, hit, found, {"addresses": ", ".join(data.get("addresses") or []),
                                          "aliases": " -> ".join(data.get("aliases") or [])})
    intent = data.get("privatelink") or any(regex(_PRIVATE_INTENT).search(t) for t in texts(state))
    outcome = "private-address" if data.get("private") else "public-address"
    if outcome == "public-address" and not intent:
        # a public answer is what a service without a private endpoint gives: DNS is not the gap the report shows
        outcome = "public-address-no-private-endpoint"
    if _refused_as_unapproved(state, dns):
        outcome = "private-address-refused-by-service"
    evidence = quotes(hit) + [EvidenceItem(source=DNS, summary=dns.summary)]
    message, cause = _outcome(state, outcome, facts, evidence)
    return Conclude(message=message, report=cause)


def _local_override(state: SessionState, hit: Hit, found: dict[str, str], dns: Evidence, connected: str) -> Decision:
    facts = facts_for(state, hit, found, {"addresses": ", ".join(dns.data.get("addresses") or []),
                                          "connected": connected})
    shown = _lines_saying(state, lambda line: connected in line)[:2]
    evidence = [EvidenceItem(source=DNS, summary=dns.summary), *shown]
    message, cause = _outcome(state, "local-override", facts, evidence)
    return GiveUp(reason="out_of_scope", report=cause, message=message)


def _outcome(state: SessionState, outcome: str, facts: dict[str, str], evidence: list[EvidenceItem],
             confidence: str | None = None) -> tuple[str, Report]:
    """The summary and report of one knowledge/network_path_outcomes.yaml entry, filled with the facts."""
    entry = table_entry(OUTCOMES, outcome)
    return fill(entry["summary"], facts), report(
        state, category=entry["category"], confidence=confidence or entry["confidence"],
        root_cause=fill(entry["root_cause"], facts).strip(), actions=[fill(a, facts) for a in entry["actions"]],
        evidence=evidence)


def _lines_saying(state: SessionState, says: Callable[[str], bool]) -> list[EvidenceItem]:
    """The lines of the error text and the answers that say it, as evidence."""
    return [EvidenceItem(source="error_text", summary=line.strip()[:300]) for text in texts(state)
            for line in text.splitlines() if says(line)]


def _ask(state: SessionState, hit: Hit, facts: dict[str, str] | None) -> Decision:
    host = (facts or {}).get("host")
    target = f"'{host}'" if host else "the service's host name (for example <account>.blob.core.windows.net)"
    return ask_once(state, ClientRequest(
        question=f"Please run nslookup for {target} from inside the app (Kudu/Advanced Tools console or SSH) and paste "
                 "the output, and say whether the service has a private endpoint.",
        why="A public address means the app does not use the private endpoint's DNS record (private DNS zone not "
            "linked or custom DNS); a private address means DNS is right and an NSG, route or firewall drops the "
            "traffic.",
        suggested_commands=[f"nslookup {host or '<service-host>'}",
                            fill("az network private-endpoint list --resource-group {resource_group} -o table",
                                 facts_for(state, hit))]),
        "How the service's name resolves from the app is still unknown, so DNS and network filtering could not be "
        "told apart.", None)
