"""Investigate a resource when the error text does not decide: per-resource-type playbooks kept as data.

The resource comes from the material (a resource id, environment_info's app name, a name in a strong form) or from
listing the resource group; its type picks the playbook (knowledge/playbooks.yaml), whose reads run one per step.
Every result is evidence: the catalog index scans it (an error that appears only in the activity log or a
revision's provisioning error is found), and knowledge/evidence_findings.yaml says what structured results decide
by themselves (a function app without AzureWebJobsStorage, Resource Health Unavailable)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared.catalog.entities import entity_facts
from shared.engines import private_dns
from shared.engines.analyzers.azure_scope import (
    listed_resources,
    names_groups,
    resource_group,
    resource_groups,
    subscription_id,
)
from shared.engines.analyzers.common import dotted, fill, filled_actions, picked, regex, report, table, table_entry
from shared.engines.analyzers.ledger import azure_call, latest, reads_of_type
from shared.engines.analyzers.storage_azure import covered
from shared.engines.catalog_hits import facts_of, log_lines
from shared.engines.computed_findings import COMPUTED as MULTI_FIELD_COMPUTED
from shared.models import EvidenceItem
from shared.session.state import Conclude, Evidence, RunTool, SessionState
from shared.tools.azure_monitor import LOG_RESOURCE_ID_PATTERN, SAFE_NAME_PATTERN, WORKSPACE_ID_PATTERN
from shared.tools.text_tools import setting_defined, setting_references

PLAYBOOKS = "playbooks"
KQL = "kql_templates"
_PLATFORM = re.compile(r"^(?:WEBSITE_|FUNCTIONS_|APPSETTING_|AzureWebJobsScriptRoot|HOME$|PATH$|PORT$|CONTAINER_)")
_DEPLOYMENT_TEXT = re.compile(r"(?i)\bdeploy(?:ment)?s?\b[^\n]{0,80}\bfail|\bDeploymentFailed\b|"
                              r"\bInvalidTemplateDeployment\b|\bfail(?:s|ed|ing)?\b[^\n]{0,60}\bdeploy|"
                              r"not valid according to the validation procedure")
_SAFE_NAME = re.compile(SAFE_NAME_PATTERN)  # what query_logs accepts as the template's {name}
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_WORKSPACE_ID = re.compile(WORKSPACE_ID_PATTERN)  # what query_logs accepts as its workspace
FINDINGS = "evidence_findings"
_RESOURCE_ID = re.compile(r"/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w._()]{1,90}/providers/"
                          r"(?P<type>[A-Za-z]+\.[A-Za-z]+/[A-Za-z]+)/(?P<name>[-\w.]{1,80})", re.IGNORECASE)
# a name of this kind (shared/catalog/entities.py) -> the resource type it names
_KIND_TYPES = {"function_app": "Microsoft.Web/sites", "account": "Microsoft.Storage/storageAccounts",
               "vault": "Microsoft.KeyVault/vaults", "registry": "Microsoft.ContainerRegistry/registries",
               "namespace": "Microsoft.ServiceBus/namespaces",
               "cosmos_account": "Microsoft.DocumentDB/databaseAccounts",
               "container_app": "Microsoft.App/containerApps", "server": "Microsoft.Sql/servers",
               "openai_resource": "Microsoft.CognitiveServices/accounts",
               "aks_cluster": "Microsoft.ContainerService/managedClusters"}
_ENV_NAMES = {"function_app": "function_app", "app_name": "function_app", "web_app": "function_app",
              "aks_cluster": "aks_cluster", "cluster": "aks_cluster", "sql_server": "server",
              "container_app": "container_app", "storage_account": "account", "key_vault": "vault"}


@dataclass(frozen=True)
class Target:
    resource_id: str
    type: str
    name: str

    @property
    def group_scope(self) -> str:
        return self.resource_id.split("/providers/")[0]

    @property
    def subscription(self) -> str:
        return self.resource_id.split("/")[2]

    @property
    def group(self) -> str:
        return self.resource_id.split("/")[4]

    @property
    def values(self) -> dict[str, str]:
        """What a playbook step's argument templates may name of the resource."""
        return {"resource_id": self.resource_id, "group_scope": self.group_scope, "subscription": self.subscription}


def _group_listing(state: SessionState, target: Target, purpose: str) -> Evidence | RunTool | None:
    """The resources of the target's resource group (one read per session, whoever asks for it first)."""
    return azure_call(state, "list_resources_in_group",
                      {"subscription_id": target.subscription, "resource_group": target.group}, purpose)


def investigate(state: SessionState) -> RunTool | None:
    """The next read of the resource's playbook, or None when there is nothing (more) to read."""
    if not state.azure_access:
        return None
    deployment = _deployment_call(state)
    if isinstance(deployment, RunTool):
        return deployment
    target = find_target(state)
    if not isinstance(target, Target):
        return target
    step = _playbook_call(state, target)
    if step is not None:
        return step
    groups = resource_groups(state)
    if len(groups) > 1:  # the resources the report names may sit in the other groups it names
        listed = _listed_resources(state, target.subscription, groups, "listing the other resource groups named")
        if isinstance(listed, RunTool):
            return listed
    for each in _related(state, target):  # then the other resources the report bears on
        step = _playbook_call(state, each)
        if step is not None:
            return step
    return private_dns.next_read(state)  # a service reached over a private endpoint: its DNS chain


def _playbook_call(state: SessionState, target: Target) -> RunTool | None:
    """The next unread step of the target's playbook."""
    for step in _steered(state, playbook(target.type)["steps"]):
        if step.get("when") and not regex(step["when"]).search(said_by_client(state)):
            continue  # a read that only tells about a setup the report names (a private link, a gateway)
        if "logs" in step:
            call = _logs_call(state, target, step["logs"], step["purpose"])
        elif "dependencies" in step:
            call = _dependency_call(state, target, step["dependencies"], step["purpose"])
        elif "each" in step:
            call = _each_call(state, target, step)
        elif "follow" in step:
            call = _follow_call(state, target, step["follow"], step["purpose"], parent=bool(step.get("parent")),
                                tool=str(step.get("tool") or "get_resource"), extra=step.get("arguments") or {})
        elif step["tool"] == "list_activity_log" and any(e.tool == "list_activity_log" for e in state.ledger):
            continue  # one group's changes per session: the first resource's group is where the change that matters is
        else:
            arguments = {k: fill(str(v), target.values) if isinstance(v, str) else v
                         for k, v in step["arguments"].items()}
            call = azure_call(state, step["tool"], arguments, step["purpose"])
        if isinstance(call, RunTool):
            return call
    return None


_MAX_RELATED = 3  # other resources read after the first one's playbook: the bound of one investigation
_RESOURCE_NAME = re.compile(r"[A-Za-z0-9][-\w.]{1,79}")
_GROUP_KEY_PREFIX = re.compile(r"(?i)^(\w+?)_(?:resource_?group|rg)$")  # sql_resource_group -> sql
_MAX_GROUPS = 3  # resource groups listed to find the named resources (an app's group, its data's, the hub's)
# read by the playbooks' logs steps themselves (query_logs resolves the workspace): never a resource to investigate
_READ_BY_LOGS_STEPS = {"microsoft.operationalinsights/workspaces", "microsoft.insights/components"}


def _related(state: SessionState, target: Target) -> list[Target]:
    """The other resources of the named groups the report bears on, once the first resource's playbook is read: those
    the report or environment_info names (the gateway in front of the app, the cache it calls), then one of each kind it
    mentions (its technologies, its text: the playbooks' `mentions`). The listing shows their types."""
    groups = list(dict.fromkeys([target.group, *resource_groups(state)[:_MAX_GROUPS]]))
    listed = listed_resources(state, target.subscription, groups)
    stated = [s for s in _stated_targets(state, target) if not any(
        str(r.get("name") or "").lower() == s.name.lower() for r in listed) and not _absent(state, s.resource_id)]
    if not listed:
        return stated[:_MAX_RELATED]
    said = said_by_client(state)
    others = [r for r in listed if r.get("id") and r.get("type") and r.get("name")
              and str(r["id"]).lower() != target.resource_id.lower()
              and str(r["type"]).lower() not in _READ_BY_LOGS_STEPS]
    named = [r for r in others if len(str(r["name"])) >= 3 and _mentioned(str(r["name"]), said)]
    kinds = [b["type"].lower() for b in table(PLAYBOOKS)
             if b.get("mentions") and b["type"].lower() != target.type.lower() and regex(b["mentions"]).search(said)]
    first_of_kind: dict[str, dict[str, Any]] = {}
    for resource in others:
        first_of_kind.setdefault(str(resource["type"]).lower(), resource)
    mentioned = [first_of_kind[kind] for kind in kinds if kind in first_of_kind]
    chosen = named + [r for r in mentioned if r not in named]
    return ([Target(str(r["id"]), str(r["type"]), str(r["name"])) for r in chosen] + stated)[:_MAX_RELATED]


def _stated_targets(state: SessionState, target: Target) -> list[Target]:
    """The resources environment_info names under a key that says their kind (playbooks' `env_keys`:
    audit_storage_account, event_grid_topic), at the id they have in the group named for them (or the first group)."""
    groups = resource_groups(state)
    found: list[Target] = []
    for key, value in state.material.environment.items():
        name = value.strip() if isinstance(value, str) else ""
        if not _RESOURCE_NAME.fullmatch(name) or names_groups(key) or name.lower() == target.name.lower():
            continue
        book = next((b for b in table(PLAYBOOKS) if b.get("env_keys") and regex(b["env_keys"]).search(key)), None)
        group = _paired_group(state, name, groups) or (groups[0] if groups else None)
        if book is not None and group:
            found.append(Target(f"/subscriptions/{target.subscription}/resourceGroups/{group}/providers/"
                                f"{book['type']}/{name}", str(book["type"]), name))
    return found


def _mentioned(name: str, said: str) -> bool:
    """Whether the lower-cased text names the resource or entity as a whole word (hyphens belong to names)."""
    return re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", said) is not None


def said_by_client(state: SessionState) -> str:
    """Everything the client said, lower-cased: the report, the answers, environment_info's values (technologies
    with their hyphens as spaces, so that `key-vault` reads as the playbooks' `key vault`)."""
    values: list[str] = []
    for value in state.material.environment.values():
        items = value if isinstance(value, list) else [value]
        values += [str(v) for v in items if isinstance(v, str)]
    technologies = " ".join(v.replace("-", " ") for v in values)
    return " ".join([state.material.error_description, *state.material.answers, *values, technologies]).lower()


def _steered(state: SessionState, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The playbook's steps, the ones that make the read that settled this problem before first (case memory)."""
    tool = _remembered_tool(state)
    if not tool:
        return steps

    def reads_it(step: dict[str, Any]) -> bool:
        return (step.get("tool") == tool or (tool == "query_logs" and "logs" in step)
                or (tool == "get_resource" and "dependencies" in step))
    return sorted(steps, key=lambda step: not reads_it(step))  # stable: the playbook's order otherwise


def _remembered(state: SessionState) -> tuple[str, str]:
    """(kind, name) of the check the case memory says settled this problem: ("finding", id), ("tool", name) or
    ("", "") without a hint."""
    kind, _, name = (state.memory_hint.decisive if state.memory_hint else "").partition(":")
    return kind, name


def _remembered_rule(state: SessionState) -> dict[str, Any] | None:
    """The evidence finding the case memory names, if it still exists in the knowledge."""
    kind, name = _remembered(state)
    return next((r for r in table(FINDINGS) if r["id"] == name), None) if kind == "finding" else None


def _remembered_tool(state: SessionState) -> str:
    """The tool of the check the case memory says settled this problem before ("" without a hint)."""
    rule = _remembered_rule(state)
    if rule is not None:
        return str(rule.get("tool", ""))
    kind, name = _remembered(state)
    return name if kind == "tool" else ""


def remembered_finding(state: SessionState) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The evidence finding that settled this problem in past sessions, if this session's evidence shows it too:
    then the rest of the playbook need not run. Memory chose which check ran first; the evidence decides."""
    rule = _remembered_rule(state)
    if rule is None or rule.get("delegate") or rule.get("id") == "code-setting-not-in-app":
        return None
    facts = rule_facts(state, rule)
    return (rule, facts) if facts is not None else None


def next_read(state: SessionState) -> Conclude | RunTool | None:
    """What the playbook does next: conclude on the remembered finding when the evidence shows it, else the next
    read of the resource's playbook; None when it has read everything."""
    remembered = remembered_finding(state)
    if remembered is not None:
        return conclude_finding(state, *remembered)
    return investigate(state)


def _logs_call(state: SessionState, target: Target, template_id: str, purpose: str) -> Evidence | RunTool | None:
    """The resource's recent errors through one KQL template; None when no workspace is known or reachable."""
    if not _SAFE_NAME.fullmatch(target.name):
        return None
    workspace = _workspace(state, target)
    if isinstance(workspace, RunTool):
        return workspace
    if workspace is None:  # no workspace found: the logs of its Application Insights, or its own, in resource context
        component = _insights_component(state, target)
        if isinstance(component, RunTool):
            return component
        in_context: dict[str, Any] = {"resource_id": component or target.resource_id, "template": template_id,
                                      "resource_name": target.name, "hours": 48}
        if _scope_queried(state, in_context, "resource_id"):
            return None
        return azure_call(state, "query_logs", in_context, purpose)
    arguments: dict[str, Any] = {"workspace_resource_id": workspace, "template": template_id,
                                 "resource_name": target.name, "hours": 48}
    if _scope_queried(state, arguments, "workspace_resource_id"):
        return None
    read = azure_call(state, "query_logs", arguments, purpose)
    unread = read is None or isinstance(read, Evidence) and read.status != "success" and "rows" not in read.data
    if unread and re.match(LOG_RESOURCE_ID_PATTERN, target.resource_id):
        # the workspace itself could not be read (not found, no access): the resource's own logs, in resource
        # context, come from whichever workspaces it sends to
        return azure_call(state, "query_logs", {"resource_id": target.resource_id, "template": template_id,
                                                "resource_name": target.name, "hours": 48}, purpose)
    return read


def _insights_component(state: SessionState, target: Target) -> str | RunTool | None:
    """The Application Insights component of the resource's group that it most likely sends to: the one named as
    it is, else the only one; None when the group has none (or several, none named so)."""
    listed = _group_listing(state, target, "finding the resource group's Application Insights")
    if not isinstance(listed, Evidence):
        return listed
    components = [r for r in listed.data.get("resources") or []
                  if str(r.get("type", "")).lower() == "microsoft.insights/components" and r.get("id")]
    named = [r for r in components if str(r.get("name", "")).lower() == target.name.lower()]
    chosen = named or (components if len(components) == 1 else [])
    return str(chosen[0]["id"]) if chosen else None


def _dependency_call(state: SessionState, target: Target, types: list[str], purpose: str) -> RunTool | None:
    """The next unread resource of those types in the target's resource group (at most two of each type)."""
    listed = _group_listing(state, target, "listing the resource group's resources")
    if not isinstance(listed, Evidence):
        return listed
    for wanted in types:
        of_type = [r for r in listed.data.get("resources") or [] if str(r.get("type", "")).lower() == wanted.lower()]
        for resource in of_type[:2]:
            call = azure_call(state, "get_resource", {"resource_id": resource["id"]}, f"{purpose}: {resource['name']}")
            if isinstance(call, RunTool):
                return call
    return None


def _follow_call(state: SessionState, target: Target, field: str, purpose: str, parent: bool = False,
                 tool: str = "get_resource", extra: dict[str, Any] | None = None) -> Evidence | RunTool | None:
    """Read the resource another field of the target's own read names (the subnet an app is integrated into), or
    with `parent` the resource that holds it (the subnet's virtual network). `a>b` follows a chain: field b of the
    resource field a names (the route table of the app's subnet). With `tool`, that tool reads the resource found
    (its metrics), with the step's other arguments."""
    holder = target.resource_id
    *hops, last = field.split(">")
    for hop in hops:  # read each resource of the chain first
        named_hop = _named_by(state, holder, hop)
        if named_hop is None:
            return None
        read = azure_call(state, "get_resource", {"resource_id": named_hop}, purpose)
        if not isinstance(read, Evidence):
            return read
        holder = named_hop
    named = _named_by(state, holder, last)
    if named is None:
        return None
    if parent:  # a child resource id ends in /<type>/<name>: its parent is what comes before
        named = named.rsplit("/", 2)[0]
    return azure_call(state, tool, {"resource_id": named, **(extra or {})}, purpose)


def _named_by(state: SessionState, resource_id: str, field: str) -> str | None:
    """The resource id that a field of that resource's successful read holds (None: not read, or no id there)."""
    own = next((e for e in reversed(state.ledger) if e.tool == "get_resource" and e.status == "success"
                and str(e.arguments.get("resource_id", "")).lower() == resource_id.lower()), None)
    named = dotted(own.data, field) if own is not None else None
    if isinstance(named, list) and named:  # a one-item list (an Application Gateway's subnet): its first id
        named = named[0]
    return named if isinstance(named, str) and _RESOURCE_ID.match(named) else None


def _each_call(state: SessionState, target: Target, step: dict[str, Any]) -> Evidence | RunTool | None:
    """Read a collection under the resource (its items' ids), then the step's read of each item, at most two: a
    Front Door profile's origin groups, then their origins."""
    collection = fill(step["each"], target.values)
    listed = azure_call(state, "get_resource", {"resource_id": collection}, step["purpose"])
    if not isinstance(listed, Evidence):
        return listed
    skip = regex(step["skip"]) if step.get("skip") else None  # a collection's system items (a server's master db)
    items = [str(i) for i in listed.data.get("ids") or [] if not (skip and skip.search(str(i)))]
    for item in items[:2]:
        arguments = {k: fill(v, {"item": item}) if isinstance(v, str) else v for k, v in step["arguments"].items()}
        call = azure_call(state, step["tool"], arguments, step["purpose"])  # the item's read (its metrics too)
        if isinstance(call, RunTool):
            return call
    return None


def _workspace(state: SessionState, target: Target) -> str | RunTool | None:
    """The resource id of the Log Analytics workspace the resource writes to: stated, its Container Apps
    environment's (found by its workspace id among the group's workspaces), or the only workspace of its group."""
    wanted = ""
    for key in ("workspace_resource_id", "workspace_id", "log_analytics_workspace_id"):
        stated = str(state.material.environment.get(key) or "").strip()
        if _WORKSPACE_ID.fullmatch(stated):
            return stated
        wanted = wanted or (stated.lower() if _GUID.fullmatch(stated) else "")
    if not wanted:
        resource = azure_call(state, "get_resource", {"resource_id": target.resource_id}, "reading the resource")
        environment = str((resource.data if isinstance(resource, Evidence) else {}).get("managedEnvironmentId") or "")
        if environment:
            read = azure_call(state, "get_resource", {"resource_id": environment},
                              "finding the Log Analytics workspace of the Container Apps environment")
            if not isinstance(read, Evidence):
                return read
            wanted = str(read.data.get("logsCustomerId") or "").lower()
    listed = _group_listing(state, target, "finding the resource group's Log Analytics workspace")
    if not isinstance(listed, Evidence):
        return listed
    workspaces = [str(r["id"]) for r in listed.data.get("resources") or []
                  if str(r.get("type", "")).lower() == "microsoft.operationalinsights/workspaces" and r.get("id")]
    if not wanted or len(workspaces) == 1:  # the only one: query_logs reads it anyway (reading it here too would
        return workspaces[0] if len(workspaces) == 1 else None  # make the same Azure call twice)
    for workspace in workspaces[:3]:  # the one whose workspace id is the wanted one
        read = azure_call(state, "get_resource", {"resource_id": workspace},
                          "reading the workspace id of the resource group's Log Analytics workspace")
        if not isinstance(read, Evidence):
            return read
        if str(read.data.get("customerId") or "").lower() == wanted:
            return workspace
    return None


def _deployment_call(state: SessionState) -> RunTool | None:
    """For a failed template deployment: the resource group's deployments, then the failed operations of the one
    the text names or the newest that failed (their error codes are what DeploymentFailed wraps)."""
    spoken = "\n".join([state.material.error_description, *state.material.answers])
    if not _DEPLOYMENT_TEXT.search(spoken):
        return None
    subscription, group = subscription_id(state), resource_group(state)
    if not isinstance(subscription, str) or not group:
        return subscription if isinstance(subscription, RunTool) else None
    stated = _stated_deployment(state, spoken)
    if stated:  # the client named the deployment: its failed operations directly, no listing first
        operations = azure_call(state, "list_deployment_operations",
                                {"subscription_id": subscription, "resource_group": group, "deployment_name": stated},
                                f"reading the failed operations of deployment '{stated}'")
        if isinstance(operations, RunTool):
            return operations
        if isinstance(operations, Evidence) and operations.data.get("failed"):
            return None
        # no failed operation: a template that failed validation (InvalidTemplateDeployment) ran none, and its
        # inner errors are on the deployment record itself, which the group's listing carries
    listed = azure_call(state, "get_resource", {"resource_id": f"/subscriptions/{subscription}/resourceGroups/{group}"
                                                               "/providers/Microsoft.Resources/deployments"},
                        "listing the resource group's deployments to find the one that failed")
    if not isinstance(listed, Evidence):
        return listed
    deployments = [d for d in listed.data.get("deployments") or [] if isinstance(d, dict) and d.get("name")]
    named = [d for d in deployments if str(d["name"]).lower() in spoken.lower()]
    failed = sorted((d for d in deployments if str(d.get("provisioningState")).lower() == "failed"),
                    key=lambda d: str(d.get("timestamp") or ""), reverse=True)
    chosen = (named or failed)[:1]
    if not chosen or not re.fullmatch(r"[-\w._()]{1,64}", str(chosen[0]["name"])):
        return None
    operations = azure_call(state, "list_deployment_operations",
                            {"subscription_id": subscription, "resource_group": group,
                             "deployment_name": str(chosen[0]["name"])},
                            f"reading the failed operations of deployment '{chosen[0]['name']}'")
    return operations if isinstance(operations, RunTool) else None


_DEPLOYMENT_NAME = re.compile(r"(?i)\bdeployment(?: name)?(?:\s*[:=]\s*|\s+named\s+|\s+is\s+|\s+)['\"`]?"
                              r"(?P<name>[A-Za-z0-9][-\w.()]{0,63}?)['\"`]?(?=[.,;)]?(?:\s|$))")


def _stated_deployment(state: SessionState, spoken: str) -> str | None:
    """The deployment the client names: environment_info's `deployment_name`, or "Deployment name X" in the text
    (a name with a digit, a dot or a dash: "the deployment failed" names none)."""
    stated = str(state.material.environment.get("deployment_name") or "").strip()
    if not stated:
        named = (m.group("name") for m in _DEPLOYMENT_NAME.finditer(spoken))
        stated = next((name for name in named if re.search(r"[\d.-]", name)
                       and not re.search(r"(?i)\.(?:bicep|json|tf|ya?ml)$", name)), "")  # a file is no deployment
    return stated if re.fullmatch(r"[-\w.()]{1,64}", stated) else None


def find_target(state: SessionState) -> Target | RunTool | None:
    """The resource the session is about, strongest statement first; a RunTool while it must be looked up."""
    texts = [state.material.error_description, *state.material.answers, *(f.content for f in state.material.files)]
    for text in texts:
        found = _RESOURCE_ID.search(text)
        if found:
            return Target(found.group(0), found.group("type"), found.group("name"))
    subscription = subscription_id(state)
    groups = resource_groups(state)
    if not isinstance(subscription, str) or not groups:
        return subscription if isinstance(subscription, RunTool) else None
    names = _named(state, texts)
    for kind, name in names.items():
        if kind in _KIND_TYPES:
            kind_type = _KIND_TYPES[kind]
            group = _paired_group(state, name, groups) or groups[0]
            guessed = Target(f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{kind_type}/{name}",
                             kind_type, name)
            if not _absent(state, guessed.resource_id):
                return guessed
            listed_as = _listed_as(state, guessed, groups)
            if listed_as is not None:  # the name under its real type or group, or a listing still to read
                return listed_as
    listed = _listed_resources(state, subscription, groups,
                               "listing the resource group's resources to find the one the error is about")
    if isinstance(listed, RunTool):
        return listed
    stated = [str(v) for v in state.material.environment.values() if isinstance(v, str)]
    return _pick(listed, [*texts, *stated])


def _paired_group(state: SessionState, name: str, groups: list[str]) -> str | None:
    """The resource group environment_info gives for this named resource, one of the session's `groups`: `web_app` ->
    `web_app_resource_group`, `event_grid_topic` -> `topic_resource_group` (the group key's prefix is a word of the
    name's key)."""
    environment = state.material.environment
    keys = [k for k, v in environment.items() if isinstance(v, str) and v.strip() == name]
    for key, value in environment.items():
        prefix = _GROUP_KEY_PREFIX.match(key)
        if prefix and isinstance(value, str) and value.strip() in groups and any(
                k == prefix.group(1) or prefix.group(1) in k.split("_") for k in keys):
            return value.strip()
    return None


def _listed_resources(state: SessionState, subscription: str, groups: list[str],
                      purpose: str) -> list[dict[str, Any]] | RunTool:
    """The resources of the groups the client named, one listing per step; a listing that fails adds none."""
    resources: list[dict[str, Any]] = []
    for group in groups[:_MAX_GROUPS]:
        listed = azure_call(state, "list_resources_in_group",
                            {"subscription_id": subscription, "resource_group": group}, purpose)
        if isinstance(listed, RunTool):
            return listed
        resources += (listed.data.get("resources") or []) if listed is not None else []
    return resources


def _absent(state: SessionState, resource_id: str) -> bool:
    """Whether reading this resource answered 404 (the name given under the wrong kind, a job named as an app)."""
    return any(e.tool == "get_resource" and e.arguments.get("resource_id") == resource_id
               and e.data.get("http_status") == 404 for e in state.ledger)


def _listed_as(state: SessionState, guessed: Target, groups: list[str]) -> Target | RunTool | None:
    """The resource of that name as the groups' listings show it (its real type and group); None when no named
    group has a resource of that name (a name given for something that does not exist there: the next is tried)."""
    listed = _listed_resources(state, guessed.subscription, groups, "finding the resource of that name in its "
                               "resource group")
    if isinstance(listed, RunTool):
        return listed
    same = [r for r in listed if str(r.get("name", "")).lower() == guessed.name.lower() and r.get("id")
            and r.get("type")]
    return Target(str(same[0]["id"]), str(same[0]["type"]), guessed.name) if same else None


def _named(state: SessionState, texts: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for key, kind in _ENV_NAMES.items():
        value = state.material.environment.get(key)
        if isinstance(value, str) and value.strip():
            names.setdefault(kind, value.strip())
    for kind, name in entity_facts(texts).items():
        names.setdefault(kind, name)
    return names


def _pick(resources: list[dict[str, Any]], texts: list[str]) -> Target | None:
    """The listed resource the material names; if it names none, the only one with a playbook of its own."""
    joined = "\n".join(texts).lower()
    named = [r for r in resources if r.get("name") and str(r["name"]).lower() in joined]
    typed = [r for r in resources if r.get("type") in {p["type"] for p in table(PLAYBOOKS)}]
    chosen = named[:1] or (typed if len(typed) == 1 else [])
    return Target(chosen[0]["id"], chosen[0]["type"], chosen[0]["name"]) if chosen else None


def stated_playbook(state: SessionState) -> dict[str, Any] | None:
    """The playbook of the kind of resource the report is about, without Azure: an app or resource named in
    environment_info, else the first kind its technologies, error text or answers name (the playbooks' `mentions`)."""
    environment = state.material.environment
    for key, kind in _ENV_NAMES.items():
        if environment.get(key):
            return playbook(_KIND_TYPES[kind])
    said = said_by_client(state)
    for book in table(PLAYBOOKS):
        if book.get("mentions") and regex(book["mentions"]).search(said):
            return book
    return None


def playbook(resource_type: str) -> dict[str, Any]:
    books = table(PLAYBOOKS)
    return next((b for b in books if b["type"].lower() == resource_type.lower()),
                next(b for b in books if b["type"] == "*"))


def finding(state: SessionState, delegates: bool = True) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The first evidence finding that the session's Azure results satisfy, with the facts it found; without
    `delegates`, only findings that conclude by themselves (not those that hand over to an analyzer)."""
    for rule in table(FINDINGS):
        if rule.get("delegate") and not delegates:
            continue
        facts = rule_facts(state, rule)
        if facts is not None:
            return rule, facts
    return None


def rule_facts(state: SessionState, rule: dict[str, Any]) -> dict[str, str] | None:
    """The facts with which the session's Azure results satisfy one finding rule; None when they do not."""
    if not _applies(state, rule):
        return None
    if rule.get("computed"):
        computed = _COMPUTED.get(rule["id"])
        return computed(state) if computed else None  # code-setting-not-in-app is judged by the rules engine
    for evidence in reversed(state.ledger):
        if evidence.tool == rule["tool"] and evidence.status in ("success", "no_data"):
            facts = _satisfied(rule, evidence.data)
            if facts is not None:
                return {**facts, "read": evidence.summary}
    return None


def _applies(state: SessionState, rule: dict[str, Any]) -> bool:
    """Whether the rule's conditions on the session as a whole hold: the kind of app, the symptom reported, the setup
    stated, and what the other resources read show (`unless_resource`, `with_resource`)."""
    kinds = " ".join(str(e.data.get("kind") or "") for e in state.ledger if e.tool == "get_resource")
    if rule.get("kind_matches") and not regex(rule["kind_matches"]).search(kinds):
        return False
    if rule.get("report_matches") and not any(regex(rule["report_matches"]).search(text) for text in
                                              _symptom_texts(state)):
        return False  # a finding that explains one symptom only (no telemetry, kubectl timing out)
    if rule.get("unless_report") and regex(rule["unless_report"]).search(said_by_client(state)):
        return False  # the client states the setup the finding does not apply to (a Flex Consumption app)
    if rule.get("unless_resource") and _some_resource(state, rule["unless_resource"]):
        return False
    return not rule.get("with_resource") or _some_resource(state, rule["with_resource"])


def _some_resource(state: SessionState, condition: dict[str, str]) -> bool:
    """Whether a resource the session read has that field matching ({field, matches})."""
    return any(regex(condition["matches"]).search(_text(dotted(e.data, condition["field"])))
               for e in state.ledger if e.tool == "get_resource" and e.status == "success")


def _symptom_texts(state: SessionState) -> list[str]:
    """Where a symptom shows: the report, the answers, and the rows of the logs the session read (an error that
    only the app's logs print is the symptom as much as one the client pasted)."""
    logged = ["\n".join(log_lines(e.data)) for e in state.ledger if e.tool == "query_logs" and e.status == "success"]
    return [state.material.error_description, *state.material.answers, *logged]


def conclude_finding(state: SessionState, rule: dict[str, Any], found: dict[str, str]) -> Conclude:
    """Conclude from an evidence finding: its category and templates, the Azure result it read as evidence."""
    facts = {**facts_of(state, None), **found}
    root_cause = fill(rule["root_cause"], facts).strip()
    read = found.get("read")  # the read that satisfied the finding, else the tool's newest result
    evidence = [EvidenceItem(source=rule["tool"], summary=e.summary[:300])
                for e in state.ledger if e.tool == rule["tool"]
                and (e.summary == read if read else e.status == "success")][-1:]
    evidence.append(EvidenceItem(source="knowledge", summary=f"{rule['id']}: {rule['source']}"[:300]))
    return Conclude(message=root_cause.split(". ")[0][:300],
                    report=report(state, category=rule["category"], confidence=rule.get("confidence", "high"),
                                  root_cause=root_cause,
                                  actions=filled_actions(rule["actions"], facts), evidence=evidence))


def _satisfied(rule: dict[str, Any], data: dict[str, Any]) -> dict[str, str] | None:
    if "missing_all" in rule or "missing_any" in rule:
        if "names" not in data or data.get("truncated"):  # the list was not read (not found, refused) or cut:
            return None                                    # absence is not shown
        names = {str(n).lower() for n in data.get("names") or []}
        if any(n.lower() in names for n in rule.get("missing_all") or []):
            return None
        absent = [n for n in rule.get("missing_any") or rule["missing_all"] if n.lower() not in names]
        return {"missing": absent[0]} if absent else None
    if "event" in rule:
        return _event_facts(rule["event"], data.get("events") or [])
    if "metric" in rule:
        return _metric_facts(rule["metric"], data.get("metrics") or [])
    value = _text(dotted(data, rule["field"]))
    if not regex(rule["matches"]).search(value):
        return None
    if rule.get("type_matches") and not regex(rule["type_matches"]).search(str(data.get("type") or "")):
        return None
    if rule.get("unless_field") and regex(rule["unless_matches"]).search(_text(dotted(data, rule["unless_field"]))):
        return None
    return {"value": value, "summary": str(data.get("summary") or ""), "name": str(data.get("name") or ""),
            "type": str(data.get("type") or ""), "workspace": str((data.get("workspace") or {}).get("name") or "")}


def _metric_facts(condition: dict[str, Any], metrics: list[Any]) -> dict[str, str] | None:
    """A query_metrics summary whose metric reached the condition's threshold: {name, stat (max, avg or total),
    at_least}."""
    for metric in metrics:
        if not isinstance(metric, dict) or str(metric.get("name")) != condition["name"]:
            continue
        value = metric.get(condition.get("stat", "max"))
        if isinstance(value, int | float) and value >= float(condition["at_least"]):
            return {"metric": condition["name"], "value": f"{value:g}", "max": f"{metric.get('max')}",
                    "total": f"{metric.get('total')}"}
    return None


# resource types whose IP firewall get_resource reads as `ipRules` (api_versions.yaml), and how a reader names them
_IP_FIREWALLS = {"microsoft.documentdb/databaseaccounts": "Cosmos DB account",
                 "microsoft.eventgrid/topics": "Event Grid topic", "microsoft.eventgrid/domains": "Event Grid domain"}


def firewall_excludes_app(state: SessionState) -> dict[str, str] | None:
    """A resource whose IP rules miss some of the addresses the app sends from now (IP coverage, computed): App
    Service uses any of its current outbound addresses, so each one must be allowed; a scale into another pricing
    tier changes them."""
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")
    app_ips = [str(ip) for site in sites[:1] for ip in (site.get("outboundIpAddresses")
                                                         or site.get("possibleOutboundIpAddresses") or [])]
    if not app_ips:
        return None
    firewalled = r"(?i)^Microsoft\.(?:DocumentDB/databaseAccounts|EventGrid/(?:topics|domains))$"
    for resource in reads_of_type(state, firewalled):
        rules = [str(r) for r in resource.get("ipRules") or []]
        if not rules or str(resource.get("publicNetworkAccess") or "Enabled") == "Disabled":
            continue
        # Cosmos DB's "accept connections from within public Azure datacenters" is the 0.0.0.0 entry: it admits every
        # Azure datacenter address, App Service's included
        cosmos = "documentdb" in str(resource.get("type")).lower()
        if cosmos and "0.0.0.0" in rules:
            continue
        outside = [ip for ip in app_ips if not covered(ip, rules)]
        if outside:
            return {"name": str(resource.get("name")), "type": _IP_FIREWALLS[str(resource.get("type")).lower()],
                    "rules": ", ".join(rules[:6]), "app_ips": ", ".join(outside[:6]),
                    "datacenters": "no" if cosmos else ""}
    return None


def certificate_expired(state: SessionState) -> dict[str, str] | None:
    """An App Service certificate in the app's group whose expirationDate has passed (computed against now)."""
    for cert in reads_of_type(state, r"(?i)^Microsoft\.Web/certificates$"):
        try:
            expires = datetime.fromisoformat(str(cert.get("expirationDate") or "").replace("Z", "+00:00"))
        except ValueError:
            continue
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        if expires < datetime.now(UTC):  # decided in the decide activity, never in the orchestrator
            hosts = ", ".join(str(h) for h in (cert.get("hostNames") or [cert.get("subjectName")]) if h)
            return {"name": str(cert.get("name")), "hosts": hosts or "its host names",
                    "expired": expires.date().isoformat()}
    return None


def reference_identity_not_chosen(state: SessionState) -> dict[str, str] | None:
    """An app whose identities are user-assigned only while its Key Vault references still use the system identity
    (keyVaultReferenceIdentity unset or SystemAssigned), and a reference that does not resolve."""
    failed = _key_vault_reference(state, ("AccessToKeyVaultDenied", "MSINotEnabled", "ManagedIdentityNotFound"))
    for site in reads_of_type(state, r"(?i)^Microsoft\.Web/sites$") if failed else []:
        kinds = str((site.get("identity") or {}).get("type") or "")
        chosen = str(site.get("keyVaultReferenceIdentity") or "SystemAssigned")
        if "UserAssigned" in kinds and "SystemAssigned" not in kinds and chosen == "SystemAssigned":
            return {**(failed or {}), "app": str(site.get("name")), "chosen": chosen}
    return None


def registry_password_without_admin_user(state: SessionState) -> dict[str, str] | None:
    """A container app that pulls from a registry with a username and password (no identity) while that registry,
    read in the same session, has its admin user disabled: the admin credentials the app holds no longer work."""
    registries = {str(r.get("loginServer") or "").lower(): r
                  for r in reads_of_type(state, r"(?i)^Microsoft\.ContainerRegistry/registries$")}
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        for entry in app.get("registries") or []:
            if not isinstance(entry, dict) or entry.get("identity") or not entry.get("username"):
                continue
            registry = registries.get(str(entry.get("server") or "").lower())
            if registry is not None and registry.get("adminUserEnabled") is False:
                return {"app": str(app.get("name")), "registry": str(registry.get("name")),
                        "server": str(entry.get("server")), "user": str(entry.get("username"))}
    return None


def _setting_names(state: SessionState) -> list[str] | None:
    """The app's setting names as list_app_setting_names read them; None when they were not read whole."""
    listed = latest(state, "list_app_setting_names")
    if listed is None or listed.status not in ("success", "no_data") or listed.data.get("truncated"):
        return None
    return [str(n) for n in listed.data.get("names") or []]


_DISABLED_FUNCTION = re.compile(r"(?i)^AzureWebJobs\.(?P<function>[^.]+)\.Disabled$")


def function_disabled_by_setting(state: SessionState) -> dict[str, str] | None:
    """An AzureWebJobs.<function>.Disabled setting among the app's setting names: the one whose function the report
    names, else the only one (its value is not read: the finding says so)."""
    found = [m for n in _setting_names(state) or [] if (m := _DISABLED_FUNCTION.match(n))]
    said = said_by_client(state)
    named = [m for m in found if _mentioned(m.group("function"), said)]
    chosen = named or (found if len(found) == 1 else [])
    return {"function": chosen[0].group("function"), "setting": chosen[0].group(0)} if chosen else None


# an identity-based connection's settings (<CONNECTION>__fullyQualifiedNamespace and the like), and the settings that
# give it a credential of its own (a service principal's secret or certificate needs no managed identity)
# (not a bare __endpoint: ASP.NET configuration sections nest with __ too, "OpenAI__Endpoint" next to its key)
_IDENTITY_CONNECTION = re.compile(r"(?i)^(?P<connection>[\w.:-]+?)__(?:accountName|fullyQualifiedNamespace|serviceUri|"
                                  r"blobServiceUri|queueServiceUri|tableServiceUri|accountEndpoint)$")
_OWN_CREDENTIAL = r"(?i)^{connection}__(?:clientSecret|certificate|tenantId)$"


def identity_connection_without_identity(state: SessionState) -> dict[str, str] | None:
    """An app whose settings make an identity-based connection (a name ending in __fullyQualifiedNamespace,
    __accountName, __serviceUri...) while the app read has no managed identity at all."""
    names = _setting_names(state) or []
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?$")
    if not names or not sites:
        return None
    identity = sites[0].get("identity")
    kind = str(identity.get("type") or "") if isinstance(identity, dict) else ""
    if kind and kind.lower() != "none":
        return None
    for name in names:
        found = _IDENTITY_CONNECTION.match(name)
        if found and not any(re.match(_OWN_CREDENTIAL.format(connection=re.escape(found.group("connection"))), n)
                             for n in names):
            return {"app": str(sites[0].get("name")), "setting": name, "connection": found.group("connection")}
    return None


_REGISTRY_IMAGE = re.compile(r"(?i)^DOCKER\|(?P<server>[a-z0-9-]+\.azurecr\.(?:io|cn|us))/(?P<image>\S+)")


def registry_pull_without_credentials(state: SessionState) -> dict[str, str] | None:
    """A web app whose container image comes from Azure Container Registry while it neither pulls with its managed
    identity (config/web acrUseManagedIdentityCreds) nor has the registry user and password settings."""
    listed = _setting_names(state)
    names = {n.upper() for n in listed or []}
    if listed is None or names & {"DOCKER_REGISTRY_SERVER_PASSWORD", "DOCKER_REGISTRY_SERVER_USERNAME"}:
        return None  # the names were not read, or the app pulls with the registry's user and password
    for config in reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?/config$"):
        image = _REGISTRY_IMAGE.match(str(config.get("linuxFxVersion") or config.get("windowsFxVersion") or ""))
        if image and config.get("acrUseManagedIdentityCreds") is not True:
            return {"server": image.group("server").lower(), "image": image.group("image"),
                    "registry": image.group("server").split(".")[0].lower()}
    return None


def registry_pull_identity_not_named(state: SessionState) -> dict[str, str] | None:
    """A web app that pulls its ACR image with a managed identity (acrUseManagedIdentityCreds true) but names no
    user-assigned identity for it (acrUserManagedIdentityID empty) while it has no system-assigned identity: App
    Service then pulls as the system-assigned identity, which does not exist."""
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?$")
    identity = sites[0].get("identity") if sites else None
    kind = str(identity.get("type") or "") if isinstance(identity, dict) else ""
    if not sites or "userassigned" not in kind.lower() or "systemassigned" in kind.lower():
        return None
    for config in reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?/config$"):
        image = _REGISTRY_IMAGE.match(str(config.get("linuxFxVersion") or config.get("windowsFxVersion") or ""))
        if image and config.get("acrUseManagedIdentityCreds") is True and not config.get("acrUserManagedIdentityID"):
            return {"server": image.group("server").lower(), "app": str(sites[0].get("name")),
                    "registry": image.group("server").split(".")[0].lower()}
    return None


def keyvault_secret_identity_missing(state: SessionState) -> dict[str, str] | None:
    """A container app secret that references Key Vault (keyVaultUrl) with an identity the app does not have: no
    identity named, 'system' without a system-assigned identity, or a user-assigned one not assigned to the app."""
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        identity = app.get("identity")
        identity = identity if isinstance(identity, dict) else {}
        kinds = str(identity.get("type") or "")
        assigned = {str(u.get("id") or "").lower() for u in identity.get("userAssigned") or [] if isinstance(u, dict)}
        for secret in app.get("secrets") or []:
            if not isinstance(secret, dict) or not secret.get("keyVaultUrl"):
                continue
            who = str(secret.get("identity") or "")
            has = ("SystemAssigned" in kinds) if who.lower() == "system" else bool(who) and who.lower() in assigned
            if not has:
                vault = re.sub(r"^https?://([^./]+).*$", r"\1", str(secret["keyVaultUrl"]))
                return {"name": str(app.get("name")), "secret": str(secret.get("name")), "vault": vault,
                        "identity": who or "none", "identities": kinds or "None"}
    return None


def front_door_id_mismatch(state: SessionState) -> dict[str, str] | None:
    """An app access-restriction rule that admits the AzureFrontDoor.Backend service tag only with X-Azure-FDID
    values, none of which is the frontDoorId of the Front Door profile read in the same session."""
    profiles = {str(p["frontDoorId"]).lower(): p for p in reads_of_type(state, r"(?i)^Microsoft\.Cdn/profiles$")
                if p.get("frontDoorId")}
    site = next(iter(reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")), {})
    for config in reads_of_type(state, r"(?i)^Microsoft\.Web/sites/config$") if profiles else []:
        for rule in config.get("ipSecurityRestrictions") or []:
            if not isinstance(rule, dict) or str(rule.get("action")).lower() != "allow" \
                    or "azurefrontdoor.backend" not in str(rule.get("ipAddress")).lower():
                continue
            headers = rule.get("headers")
            headers = headers if isinstance(headers, dict) else {}
            wanted = [str(v).lower() for key, values in headers.items() if key.lower() == "x-azure-fdid"
                      for v in (values if isinstance(values, list) else [values])]
            if wanted and not set(wanted) & set(profiles):
                profile_id, profile = next(iter(profiles.items()))
                return {"app": str(site.get("name") or "the app"), "rule": str(rule.get("name") or "the rule"),
                        "allowed_ids": ", ".join(wanted), "profile": str(profile.get("name")),
                        "front_door_id": profile_id}
    return None


_APP_PLATFORM_HOST = re.compile(r"(?i)\.(?:azurewebsites\.net|azurecontainerapps\.io|azurestaticapps\.net)$")


def gateway_host_header_not_app(state: SessionState) -> dict[str, str] | None:
    """An Application Gateway with an App Service backend (an *.azurewebsites.net address in a pool) and HTTP
    settings that neither pick the host name from the backend address nor override it."""
    for gateway in reads_of_type(state, r"(?i)^Microsoft\.Network/applicationGateways$"):
        hosts = [str(a.get("fqdn")) for pool in gateway.get("backendAddressPools") or [] if isinstance(pool, dict)
                 for a in pool.get("backendAddresses") or [] if isinstance(a, dict)
                 and _APP_PLATFORM_HOST.search(str(a.get("fqdn") or ""))]
        plain = [s for s in gateway.get("backendHttpSettings") or [] if isinstance(s, dict)
                 and s.get("pickHostNameFromBackendAddress") is not True and not s.get("hostName")]
        if hosts and plain:
            return {"name": str(gateway.get("name")), "settings": str(plain[0].get("name")), "backend": hosts[0]}
    return None


def _key_vault_reference(state: SessionState, statuses: tuple[str, ...]) -> dict[str, str] | None:
    """The first of the app's Key Vault references (config/configreferences/appsettings) whose status is one of
    `statuses`: App Service's own verdict on why the reference did not resolve."""
    for evidence in reversed(state.ledger):
        if evidence.tool != "get_resource" or evidence.status != "success":
            continue
        for reference in evidence.data.get("references") or []:
            if isinstance(reference, dict) and str(reference.get("status") or "") in statuses:
                identity = reference.get("identityType") or {}
                return {"setting": str(reference.get("name") or ""), "status": str(reference.get("status")),
                        "vault": str(reference.get("vaultName") or "the vault"),
                        "secret": str(reference.get("secretName") or "the secret"),
                        "identity": str(identity.get("type") if isinstance(identity, dict) else identity or "")}
    return None


def _said_or_logged(state: SessionState) -> list[str]:
    """The report, the client's answers and every line of the logs the session read."""
    return [state.material.error_description, *state.material.answers, *logged_lines(state)]


def logged_lines(state: SessionState) -> list[str]:
    """Every line of the logs the session read."""
    return [line for e in state.ledger if e.tool == "query_logs" for line in log_lines(e.data)]


_FORBIDDEN = re.compile(r"(?i)\b403\b|forbidden")


def access_restrictions_deny(state: SessionState) -> dict[str, str] | None:
    """The app's access restrictions deny by default (config/web), and the report or the app's logs show 403s."""
    for config in reads_of_type(state, r"(?i)^Microsoft\.Web/sites/config$"):
        rules = [r for r in config.get("ipSecurityRestrictions") or [] if isinstance(r, dict)]
        deny_all = any(str(r.get("action")).lower() == "deny" and str(r.get("ipAddress")).lower() == "any"
                       for r in rules)
        if str(config.get("ipSecurityRestrictionsDefaultAction") or "").lower() != "deny" and not deny_all:
            continue
        if not any(_FORBIDDEN.search(text) for text in _said_or_logged(state)):
            return None
        allowed = [f"{r.get('name')} ({r.get('ipAddress')})" for r in rules if str(r.get("action")).lower() == "allow"]
        return {"name": _site_of_config(config), "allowed": ", ".join(allowed[:5]) or "no address"}
    return None


def _scope_queried(state: SessionState, arguments: dict[str, Any], scope_key: str) -> bool:
    """Another query already read this workspace or Application Insights component in the session (for the first
    resource): one query per scope and session. This exact call's own result is not another query."""
    scope = str(arguments[scope_key]).lower()  # resource ids are case-insensitive
    this = (arguments["template"], arguments["resource_name"])
    return any(e.tool == "query_logs" and str(e.arguments.get(scope_key) or "").lower() == scope
               and (e.arguments.get("template"), e.arguments.get("resource_name")) != this for e in state.ledger)


def _site_of_config(config: dict[str, Any]) -> str:
    """The app a sites/config read belongs to: its id names the site; its own name is the config's ("web")."""
    site = re.search(r"(?i)/sites/([^/]+)/config\b", str(config.get("id") or ""))
    return site.group(1) if site else str(config.get("name") or "the app")


_LISTENING = re.compile(r"(?i)(?:running on|listening (?:on|at)|now listening on|serving on|started (?:server )?on|"
                        r"bound to)\s*:?\s*(?:https?://)?(?:[\w.\[\]*-]+)?:(\d{2,5})\b|listening on port (\d{2,5})\b")


def target_port_not_listened(state: SessionState) -> dict[str, str] | None:
    """A container app whose ingress targetPort is not the port its container says it listens on (console logs or
    the report: "Uvicorn running on http://0.0.0.0:8000", "Now listening on: http://[::]:8080")."""
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        target = str((app.get("ingress") or {}).get("targetPort") or "")
        if not target:
            continue
        ports = {g for text in _said_or_logged(state) for m in _LISTENING.finditer(text) for g in m.groups() if g}
        if ports and target not in ports:
            return {"name": str(app.get("name")), "target": target, "listening": ", ".join(sorted(ports))}
    return None


_PINGED = re.compile(r"(?i)didn'?t respond to HTTP pings on port:?\s*(\d{2,5})")


def app_port_not_listened(state: SessionState) -> dict[str, str] | None:
    """An App Service Linux container the platform pinged on one port while the app says it listens on another: a
    custom container needs WEBSITES_PORT; a built-in stack's code must listen on the PORT it is given."""
    said = _said_or_logged(state)
    pinged = next((m.group(1) for text in said for m in [_PINGED.search(text)] if m), None)
    ports = sorted({g for text in said for m in _LISTENING.finditer(text) for g in m.groups() if g})
    if pinged is None or not ports or pinged in ports:
        return None
    site = next(iter(reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")), {})
    stack = str((site.get("siteConfig") or {}).get("linuxFxVersion") or "")
    return {"pinged": pinged, "listening": ports[0], "app": str(site.get("name") or "<app>"),
            "stack": stack or "its runtime stack"}


def job_hit_replica_timeout(state: SessionState) -> dict[str, str] | None:
    """A Container Apps job whose failed executions lasted at least its replicaTimeout (computed from their times)."""
    jobs = reads_of_type(state, r"(?i)^Microsoft\.App/jobs$")
    timeout = next((int(j["replicaTimeout"]) for j in jobs if str(j.get("replicaTimeout") or "").isdigit()), 0)
    executions = [x for e in state.ledger if e.tool == "get_resource" and e.status == "success"
                  for x in e.data.get("executions") or [] if isinstance(x, dict)]
    ran = [_seconds_between(x.get("startTime"), x.get("endTime")) for x in executions
           if str(x.get("status") or "").lower() == "failed"]
    timed_out = [r for r in ran if timeout and r is not None and r >= timeout - 30]
    if not timed_out:
        return None
    return {"name": str(jobs[0].get("name") or ""), "timeout": str(timeout), "failed": str(len(timed_out)),
            "ran": str(int(max(timed_out)))}


_REFUSED_LINE = re.compile(r"(?i)\b403\b|AuthorizationFailure|Forbidden|not authorized|timed? ?out")


def private_endpoint_misses_service(state: SessionState) -> dict[str, str] | None:
    """A storage account closed to public traffic whose private endpoints do not serve the storage service (blob,
    queue, table, file) that the refused calls in the report or the logs go to."""
    endpoints = reads_of_type(state, r"(?i)^Microsoft\.Network/privateEndpoints$")
    refused = [line for line in _said_or_logged(state) if _REFUSED_LINE.search(line)]
    for account in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$"):
        name = str(account.get("name") or "")
        closed = (str((account.get("networkAcls") or {}).get("defaultAction")) == "Deny"
                  or str(account.get("publicNetworkAccess")) == "Disabled")
        if not name or not closed or not account.get("privateEndpointConnections"):
            continue
        served = {str(g).lower() for pe in endpoints
                  for c in [*(pe.get("connections") or []), *(pe.get("manualConnections") or [])] if isinstance(c, dict)
                  and f"/storageaccounts/{name.lower()}" in str(c.get("privateLinkServiceId") or "").lower()
                  for g in c.get("groupIds") or []}
        host = re.compile(rf"(?i)\b{re.escape(name)}\.(blob|queue|table|file|dfs)\.core\.windows\.net")
        failing = {m.group(1).lower() for line in refused for m in host.finditer(line)}
        missing = sorted(failing - served)
        if served and missing:
            return {"name": name, "missing": missing[0], "served": ", ".join(sorted(served))}
    return None


def storage_nearly_full(state: SessionState) -> dict[str, str] | None:
    """A server whose storage_percent metric reached 95% (computed from query_metrics), with its auto-grow setting."""
    peaks = [float(m["max"]) for e in state.ledger if e.tool == "query_metrics" and e.status == "success"
             for m in e.data.get("metrics") or [] if isinstance(m, dict) and m.get("name") == "storage_percent"
             and isinstance(m.get("max"), int | float)]
    if not peaks or max(peaks) < 95:
        return None
    servers = reads_of_type(state, r"(?i)^Microsoft\.DBfor(?:MySQL|PostgreSQL)/flexibleServers$")
    grow = next((str(r["storage"]["autoGrow"]) for r in servers
                 if isinstance(r.get("storage"), dict) and r["storage"].get("autoGrow")), "")
    found = {"percent": f"{max(peaks):g}", "grow": f", storage auto-grow {grow}" if grow else ""}
    logs, used = _metric_peak(state, "txlogs_storage_used"), _metric_peak(state, "storage_used")
    if logs and used and logs >= 0.4 * used:  # the logs, not the data, fill it: something keeps them
        found["logs_gb"], found["used_gb"] = f"{logs / 1e9:.0f}", f"{used / 1e9:.0f}"
    return found


def _metric_peak(state: SessionState, name: str) -> float | None:
    peaks = [float(m["max"]) for e in state.ledger if e.tool == "query_metrics" and e.status == "success"
             for m in e.data.get("metrics") or [] if isinstance(m, dict) and m.get("name") == name
             and isinstance(m.get("max"), int | float)]
    return max(peaks) if peaks else None


def scale_monitoring_off(state: SessionState) -> dict[str, str] | None:
    """An Elastic Premium function app with runtime scale monitoring off whose trigger source (a Service Bus, Event
    Hubs or storage account it reads) accepts only private traffic: the scale controller cannot see its backlog."""
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/config)?$")
    flags = [(s.get("siteConfig") or s).get("functionsRuntimeScaleMonitoringEnabled") for s in sites]
    app = next((a for a in sites if str(a.get("type")).lower() == "microsoft.web/sites"
                and (re.search(r"(?i)elastic", str(a.get("sku") or ""))
                     or int((a.get("siteConfig") or {}).get("minimumElasticInstanceCount") or 0) >= 1)), None)
    source = next((r for r in reads_of_type(state, r"(?i)^Microsoft\.(?:ServiceBus|EventHub|Storage)/")
                   if str(r.get("publicNetworkAccess")) == "Disabled"
                   or str((r.get("networkAcls") or {}).get("defaultAction")) == "Deny"), None)
    if False not in flags or True in flags or app is None or source is None:
        return None
    return {"app": str(app.get("name")), "source": str(source.get("name"))}


# a resource type -> the service endpoint its virtual network rules need on the client's subnet
_SERVICE_ENDPOINTS = {"microsoft.cognitiveservices/accounts": "Microsoft.CognitiveServices",
                      "microsoft.storage/storageaccounts": "Microsoft.Storage",
                      "microsoft.keyvault/vaults": "Microsoft.KeyVault",
                      "microsoft.servicebus/namespaces": "Microsoft.ServiceBus",
                      "microsoft.eventhub/namespaces": "Microsoft.EventHub",
                      "microsoft.documentdb/databaseaccounts": "Microsoft.AzureCosmosDB"}


def subnet_lacks_service_endpoint(state: SessionState) -> dict[str, str] | None:
    """A resource whose virtual network rules list the app's integration subnet while that subnet has no service
    endpoint for the resource's service: the app's traffic then leaves with a public address, which the rule does not
    cover (subnet and rule coverage, computed)."""
    site = next(iter(reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")), None)
    subnet_id = str((site or {}).get("virtualNetworkSubnetId") or "").lower()
    subnets = [s for s in reads_of_type(state, r"(?i)^Microsoft\.Network/virtualNetworks/subnets$")
               if str(s.get("id") or "").lower() == subnet_id]
    subnets += [s for v in reads_of_type(state, r"(?i)^Microsoft\.Network/virtualNetworks$")
                for s in v.get("subnets") or [] if str(s.get("id") or "").lower() == subnet_id]
    if not subnet_id or not subnets:
        return None
    endpoints = {str(e.get("service") if isinstance(e, dict) else e).lower()
                 for e in subnets[0].get("serviceEndpoints") or []}
    for resource in reads_of_type(state, "."):
        needed = _SERVICE_ENDPOINTS.get(str(resource.get("type") or "").lower())
        rules = [str(r).lower() for r in (resource.get("networkAcls") or {}).get("virtualNetworkRules") or []]
        if needed and subnet_id in rules and needed.lower() not in endpoints:
            return {"name": str(resource.get("name")), "subnet": subnet_id.rsplit("/", 1)[-1],
                    "service_endpoint": needed, "app": str((site or {}).get("name"))}
    return None


_ZONE_WORDS = re.compile(r"privatelink|windows|azure|core|net|com|io")  # a zone name's parts that name no service


def private_dns_zone_misnamed(state: SessionState) -> dict[str, str] | None:
    """A read resource whose private endpoints' zone is missing from its group while the group holds a privatelink
    zone that no Azure service uses and that names the same service (privatelink.eventhub.windows.net for an Event
    Hubs namespace, whose endpoints use privatelink.servicebus.windows.net)."""
    listing = latest(state, "list_resources_in_group")
    zones = {str(r.get("name")).lower() for r in (listing.data.get("resources") or [] if listing else [])
             if str(r.get("type")).lower() == "microsoft.network/privatednszones"}
    known = {str(h["zone"]).lower() for h in table("network_service_hosts")}
    unknown = sorted(z for z in zones if z.startswith("privatelink.") and z not in known)
    for resource in reads_of_type(state, "."):
        kind = str(resource.get("type") or "").lower()
        zone = next((str(h["zone"]) for h in table("network_service_hosts")
                     if kind in {t.lower() for t in h.get("types") or []}), None)
        if zone is None or zone.lower() in zones:
            continue
        alike = [z for z in unknown if any(w and w in kind.replace("/", "") for w in
                                           _ZONE_WORDS.sub(" ", z).replace(".", " ").split())]
        if alike:
            return {"name": str(resource.get("name")), "zone": zone, "found": ", ".join(alike)}
    return None


# a report of a failure that is over (it recovered by itself): a resolved Service Health event can explain it
_PAST = re.compile(r"(?i)\brecovered\b|\bcame back\b|\bresolved (?:it|by )?itself|\bwent away\b|\bovernight\b|"
                   r"\bfor (?:a few|some|about \d+) minutes\b|\bbriefly\b|\bwhat happened\b")


def service_issue_for_resource(state: SessionState) -> dict[str, str] | None:
    """A Service Health event (an issue or planned maintenance; a resolved one only when the report describes a
    failure that is over) whose service is a read resource's (its type's service name) and whose regions include
    that resource's location (or name none)."""
    rule = table_entry(FINDINGS, "service-health-event-for-resource")
    issues = latest(state, "list_service_health_events")
    if issues is None or issues.status != "success":
        return None
    said = [state.material.error_description, *state.material.answers]
    for resource in reads_of_type(state, "."):
        pattern = next((p for kind, p in rule["services"].items()
                        if kind.lower() == str(resource.get("type") or "").lower()), None)
        place = _region(str(resource.get("location") or ""))
        for issue in (issues.data.get("events") or []) if pattern else []:
            if issue.get("status") != "Active" and not any(_PAST.search(t) for t in said):
                continue  # a resolved event explains only a failure that is over too
            service = next((s for s in issue.get("services") or [] if regex(pattern).search(str(s))), None)
            regions = [str(r) for r in issue.get("regions") or []]
            if service and (not regions or not place or place in {_region(r) for r in regions}):
                return {"service": service, "region": ", ".join(regions) or "all regions",
                        "kind": "planned maintenance" if issue.get("kind") == "PlannedMaintenance" else "service issue",
                        "status": str(issue.get("status") or "").lower(),
                        "tracking_id": str(issue.get("tracking_id")), "title": str(issue.get("title")),
                        "name": str(resource.get("name")), **_health_of(state, str(resource.get("id") or ""))}
    return None


_HOST_STORAGE_KEYED = ("azurewebjobsstorage", "website_contentazurefileconnectionstring")


def host_storage_needs_shared_key(state: SessionState) -> dict[str, str] | None:
    """A function app whose host storage is a connection string (AzureWebJobsStorage, or the content share's
    WEBSITE_CONTENTAZUREFILECONNECTIONSTRING, which takes no identity) while a storage account read refuses Shared
    Key: the one the report names, else the first."""
    listed = latest(state, "list_app_setting_names")
    names = {str(n).lower(): str(n) for n in (listed.data.get("names") or [] if listed is not None else [])}
    keyed = [names[n] for n in _HOST_STORAGE_KEYED if n in names]
    refusing = [a for a in reads_of_type(state, r"(?i)^Microsoft\.Storage/storageAccounts$")
                if a.get("allowSharedKeyAccess") is False and a.get("name")]
    named = [a for a in refusing if _mentioned(str(a["name"]), said_by_client(state))]
    chosen = (named or refusing)[:1]
    return {"name": str(chosen[0]["name"]), "setting": keyed[0]} if keyed and chosen else None


def probe_port_not_target(state: SessionState) -> dict[str, str] | None:
    """A container app whose health probe checks a port other than its ingress target port."""
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        target = str((app.get("ingress") or {}).get("targetPort") or "")
        probes = [p for c in app.get("containers") or [] if isinstance(c, dict)
                  for p in c.get("probes") or [] if isinstance(p, dict)]
        for probe in probes:
            port = str((probe.get("httpGet") or probe.get("tcpSocket") or {}).get("port") or "")
            if target and port and port != target:
                return {"name": str(app.get("name")), "probe": str(probe.get("type") or "health"), "port": port,
                        "target": target}
    return None


_SERVICE_BUS_ENTITIES = r"(?i)^Microsoft\.ServiceBus/namespaces/(?:queues|topics|topics/subscriptions)$"


def service_bus_entity(state: SessionState, field: str, pattern: str) -> dict[str, str] | None:
    """The Service Bus queue, topic or subscription (from the collections read) whose `field` matches: the one the
    report names, else the only one that matches."""
    said = said_by_client(state)
    found = [x for data in reads_of_type(state, _SERVICE_BUS_ENTITIES) for x in data.get("entities") or []
             if isinstance(x, dict) and x.get("name") and regex(pattern).search(_text(x.get(field)))]
    named = [x for x in found if _mentioned(str(x["name"]), said)]
    chosen = named or (found if len(found) == 1 else [])
    return {"entity": str(chosen[0]["name"]), "value": _text(chosen[0].get(field)),
            "window": str(chosen[0].get("duplicateDetectionHistoryTimeWindow") or "")} if chosen else None


def _health_of(state: SessionState, resource_id: str) -> dict[str, str]:
    """What Resource Health said of that resource when it was not Available (Degraded, Unavailable), as facts."""
    read = next((e for e in reversed(state.ledger) if e.tool == "get_resource_health" and e.status == "success"
                 and str(e.arguments.get("resource_id") or "").lower() == resource_id.lower()), None)
    state_now = str((read.data if read else {}).get("availabilityState") or "")
    if not state_now or state_now == "Available":
        return {}
    return {"health": state_now.lower()}


def _region(name: str) -> str:
    """A region as Resource Manager spells it ('West Europe' and 'westeurope' are one region)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _seconds_between(start: Any, end: Any) -> float | None:
    try:
        began = datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        ended = datetime.fromisoformat(str(end).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (ended - began).total_seconds()


def origin_host_header_not_app(state: SessionState) -> dict[str, str] | None:
    """A Front Door origin on App Service (or Container Apps, Static Web Apps) whose origin host header is empty or
    another name than the origin's own host name, and not a host name the app read has bound."""
    sites = reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")
    for data in reads_of_type(state, r"(?i)^Microsoft\.Cdn/profiles/originGroups/origins$"):
        for origin in data.get("origins") or []:
            host = str((origin or {}).get("hostName") or "").lower()
            header = str((origin or {}).get("originHostHeader") or "").lower()
            app = next((s for s in sites if host in {str(h).lower() for h in
                                                     [s.get("defaultHostName"), *(s.get("hostNames") or [])]}), None)
            bound = {str(h).lower() for h in (app or {}).get("hostNames") or []}
            # an empty header forwards the client's host; another name is judged only against the app's bindings
            if _APP_PLATFORM_HOST.search(host) and header != host and (not header or app and header not in bound):
                return {"origin": str(origin.get("name")), "host": host,
                        "header": header or "empty, so the client's own host name is forwarded"}
    return None


# --- round 20: computed findings ---------------------------------------------------------------------------

_FAIR_SHARE_SECONDS = 3 * 3600  # Azure sandboxes stop (or unload) a job that has run this long


def automation_fair_share_stop(state: SessionState) -> dict[str, str] | None:
    """An Automation job that ran in an Azure sandbox (no Hybrid Runbook Worker group in runOn) and ended Stopped,
    Suspended or Failed after about three hours: the fair-share limit, not the runbook, ended it. The runbook the
    report names first, else any."""
    jobs = [j for data in reads_of_type(state, r"(?i)^Microsoft\.Automation/automationAccounts/jobs$")
            for j in data.get("jobs") or [] if isinstance(j, dict)]
    hit = []
    for job in jobs:
        ran = _seconds_between(job.get("startTime"), job.get("endTime"))
        if (str(job.get("status") or "") in ("Stopped", "Suspended", "Failed") and not job.get("runOn")
                and ran is not None and _FAIR_SHARE_SECONDS - 600 <= ran <= _FAIR_SHARE_SECONDS + 1800):
            hit.append((job, ran))
    said = said_by_client(state)
    named = [(j, r) for j, r in hit if _mentioned(str(picked(j, "runbook.name") or ""), said)]
    chosen = named or hit
    if not chosen:
        return None
    job, ran = chosen[0]
    runbook = str(picked(job, "runbook.name") or "the runbook")
    same = [j for j, _ in chosen if picked(j, "runbook.name") == picked(job, "runbook.name")]
    return {"runbook": runbook, "status": str(job.get("status")), "jobs": str(len(same)),
            "ran": f"{int(ran // 3600)} h {int(ran % 3600 // 60):02d} min", "job": str(job.get("name") or "")}


_AZURE_NAME_SERVER = re.compile(r"(?i)\bns\d-\d{2}\.azure-dns\.(?:com|net|org|info)\b")


def dns_zone_not_delegated(state: SessionState) -> dict[str, str] | None:
    """A public Azure DNS zone whose own name servers (nameServers) are not the ones the domain is delegated to:
    the report names Azure DNS name servers of another set, or the zone was deleted and created again (activity
    log), which assigns a new set that the registrar does not list."""
    said = " ".join([state.material.error_description, *state.material.answers])
    stated = sorted({m.group(0).lower() for m in _AZURE_NAME_SERVER.finditer(said)})
    changes = latest(state, "list_activity_log")
    events = (changes.data.get("events") or []) if changes is not None and changes.status == "success" else []
    for zone in reads_of_type(state, r"(?i)^Microsoft\.Network/dnszones$"):
        own = [str(n).lower().rstrip(".") for n in zone.get("nameServers") or []]
        name = str(zone.get("name") or "")
        if not own or not name:
            continue
        facts = {"zone": name, "zone_ns": ", ".join(own)}
        foreign = [n for n in stated if n not in own]
        if foreign:
            return {**facts, "evidence": f"the domain is delegated to {', '.join(foreign)}, "
                                         "which is not this zone's set"}
        deleted = next((e for e in events if re.search(r"(?i)/dnszones/delete$", str(e.get("operation") or ""))
                        and str(e.get("resource_id") or "").lower().endswith(f"/dnszones/{name.lower()}")
                        and str(e.get("status") or "").lower() != "failed"), None)
        if deleted is not None:
            return {**facts, "evidence": f"the zone was deleted ({deleted.get('time')}, by {deleted.get('caller')}) "
                                         "and created again, which gave it a new name-server set"}
    return None


_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


def container_app_ip_rules_exclude_caller(state: SessionState) -> dict[str, str] | None:
    """A container app whose ingress IP restrictions allow a list of ranges (then every other address is denied)
    or deny some: the caller addresses in the report are outside the allowed ranges (or inside a denied one); with
    no address in the report, the allow-list alone is named."""
    callers = [ip for text in _said_or_logged(state) for ip in _IPV4.findall(text)]
    for app in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$"):
        rules = [r for r in (app.get("ingress") or {}).get("ipSecurityRestrictions") or [] if isinstance(r, dict)]
        allowed = [str(r.get("ipAddressRange")) for r in rules if str(r.get("action")).lower() == "allow"]
        denied = [str(r.get("ipAddressRange")) for r in rules if str(r.get("action")).lower() == "deny"]
        outside = [ip for ip in callers if (allowed and not covered(ip, allowed)) or covered(ip, denied)]
        if outside or (allowed and not callers):
            return {"name": str(app.get("name")), "rules": ", ".join(f"{r.get('name')} {r.get('action')} "
                                                                   f"{r.get('ipAddressRange')}" for r in rules[:6]),
                    "callers": ", ".join(dict.fromkeys(outside)) or "callers outside those ranges"}
    return None


def _app_subnet(state: SessionState) -> str:
    """The id of the subnet the app read is integrated into ("" without one)."""
    site = next(iter(reads_of_type(state, r"(?i)^Microsoft\.Web/sites$")), None)
    return str((site or {}).get("virtualNetworkSubnetId") or "").lower()


def default_route_to_appliance(state: SessionState) -> dict[str, str] | None:
    """A route table on the app's integration subnet (or, without an app, any route table read) that sends
    0.0.0.0/0 to a virtual appliance: the app's outbound traffic then passes a firewall or NVA."""
    subnet = _app_subnet(state)
    for table_read in reads_of_type(state, r"(?i)^Microsoft\.Network/routeTables$"):
        subnets = [str(s).lower() for s in table_read.get("subnets") or []]
        if subnet and subnet not in subnets:
            continue
        for route in table_read.get("routes") or []:
            if isinstance(route, dict) and str(route.get("addressPrefix")) == "0.0.0.0/0" \
                    and str(route.get("nextHopType")) == "VirtualAppliance":
                return {"route_table": str(table_read.get("name")), "route": str(route.get("name")),
                        "appliance": str(route.get("nextHopIpAddress") or "the appliance"),
                        "subnet": (subnet or (subnets[0] if subnets else "its subnets")).rsplit("/", 1)[-1]}
    return None


_PORT = re.compile(r"(?i)\bport\s+(\d{2,5})\b|\b(?:tcp|udp)[/:](\d{2,5})\b|\b[a-z0-9-]+(?:\.[a-z0-9-]+)+:(\d{2,5})\b")
_ANY_DESTINATION = {"*", "internet", "any", "0.0.0.0/0"}
_SUBNET = r"(?i)^Microsoft\.Network/virtualNetworks/subnets$"


def _port_matches(rule: dict[str, Any], port: int) -> bool:
    ranges = [str(rule.get("destinationPortRange") or "")] + [str(r) for r in rule.get("destinationPortRanges") or []]
    for entry in (r.strip() for r in ranges if r):
        low, _, high = entry.partition("-")
        if entry == "*" or (low.isdigit() and int(low) <= port <= int(high or low)):
            return True
    return False


def _applies_to(prefixes: list[str], known: set[str], addresses: list[str]) -> bool | None:
    """Whether a rule's address side covers the flow: True (any, or it covers a known address), None when it names
    something that cannot be judged here (a service tag, another range)."""
    if any(p.lower() in known for p in prefixes):
        return True
    if addresses and any(covered(a, prefixes) for a in addresses):
        return True
    return None


def nsg_denies_port(state: SessionState) -> dict[str, str] | None:
    """A network security group on the app's subnet whose outbound rules, taken by priority, deny the port the
    failing calls use before any rule allows it (the default rules allow outbound traffic, so only an explicit
    deny can). Rules whose addresses cannot be judged here (a service tag, a specific range) are skipped when
    they deny, and stop the evaluation when they allow."""
    ports = sorted({int(g) for text in _said_or_logged(state) for m in _PORT.finditer(text) for g in m.groups() if g})
    ips = [ip for text in _said_or_logged(state) for ip in _IPV4.findall(text)]
    subnet = _app_subnet(state)
    prefixes = [str(s.get("addressPrefix")) for s in reads_of_type(state, _SUBNET)
                if str(s.get("id") or "").lower() == subnet and s.get("addressPrefix")]
    source_ips = [p.split("/")[0] for p in prefixes]
    for group in reads_of_type(state, r"(?i)^Microsoft\.Network/networkSecurityGroups$"):
        subnets = [str(s).lower() for s in group.get("subnets") or []]
        if subnet and subnets and subnet not in subnets:
            continue
        rules = sorted((r for r in group.get("securityRules") or [] if isinstance(r, dict)
                        and str(r.get("direction")).lower() == "outbound"),
                       key=lambda r: int(r.get("priority") or 65000))
        for port in ports:
            for rule in rules:
                if str(rule.get("protocol") or "*").lower() not in ("*", "tcp") or not _port_matches(rule, port):
                    continue
                source = _applies_to([str(rule.get("sourceAddressPrefix") or "*"),
                                      *[str(p) for p in rule.get("sourceAddressPrefixes") or []]],
                                     {"*", "any", "virtualnetwork"}, source_ips)
                target = _applies_to([str(rule.get("destinationAddressPrefix") or "*"),
                                      *[str(p) for p in rule.get("destinationAddressPrefixes") or []]],
                                     _ANY_DESTINATION, ips)
                allows = str(rule.get("access")).lower() == "allow"
                if source and target:
                    if allows:
                        break  # this port is allowed first
                    return {"nsg": str(group.get("name")), "rule": str(rule.get("name")),
                            "priority": str(rule.get("priority")), "port": str(port)}
                if allows:
                    break  # an allow rule that may cover the flow: no verdict
    return None


def sql_database_paused(state: SessionState) -> dict[str, str] | None:
    """A database of the SQL server read whose status is Paused (a serverless database that auto-paused): the one
    the report names, else the first."""
    found = [d for data in reads_of_type(state, r"(?i)^Microsoft\.Sql/servers/databases$")
             for d in data.get("databases") or [] if isinstance(d, dict)
             and str(d.get("status") or "") in ("Paused", "Pausing", "Resuming")]
    said = said_by_client(state)
    chosen = [d for d in found if _mentioned(str(d.get("name") or ""), said)] or found
    if not chosen:
        return None
    delay = str(chosen[0].get("autoPauseDelay") or "")
    return {"database": str(chosen[0].get("name")), "status": str(chosen[0].get("status")),
            "delay": f" after {delay} minutes without activity" if delay and delay != "-1" else ""}


def vault_tenant_not_identity_tenant(state: SessionState) -> dict[str, str] | None:
    """A key vault whose tenantId is not the directory of a managed identity read in the same session (an app's,
    a container app's): the vault accepts tokens of its own tenant only, which a subscription move does not
    update."""
    holders = [(r, str((r.get("identity") or {}).get("tenantId") or "").lower())
               for r in reads_of_type(state, ".") if isinstance(r.get("identity"), dict)]
    holders = [(r, t) for r, t in holders if t]
    for vault in reads_of_type(state, r"(?i)^Microsoft\.KeyVault/vaults$"):
        tenant = str(vault.get("tenantId") or "").lower()
        other = next(((r, t) for r, t in holders if tenant and t != tenant), None)
        if other is not None:
            return {"vault": str(vault.get("name")), "vault_tenant": tenant, "identity_tenant": other[1],
                    "holder": str(other[0].get("name"))}
    return None


def apim_named_value_unresolved(state: SessionState) -> dict[str, str] | None:
    """An API Management named value kept in Key Vault whose last refresh did not succeed (keyVault.lastStatus)."""
    for data in reads_of_type(state, r"(?i)^Microsoft\.ApiManagement/service/namedValues$"):
        for item in data.get("namedValues") or []:
            status = picked(item, "keyVault.lastStatus") if isinstance(item, dict) else None
            if isinstance(status, dict) and status.get("code") and str(status["code"]).lower() != "success":
                secret = str(picked(item, "keyVault.secretIdentifier") or "")
                return {"named_value": str(item.get("displayName") or item.get("name")), "code": str(status["code"]),
                        "message": str(status.get("message") or "no message")[:200],
                        "vault": re.sub(r"^https?://([^./]+).*$", r"\1", secret) or "the vault",
                        "secret": secret or "its secret"}
    return None


def event_subscription_not_validated(state: SessionState) -> dict[str, str] | None:
    """An Event Grid event subscription to a webhook that is waiting for manual validation or failed to provision:
    the endpoint did not complete the validation handshake."""
    for data in reads_of_type(state, r"(?i)^Microsoft\.EventGrid/(?:system)?topics/eventSubscriptions$"):
        for sub in data.get("subscriptions") or []:
            if isinstance(sub, dict) and str(sub.get("provisioningState")) in ("AwaitingManualAction", "Failed") \
                    and str(picked(sub, "destination.endpointType") or "WebHook") == "WebHook":
                return {"subscription": str(sub.get("name")), "state": str(sub.get("provisioningState"))}
    return None


def plan_at_max_instances(state: SessionState) -> dict[str, str] | None:
    """An App Service plan read whose current instance count has reached the most its tier allows."""
    for plan in reads_of_type(state, r"(?i)^Microsoft\.Web/serverFarms$"):
        workers, most = plan.get("numberOfWorkers"), plan.get("maximumNumberOfWorkers")
        if isinstance(workers, int) and isinstance(most, int) and most > 0 and workers >= most:
            sku = plan.get("sku")
            tier = (sku.get("tier") or sku.get("name")) if isinstance(sku, dict) else None
            return {"plan": str(plan.get("name")), "workers": str(workers), "most": str(most),
                    "tier": str(tier or "its")}
    return None


_CORS_BLOCKED = re.compile(r"(?i)from origin '(?P<origin>https?://[^'\s]+)' has been blocked by CORS policy")


def cors_origin_not_allowed(state: SessionState) -> dict[str, str] | None:
    """A browser origin that the report says CORS blocked, missing from the platform CORS allow-list of the app
    read (App Service config/web cors, or a container app's ingress corsPolicy), which is not a wildcard."""
    origins = [m.group("origin").rstrip("/").lower() for text in _said_or_logged(state)
               for m in _CORS_BLOCKED.finditer(text)]
    if not origins:
        return None
    configs = reads_of_type(state, r"(?i)^Microsoft\.Web/sites(?:/slots)?/config$")
    lists = [(str(c.get("name") or "the app"), (c.get("cors") or {}).get("allowedOrigins"))
             for c in configs if isinstance(c.get("cors"), dict)]
    lists += [(str(a.get("name")), ((a.get("ingress") or {}).get("corsPolicy") or {}).get("allowedOrigins"))
              for a in reads_of_type(state, r"(?i)^Microsoft\.App/containerApps$")]
    for name, allowed in lists:
        entries = [str(o).rstrip("/").lower() for o in allowed or []]
        if entries and "*" not in entries and origins[0] not in entries:
            return {"name": name, "origin": origins[0], "allowed": ", ".join(entries[:6])}
    return None


_COMPUTED = {"service-ip-rules-exclude-app": firewall_excludes_app,
             "container-job-replica-timeout": job_hit_replica_timeout,
             "database-storage-nearly-full": storage_nearly_full,
             "storage-private-endpoint-missing-for-service": private_endpoint_misses_service,
             "container-app-target-port-mismatch": target_port_not_listened,
             "app-service-port-not-listened": app_port_not_listened,
             "app-service-certificate-expired": certificate_expired,
             "keyvault-reference-access-denied": lambda s: _key_vault_reference(s, ("AccessToKeyVaultDenied",)),
             "keyvault-reference-identity-not-enabled": lambda s: _key_vault_reference(
                 s, ("MSINotEnabled", "ManagedIdentityNotFound", "UserAssignedManagedIdentityNotFound")),
             "keyvault-reference-secret-not-found": lambda s: _key_vault_reference(
                 s, ("SecretNotFound", "SecretVersionNotFound", "VaultNotFound")),
             "keyvault-reference-invalid-syntax": lambda s: _key_vault_reference(s, ("InvalidSyntax",)),
             "app-container-registry-identity-not-named": registry_pull_identity_not_named,
             "app-access-restrictions-deny": access_restrictions_deny,
             "function-host-storage-shared-key-disabled": host_storage_needs_shared_key,
             "container-app-probe-port-not-target": probe_port_not_target,
             "service-bus-entity-not-active": lambda s: service_bus_entity(
                 s, "status", r"(?i)^(?:Disabled|SendDisabled|ReceiveDisabled)$"),
             "service-bus-entity-requires-session": lambda s: service_bus_entity(s, "requiresSession", "^True$"),
             "service-bus-duplicate-detection": lambda s: service_bus_entity(
                 s, "requiresDuplicateDetection", "^True$"),
             "service-health-event-for-resource": service_issue_for_resource,
             "private-dns-zone-misnamed": private_dns_zone_misnamed,
             "premium-scale-monitoring-off-for-private-trigger": scale_monitoring_off,
             "subnet-rule-without-service-endpoint": subnet_lacks_service_endpoint,
             "keyvault-reference-identity-not-chosen": reference_identity_not_chosen,
             "container-app-registry-admin-user-disabled": registry_password_without_admin_user,
             "function-disabled-by-app-setting": function_disabled_by_setting,
             "identity-connection-without-managed-identity": identity_connection_without_identity,
             "app-container-registry-pull-without-credentials": registry_pull_without_credentials,
             "container-app-keyvault-secret-identity-missing": keyvault_secret_identity_missing,
             "front-door-id-header-not-this-profile": front_door_id_mismatch,
             "front-door-origin-host-header-not-app": origin_host_header_not_app,
             "app-gateway-app-service-host-name-not-picked": gateway_host_header_not_app,
             "automation-job-stopped-by-fair-share": automation_fair_share_stop,
             "dns-zone-name-servers-not-delegated": dns_zone_not_delegated,
             "container-app-ip-restrictions-exclude-caller": container_app_ip_rules_exclude_caller,
             "app-subnet-default-route-to-appliance": default_route_to_appliance,
             "subnet-nsg-denies-port": nsg_denies_port,
             "sql-serverless-database-paused": sql_database_paused,
             "keyvault-tenant-not-identity-tenant": vault_tenant_not_identity_tenant,
             "apim-named-value-keyvault-refresh-failed": apim_named_value_unresolved,
             "event-grid-subscription-not-validated": event_subscription_not_validated,
             "app-service-plan-at-max-instances": plan_at_max_instances,
             "platform-cors-origin-not-allowed": cors_origin_not_allowed,
             **MULTI_FIELD_COMPUTED}


def missing_code_settings(state: SessionState) -> list[str]:
    """Settings the code's bindings or environment reads name that the app in Azure does not define (its setting
    names, read by list_app_setting_names); platform-provided variables do not count."""
    names = _setting_names(state)
    if names is None:
        return []
    reads, connections = setting_references(state.material.files)
    wanted = [c["name"] for c in connections] + [r["name"] for r in reads]
    return [n for n in dict.fromkeys(wanted)
            if n and not _PLATFORM.match(n) and not setting_defined(n, names)]


def _text(value: Any) -> str:
    """A field's value as findings match it: a list joined, a boolean as True/False, nothing as ""."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _event_facts(conditions: dict[str, str], events: list[dict[str, Any]]) -> dict[str, str] | None:
    """The named groups of the first activity-log event whose fields all match the conditions' regexes."""
    for event in events:
        found = [regex(pattern).search(str(event.get(key) or "")) for key, pattern in conditions.items()]
        if all(found):
            facts = {k: v for match in found if match for k, v in match.groupdict().items() if v}
            return {**facts, "time": str(event.get("time") or ""), "caller": str(event.get("caller") or "")}
    return None
