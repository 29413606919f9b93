"""Configuration the report pastes, read as the engine reads it from Azure: computed, not matched.

Reports often paste, beside the error, the configuration the client already checked: a firewall's rule list, the
caller's outbound addresses, an access restriction's header filter, the role assignments of an identity, a private
DNS zone's virtual network links. A stated fact decides like a read one, and the conclusion names the value read:

- IP coverage (`ipaddress`): the rule ranges a listing states (Redis / SQL StartIP-EndIP tables and JSON, Service Bus
  / Event Hubs `ipMask`, Storage `ipAddressOrRange`, an AWS security group's `CidrIp`) against the caller addresses
  the report states (an app's outbound list, a NAT or VM public IP, `curl ifconfig.me`); an address no rule covers is
  the refused caller. Rules of another cloud's security group make the report out of scope.
- Front Door: the `X-Azure-FDID` values an access restriction admits against the profile's Front Door ID.
- Role scope: Storage data roles listed only on other storage accounts than the one the request went to.
- Private DNS zone links: the links a zone lists against the one client network the report names.

Each reader only adds to (or settles) a conclusion of its own family, and stays silent when the stated facts agree
(an address inside a range, the profile's ID admitted, a link naming the client's network)."""

from __future__ import annotations

import ipaddress
import re

from shared.engines.analyzers.common import report
from shared.engines.base import Decision
from shared.models import EvidenceItem
from shared.session.state import AskClient, Conclude, GiveUp, SessionState

_IP = r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?!\d|\.\d)"
_IPS = re.compile(_IP)
_VALUE = r"[\"']?\s*[:=]\s*[\"']?"
# single rules: Service Bus / Event Hubs ipMask, Storage ipAddressOrRange, App Service ipAddress with a prefix,
# AWS security groups' CidrIp
_SINGLE_RULE = re.compile(rf"(?i)\b(ipMask|ipAddressOrRange|CidrIp|ip_?range|ipRange){_VALUE}({_IP})|"
                          rf"\b(ipAddress){_VALUE}({_IP}/\d{{1,2}})")
_STORAGE_VALUE = re.compile(rf"(?i)[\"']value{_VALUE}({_IP})")
_START = re.compile(rf"(?i)\bstart[-_]?ip(?:[-_]?address)?(?:{_VALUE}|\s+)({_IP})")
_END = re.compile(rf"(?i)\bend[-_]?ip(?:[-_]?address)?(?:{_VALUE}|\s+)({_IP})")
# a table's header with both columns, in either order (az sql server firewall-rule list puts EndIpAddress first)
_RANGE_HEADER = re.compile(r"(?i)\bstart[ _-]?ip(?:[ _-]?address)?\b.*\bend[ _-]?ip|\bend[ _-]?ip(?:[ _-]?address)?\b.*"
                           r"\bstart[ _-]?ip")
# where the report states the caller's own address
_CALLER_PROSE = re.compile(
    r"(?i)\b(?:(?:public|outbound|egress|client|source|NAT|caller'?s?)[ -]?(?:IPs?|address(?:es)?)(?: address(?:es)?)?|"
    r"ifconfig\.me|ipinfo\.io|whatismyip\w*|api\.ipify\.org|Client with IP address|client IP address)"
    r"[^\n\d]{0,80}?((?:" + _IP + r"[\s,;'\"]*){1,12})")
_CALLER_COMMAND = re.compile(r"(?i)(?:outboundIp|possibleOutboundIp|public-ip show|ipAddress -o|ifconfig\.me|"
                             r"ipify|outbound-ip)[^\n]*\n\s*((?:" + _IP + r"[\s,;]*){1,40})")
_CONNECTION_FAILED = re.compile(r"(?i)unable ?to ?connect|could not connect|can(?:no|')t connect|not possible to "
                                r"connect|timed? ?out|timeout|ETIMEDOUT|refused|prevented to connect|not allowed|"
                                r"forbidden|\b403\b|denied|Error 110\b|\(110\)|\(10060\)")
_AWS_RULES = re.compile(r"(?i)\bCidrIp\b|describe-security-groups|IpPermissions")
_SERVICE_SIDE = re.compile(r"(?i)(?:account|server|endpoint|service|cache|namespace|vault|database|"
                           r"front ?door|load balancer)(?:'s)?\W{0,3}(?:own\W{1,3})?$")
# addresses the report names as the target or a resolver's answer, never the caller's own
_TARGET = re.compile(r"(?i)(?:Address(?:es)?:\s*|resolves? to (?:the )?(?:public |private )?(?:address |IP )?|"
                     r"Name:\s*\S+\s+Address:\s*)(" + _IP + r")|(" + _IP + r"):\d{2,5}\b")


def _net(text: str) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)  # type: ignore[return-value]
    except ValueError:
        return None


def _rules(text: str) -> list[tuple[str, list[ipaddress.IPv4Network]]]:
    """The rule ranges the report lists, each as (its text, the networks it covers)."""
    found: list[tuple[str, list[ipaddress.IPv4Network]]] = []
    for m in _SINGLE_RULE.finditer(text):
        value = m.group(2) or m.group(4)
        net = _net(value)
        if net is not None:
            found.append((value, [net]))
    if re.search(r"(?i)ipRules|networkAcls|network-rule", text):
        for m in _STORAGE_VALUE.finditer(text):
            net = _net(m.group(1))
            if net is not None:
                found.append((m.group(1), [net]))
    for m in _START.finditer(text):
        end = _END.search(text, m.end(), m.end() + 200)
        before = _END.search(text[max(0, m.start() - 200):m.start()])
        if end is not None or before is not None:
            found.append(_range(m.group(1), (end or before).group(1)))  # type: ignore[union-attr]
    lines = text.splitlines()
    for i, line in enumerate(lines):
        header = _RANGE_HEADER.search(line)
        if header is None:
            continue
        end_first = header.group(0).lower().startswith("end")
        for row in lines[i + 1:i + 60]:
            if not row.strip():
                break
            ips = [ip for ip in _IPS.findall(row) if "/" not in ip]
            if len(ips) == 2:
                found.append(_range(*(reversed(ips) if end_first else ips)))
    return [(t, nets) for t, nets in found if nets]


def _range(start: str, end: str) -> tuple[str, list[ipaddress.IPv4Network]]:
    try:
        first, last = ipaddress.IPv4Address(start), ipaddress.IPv4Address(end)
    except ValueError:
        return (start, [])
    if last < first:
        return (start, [])
    nets = list(ipaddress.summarize_address_range(first, last))
    return (start if first == last else f"{start}-{end}", nets)


def _callers(text: str, ruled: set[str]) -> list[str]:
    """The public addresses the report states as the caller's own (outbound list, NAT or VM public IP)."""
    found: list[str] = []
    targets = {a or b for a, b in _TARGET.findall(text)}
    for pattern in (_CALLER_COMMAND, _CALLER_PROSE):
        for m in pattern.finditer(text):
            if pattern is _CALLER_PROSE and _SERVICE_SIDE.search(text[max(0, m.start() - 40):m.start()]):
                continue  # the service's own public address, not the caller's
            for ip in _IPS.findall(m.group(1)):
                net = _net(ip)
                if "/" in ip or net is None or ip in ruled | targets or ip in found \
                        or not net.network_address.is_global:
                    continue
                found.append(ip)
    return found


def _uncovered(text: str) -> tuple[list[str], list[str], bool] | None:
    """(the caller addresses no stated rule covers, the rules' texts, whether the rules are an AWS security group)."""
    rules = _rules(text)
    if not rules:
        return None
    ruled = {t.split("-")[0] for t, _ in rules} | {t for t, _ in rules}
    callers = _callers(text, ruled)
    if not callers:
        return None
    nets = [n for _, ns in rules for n in ns]
    missing = [ip for ip in callers if not any(ipaddress.ip_address(ip) in n for n in nets)]
    if not missing:
        return None
    aws = _AWS_RULES.search(text) is not None and not re.search(r"(?i)IpPermissionsEgress", text)
    return missing, list(dict.fromkeys(t for t, _ in rules)), aws


# a refusal by Azure Storage (its own error code, its CLI, its endpoints): the storage firewall's category
_STORAGE_REFUSAL = re.compile(r"(?i)\bAuthorizationFailure\b|\baz storage (?:account|blob|container)\b|"
                              r"\.(?:blob|dfs|queue|table|file)\.core\.windows\.net\b")
_FIREWALL_CATEGORIES = ("network.nsg_blocked", "network.storage_firewall")


def _ip_coverage(state: SessionState, decision: Decision, text: str) -> Decision | None:
    found = _uncovered(text)
    if found is None or not _CONNECTION_FAILED.search(text):
        return None
    missing, rules, aws = found
    listed = ", ".join(rules[:8])
    callers = ", ".join(missing)
    if aws:
        if isinstance(decision, Conclude) and decision.report.confidence != "low":
            return None
        cause = (f"The connection is refused outside Azure: the AWS security group's inbound rules listed "
                 f"({listed}) do not admit the caller's public address {callers}, so the database's network drops "
                 f"the connection (a timeout). Nothing on the Azure side decides it; the fix is an inbound rule on "
                 f"the AWS security group for {callers} on the database port.")
        evidence = [EvidenceItem(source="error", summary=f"stated security group rules: {listed}; caller address "
                                                         f"{callers} is in none of them")]
        actions = [f"Add an inbound rule to the AWS security group for {callers}/32 on the database port "
                   f"(`aws ec2 authorize-security-group-ingress`), or reach the database over a private path."]
        found_report = report(state, category="out_of_scope", confidence="medium", root_cause=cause,
                              actions=actions, evidence=evidence)
        return GiveUp(reason="out_of_scope", report=found_report, message=cause[:300])
    said = (f" The firewall rules the report lists ({listed}) do not cover the caller's stated address {callers}: "
            f"a connection from {callers} is refused while the covered addresses connect.")
    action = f"Add a firewall rule for {callers} (or cover every outbound address the caller can use)."
    storage = _STORAGE_REFUSAL.search(text) is not None
    refused = ("The storage account's firewall" if storage else "The service's IP firewall") \
        + " refuses the caller: only the listed client address ranges may connect."
    return _settle(state, decision, _FIREWALL_CATEGORIES, missing[0], said, action,
                   ("network.storage_firewall" if storage else "network.nsg_blocked", refused))


def _add(decision: Conclude, said: str) -> Conclude:
    """The conclusion with the stated fact appended to its root cause and evidence."""
    decision.report.root_cause += said
    decision.report.evidence.append(EvidenceItem(source="error", summary=said.strip()[:300]))
    return decision


def _settle(state: SessionState, decision: Decision, family: tuple[str, ...], value: str, said: str, action: str,
            conclusion: tuple[str, str]) -> Decision | None:
    """A conclusion of the reader's family (not a low guess) completed with the stated fact and its fix unless it
    names `value` already; an open question or low guess settled by (category, opening sentence) + the fact."""
    if isinstance(decision, Conclude) and decision.report.category in family and decision.report.confidence != "low":
        if value.lower() not in decision.report.root_cause.lower():
            _add(decision, said).report.actions.insert(0, action)
        return decision
    if not _open(state, decision):
        return None
    category, opening = conclusion
    cause = opening + said
    return Conclude(message=cause[:300], report=report(state, category=category, confidence="medium", root_cause=cause,
                                                       actions=[action], evidence=[EvidenceItem(
                                                           source="error", summary=said.strip()[:300])]))


def _open(state: SessionState, decision: Decision) -> bool:
    """A question before anything was asked, or a low guess: what a stated fact may settle instead."""
    if isinstance(decision, AskClient):
        return not state.requests_asked
    return isinstance(decision, Conclude) and decision.report.confidence == "low"


# --- Front Door ID -------------------------------------------------------------------------------------------------

_GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_FDID_ALLOWED = re.compile(rf"(?i)x-azure-fdid[\"']?\s*(?:[:=]|is|equals?)\s*\[?\s*((?:[\"']?{_GUID}[\"']?[\s,]*)+)")
_FDID_PROFILE = re.compile(rf"(?is)(?:frontDoorId[^\n]*\n\s*|frontDoorId{_VALUE}|"
                           rf"(?:front ?door|profile)\b[^\n]{{0,60}}?\bID\b\W{{0,5}})({_GUID})")


def _front_door_id(state: SessionState, decision: Decision, text: str) -> Decision | None:
    allowed = [g.lower() for m in _FDID_ALLOWED.finditer(text) for g in re.findall(_GUID, m.group(1), re.I)]
    profile = [m.group(1).lower() for m in _FDID_PROFILE.finditer(text) if m.group(1).lower() not in allowed]
    if not allowed or not profile or not re.search(r"(?i)\b403\b|forbidden", text):
        return None
    if any(p in allowed for p in profile):
        return None
    said = (f" The access restriction admits Front Door traffic only with the X-Azure-FDID header "
            f"{', '.join(allowed)}, but the Front Door profile's ID is {profile[0]}: every request it forwards "
            f"carries that ID, matches no allow rule and is refused with 403.")
    action = (f"Set the rule's X-Azure-FDID header filter to {profile[0]} (`az webapp config access-restriction add "
              f"... --service-tag AzureFrontDoor.Backend --http-header x-azure-fdid={profile[0]}`) and remove the old "
              f"profile's ID.")
    return _settle(state, decision, ("network.nsg_blocked",), profile[0], said, action,
                   ("network.nsg_blocked", "The app's access restrictions refuse the Front Door profile's requests."))


# --- role scope ----------------------------------------------------------------------------------------------------

_DATA_ROLE = re.compile(r"(?i)\bStorage (?:Blob|Queue|Table|File)[\w ]{0,20}? Data (?:Owner|Contributor|Reader|"
                        r"Delegator|Privileged \w+|SMB Share \w+(?: \w+)?)")
_ACCOUNT_SCOPE = re.compile(r"(?i)/providers/Microsoft\.Storage/storageAccounts/([a-z0-9]{3,24})(/\S*)?")
_STORAGE_HOST = re.compile(r"(?i)\b([a-z0-9]{3,24})\.(?:blob|queue|table|file|dfs)\.core\.windows\.net")


def _listed_data_roles(text: str) -> list[tuple[str, str]]:
    """(role, storage account of its scope) for each data-role assignment the report lists with an account scope;
    an assignment at a broader scope is ('role', '')."""
    found: list[tuple[str, str]] = []
    chunks = text.splitlines() + re.findall(r"\{[^{}]*\}", text)
    for chunk in chunks:
        role = _DATA_ROLE.search(chunk)
        if role is None or not re.search(r"(?i)/subscriptions/|scope", chunk):
            continue
        scope = _ACCOUNT_SCOPE.search(chunk)
        if scope is None and re.search(r"(?i)scope\W{1,4}/|\s/subscriptions/", chunk):
            found.append((role.group(0), ""))
        elif scope is not None:
            found.append((role.group(0), scope.group(1)))
    return found


def _role_scope(state: SessionState, decision: Decision, text: str) -> Decision | None:
    if not (isinstance(decision, Conclude) and decision.report.category == "auth.rbac_missing"):
        return None
    roles = _listed_data_roles(text)
    if not roles or any(not account for _, account in roles):
        return None  # a broader scope may well cover the account
    target = [m.group(1).lower() for m in _STORAGE_HOST.finditer(text)]
    named = [t for t in dict.fromkeys(target) if f"'{t}'" in decision.report.root_cause.lower()] or \
        list(dict.fromkeys(target))
    if len(named) != 1:
        return None
    account = named[0]
    if any(a.lower() == account for _, a in roles):
        return None
    others = ", ".join(f"'{r}' on storage account '{a}'" for r, a in dict.fromkeys(roles))
    said = (f" The role assignments the report lists grant {others}, not on '{account}', the account the request "
            f"went to: an assignment on another account gives no access here.")
    return _add(decision, said)


# --- private DNS zone links ------------------------------------------------------------------------------------------

_VNET_LIKE = re.compile(r"(?i)(?<![\w-])(vnet[-_.](?!integrat|inject|peer|link|rule|enabled)[-\w.]*\w|"
                        r"[-\w.]*\w[-_]vnet(?:[-_.][-\w.]*\w)?)(?![\w-])")
_LINK_LIST = re.compile(r"(?i)private-dns link vnet list[^\n]*\n")
_LINKED_VNET_ID = re.compile(r"(?i)virtualNetwork\W{1,6}id\W{1,6}[^\s\"']*/virtualNetworks/([-\w.]+)")
_ZONE = re.compile(r"(?i)\bprivatelink\.[a-z0-9.-]+\.(?:net|com|io)\b")


def _link_names(text: str) -> list[str]:
    names: list[str] = []
    for m in _LINK_LIST.finditer(text):
        rows = text[m.end():].splitlines()
        for row in rows[:30]:
            cells = row.split()
            if not cells:
                if names:
                    break
                continue
            if cells[0].startswith("$") or (names and not re.search(r"(?i)\b(?:Completed|Succeeded|True|False)\b",
                                                                      row)):
                break
            if re.fullmatch(r"-+", cells[0]) or cells[0].lower() == "name":
                continue
            names.append(cells[0])
    names += _LINKED_VNET_ID.findall(text)
    return list(dict.fromkeys(names))


def _zone_links(state: SessionState, decision: Decision, text: str) -> Decision | None:
    if not (isinstance(decision, Conclude) and decision.report.category == "network.private_endpoint_dns"):
        return None
    links = _link_names(text)
    if not links:
        return None
    lowered = [n.lower() for n in links]
    candidates = [v for v in dict.fromkeys(m.group(1) for m in _VNET_LIKE.finditer(text))
                  if not any(v.lower() in n or n in v.lower() for n in lowered)]
    if len(candidates) != 1 or candidates[0].lower() in decision.report.root_cause.lower():
        return None
    vnet = candidates[0]
    zones = list(dict.fromkeys(z.lower() for z in _ZONE.findall(text)))
    zone = f"'{zones[0]}'" if len(zones) == 1 else "the privatelink zone"
    said = (f" The zone {zone} lists virtual network links only for {', '.join(repr(n) for n in links)}; none of "
            f"them is the client's network '{vnet}', so '{vnet}' resolves the name through public DNS. Link the zone "
            f"to '{vnet}' (or point its DNS at a resolver in a linked network).")
    return _add(decision, said)


def with_stated_config(state: SessionState, decision: Decision) -> Decision:
    """The decision, settled or completed by the configuration the report pastes (see the module's docstring)."""
    if not isinstance(decision, (AskClient, Conclude)):
        return decision
    text = state.material.spoken_text()
    for reader in (_ip_coverage, _front_door_id, _role_scope, _zone_links):
        found = reader(state, decision, text)
        if found is not None:
            return found
    return decision
