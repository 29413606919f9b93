"""Investigate a resource when the error text does not decide: per-resource-type playbooks kept as data.

The resource comes from the material (a resource id, environment_info's app name, a name in a strong form) or from
listing the resource group; its type picks the playbook (knowledge/playbooks.yaml), whose reads run one per step.
Every result is evidence: the catalog index scans it (an error that appears only in the activity log or a
revision's provisioning error is found), and knowledge/evidence_findings.yaml says what structured results decide
by themselves (a function app without AzureWebJobsStorage, Resource Health Unavailable)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.catalog.entities import entity_facts
from shared.engines import gateway_backend, private_dns
from shared.engines.analyzers.azure_scope import (
    listed_resources,
    names_groups,
    resource_group,
    resource_groups,
    subscription_id,
)
from shared.engines.analyzers.common import dotted, fill, filled_actions, logged, regex, report, table, table_entry
from shared.engines.analyzers.ledger import azure_call
from shared.engines.analyzers.storage_azure import covered
from shared.engines.catalog_hits import contradicted, facts_of
from shared.engines.computed_findings import COMPUTED
from shared.engines.session_reads import (
    FINDINGS,
    as_text,
    is_mentioned,
    missing_reference,
    read_setting_names,
    said_by_client,
    stated_outbound,
)
from shared.models import EvidenceItem
from shared.session.state import Conclude, Evidence, RunTool, SessionState
from shared.tools.azure_monitor import LOG_RESOURCE_ID_PATTERN, SAFE_NAME_PATTERN, WORKSPACE_ID_PATTERN
from shared.tools.text_tools import code_setting_names, setting_defined

PLAYBOOKS = "playbooks"
KQL = "kql_templates"
_PLATFORM = re.compile(r"^(?:WEBSITE_|FUNCTIONS_|APPSETTING_|AzureWebJobsScriptRoot|HOME$|PATH$|PORT$|CONTAINER_)")
_DEPLOYMENT_TEXT = re.compile(r"(?i)\bdeploy(?:ment)?s?\b[^\n]{0,80}\bfail|\bDeploymentFailed\b|"
                              r"\bInvalidTemplateDeployment\b|\bfail(?:s|ed|ing)?\b[^\n]{0,60}\bdeploy|"
                              r"not valid according to the validation procedure")
_SAFE_NAME = re.compile(SAFE_NAME_PATTERN)  # what query_logs accepts as the template's {name}
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_WORKSPACE_ID = re.compile(WORKSPACE_ID_PATTERN)  # what query_logs accepts as its workspace
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
    deployment = _deployment_call(state) or _reference_elsewhere_call(state)
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
    # a service reached over a private endpoint: its DNS chain; a gateway that cannot connect: its backend's NSG
    return private_dns.next_read(state) or gateway_backend.next_read(state)


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
        elif "follow_each" in step:
            call = _follow_each_call(state, target, step)
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
    kinds = [b["type"].lower() for b in table(PLAYBOOKS)
             if b.get("mentions") and b["type"].lower() != target.type.lower() and regex(b["mentions"]).search(said)]
    # a workspace or Application Insights resource is where the logs steps read, unless the report is about that
    # kind itself (its playbook's `mentions`: sending data to the workspace's ingestion endpoint)
    others = [r for r in listed if r.get("id") and r.get("type") and r.get("name")
              and str(r["id"]).lower() != target.resource_id.lower()
              and (str(r["type"]).lower() not in _READ_BY_LOGS_STEPS or str(r["type"]).lower() in kinds)]
    named = [r for r in others if len(str(r["name"])) >= 3 and is_mentioned(str(r["name"]), said)]
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
    own = _own_read(state, resource_id)
    named = dotted(own.data, field) if own is not None else None
    if isinstance(named, list) and named:  # a one-item list (an Application Gateway's subnet): its first id
        named = named[0]
    return named if isinstance(named, str) and _RESOURCE_ID.match(named) else None


def _own_read(state: SessionState, resource_id: str) -> Evidence | None:
    """The newest successful get_resource of that resource id."""
    return next((e for e in reversed(state.ledger) if e.tool == "get_resource" and e.status == "success"
                 and str(e.arguments.get("resource_id", "")).lower() == resource_id.lower()), None)


def _follow_each_call(state: SessionState, target: Target, step: dict[str, Any]) -> Evidence | RunTool | None:
    """Read, for the first two items of a list field of the resource's own read (`list.key`: a Traffic Manager
    profile's endpoints and their target ids), the resource each names, with `suffix` appended (its config/web);
    items whose id does not match `when_type` are left out."""
    field, key = step["follow_each"].rsplit(".", 1)
    own = _own_read(state, target.resource_id)
    items = dotted(own.data, field) if own is not None else None
    named = [str(i.get(key)) for i in items or [] if isinstance(i, dict) and _RESOURCE_ID.match(str(i.get(key) or ""))
             and (not step.get("when_type") or regex(step["when_type"]).search(str(i.get(key))))]
    for resource_id in named[:2]:
        call = azure_call(state, "get_resource", {"resource_id": resource_id + step.get("suffix", "")},
                          step["purpose"])
        if isinstance(call, RunTool):
            return call
    return None


def _each_call(state: SessionState, target: Target, step: dict[str, Any]) -> Evidence | RunTool | None:
    """Read a collection under the resource (its items' ids), then the step's read of each item, at most two: a
    Front Door profile's origin groups, then their origins. With `then_each`, each item's own collection is read
    first and the step reads its items (two of each, four in all): a Cosmos DB account's databases, their
    containers, then each container's throughput."""
    collection = fill(step["each"], target.values)
    listed = azure_call(state, "get_resource", {"resource_id": collection}, step["purpose"])
    if isinstance(listed, RunTool):
        return listed
    skip = regex(step["skip"]) if step.get("skip") else None  # a collection's system items (a server's master db)
    items = [str(i) for i in (listed.data.get("ids") or [] if listed else []) if not (skip and skip.search(str(i)))]
    if not items and listed is not None and listed.status == "success":  # items listed without their ids
        items = [f"{collection}/{name}" for name in _listed_names(listed.data) if not (skip and skip.search(name))]
    if not items and _was_read(state, collection):  # not listed (not found, refused): the items the client names
        items = [f"{collection}/{name}" for name in _named_items(state, collection)]
    if step.get("then_each"):  # a collection of each item first (a Cosmos DB database's containers)
        nested: list[str] = []
        for item in items[:2]:
            sub = azure_call(state, "get_resource", {"resource_id": fill(str(step["then_each"]), {"item": item})},
                             step["purpose"])
            if isinstance(sub, RunTool):
                return sub
            found = [str(i) for i in (sub.data.get("ids") or [] if isinstance(sub, Evidence) else [])]
            inner = fill(str(step["then_each"]), {"item": item})
            if not found and isinstance(sub, Evidence) and sub.status == "success":  # items listed without ids
                found = [f"{inner}/{name}" for name in _listed_names(sub.data)]
            if not found and _was_read(state, inner):  # not listed (not found, refused): the items the client names
                found = [f"{inner}/{name}" for name in _named_items(state, inner)]
            nested += _client_named_first(state, inner, found)[:2]
        items = nested
    for item in items[:2 if not step.get("then_each") else 4]:
        arguments = {k: fill(v, {"item": item}) if isinstance(v, str) else v for k, v in step["arguments"].items()}
        call = azure_call(state, step["tool"], arguments, step["purpose"])  # the item's read (its metrics too)
        if isinstance(call, RunTool):
            return call
    return None


_ITEM_NAME = re.compile(r"[A-Za-z0-9][\w.-]{0,79}")


def _client_named_first(state: SessionState, collection: str, items: list[str]) -> list[str]:
    """The items of a listed collection the client names (its container, its collection), when it names any of them:
    the read that decides is that item's, not its neighbours' (the newest read is the one a finding judges)."""
    named = {n.lower() for n in _named_items(state, collection)}
    return [i for i in items if i.rstrip("/").rsplit("/", 1)[-1].lower() in named] or items


def _listed_names(data: dict[str, Any]) -> list[str]:
    """The item names of a collection read whose answer carried no ids (an item of an ARM collection lives at the
    collection's path followed by its name): the read's own `names`, else the names of the first list of named
    items it kept."""
    said = [str(n) for n in data.get("names") or [] if _ITEM_NAME.fullmatch(str(n))]
    if said:
        return said
    for value in data.values():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            names = [str(v.get("name")) for v in value if _ITEM_NAME.fullmatch(str(v.get("name") or ""))]
            if names:
                return names
    if "ids" in data:  # a collection read (its spec lists `ids`) whose items came without ids: its list of names
        for key, value in data.items():  # (a Cosmos DB account's `databases: [orders]`)
            if key != "ids" and isinstance(value, list) and value and all(
                    isinstance(v, str) and _ITEM_NAME.fullmatch(v) for v in value):
                return [str(v) for v in value]
    return []


def _was_read(state: SessionState, resource_id: str) -> bool:
    """Whether the session asked Azure for this resource id (and the call failed: not found, refused)."""
    return any(e.tool == "get_resource" and str(e.arguments.get("resource_id") or "").lower() == resource_id.lower()
               for e in state.ledger)


def _named_items(state: SessionState, collection: str) -> list[str]:
    """Names of a collection's items that the client gives, when the collection itself cannot be listed:
    environment_info values under a key of the item's kind (`event_hub: page-events` for .../eventhubs), and a name
    quoted after the kind's word in the report ("eventhub 'page-events'"), at most two."""
    kind = collection.rstrip("/").rsplit("/", 1)[-1].lower()
    singular = kind[:-1] if kind.endswith("s") else kind
    # Cosmos DB's APIs: sqlDatabases / mongodbDatabases are the client's "database"
    singular = re.sub(r"^(?:sql|mongodb|gremlin|cassandra)(?=database|keyspace|graph)", "", singular)
    squashed = singular.replace("_", "")
    names: list[str] = []
    for key, value in state.material.environment.items():
        if isinstance(value, str) and re.sub(r"_?name$", "", key.lower()).replace("_", "").endswith(squashed) \
                and _ITEM_NAME.fullmatch(value.strip()):
            names.append(value.strip())
    quoted = re.compile(rf"(?i)\b{re.escape(singular)}[ _-]?(?:name)?\s*[:=]?\s*['\"`](?P<name>[\w.-]{{1,80}})['\"`]")
    names += [m.group("name") for t in state.material.spoken() for m in quoted.finditer(t)]
    return list(dict.fromkeys(names))[:2]


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
    spoken = state.material.spoken_text()
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


def _reference_elsewhere_call(state: SessionState) -> RunTool | None:
    """A deployment that could not find a resource in the group it searched (ResourceNotFound "The Resource
    '<type>/<name>' under resource group '<group>' was not found"): where in the subscription that resource is."""
    missing = missing_reference(state)
    subscription = subscription_id(state) if missing else None
    if missing is None or not isinstance(subscription, str):
        return subscription if isinstance(subscription, RunTool) else None
    found = azure_call(state, "find_resource_by_name", {"subscription_id": subscription,
                                                       "resource_name": missing["name"],
                                                       "resource_type": missing["type"]},
                       f"looking for {missing['type']} '{missing['name']}' in the subscription's other resource groups")
    return found if isinstance(found, RunTool) else None


_DEPLOYMENT_NAME = re.compile(r"(?i)\bdeployment(?: name)?(?:\s*[:=]\s*|\s+named\s+|\s+is\s+|\s+)['\"`]?"
                              r"(?P<name>[A-Za-z0-9][-\w.()]{0,63}?)['\"`]?(?=[.,;)]?(?:\s|$))")


# a deployment's own id, even with its subscription elided (".../deployments/main")
_DEPLOYMENT_ID = re.compile(r"(?i)/providers/Microsoft\.Resources/deployments/(?P<name>[-\w.()]{1,64})(?![-\w.(])")
# `az deployment group create -f main.bicep` without --name: the CLI names the deployment after the template file
_CLI_CREATE = re.compile(r"(?i)\baz deployment (?:group|sub|mg|tenant) create\b[^\n]*")
_TEMPLATE_FILE = re.compile(r"(?:^|\s)(?:-f|--template-file)\s+['\"]?(?:[^\s'\"]*[/\\])?"
                            r"(?P<name>[-\w.()]{1,60}?)\.(?:bicep|json)\b")


def _stated_deployment(state: SessionState, spoken: str) -> str | None:
    """The deployment the client names: environment_info's `deployment_name` or `deployment`, "Deployment name X" in
    the text (a name with a digit, a dot or a dash: "the deployment failed" names none), the deployment's resource id,
    or the template file's name when `az deployment ... create` ran without --name (the CLI's default name)."""
    environment = state.material.environment
    stated = str(environment.get("deployment_name") or environment.get("deployment") or "").strip()
    if not stated:
        named = (m.group("name") for m in _DEPLOYMENT_NAME.finditer(spoken))
        stated = next((name for name in named if re.search(r"[\d.-]", name)
                       and not re.search(r"(?i)\.(?:bicep|json|tf|ya?ml)$", name)), "")  # a file is no deployment
    if not stated:
        stated = next((m.group("name") for m in _DEPLOYMENT_ID.finditer(spoken)), "")
    if not stated:
        stated = next((f.group("name") for c in _CLI_CREATE.finditer(spoken)
                       if not re.search(r"(?:^|\s)(?:-n|--name)\s", c.group(0))
                       for f in [_TEMPLATE_FILE.search(c.group(0))] if f), "")
    return stated if re.fullmatch(r"[-\w.()]{1,64}", stated) else None


def _canonical_target(found: re.Match[str]) -> Target:
    """A resource id as the error printed it, spelled as ARM's tools take it: Key Vault and other services print ids
    in lower case (/resourcegroups/.../microsoft.keyvault/vaults/...), which names the same resource (ARM ids are
    case-insensitive) but which the read tools' id pattern refuses, so no read of it would ever run. The segment
    names and a known type get their usual casing; the names keep the case they were given."""
    parts = found.group(0).split("/")  # '', subscriptions, <id>, resourceGroups, <group>, providers, ns, type, name
    kind = found.group("type")
    known = {str(b["type"]).lower(): str(b["type"]) for b in table(PLAYBOOKS) if b.get("type") != "*"}
    known.update({t.lower(): t for t in _KIND_TYPES.values()})
    kind = known.get(kind.lower(), kind)
    resource_id = f"/subscriptions/{parts[2]}/resourceGroups/{parts[4]}/providers/{kind}/{found.group('name')}"
    return Target(resource_id, kind, found.group("name"))


def find_target(state: SessionState) -> Target | RunTool | None:
    """The resource the session is about, strongest statement first; a RunTool while it must be looked up."""
    texts = [*state.material.spoken(), *(f.content for f in state.material.files)]
    for text in texts:
        found = _RESOURCE_ID.search(text)
        if found:
            return _canonical_target(found)
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
        value = state.material.stated_name(key)
        if value:
            names.setdefault(kind, value)
    for kind, name in entity_facts(texts).items():
        names.setdefault(kind, name)
    return names


def _pick(resources: list[dict[str, Any]], texts: list[str]) -> Target | None:
    """The listed resource the material names; if it names none, the only one with a playbook of its own."""
    joined = "\n".join(texts).lower()
    named = [r for r in resources if r.get("name") and str(r["name"]).lower() in joined]
    said = "\n".join(texts)
    books = [p["type"] for p in table(PLAYBOOKS)
             if not p.get("only_when_mentioned") or regex(p["mentions"]).search(said)]
    typed = [r for r in resources if r.get("type") in books]
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
        if rule.get("delegate") and contradicted(state, str(rule.get("category") or "")):
            continue  # the material rules out the family the analyzer would judge (knowledge/contradictions.yaml)
        facts = rule_facts(state, rule)
        if facts is not None:
            return rule, facts
    return None


def finding_of_category(state: SessionState, category: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The first self-concluding evidence finding of this category, tied to the symptom the report shows
    (`report_matches`), that the session's Azure results satisfy (a full queue's size and status, read when an earlier
    finding of another category fired first). A finding not tied to a symptom (a metric of some database server of
    the group) does not replace what the error's own words say."""
    for rule in table(FINDINGS):
        if rule.get("delegate") or rule.get("category") != category or not rule.get("report_matches"):
            continue
        facts = rule_facts(state, rule)
        if facts is not None:
            return rule, facts
    return None


def finding_overruling(state: SessionState, category: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The first self-concluding finding that names this reading of the error's words among those it explains
    (`overrules`) and that the session's Azure results satisfy, even when an earlier, more general finding fired
    first (public access disabled on the cache, while the app's own subnet NSG denies the port it calls)."""
    for rule in table(FINDINGS):
        if rule.get("delegate") or category not in (rule.get("overrules") or []):
            continue
        facts = rule_facts(state, rule)
        if facts is not None:
            return rule, facts
    return None


def report_finding(state: SessionState) -> Conclude | None:
    """A computed finding that the report's own lines can decide (`from_report`: the port App Service pinged and the
    port the app's log says it listens on), with or without Azure access: the same check the playbook runs."""
    for rule in table(FINDINGS):
        facts = rule_facts(state, rule) if rule.get("from_report") else None
        if facts is not None:
            return conclude_finding(state, rule, facts)
    return None


def rule_facts(state: SessionState, rule: dict[str, Any]) -> dict[str, str] | None:
    """The facts with which the session's Azure results satisfy one finding rule; None when they do not."""
    if not _applies(state, rule):
        return None
    if rule.get("computed"):
        computed = COMPUTED.get(rule["id"])
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
    return any(regex(condition["matches"]).search(as_text(dotted(e.data, condition["field"])))
               for e in state.ledger if e.tool == "get_resource" and e.status == "success")


def _symptom_texts(state: SessionState) -> list[str]:
    """Where a symptom shows: the report, the answers, and the rows of the logs the session read (an error that
    only the app's logs print is the symptom as much as one the client pasted)."""
    return [*state.material.spoken(), *logged(state)]


def conclude_first_finding(state: SessionState, rule_ids: Iterable[str]) -> Conclude | None:
    """The first of these evidence findings (in the order given: the caller's precedence) whose reads hold, concluded;
    None when none holds."""
    for rule_id in rule_ids:
        rule = table_entry(FINDINGS, rule_id)
        facts = rule_facts(state, rule)
        if facts is not None:
            return conclude_finding(state, rule, facts)
    return None


def conclude_finding(state: SessionState, rule: dict[str, Any], found: dict[str, str]) -> Conclude:
    """Conclude from an evidence finding: its category and templates, the Azure result it read as evidence."""
    facts = {**facts_of(state, None), **found, **_unlisted_addresses(state, found), **_entity_setting(state, found),
             **_failed_port(state)}
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


_RANGE = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?\b")


def _unlisted_addresses(state: SessionState, found: dict[str, str]) -> dict[str, str]:
    """{unlisted_addresses}: the caller's own public addresses the material states that none of the addresses or
    ranges in the finding's read admits - what a firewall finding names as the address it refuses. Only an address
    the client calls its own counts: any address in a log line could be a server's."""
    ranges = _RANGE.findall(" ".join(found.values()))
    unlisted = [ip for ip in stated_outbound(state) if not covered(ip, ranges)]
    return {"unlisted_addresses": ", ".join(unlisted[:4])} if unlisted and ranges else {}


# the word an app setting's name uses for an entity of this kind (the `kind` an activity-log finding takes from a
# resource id: tables, queues, eventhubs, sqlDatabases...)
_KIND_WORDS = {"eventhubs": r"(?:event_?)?hubs?", "sqldatabases": r"(?:database|db)s?",
               "databases": r"(?:database|db)s?", "shares": r"(?:file_?)?shares?"}
# a setting that says where the service is (its endpoint, account, connection), not which entity in it
_WHERE_SETTING = re.compile(r"(?i)endpoint|ur[il]\b|uri_|url_|connection|account|namespace|key|secret|host|server")


def _entity_setting(state: SessionState, found: dict[str, str]) -> dict[str, str]:
    """{entity_setting}: the one app setting whose name says it holds an entity of the finding's kind (a deleted
    table's AUDIT_TABLE_NAME), so the action names what to change; nothing when none or several fit."""
    kind = found.get("kind", "").lower()
    names = read_setting_names(state) if kind else None
    if not names:
        return {}
    word = _KIND_WORDS.get(kind, re.escape(kind.rstrip("s")) + "s?")
    pattern = re.compile(rf"(?i)(?:^|_)(?:{word})(?:$|_)")
    fits = [n for n in names if pattern.search(_CAMEL.sub("_", n)) and not _WHERE_SETTING.search(n)]
    return {"entity_setting": fits[0]} if len(fits) == 1 else {}


# a line of the error that says a connection failed, and the port it names (host:port, or "port N")
_FAILED_LINE = re.compile(r"(?im)^.*(?:timed? ?out|could not be established|refused|unreachable|can(?:no|')t connect|"
                          r"failed to connect|unable to connect|disconnected|no route to host).*$")
_LINE_PORT = re.compile(r"(?i)(?:[a-z0-9-]\.[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3}):(\d{2,5})\b|\bport (\d{2,5})\b")


def _failed_port(state: SessionState) -> dict[str, str]:
    """{failed_port}: the port(s) the client's failed-connection lines name (a Kafka client's :9093, an SMB 445),
    what a network rule must allow; nothing when no such line names one."""
    ports = [a or b for text in state.material.spoken() for line in _FAILED_LINE.findall(text)
             for a, b in _LINE_PORT.findall(line)]
    return {"failed_port": ", ".join(dict.fromkeys(ports))} if ports else {}


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _satisfied(rule: dict[str, Any], data: dict[str, Any]) -> dict[str, str] | None:
    if "missing_all" in rule or "missing_any" in rule:
        if "names" not in data or data.get("truncated"):  # the list was not read (not found, refused) or cut:
            return None                                    # absence is not shown
        names = {str(n).lower() for n in data.get("names") or []}
        if any(n.lower() in names for n in rule.get("missing_all") or []):
            return None
        if not all(n.lower() in names for n in rule.get("present_all") or []):
            return None  # the setup the absence matters for (a registry user name without its password) is not there
        absent = [n for n in rule.get("missing_any") or rule["missing_all"] if n.lower() not in names]
        return {"missing": absent[0]} if absent else None
    if "event" in rule:
        return _event_facts(rule["event"], data.get("events") or [], rule.get("successor", ""))
    if "metric" in rule:
        return _metric_facts(rule["metric"], data.get("metrics") or [])
    value = as_text(dotted(data, rule["field"]))
    if not regex(rule["matches"]).search(value):
        return None
    if rule.get("type_matches") and not regex(rule["type_matches"]).search(str(data.get("type") or "")):
        return None
    if rule.get("unless_field") and regex(rule["unless_matches"]).search(as_text(dotted(data, rule["unless_field"]))):
        return None
    # other fields its template names, as a template names facts: dailyQuotaGb is {daily_quota_gb}
    more = {_CAMEL.sub("_", key).lower(): as_text(dotted(data, key)) for key in rule.get("also") or []}
    return {"value": value, "summary": str(data.get("summary") or ""), "name": str(data.get("name") or ""),
            "type": str(data.get("type") or ""), "workspace": str((data.get("workspace") or {}).get("name") or ""),
            **{key: text for key, text in more.items() if text}}


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


def _scope_queried(state: SessionState, arguments: dict[str, Any], scope_key: str) -> bool:
    """Another query already read this workspace or Application Insights component in the session (for the first
    resource): one query per scope and session. This exact call's own result is not another query."""
    scope = str(arguments[scope_key]).lower()  # resource ids are case-insensitive
    this = (arguments["template"], arguments["resource_name"])
    return any(e.tool == "query_logs" and str(e.arguments.get(scope_key) or "").lower() == scope
               and (e.arguments.get("template"), e.arguments.get("resource_name")) != this for e in state.ledger)


# --- round 20: computed findings ---------------------------------------------------------------------------


def missing_code_settings(state: SessionState) -> list[str]:
    """Settings the code's bindings or environment reads name that the app in Azure does not define (its setting
    names, read by list_app_setting_names); platform-provided variables do not count."""
    names = read_setting_names(state)
    if names is None:
        return []
    return [n for n in code_setting_names(state.material) if not _PLATFORM.match(n) and not setting_defined(n, names)]


# the settings of an identity-based connection group (<prefix>__fullyQualifiedNamespace, <prefix>__serviceUri...):
# what the group's prefix must be named in a binding's `connection`
_IDENTITY_GROUP = re.compile(r"(?i)^(?P<prefix>\w+?)__(?P<suffix>fullyQualifiedNamespace|serviceUri|"
                             r"(?:blob|queue|table)ServiceUri|accountName)$")


def identity_group_elsewhere(setting: str, names: list[str]) -> dict[str, str]:
    """An identity-based connection group the app defines under a prefix close to, but not, the connection name the
    code asks for (the binding says connection="ServiceBus", the app has ServiceBusConnection__fullyQualifiedNamespace):
    the group is there and is not used, because the runtime looks only under the exact prefix. Close means one name
    holds the other (case and underscores aside); groups of unrelated connections say nothing."""
    wanted = setting.replace(":", "__").replace("_", "").lower()
    for name in names:
        match = _IDENTITY_GROUP.match(name)
        if match is None:
            continue
        prefix = match.group("prefix").replace("_", "").lower()
        if prefix != wanted and len(min(prefix, wanted, key=len)) >= 4 and (wanted in prefix or prefix in wanted):
            return {"other": name, "other_prefix": match.group("prefix"), "other_suffix": match.group("suffix")}
    return {}


def _event_facts(conditions: dict[str, str], events: list[dict[str, Any]],
                 successor: str = "") -> dict[str, str] | None:
    """The named groups of the first activity-log event whose fields all match the conditions' regexes; with a
    `successor` operation regex, also the sibling the log shows written in the same collection (see _successor)."""
    for event in events:
        found = [regex(pattern).search(str(event.get(key) or "")) for key, pattern in conditions.items()]
        if all(found):
            facts = {k: v for match in found if match for k, v in match.groupdict().items() if v}
            return {**facts, "time": str(event.get("time") or ""), "caller": str(event.get("caller") or ""),
                    **(_successor(event, events, successor) if successor else {})}
    return None


def _successor(deleted: dict[str, Any], events: list[dict[str, Any]], operation: str) -> dict[str, str]:
    """A sibling of the deleted resource that the same caller wrote in the same collection (an event hub or queue
    replaced under a new name by infrastructure code): the name a setting that still names the old one should name
    now. Another caller's write is no replacement of this change; none found gives no fact."""
    parent, _, name = str(deleted.get("resource_id") or "").rpartition("/")
    for event in events:
        other_parent, _, other = str(event.get("resource_id") or "").rpartition("/")
        if other_parent.lower() == parent.lower() and other.lower() != name.lower() and other \
                and regex(operation).search(str(event.get("operation") or "")) \
                and not str(event.get("status") or "").lower().startswith("fail") \
                and event.get("caller") == deleted.get("caller"):
            return {"successor": other, "successor_time": str(event.get("time") or "")}
    return {}
