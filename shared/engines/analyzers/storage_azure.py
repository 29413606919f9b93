"""The storage firewall investigated in Azure itself (not an analyzer: storage_firewall.py calls it).

The account's network rules, the function app's outbound addresses and who changed the account
recently, read with the service's identity. When any of it cannot be read, `investigate` returns None
and the analyzer asks the client instead."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from shared.engines.analyzers.azure_scope import group_resources, resource_group
from shared.engines.analyzers.ledger import azure_call
from shared.session.state import Evidence, RunTool, SessionState

STORAGE_TYPE = "microsoft.storage/storageaccounts"
SITE_TYPE = "microsoft.web/sites"
VM_TYPE = "microsoft.compute/virtualmachines"


@dataclass
class Findings:
    """What Azure showed about the account, for the conclusion."""

    account: str
    group: str
    rules: Evidence
    site: Evidence | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    vm: str = ""         # the virtual machine that calls the account, when no app does
    vm_subnet: str = ""  # the subnet of that VM's network interface (resource id)

    @property
    def outbound(self) -> list[str]:
        data = self.site.data if self.site else {}
        return list(data.get("possibleOutboundIpAddresses") or data.get("outboundIpAddresses") or [])

    def blocked_outbound(self) -> list[str]:
        allowed = list(self.rules.data.get("networkAcls", {}).get("ipRules") or [])
        return [ip for ip in self.outbound if not covered(ip, allowed)]


def investigate(state: SessionState, account_hint: str | None) -> Findings | RunTool | None:
    """Findings when Azure answered; a RunTool for the next read; None when it cannot be read here."""
    resources = group_resources(state)
    if not isinstance(resources, list):
        return resources
    account = pick_resource(resources, STORAGE_TYPE, account_hint, state)
    if account is None:
        return None
    rules = azure_call(state, "get_resource", {"resource_id": account["id"]},
                       f"reading the network rules of '{account['name']}'")
    if not isinstance(rules, Evidence):
        return rules
    endpoints = private_endpoints_read(state, rules.data)
    if isinstance(endpoints, RunTool):
        return endpoints
    findings = Findings(account=account["name"], group=str(resource_group(state)), rules=rules)
    return _with_site_and_changes(state, findings, resources, account["id"])


def private_endpoints_read(state: SessionState, account: dict[str, Any]) -> RunTool | None:
    """The next unread private endpoint of the account (at most three): which sub-resources (blob, dfs, file,
    blob_secondary) have a private path decides whether a refused call took the public one."""
    for endpoint_id in (account.get("privateEndpoints") or [])[:3]:
        read = azure_call(state, "get_resource", {"resource_id": endpoint_id},
                          f"reading the private endpoint '{str(endpoint_id).rsplit('/', 1)[-1]}' of the account")
        if isinstance(read, RunTool):
            return read
    return None


def _with_site_and_changes(state: SessionState, findings: Findings, resources: list[dict[str, Any]],
                           account_id: str) -> Findings | RunTool:
    if str(findings.rules.data.get("networkAcls", {}).get("defaultAction", "")).lower() != "deny":
        return findings  # nothing to explain with the app's addresses or the change history
    # the app that calls the account (a listing may not give the kind: a function app, a Logic Apps Standard app or
    # a web app alike reach storage from their outbound addresses or integration subnet)
    site = pick_resource(resources, SITE_TYPE, None, state)
    if site is not None:
        read = azure_call(state, "get_resource", {"resource_id": site["id"]},
                          f"reading the outbound addresses of '{site['name']}'")
        if isinstance(read, RunTool):
            return read
        findings.site = read
    else:  # no app: a virtual machine the report names (a Custom Script Extension downloading its script) calls it
        vm = _vm_subnet(state, resources)
        if isinstance(vm, RunTool):
            return vm
        if vm is not None:
            findings.vm, findings.vm_subnet = vm
    # the resource group's activity log, when the session already read it, holds the account's events too
    # (a group read that found no events says the same of the account: it is in the group)
    log = next((e for e in state.ledger if e.tool == "list_activity_log" and e.status in ("success", "no_data")
                and account_id.lower().startswith(str(e.arguments.get("scope", "")).lower() + "/")), None) \
        or azure_call(state, "list_activity_log", {"scope": account_id, "hours": 72},
                      f"finding who changed '{findings.account}' recently")
    if isinstance(log, RunTool):
        return log
    if log is not None:
        findings.changes = [e for e in log.data.get("events") or []
                            if str(e.get("operation", "")).lower().startswith(STORAGE_TYPE)
                            and str(e.get("resource_id") or account_id).lower().startswith(account_id.lower())]
    return findings


def _vm_subnet(state: SessionState, resources: list[dict[str, Any]]) -> tuple[str, str] | RunTool | None:
    """(name, subnet id) of the VM of the group the report names (or the only one): the subnet of its first network
    interface, which is where its requests to the account come from through a service endpoint."""
    vm = pick_resource(resources, VM_TYPE, None, state)
    if vm is None:
        return None
    read = azure_call(state, "get_resource", {"resource_id": vm["id"]},
                      f"reading the network interfaces of '{vm['name']}'")
    if not isinstance(read, Evidence):
        return read
    nics = [str(n.get("id") if isinstance(n, dict) else n) for n in read.data.get("networkInterfaces") or []]
    if not nics:
        return None
    nic = azure_call(state, "get_resource", {"resource_id": nics[0]},
                     f"reading the subnet of the network interface of '{vm['name']}'")
    if not isinstance(nic, Evidence):
        return nic
    subnets = [str(x) for x in nic.data.get("subnets") or []]
    return (str(vm["name"]), subnets[0]) if subnets else None


def pick_resource(resources: list[dict[str, Any]], type_name: str, hint: str | None,
          state: SessionState) -> dict[str, Any] | None:
    """The resource of that type the session names (hint, its name in the error text, or a name environment_info
    gives, such as storage_account: the account of two in the group the client means), or the only one."""
    of_type = [r for r in resources if str(r.get("type", "")).lower() == type_name]
    stated = [state.material.stated_name(k) for k, v in state.material.environment.items() if isinstance(v, str)]
    text = " ".join([state.material.error_description, *state.material.answers, *stated]).lower()
    named = [r for r in of_type if r.get("name") and (r["name"] == hint or str(r["name"]).lower() in text)]
    if len(named) == 1:
        return named[0]
    return of_type[0] if len(of_type) == 1 else None


def covered(address: str, rules: list[str]) -> bool:
    """Whether an IP address lies in one of the rules' addresses or ranges (unreadable entries match nothing)."""
    ip = _ip(address)
    return ip is not None and any(network is not None and ip in network
                                  for network in (_network(str(rule).strip()) for rule in rules))


def _network(rule: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(rule), strict=False)
    except ValueError:
        return None


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None
