"""Logs that go to another workspace than the one they are looked for in: a Container Apps environment writes its
console and system logs to the Log Analytics workspace whose workspace id (customerId) its appLogsConfiguration
names, and that id is fixed when the environment is configured. When the session read the environment and a
workspace of the report (the one the client queries), and no workspace read has the environment's id, the logs go
to a workspace that is not there any more or is another one (a workspace deleted and recreated under the same name
gets a new id; a consolidation moves the queries, not the environment). A workspace the activity log shows deleted
is named as the one the id most likely belonged to. The ids read in Azure decide, never the report's words alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.engines.analyzers.ledger import reads_of_type
from shared.engines.session_reads import Facts, last_segment, said_in_report, succeeded_deletes
from shared.session.state import SessionState

_WORKSPACES = r"(?i)^Microsoft\.OperationalInsights/workspaces$"


def _group(read: dict[str, Any]) -> str:
    parts = str(read.get("id") or "").split("/")
    lowered = [p.lower() for p in parts]
    return parts[lowered.index("resourcegroups") + 1] if "resourcegroups" in lowered[:-1] else "<resource-group>"


def _deleted_workspaces(state: SessionState) -> list[dict[str, str]]:
    """The workspaces the activity log shows deleted (succeeded), newest first."""
    return [{"name": last_segment(e.get("resource_id")), "time": str(e.get("time") or "")}
            for e in succeeded_deletes(state, "Microsoft.OperationalInsights/workspaces/delete")]


def environment_logs_to_other_workspace(state: SessionState) -> Facts:
    """A Container Apps environment whose log destination id is none of the workspaces read, while the report's
    workspace (named in it, or the only one read) was read with another id."""
    workspaces = [w for w in reads_of_type(state, _WORKSPACES) if w.get("customerId")]
    if not workspaces:
        return None
    ids = {str(w.get("customerId")).lower() for w in workspaces}
    said = said_in_report(state).lower() + " " + state.material.stated_name("log_analytics_workspace").lower()
    named = [w for w in workspaces if str(w.get("name") or "").lower() in said or
             str(w.get("customerId")).lower() in said]
    queried = named[0] if named else (workspaces[0] if len(workspaces) == 1 else None)
    if queried is None:
        return None
    for env in reads_of_type(state, r"(?i)^Microsoft\.App/managedEnvironments$"):
        target = str(env.get("logsCustomerId") or "").lower()
        if str(env.get("logsDestination") or "").lower() != "log-analytics" or not target or target in ids:
            continue
        deleted = _deleted_workspaces(state)
        gone = (f" The activity log shows workspace '{deleted[0]['name']}' deleted ({deleted[0]['time']}): the "
                f"environment most likely still writes to that deleted workspace's id." if deleted else "")
        if deleted and deleted[0]["name"].lower() == str(queried.get("name") or "").lower():
            gone = (f" The activity log shows workspace '{deleted[0]['name']}' deleted ({deleted[0]['time']}) and "
                    f"created again under the same name: the new workspace has a new customerId, and the environment "
                    f"still writes to the old one's.")
        return {"name": str(env.get("name") or ""), "resource_group": _group(env), "value": target,
                "workspace": str(queried.get("name") or ""), "workspace_id": str(queried.get("customerId")),
                "workspace_group": _group(queried), "deleted": gone}
    return None


def component_workspace_not_found(state: SessionState) -> Facts:
    """A workspace-based Application Insights component whose linked workspace (WorkspaceResourceId) the session
    read and Azure answered not found."""
    missing = {str(e.arguments.get("resource_id") or "").lower() for e in state.ledger
               if e.tool == "get_resource" and e.status == "no_data"
               and str(e.data.get("code") or "").lower() in ("resourcenotfound", "notfound")}
    for component in reads_of_type(state, r"(?i)^Microsoft\.Insights/components$"):
        workspace = str(component.get("WorkspaceResourceId") or "")
        if not workspace or workspace.lower() not in missing:
            continue
        name = last_segment(workspace)
        deleted = [d for d in _deleted_workspaces(state) if d["name"].lower() == name.lower()]
        gone = (f" The activity log shows it deleted ({deleted[0]['time']})." if deleted else
                " It was deleted or moved (read: not found).")
        return {"name": str(component.get("name") or ""), "resource_group": _group(component), "workspace": name,
                "workspace_id": workspace, "deleted": gone}
    return None


COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    "container-environment-logs-to-another-workspace": environment_logs_to_other_workspace,
    "appinsights-linked-workspace-not-found": component_workspace_not_found,
}
