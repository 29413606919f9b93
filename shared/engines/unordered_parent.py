"""A parent the same configuration creates, named by the dependent resource in a way that gives no dependency.

A first `terraform apply` or Bicep deployment that fails with ResourceGroupNotFound while the same configuration
creates that group (and a second run succeeds) is a missing dependency: Terraform orders two resources only when
one refers to the other's attribute (`azurerm_resource_group.main.name`), not when both use the same variable or
local value; Bicep waits for a module only when the dependent one refers to a property of its resource or lists it
in `dependsOn`, and `scope: resourceGroup(rg.name)` of a module does not. The catalog's entry can only say "the
group does not exist"; which resource names the group how is read here from the pasted configuration.

Sources: developer.hashicorp.com/terraform/language/expressions/references (references create implicit
dependencies), developer.hashicorp.com/terraform/language/meta-arguments/depends_on, MicrosoftDocs/azure-docs
articles/azure-resource-manager/bicep/resource-dependencies.md and github.com/Azure/bicep/issues/18149 (a module
scoped by a module's name needs `dependsOn`)."""

from __future__ import annotations

import re

from shared.engines.base import Decision
from shared.session.state import Conclude, SessionState

_CATEGORY = "deployment.parent_not_found"
_GROUP_MISSING = re.compile(r"(?i)ResourceGroupNotFound|Resource group '[^']+' could not be found")
# Terraform: the group resource and the expression that names it
_TF_GROUP = re.compile(r'resource\s+"azurerm_resource_group"\s+"(?P<label>[\w-]+)"\s*\{[^{}]*?\bname\s*=\s*'
                       r'(?P<expr>(?:var|local)\.[\w]+)')
_TF_BLOCK = re.compile(r'resource\s+"(?P<type>azurerm_\w+)"\s+"(?P<label>[\w-]+)"\s*'
                       r'\{(?P<body>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}')
# Bicep: a module or resource scoped to resourceGroup(<symbol>.name) of a module declared in the same file
_BICEP_DECLARED = re.compile(r"(?m)^\s*module\s+(?P<symbol>\w+)\s+'")
_BICEP_SCOPED = re.compile(r"(?m)^\s*(?:module|resource)\s+(?P<symbol>\w+)\s+'[^']*'\s*=\s*\{"
                           r"(?P<body>(?:(?!^\s*(?:module|resource)\s+\w+\s+').)*)", re.DOTALL)
_BICEP_SCOPE = re.compile(r"scope\s*:\s*resourceGroup\(\s*(?P<parent>\w+)\.name\s*\)")


def with_unordered_parent(state: SessionState, decision: Decision) -> Decision:
    """A missing-group conclusion, with the resource that names a group the same configuration creates without a
    dependency on it, and the reference that gives the order."""
    if not isinstance(decision, Conclude) or decision.report.category != _CATEGORY:
        return decision
    material = state.material
    text = "\n".join([material.spoken_text(), *(f.content for f in material.files)])
    if not _GROUP_MISSING.search(text):
        return decision
    found = _terraform(text) or _bicep(text)
    if found is None:
        return decision
    cause, action = found
    if cause not in decision.report.root_cause:
        decision.report.root_cause = decision.report.root_cause.rstrip() + " " + cause
        decision.report.actions.insert(0, action)
    return decision


def _terraform(text: str) -> tuple[str, str] | None:
    for group in _TF_GROUP.finditer(text):
        label, expr = group.group("label"), group.group("expr")
        for block in _TF_BLOCK.finditer(text):
            if block.group("type") == "azurerm_resource_group":
                continue
            body = block.group("body")
            if not re.search(rf"\bresource_group_name\s*=\s*{re.escape(expr)}\b", body):
                continue
            if re.search(rf"\bazurerm_resource_group\.{re.escape(label)}\b", body):
                continue
            address = f"{block.group('type')}.{block.group('label')}"
            group_address = f"azurerm_resource_group.{label}"
            cause = (f"The configuration creates the resource group itself (`{group_address}`), but `{address}`"
                     f" names it through `{expr}`, not through that resource's attribute, so Terraform sees no"
                     " dependency between them and creates both at once: the group does not exist yet when the"
                     " dependent resource is created (a second run succeeds).")
            action = (f"In `{address}` set `resource_group_name = {group_address}.name` (or add"
                      f" `depends_on = [{group_address}]`), so Terraform creates the group first.")
            return cause, action
    return None


def _bicep(text: str) -> tuple[str, str] | None:
    declared = {m.group("symbol") for m in _BICEP_DECLARED.finditer(text)}
    for block in _BICEP_SCOPED.finditer(text):
        scope = _BICEP_SCOPE.search(block.group("body"))
        if scope is None or scope.group("parent") not in declared:
            continue
        parent, symbol = scope.group("parent"), block.group("symbol")
        if re.search(rf"dependsOn\s*:\s*\[[^\]]*\b{re.escape(parent)}\b", block.group("body")):
            continue
        cause = (f"The template creates the resource group in the same deployment (`{parent}`), but `{symbol}` is"
                 f" scoped to it with `resourceGroup({parent}...)`, which does not make the deployment wait for"
                 f" `{parent}`: without `dependsOn: [{parent}]` the two are deployed at once, before the group"
                 " exists (a second run succeeds).")
        action = f"Add `dependsOn: [{parent}]` to `{symbol}` so the group is created first."
        return cause, action
    return None
