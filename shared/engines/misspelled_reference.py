"""A reference Resource Manager cannot find that misspells a name the report's own commands create.

"Resource .../virtualNetworks/psdemo-vent-1/subnets/psdemo-subnet-1 referenced by resource ... was not found" after
`az network vnet create --name psdemo-vnet-1`: the catalog can only say a referenced resource is missing or not
deployed yet (deployment.parent_not_found); the deciding fact is that the missing name is, one or two letters apart,
a name the same report creates, so the reference is misspelled (config.wrong_resource_name). Computed here from two
lists no phrase carries: the names in the not-found resource id, and the names the report's commands give
(`--name X`, `-n X`, `New-Az... -Name X`). Names differing only in digits
(vm01, vm02) are two resources, not a misspelling; a missing name the report never creates says nothing."""

from __future__ import annotations

import re

from shared.engines.base import Decision
from shared.engines.near_names import near_pair
from shared.session.state import Conclude, SessionState

_NOT_FOUND_LINE = re.compile(r"(?i)was not found|could not be found|does not exist|not found")
_RESOURCE_ID = re.compile(r"(?i)/subscriptions/[^\s'\"]+?/providers/([^\s'\"]+)")
# the name a create command gives to what it creates: `--name X`, `--name=X`, `-n X`, PowerShell's `-Name X`
# (`--vnet-name X` on another resource's create command is a reference to it, not a creation)
_GIVEN = re.compile(r"(?:^|\s)(?:--name|-n|-Name)(?:=|\s+)[\"']?([A-Za-z0-9][\w.-]{2,79})")
_CREATE_LINE = re.compile(r"(?i)\b(?:create|new-az\w*|add-az\w*|deploy)\b")


def _referenced_names(text: str) -> list[str]:
    """The names of the resource ids on the report's not-found lines (every type/name pair after the namespace)."""
    names: list[str] = []
    for line in text.split("\n"):
        if not _NOT_FOUND_LINE.search(line):
            continue
        for match in _RESOURCE_ID.finditer(line):
            parts = match.group(1).strip("/.").split("/")[1:]  # drop the namespace: type, name, type, name ...
            names += parts[1::2]
            break  # the first id is the reference; the one after "referenced by" exists
    return names


def _created_names(text: str) -> list[str]:
    return [m.group(1).rstrip(".,;") for line in text.split("\n") if _CREATE_LINE.search(line)
            for m in _GIVEN.finditer(line)]


def with_misspelled_reference(state: SessionState, decision: Decision) -> Decision:
    """A missing-reference conclusion whose missing name is a near spelling of a name the report creates: the
    reference is misspelled (config.wrong_resource_name), naming both spellings."""
    if not isinstance(decision, Conclude) or decision.report.category != "deployment.parent_not_found":
        return decision
    text = "\n".join(state.material.spoken())
    referenced, created = _referenced_names(text), _created_names(text)
    missing = [n for n in referenced if n.lower() not in {c.lower() for c in created}]
    pair = near_pair(sought=missing, names=created) if missing and created else None
    if pair is None:
        return decision
    wrong, meant = pair
    decision.report.category = "config.wrong_resource_name"
    decision.report.root_cause = (
        f"The reference Resource Manager cannot find names '{wrong}', but the report's own commands create "
        f"'{meant}' - one or two letters apart: the reference misspells the resource it means, so the resource it "
        f"names does not exist although '{meant}' does. " + decision.report.root_cause)
    decision.report.actions = [f"Correct '{wrong}' to '{meant}' in the command, parameter or template that refers "
                               f"to it, then run it again.", *decision.report.actions]
    return decision
