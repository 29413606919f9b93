"""network.storage_firewall: the storage account's network rules deny the caller."""

from __future__ import annotations

from shared.engines.analyzers.ledger import ask_once, env, latest, since_last_answer
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import ClientRequest, EvidenceItem, Report
from shared.report import checked_list
from shared.session import Conclude, Evidence, GiveUp, RunTool, SessionState

FIND = "list_storage_account_references"
RULES = "get_network_rules_from_answers"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    assert hit is not None
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
                 f"account '{account}'.",
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
    group = env(state, "resource_group", "<resource-group>")
    evidence = [EvidenceItem(source="error", summary=q) for q in hit.quotes[:2]]
    evidence += [EvidenceItem(source=FIND, summary=references.summary),
                 EvidenceItem(source="client", summary=rules.summary)]
    if str(data.get("defaultAction", "")).lower() != "deny":
        return GiveUp(reason="exhausted",
                      message=f"The firewall of '{account}' allows all networks (defaultAction "
                              f"{data.get('defaultAction')}); it is not the cause, and nothing else was confirmed.",
                      report=Report(category=None, confidence="low", evidence=evidence, checked=checked_list(state),
                                    root_cause="Storage firewall ruled out; the cause is elsewhere."))
    allowed = ", ".join(map(str, data.get("ipRules") or [])) or "no IP ranges"
    report = Report(
        category=hit.signature.category, confidence="high", evidence=evidence, checked=checked_list(state),
        root_cause=(f"The firewall of storage account '{account}' denies every network by default "
                    f"(networkRuleSet defaultAction Deny) and allows only {allowed} and "
                    f"{data.get('virtualNetworkRules', 0)} virtual network rules. The function's outbound "
                    f"addresses are not among them, so its connections to the account are dropped and time out."),
        actions=[
            "List the function app's outbound addresses: `az functionapp show --name <function-app> "
            f"--resource-group {group} --query possibleOutboundIpAddresses -o tsv`.",
            f"Allow them on the account: `az storage account network-rule add --account-name {account} "
            f"--resource-group {group} --ip-address <outbound-ip>` (once per address).",
            "Better for production: integrate the function app with a virtual network and allow its subnet "
            f"(`az storage account network-rule add --account-name {account} --resource-group {group} "
            "--vnet-name <vnet> --subnet <subnet>`, with the Microsoft.Storage service endpoint), or use a "
            "private endpoint.",
            "If the change was a mistake, restore the previous rule: "
            f"`az storage account update --name {account} --resource-group {group} --default-action Allow`.",
            "Find who changed it: `az monitor activity-log list --resource-group "
            f"{group} --offset 2d --query \"[?operationName.value=='Microsoft.Storage/storageAccounts/write']\"`."])
    return Conclude(message=f"The firewall of storage account '{account}' blocks the function.", report=report)
