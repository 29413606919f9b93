"""A cause that is a fault of the machine the report says the step runs on, outside Azure (a GitHub-hosted runner's
disk, a home server's memory): the reading becomes out of scope (knowledge/outside_hosts.yaml)."""

from __future__ import annotations

import re

from shared.catalog.index import first_affirmed
from shared.engines.analyzers.common import regex, table
from shared.engines.base import Decision
from shared.models import EvidenceItem
from shared.session.report import partial_report
from shared.session.state import AskClient, Conclude, GiveUp, SessionState

HOSTS = "outside_hosts"
_SENTENCE = re.compile(r"(.{30,}?[.!?])\s+(?=[A-Z(])", re.DOTALL)  # at least 30 characters: "e.g." ends no sentence


def outside_host(state: SessionState, decision: Decision) -> Decision:
    """The decision, or an out-of-scope end when its category is a fault of a machine outside Azure that the report
    names, and no Azure evidence stands behind it. A host with a `failure` pattern (the developer's own machine) also
    replaces a question, when the report shows that machine's own software failing."""
    if not isinstance(decision, Conclude | AskClient) or (
            isinstance(decision, Conclude) and decision.report.category is None):
        return decision
    if any(e.tool.startswith(("get_", "list_", "query_")) and e.status == "success" and e.data.get("type")
           for e in state.ledger):
        return decision  # Azure itself was read: the resource is in Azure
    spoken = state.material.spoken()
    for host in table(HOSTS):
        applies = decision.report.category in host["categories"] if isinstance(decision, Conclude) \
            else bool(host.get("failure"))  # a question is replaced only where the machine's own failure shows
        if not applies or not _reading_of_the_machine(host, decision):
            continue
        if host.get("failure") and not any(regex(host["failure"]).search(t) for t in spoken):
            continue
        if host.get("unless") and any(first_affirmed(regex(host["unless"]), t) for t in spoken):
            continue  # the report places the failing step elsewhere: a self-hosted agent, or Azure after all
        said = next((m.group(0) for t in spoken for m in [first_affirmed(regex(host["pattern"]), t)] if m), None)
        if said is not None:
            return _outside(state, decision, host, said)
    return decision


def _reading_of_the_machine(host: dict, decision: Conclude | AskClient) -> bool:
    """Whether the reading is one the machine itself can cause (its `readings` pattern for the category, when it
    has one): a full disk is a runner's, a subscription's regional vCPU quota never is, wherever the step runs."""
    if not isinstance(decision, Conclude):
        return True
    pattern = host.get("readings", {}).get(decision.report.category)
    return pattern is None or regex(pattern).search(decision.report.root_cause) is not None


def _outside(state: SessionState, decision: Conclude | AskClient, host: dict, said: str) -> GiveUp:
    # the reading's first sentence names the fault; what follows explains it for an Azure service (App Service's
    # plan storage for a full disk), which is beside the point on a machine outside Azure
    reading = _first_sentence(decision.report.root_cause) if isinstance(decision, Conclude) \
        else _local_failure(state, host)
    quoted = f": '{' '.join(said.split())[:80]}'" if said.strip() else ""  # a lookahead-only pattern quotes nothing
    found = partial_report(state, root_cause=(
        f"The failure is a fault of the machine the step runs on, which is outside Azure ({host['says']}"
        f"{quoted}): {reading[:1].lower()}"
        f"{reading[1:400]}".rstrip() + " That machine and its provider own the fix; Azure "
        "resources are not the cause."))
    found.category, found.confidence = "out_of_scope", "medium"
    found.evidence = decision.report.evidence[:4] if isinstance(decision, Conclude) else [
        EvidenceItem(source="error", summary=reading[:300])]
    found.actions = ["Fix it on that machine or with its provider's tools (free disk or memory on the runner or "
                     "server, its DNS resolver, its registry credentials); nothing needs to change in Azure."]
    return GiveUp(reason="out_of_scope", report=found,
                  message="The failing machine is outside Azure; this service debugs Azure errors only.")


def _first_sentence(text: str) -> str:
    found = _SENTENCE.match(text)
    return found.group(1) if found else text


def _local_failure(state: SessionState, host: dict) -> str:
    """The line of the report that shows the machine's own software failing (the host's `failure` pattern)."""
    for text in state.material.spoken():
        for line in text.splitlines():
            if regex(host["failure"]).search(line):
                return f"the report shows '{' '.join(line.split())[:240]}'."
    return "its own software fails."
