"""network.storage_firewall: the storage account's network rules deny the caller."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared.catalog.index import first_affirmed
from shared.engines.analyzers.common import regex, region_key, table
from shared.engines.analyzers.ledger import (
    ask_once,
    denial_note,
    env,
    latest,
    read_resources,
    reads_of_type,
    since_last_answer,
)
from shared.engines.analyzers.network_path import private_chain, private_name_resolved_publicly
from shared.engines.analyzers.storage_azure import Findings, covered, investigate
from shared.engines.base import Decision
from shared.engines.playbooks import conclude_finding, rule_facts
from shared.engines.session_reads import FINDINGS, is_mentioned, said_by_client, stated_outbound
from shared.engines.signatures import Hit
from shared.models import ClientRequest, Confidence, EvidenceItem, Report
from shared.session.report import checked_list
from shared.session.state import Conclude, Evidence, GiveUp, RunTool, SessionState

FIND = "list_storage_account_references"
_STORAGE_ACCOUNT = r"(?i)^Microsoft\.Storage/storageAccounts$"
RULES = "get_network_rules_from_answers"
STATED = "network_stated_rules"  # the material says the firewall denies: config, portal wording, prose
# A private endpoint named in the material: the firewall may be doing its job and the name resolution be wrong.
_PRIVATE_ENDPOINT = re.compile(r"(?i)private ?endpoint|privatelink\.")
# Resource types a storage account's resource instance rules (networkAcls.resourceAccessRules) can admit: instances of
# trusted services that reach the account with their managed identity (storage-network-security-resource-instances.md)
_INSTANCE_TYPES = re.compile(
    r"(?i)^Microsoft\.(?:Synapse/workspaces|DataFactory/factories|StreamAnalytics/streamingjobs|"
    r"MachineLearningServices/workspaces|Search/searchServices|CognitiveServices/accounts|Sql/servers|"
    r"Databricks/accessConnectors|Purview/accounts|DataShare/accounts|ApiManagement/service|Logic/workflows|"
    r"ContainerRegistry/registries|Devices/IotHubs|EventGrid/(?:topics|domains|systemTopics)|HealthcareApis/\w+|"
    r"Insights/components|DataBoxEdge/\w+|DocumentDB/databaseAccounts)$")


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    assert hit is not None
    if state.azure_access:
        found = investigate(state, None)
        if isinstance(found, RunTool):
            return found
        # the account as read: by the analyzer, or by the playbook when the group could not be listed
        read = [found.rules.data] if isinstance(found, Findings) else reads_of_type(state, _STORAGE_ACCOUNT)[:1]
        changed = private_path_broken(state, read[0]) if read else None
        if changed is not None:  # reached privately: the firewall denying the public path is by design
            return conclude_finding(state, *changed)
        # closed to public traffic and meant to be reached privately: the private DNS chain as Azure shows it (a zone
        # not linked to the caller's network, no record for the account's name) explains the refusal before the firewall
        chain = private_chain(state, without_zone=True) if read and _private_closed(read[0]) else None
        if chain is not None:
            return chain
        # meant to be private and the pasted lookup answers publicly: the private DNS, not the firewall, is the gap
        resolved = private_name_resolved_publicly(state, hit) if read and _private_only(read[0]) else None
        if resolved is not None:
            return resolved
        if isinstance(found, Findings):
            return _conclude_from_azure(state, hit, found)
    # No Azure access, or Azure would not tell: the client runs the commands.
    references = latest(state, FIND)
    if references is None:
        return RunTool(tool=FIND, purpose="finding the storage account the code and error refer to")
    accounts = references.data.get("accounts") or []
    account = accounts[0]["name"] if accounts else None
    rules = since_last_answer(state, RULES) if account else None
    if account and rules is None and state.material.answers:
        return RunTool(tool=RULES, arguments={"account": account},
                       purpose=f"reading the network rules of '{account}' from the client's answer")
    if account and rules is not None and rules.status == "success":
        return _conclude(state, hit, account, references, rules)
    resolved = private_name_resolved_publicly(state, hit)
    if resolved is not None:  # meant to be private, yet the pasted lookup answers publicly: DNS, not the firewall
        return resolved
    stated = stated_deny(state)
    if stated is not None:  # the material already says what the firewall question would ask
        return _conclude_stated_deny(state, hit, account, stated)
    return _ask_for_rules(state, hit, account) if account else _ask_for_account(state, hit)


def _private_only(account: dict) -> bool:
    """The account is meant to be reached through a private endpoint (public access off, or an endpoint exists)."""
    return str(account.get("publicNetworkAccess") or "").lower() == "disabled" or \
        bool(account.get("privateEndpointConnections"))


def _private_closed(account: dict) -> bool:
    """The account refuses public traffic and has a private endpoint: a caller meant to use that endpoint whose
    name resolves publicly meets the refusal."""
    return str(account.get("publicNetworkAccess") or "").lower() == "disabled" and \
        bool(account.get("privateEndpointConnections"))


def private_path_broken(state: SessionState, account: dict) -> tuple[dict, dict[str, str]] | None:
    """For an account reached privately, what broke the private path (a DNS zone link or record deleted, the
    endpoint recreated, reads of the geo-secondary with no endpoint of their own), as an evidence finding; None
    otherwise."""
    if not _private_only(account):
        return None
    for rule in (rule for rule in table(FINDINGS) if rule.get("private_path")):
        facts = rule_facts(state, rule)
        if facts is not None:
            return rule, facts
    return None


def _ask_for_rules(state: SessionState, hit: Hit, account: str) -> Decision:
    group = env(state, "resource_group", "<resource-group>")
    return ask_once(state, ClientRequest(
        question=f"Please run this command and paste its output: the network rules (networkRuleSet) of storage "
                 f"account '{account}'.{denial_note(state)}",
        why="If the firewall's default action is Deny and the caller's addresses are not allowed, the firewall "
            "is the cause; if it is Allow, the firewall is ruled out.",
        suggested_commands=[
            f"az storage account show --name {account} --resource-group {group} --query networkRuleSet"]),
        f"The network rules of '{account}' could not be read.", hit.signature.category)


def _ask_for_account(state: SessionState, hit: Hit) -> Decision:
    return ask_once(state, ClientRequest(
        question="Which storage account does the code connect to? Please paste its name and its network rules "
                 "(the firewall's networkRuleSet: default action, allowed IP ranges and virtual networks).",
        why="Its network rules decide whether a firewall blocks the connection.",
        suggested_commands=["az storage account list --query \"[].{name:name, group:resourceGroup}\" -o table",
                            "az storage account show --name <storage-account> --query networkRuleSet"]),
        "No storage account name was found to check.", hit.signature.category)


def _all_text(state: SessionState) -> str:
    """What the client said, the files, and environment_info's stated values ("public_network_access: Enabled from
    selected virtual networks and IP addresses" is the client's statement of the rules as much as a sentence is)."""
    material = state.material
    stated = [f"{key}: {value}" for key, value in material.environment.items() if isinstance(value, str)]
    return "\n".join([*material.spoken(), *(f.content for f in material.files), *stated])


def stated_deny(state: SessionState) -> tuple[dict, str] | None:
    """The first statement of knowledge/network_stated_rules.yaml that the material makes without denying it (a
    Terraform network_rules block, "Selected networks", public network access disabled), with the words used."""
    text = _all_text(state)
    for entry in table(STATED):
        if "pattern" not in entry:
            continue  # a note, not a statement of the rules
        found = first_affirmed(regex(entry["pattern"]), text)
        if found is not None:
            return entry, found.group(0)
    return None


def _conclude_stated_deny(state: SessionState, hit: Hit, account: str | None,
                          stated: tuple[dict, str]) -> Decision:
    """The material itself says the account's firewall denies by default: that is the cause, at medium confidence
    (the caller's address or subnet was not shown outside the rules)."""
    entry, words = stated
    group = env(state, "resource_group", "<resource-group>")
    evidence = [EvidenceItem(source="error", summary=q) for q in (hit.lines or hit.quotes)[:2]]
    evidence.append(EvidenceItem(source="material", summary=f"{entry['says']} ({words!r})"))
    verdict = Verdict(account=account or "<storage-account>", group=group, default_action="Deny", allowed=[],
                      subnets=0, blocked=stated_outbound(state))
    named = f" '{account}'" if account else ""
    report = Report(category=hit.signature.category, confidence="medium", evidence=evidence,
                    checked=checked_list(state), actions=_actions(verdict),
                    root_cause=f"The firewall (network rules) of storage account{named} denies by default, as the "
                               f"material says ({entry['says']}), and the caller (a pipeline agent, a managed "
                               "connector, a Microsoft service or the app) is not among the allowed IP ranges or "
                               "virtual network subnets, so the data-plane request is refused with 403 "
                               "(AuthorizationFailure) whatever role the caller holds. Allow the caller's address "
                               "or subnet, reach the account through a private endpoint from an allowed network, "
                               "or run the step from a network the rules admit." + _notes(state))
    return Conclude(message="The storage account's firewall denies the caller.", report=report)


def _notes(state: SessionState) -> str:
    """The notes of knowledge/network_stated_rules.yaml whose caller the material names (same-region services)."""
    text = _all_text(state)
    return "".join(" " + " ".join(e["note"].split()) for e in table(STATED)
                   if e.get("applies") and regex(e["applies"]).search(text))


def _conclude(state: SessionState, hit: Hit, account: str, references: Evidence, rules: Evidence) -> Decision:
    data = rules.data
    evidence = [EvidenceItem(source="error", summary=q) for q in (hit.lines or hit.quotes)[:2]]
    evidence += [EvidenceItem(source=FIND, summary=references.summary),
                 EvidenceItem(source="client", summary=rules.summary)]
    allowed = list(data.get("ipRules") or [])
    stated = stated_outbound(state)
    verdict = Verdict(account=account, group=env(state, "resource_group", "<resource-group>"),
                      default_action=str(data.get("defaultAction", "")), allowed=allowed,
                      subnets=int(data.get("virtualNetworkRules") or 0), addresses_known=bool(stated),
                      blocked=[ip for ip in stated if not covered(ip, allowed)])
    return _decide(state, hit, verdict, evidence)


def _conclude_from_azure(state: SessionState, hit: Hit, found: Findings) -> Decision:
    acls = found.rules.data.get("networkAcls") or {}
    evidence = [EvidenceItem(source="error", summary=q) for q in (hit.lines or hit.quotes)[:2]]
    evidence += [EvidenceItem(source="get_resource", summary=found.rules.summary)]
    if found.site is not None:
        evidence.append(EvidenceItem(source="get_resource", summary=found.site.summary))
    changes = [f"{c.get('caller')} changed the account ({c.get('operation')}, {c.get('status')}) at {c.get('time')}"
               for c in found.changes[:3]]
    evidence += [EvidenceItem(source="list_activity_log", summary=c) for c in changes]
    site = found.site.data if found.site else {}
    subnet = str(site.get("virtualNetworkSubnetId") or found.vm_subnet or "").lower()
    # a rule whose subnet was deleted (NetworkSourceDeleted) admits nothing, even for a re-created subnet of that name
    orphaned = {str(r).lower() for r in acls.get("orphanedVirtualNetworkRules") or []}
    live = {str(r).lower() for r in acls.get("virtualNetworkRules") or []} - orphaned
    verdict = Verdict(account=found.account, group=found.group, default_action=str(acls.get("defaultAction", "")),
                      allowed=list(acls.get("ipRules") or []), subnets=len(live),
                      instances=[str(r) for r in acls.get("resourceAccessRules") or []],
                      instance_missing=_instance_not_admitted(state, acls),
                      blocked=found.blocked_outbound(),
                      site=str(site.get("name")) if found.site else (found.vm or None), vm=bool(found.vm),
                      changes=changes, addresses_known=bool(found.outbound), private=_private_only(found.rules.data),
                      subnet_allowed=bool(subnet) and subnet in live,
                      subnet_orphaned=bool(subnet) and subnet in orphaned,
                      subnet=str(site.get("virtualNetworkSubnetId") or found.vm_subnet or ""),
                      same_region=_shared_region(site, found.rules.data) if not subnet else "")
    return _decide(state, hit, verdict, evidence)


def _instance_not_admitted(state: SessionState, acls: dict) -> str:
    """The id of the trusted-service instance the client names (a Synapse workspace, a Data Factory...) that the
    account's resource instance rules leave out while they admit other instances; "" when the account has no such
    rules (the trusted-services note covers that case) or the named instance is admitted."""
    admitted = {str(r).lower() for r in acls.get("resourceAccessRules") or []}
    if not admitted:
        return ""
    said = said_by_client(state)
    for resource in read_resources(state):
        rid, name = str(resource.get("id") or ""), str(resource.get("name") or "")
        if _INSTANCE_TYPES.search(str(resource.get("type") or "")) and rid.lower() not in admitted \
                and is_mentioned(name, said):
            return rid
    return ""


def _shared_region(site: dict[str, object], account: dict[str, object]) -> str:
    """The region the app and the account share ('West Europe' and 'westeurope' are one), else "": requests from the
    same region reach storage from private Azure addresses, which the account's IP rules never match."""
    where = [region_key(str(d.get("location") or "")) for d in (site, account)]
    return str(account.get("location")) if where[0] and where[0] == where[1] else ""


@dataclass
class Verdict:
    """The facts a firewall conclusion rests on, from Azure or from the client's answer."""

    account: str
    group: str
    default_action: str
    allowed: list[str]
    subnets: int
    blocked: list[str] = field(default_factory=list)  # the function's outbound addresses the rules do not allow
    site: str | None = None
    changes: list[str] = field(default_factory=list)
    addresses_known: bool = False  # the caller's outbound addresses were shown (Azure, or stated in the text)
    subnet_allowed: bool = False   # the app's integration subnet is one of the account's virtual network rules
    subnet_orphaned: bool = False  # the account's rule for that subnet is NetworkSourceDeleted (its subnet was deleted)
    private: bool = False          # Azure shows the account reached through a private endpoint (public access off)
    subnet: str = ""               # the app's virtual network integration subnet (resource id), when Azure shows one
    same_region: str = ""          # the region a non-integrated app shares with the account: IP rules do not apply
    vm: bool = False               # the caller is a virtual machine (`site` is its name, `subnet` its NIC's subnet)
    instances: list[str] = field(default_factory=list)  # the resource instance rules' resource ids
    instance_missing: str = ""     # the trusted-service instance the client names that those rules leave out

    def covered(self) -> bool:
        """The rules admit the caller: its subnet is allowed, or every address shown is in an allowed range (which
        counts only from another region)."""
        return self.subnet_allowed or (self.addresses_known and not self.blocked and not self.same_region)

    def confidence(self) -> Confidence:
        """High only when evidence shows the caller outside the rules, or the rules admit nothing at all."""
        if self.blocked or (not self.allowed and not self.subnets):
            return "high"
        return "medium"


def _decide(state: SessionState, hit: Hit, verdict: Verdict, evidence: list[EvidenceItem]) -> Decision:
    if verdict.default_action.lower() != "deny":
        return _ruled_out(state, evidence, f"The firewall of '{verdict.account}' allows all networks (defaultAction "
                                           f"{verdict.default_action})")
    if verdict.covered():
        how = "the app's subnet is an allowed virtual network rule" if verdict.subnet_allowed else \
            "every outbound address of the caller is inside an allowed IP range"
        return _ruled_out(state, evidence, f"The firewall of '{verdict.account}' denies by default, but {how}")
    private = verdict.private or _PRIVATE_ENDPOINT.search(
        state.material.spoken_text())
    confidence = "medium" if private else verdict.confidence()
    root_cause = _root_cause(verdict) + (
        " The account also has a private endpoint: if the caller should reach it privately, its name must resolve "
        "to the endpoint's private address (private DNS zone privatelink.blob.core.windows.net linked to the "
        "caller's virtual network); a public answer sends the traffic to the firewall instead." if private else "")
    root_cause += _notes(state)
    report = Report(category=hit.signature.category, confidence=confidence, evidence=evidence,
                    checked=checked_list(state), root_cause=root_cause, actions=_actions(verdict))
    return Conclude(message=f"The firewall of storage account '{verdict.account}' blocks the function.", report=report)


def _ruled_out(state: SessionState, evidence: list[EvidenceItem], why: str) -> Decision:
    return GiveUp(reason="exhausted", message=f"{why}; it is not the cause, and nothing else was confirmed.",
                  report=Report(category=None, confidence="low", evidence=evidence, checked=checked_list(state),
                                root_cause=f"Storage firewall ruled out: {why}. The cause is elsewhere."))


def _root_cause(v: Verdict) -> str:
    allowed = ", ".join(map(str, v.allowed)) or "no IP ranges"
    who = f"the VM '{v.site}'" if v.vm else f"the app '{v.site}'" if v.site else "the caller"
    where = "the subnet of its network interface" if v.vm else "its virtual network integration subnet"
    addresses = (f"{who}'s outbound addresses ({', '.join(v.blocked[:8])}) are not among them"
                 if v.blocked else f"{who}'s outbound addresses are not among them")
    changed = f" The rule changed recently: {v.changes[0]}." if v.changes else ""
    if v.same_region and not v.blocked:
        addresses = (f"{who} runs in the account's own region ({v.same_region}), and requests from the same region "
                     "arrive from private Azure addresses that IP rules never match: listing its outbound "
                     "addresses does not admit it")
    if v.subnet and not v.subnet_allowed:  # an integrated app reaches the account from its subnet, not its IPs
        addresses = (f"{who} reaches it from {where} '{v.subnet.rsplit('/', 1)[-1]}', "
                     "which is not among the virtual network rules")
    if v.subnet_orphaned:
        addresses = (f"{who} reaches it from its virtual network integration subnet '{v.subnet.rsplit('/', 1)[-1]}', "
                     "and the account's rule for that subnet is in state NetworkSourceDeleted: the subnet it was "
                     "created for was deleted, and a rule in that state admits nothing, even once a subnet of the same "
                     "name exists again")
    instance = ""
    if v.instance_missing:
        listed = ", ".join(f"'{r.rsplit('/', 1)[-1]}'" for r in v.instances[:4])
        instance = (f" Its resource instance rules (networkAcls.resourceAccessRules) admit only {listed}, not "
                    f"'{v.instance_missing.rsplit('/', 1)[-1]}': a rule admits that one service instance by its "
                    "resource id, so another instance of the same service (a second workspace or factory) is refused "
                    "until it has a rule of its own, whatever data role its identity holds.")
    return (f"The firewall of storage account '{v.account}' denies every network by default (networkRuleSet "
            f"defaultAction Deny) and allows only {allowed} and {v.subnets} virtual network rules; {addresses}, "
            f"so its requests to the account are refused (403 AuthorizationFailure) or time out.{instance}{changed}")


def _actions(v: Verdict) -> list[str]:
    add = f"az storage account network-rule add --account-name {v.account} --resource-group {v.group}"
    app = v.site or "<function-app>"
    whose = "the function app's outbound addresses" if v.site else "the caller's addresses"
    first = ([f"Replace the orphaned rule: `az storage account network-rule remove --account-name {v.account} "
              f"--resource-group {v.group} --subnet {v.subnet}`, then `{add} --subnet {v.subnet}` (the rule binds to "
              "the subnet that existed when it was added; a re-created subnet needs a new rule)."]
             if v.subnet_orphaned else
             [f"Allow the {'VM' if v.vm else 'app'}'s subnet: `{add} --subnet {v.subnet}` (the subnet needs the "
              "Microsoft.Storage service endpoint)."] if v.subnet and not v.subnet_allowed else
             [f"Allow {whose}: " + "; ".join(f"`{add} --ip-address {ip}`" for ip in v.blocked[:8]) + "."]
             if v.blocked else
             [f"Admit the app by network, not by IP: integrate {app} with a virtual network and allow that subnet "
              f"(`{add} --vnet-name <vnet> --subnet <subnet>`, with the Microsoft.Storage service endpoint), or "
              "reach the account through a private endpoint; IP rules cannot admit a caller of the same region."]
             if v.same_region else
             [f"List the function app's outbound addresses: `az functionapp show --name {app} --resource-group "
              f"{v.group} --query possibleOutboundIpAddresses -o tsv`.",
              f"Allow them on the account: `{add} --ip-address <outbound-ip>` (once per address)."])
    # an app already integrated with a virtual network needs its subnet allowed; a same-region one was told above
    integrate = [] if v.subnet or (v.same_region and not v.blocked) else [
        "Better for production: integrate the app with a virtual network and allow its subnet "
        f"(`{add} --vnet-name <vnet> --subnet <subnet>`, with the Microsoft.Storage service endpoint), or use a "
        "private endpoint."]
    if v.instance_missing:
        first = [f"Add a resource instance rule for it: `{add} --resource-id {v.instance_missing} --tenant-id "
                 "<tenant-id>` (portal: the account's Networking page, Resource instances)."]
        integrate = []
    return first + integrate + [
        f"If the change was a mistake, restore the previous rule: `az storage account update --name {v.account} "
        f"--resource-group {v.group} --default-action Allow`.",
        f"See who changed it: `az monitor activity-log list --resource-group {v.group} --offset 2d --query "
        "\"[?operationName.value=='Microsoft.Storage/storageAccounts/write']\"`."]
