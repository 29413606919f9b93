"""network.storage_firewall: the storage account's network rules deny the caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.engines.analyzers.ledger import ask_once, denial_note, env, latest, since_last_answer
from shared.engines.analyzers.storage_azure import Findings, investigate
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem, Report
from shared.report import checked_list
from shared.session import Conclude, Evidence, GiveUp, RunTool, SessionState

FIND = "list_storage_account_references"
RULES = "get_network_rules_from_answers"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    assert hit is not None
    if state.azure_access:
        found = investigate(state, None)
        if isinstance(found, RunTool):
            return found
        if isinstance(found, Findings):
            return _conclude_from_azure(state, hit, found)
    # No Azure access, or Azure would not tell: the client runs the commands.
    references = latest(state, FIND)
    if references is None:
        return RunTool(tool=FIND, purpose="finding the storage account the code and error refer to")
    accounts = references.data.get("accounts") or []
    if not accounts:
        return _ask_for_account(state, hit)
    account = accounts[0]["name"]
    rules = since_last_answer(state, RULES)
    if rules is None and state.material.answers:
        return RunTool(tool=RULES, arguments={"account": account},
                       purpose=f"reading the network rules of '{account}' from the client's answer")
    if rules is not None and rules.status == "success":
        return _conclude(state, hit, account, references, rules)
    return _ask_for_rules(state, hit, account)


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
        question="Which storage account does the code connect to? Please paste its name or the connection "
                 "setting's value without the key.",
        why="Its network rules decide whether a firewall blocks the connection.",
        suggested_commands=["az storage account list --query \"[].{name:name, group:resourceGroup}\" -o table"]),
        "No storage account name was found to check.", hit.signature.category)


def _conclude(state: SessionState, hit: Hit, account: str, references: Evidence, rules: Evidence) -> Decision:
    data = rules.data
    evidence = [EvidenceItem(source="error", summary=q) for q in hit.quotes[:2]]
    evidence += [EvidenceItem(source=FIND, summary=references.summary),
                 EvidenceItem(source="client", summary=rules.summary)]
    verdict = Verdict(account=account, group=env(state, "resource_group", "<resource-group>"),
                      default_action=str(data.get("defaultAction", "")), allowed=list(data.get("ipRules") or []),
                      subnets=int(data.get("virtualNetworkRules") or 0))
    return _decide(state, hit, verdict, evidence)


def _conclude_from_azure(state: SessionState, hit: Hit, found: Findings) -> Decision:
    acls = found.rules.data.get("networkAcls") or {}
    evidence = [EvidenceItem(source="error", summary=q) for q in hit.quotes[:2]]
    evidence += [EvidenceItem(source="get_resource", summary=found.rules.summary)]
    if found.site is not None:
        evidence.append(EvidenceItem(source="get_resource", summary=found.site.summary))
    changes = [f"{c.get('caller')} changed the account ({c.get('operation')}, {c.get('status')}) at {c.get('time')}"
               for c in found.changes[:3]]
    evidence += [EvidenceItem(source="list_activity_log", summary=c) for c in changes]
    verdict = Verdict(account=found.account, group=found.group, default_action=str(acls.get("defaultAction", "")),
                      allowed=list(acls.get("ipRules") or []), subnets=len(acls.get("virtualNetworkRules") or []),
                      blocked=found.blocked_outbound(), site=str(found.site.data.get("name")) if found.site else None,
                      changes=changes)
    return _decide(state, hit, verdict, evidence)


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


def _decide(state: SessionState, hit: Hit, verdict: Verdict, evidence: list[EvidenceItem]) -> Decision:
    if verdict.default_action.lower() != "deny":
        return GiveUp(reason="exhausted",
                      message=f"The firewall of '{verdict.account}' allows all networks (defaultAction "
                              f"{verdict.default_action}); it is not the cause, and nothing else was confirmed.",
                      report=Report(category=None, confidence="low", evidence=evidence, checked=checked_list(state),
                                    root_cause="Storage firewall ruled out; the cause is elsewhere."))
    report = Report(category=hit.signature.category, confidence="high", evidence=evidence,
                    checked=checked_list(state), root_cause=_root_cause(verdict), actions=_actions(verdict))
    return Conclude(message=f"The firewall of storage account '{verdict.account}' blocks the function.", report=report)


def _root_cause(v: Verdict) -> str:
    allowed = ", ".join(map(str, v.allowed)) or "no IP ranges"
    who = f"the function app '{v.site}'" if v.site else "the function"
    addresses = (f"{who}'s outbound addresses ({', '.join(v.blocked[:8])}) are not among them"
                 if v.blocked else f"{who}'s outbound addresses are not among them")
    changed = f" The rule changed recently: {v.changes[0]}." if v.changes else ""
    return (f"The firewall of storage account '{v.account}' denies every network by default (networkRuleSet "
            f"defaultAction Deny) and allows only {allowed} and {v.subnets} virtual network rules; {addresses}, "
            f"so its connections to the account are dropped and time out.{changed}")


def _actions(v: Verdict) -> list[str]:
    add = f"az storage account network-rule add --account-name {v.account} --resource-group {v.group}"
    app = v.site or "<function-app>"
    first = (["Allow the function app's outbound addresses: " + "; ".join(f"`{add} --ip-address {ip}`"
                                                                           for ip in v.blocked[:8]) + "."]
             if v.blocked else
             [f"List the function app's outbound addresses: `az functionapp show --name {app} --resource-group "
              f"{v.group} --query possibleOutboundIpAddresses -o tsv`.",
              f"Allow them on the account: `{add} --ip-address <outbound-ip>` (once per address)."])
    return first + [
        "Better for production: integrate the function app with a virtual network and allow its subnet "
        f"(`{add} --vnet-name <vnet> --subnet <subnet>`, with the Microsoft.Storage service endpoint), or use a "
        "private endpoint.",
        f"If the change was a mistake, restore the previous rule: `az storage account update --name {v.account} "
        f"--resource-group {v.group} --default-action Allow`.",
        f"See who changed it: `az monitor activity-log list --resource-group {v.group} --offset 2d --query "
        "\"[?operationName.value=='Microsoft.Storage/storageAccounts/write']\"`."]
