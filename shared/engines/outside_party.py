"""The failing party is outside Azure, read from what the report itself shows rather than from a vendor's error words:

- `named_failing_party`: the report says the Azure part of a job works and names the other part that fails ("Azure
  side is OK, the Mail.ru side fails", "The Azure copy completes; the pCloud side errors out"): that part's own
  service answered the error, so the report ends out of scope naming it.
- `other_cloud_allow_list`: a connection to another cloud's database times out or is refused, and the report shows
  both that database's IP allow-list (Cloud SQL's `authorizedNetworks`) and the app's outbound address (an
  `ifconfig.me` answer, the app's outbound addresses): when no outbound address is inside the allow-list, the other
  cloud's firewall drops the app (computed with `ipaddress`).

- `failing_terraform_provider`: a `terraform apply` whose failed resources (each error block's `with <type>.<name>`)
  all belong to a provider outside Azure (`datadog_monitor`, `cloudflare_record`): that provider answered the error,
  the Azure resources of the run are not what failed (knowledge/terraform_providers.yaml lists the providers that
  are Azure's or run locally).

All are read only when no Azure error the catalog knows is in the error text and no Azure host is on the path
(`rules.route` checks that before calling them)."""

from __future__ import annotations

import ipaddress
import re
from functools import cache

from shared.engines.analyzers.common import table
from shared.models import EvidenceItem
from shared.session.report import partial_report
from shared.session.state import GiveUp, SessionState

# "Azure side is OK", "The Azure part is fine", "The Azure copy completes", "the Azure upload still works"
_AZURE_PART_WORKS = re.compile(
    r"(?i)\b(?:the )?Azure(?: [A-Za-z]+)? (?:side|part|copy|upload|push|leg|half|remote|target)\b[^.\n;]{0,25}?"
    r"\b(?:is |was |are |looks |seems |still )?(?:OK|okay|fine|good|green|healthy|works?|working|succeeds?|"
    r"succeeded|completes?|completed|passes|passed)\b")
# "the Mail.ru side fails", "the pCloud side errors out", "the ECR Push task fails": a named part (one or two words,
# at least one capital letter: a product, not "the other side") that fails
_NAMED_PART_FAILS = re.compile(
    r"\b(?:[Tt]he|[Ee]very) ((?=[\w.-]*[A-Z])[\w.-]+(?: [A-Z][\w.-]*)?) (?:side|remote|part|task|step|leg|upload|"
    r"copy|push)\b[^.\n;]{0,40}?\b(?:fails?|failing|failed|errors? out|erroring|breaks|is broken)\b")
# a part named with Azure's own words is Azure's (the Key Vault step, the ACR push, the AzCopy upload)
_AZURE_WORDS = re.compile(r"(?i)\b(?:Azure|Microsoft|ACR|AKS|Entra|AAD|Bicep|ARM|Key ?Vault|App Service|Functions?|"
                          r"Cosmos|Blob|Storage|AzCopy|az|ADF|Synapse|Fabric|DevOps)\b")
# the line of the error itself: a status, a refusal or a failure word
_ERROR_LINE = re.compile(r"(?i)\berror\b|\bfailed\b|\bdenied\b|\bforbidden\b|\bunauthori[sz]ed\b|\b[45]\d\d\b")


def named_failing_party(state: SessionState) -> GiveUp | None:
    """The report says the Azure part works and names the part that fails: out of scope, naming that part."""
    for text in state.material.spoken():
        works = _AZURE_PART_WORKS.search(text)
        if works is None:
            continue
        fails = next((m for m in _NAMED_PART_FAILS.finditer(text) if not _AZURE_WORDS.search(m.group(1))), None)
        if fails is None:
            continue
        party = fails.group(1)
        line = _error_line(state)
        found = partial_report(state, root_cause=(
            f"The part that fails is {party}, outside Azure: the report says the Azure part works ('{works.group(0)}')"
            f" and that {fails.group(0)}" + (f"; the error is {party}'s answer ('{line}')" if line else "") +
            f". {party} refused or failed the call, so nothing in Azure explains it."))
        found.category, found.confidence = "out_of_scope", "medium"
        found.evidence = [EvidenceItem(source="error", summary=(line or fails.group(0))[:300])]
        found.actions = [f"Check it on {party}'s side: the credentials and account the job uses there, that "
                         f"service's status and limits, and whether the client tool's version still supports "
                         f"{party} (its release notes); nothing in Azure needs to change."]
        return GiveUp(reason="out_of_scope", report=found,
                      message=f"The failing part is {party}, outside Azure; this service debugs Azure errors only.")
    return None


def _error_line(state: SessionState) -> str:
    for line in state.material.error_description.splitlines():
        if _ERROR_LINE.search(line) and not _AZURE_PART_WORKS.search(line):
            return " ".join(line.split())[:200]
    return ""


# Cloud SQL's allow-list as gcloud prints it (YAML or JSON), or as the client sets it
_CLOUD_SQL_LIST = re.compile(r"(?i)\bauthorizedNetworks\b|--authorized-networks\b")
_LIST_VALUE = re.compile(r"""(?i)(?:\bvalue["']?\s*[:=]\s*["']?|--authorized-networks[= ])([\d./,]+)""")
# the app's outbound address: an echo service's answer, or the outbound addresses the client lists
_ECHO = re.compile(r"(?i)\b(?:ifconfig\.(?:me|co)|api\.ipify\.org|icanhazip\.com|checkip\.amazonaws\.com|"
                   r"ipinfo\.io/ip)\b[^\n]{0,40}|\boutbound (?:ip )?(?:addresses|ips?)\b[^\n]{0,80}", re.DOTALL)
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?\b")
_NO_CONNECTION = re.compile(r"(?i)\btim(?:ed|es|ing) ?out\b|\btimeout\b|\bconnection refused\b|\bcould not connect\b|"
                            r"\bcan'?t connect\b|\bETIMEDOUT\b")


def other_cloud_allow_list(state: SessionState) -> GiveUp | None:
    """Another cloud's database (Cloud SQL) that admits only its authorized networks, and an app whose outbound
    addresses are all outside them: the other cloud's firewall drops the connection."""
    text = state.material.spoken_text()
    if not _CLOUD_SQL_LIST.search(text) or not _NO_CONNECTION.search(state.material.error_description):
        return None
    allowed = _allowed_networks(text)
    outbound = _outbound_addresses(text)
    if not allowed or not outbound or any(ip in net for ip in outbound for net in allowed):
        return None
    shown_nets = ", ".join(str(n) for n in allowed)
    shown_ips = ", ".join(str(ip) for ip in outbound)
    found = partial_report(state, root_cause=(
        f"The database is a Google Cloud SQL instance, outside Azure, and its authorized networks ({shown_nets}) do "
        f"not include the app's outbound address ({shown_ips}): Cloud SQL's public IP admits only its authorized "
        "networks, so the connection from Azure is dropped and times out. Nothing in Azure blocks the port."))
    found.category, found.confidence = "out_of_scope", "medium"
    found.evidence = [EvidenceItem(source="error", summary=(
        f"authorized networks {shown_nets}; the app's outbound address {shown_ips} is in none of them")[:300])]
    found.actions = [f"Add the app's outbound address ({shown_ips}; all of the app's possible outbound addresses, or "
                     "a NAT gateway's static address) to the instance's authorized networks (gcloud sql instances "
                     "patch <instance> --authorized-networks=..., which replaces the list), or connect through the "
                     "Cloud SQL Auth Proxy."]
    return GiveUp(reason="out_of_scope", report=found,
                  message="Another cloud's database firewall drops the app; this service debugs Azure errors only.")


def _allowed_networks(text: str) -> list[ipaddress.IPv4Network]:
    start = _CLOUD_SQL_LIST.search(text)
    block = text[start.start():start.start() + 1500] if start else ""
    found: list[ipaddress.IPv4Network] = []
    for m in _LIST_VALUE.finditer(block):
        for part in m.group(1).split(","):
            try:
                found.append(ipaddress.IPv4Network(part.strip(), strict=False))
            except ValueError:
                continue
    return found


def _outbound_addresses(text: str) -> list[ipaddress.IPv4Address]:
    found: list[ipaddress.IPv4Address] = []
    for m in _ECHO.finditer(text):
        for ip in _IPV4.findall(m.group(0)):
            if "/" in ip:
                continue
            try:
                address = ipaddress.IPv4Address(ip)
            except ValueError:
                continue
            if address.is_global and address not in found:
                found.append(address)
    return found


# a Terraform error block: "Error: <message>", then (a few lines on) "with <type>.<name>,". The material arrives
# without the box's "│ " gutter (session/readable.py); a gutter or pipe left by another paste path is read past.
_TERRAFORM_BLOCK = re.compile(r"(?m)^[\s│|]*Error: (?P<message>[^\n]+)\n(?:[\s│|]*[^\n]*\n){0,6}?"
                              r"[\s│|]*with (?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?P<type>[a-z][a-z0-9]*)_\w+\.[\w-]+")


def failing_terraform_provider(state: SessionState) -> GiveUp | None:
    """Every failed resource of a Terraform run is one provider's outside Azure: out of scope, naming it."""
    blocks = list(_TERRAFORM_BLOCK.finditer(state.material.error_description))
    providers = {b.group("type") for b in blocks}
    if len(providers) != 1 or providers & _in_scope_providers():
        return None
    party, message = providers.pop(), " ".join(blocks[0].group("message").split())[:240]
    found = partial_report(state, root_cause=(
        f"The resource that fails is the {party} provider's, not Azure's: Terraform's error block names "
        f"'{blocks[0].group('type')}_...' as the failed resource, and its message ('{message}') is {party}'s answer "
        f"to the call. The Azure resources of the same run are not what failed, so nothing in Azure explains it."))
    found.category, found.confidence = "out_of_scope", "medium"
    found.evidence = [EvidenceItem(source="error", summary=f"Error: {message}")]
    found.actions = [f"Check it on {party}'s side: the credentials the {party} provider is configured with (its API "
                     f"key or token and account), and what already exists there; rerun `terraform apply` after."]
    return GiveUp(reason="out_of_scope", report=found,
                  message=f"The failing resource is the {party} provider's, outside Azure; this service debugs Azure "
                          f"errors only.")


@cache
def _in_scope_providers() -> frozenset[str]:
    """The providers whose failed resources stay in scope (knowledge/terraform_providers.yaml), read on first use."""
    return frozenset(p for e in table("terraform_providers") for p in e["prefixes"])
