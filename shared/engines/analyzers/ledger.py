"""Questions analyzers ask of the session's ledger."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from shared.azure.delegation import identity_mode
from shared.engines.analyzers.common import regex
from shared.engines.base import Decision
from shared.models import ClientRequest
from shared.session.report import partial_report
from shared.session.state import CREDENTIALS_RENEWED, AskClient, Evidence, GiveUp, RunTool, SessionState
from shared.tools.catalog import catalog, normalized_arguments


def since_last_answer(state: SessionState, tool: str) -> Evidence | None:
    """The newest result of a tool recorded after the client's last answer (None: run it again)."""
    for evidence in reversed(state.ledger):
        if evidence.tool == "client":
            return None
        if evidence.tool == tool:
            return evidence
    return None


def latest(state: SessionState, tool: str) -> Evidence | None:
    return next((e for e in reversed(state.ledger) if e.tool == tool), None)


def read_resources(state: SessionState) -> list[dict[str, Any]]:
    """Every resource the session listed or read (get_resource), in the order it read them."""
    found: list[dict[str, Any]] = []
    for evidence in state.ledger:
        if evidence.status == "success" and evidence.tool == "list_resources_in_group":
            found += [r for r in evidence.data.get("resources") or [] if isinstance(r, dict)]
        elif evidence.status == "success" and evidence.tool == "get_resource" and evidence.data.get("id"):
            found.append(evidence.data)
    return found


def reads_of_type(state: SessionState, type_pattern: str) -> list[dict[str, Any]]:
    """The data of every successful get_resource whose type matches the regex, newest first."""
    return [e.data for e in reversed(state.ledger) if e.tool == "get_resource" and e.status == "success"
            and regex(type_pattern).search(str(e.data.get("type") or ""))]


def env(state: SessionState, key: str, placeholder: str) -> str:
    """A value the client gave in environment_info, or a visible placeholder: never an invented name."""
    return state.material.stated_name(key) or placeholder


def ask_once(state: SessionState, request: ClientRequest, unsettled: str, category: str | None = None) -> Decision:
    """Ask the client; if an earlier request already failed to settle it, fail with what was checked."""
    if state.requests_asked:
        return GiveUp(reason="exhausted", message=unsettled, report=partial_report(state, category=category))
    return AskClient(request=request)


def recorded(state: SessionState, tool: str, arguments: dict[str, Any]) -> Evidence | None:
    """The result of exactly this call, if the session made it (defaults filled in, so never twice)."""
    return state.find_call(tool, normalized_arguments(tool, arguments))


def azure_call(state: SessionState, tool: str, arguments: dict[str, Any], purpose: str) -> Evidence | RunTool | None:
    """An Azure tool's result, or the RunTool that gets it; None when the service cannot make the call
    (no Azure access, or the call failed): the analyzer then asks the client, see `cli_for`."""
    try:
        normalized = normalized_arguments(tool, arguments)
    except ValidationError:  # a read the tool refuses (a resource type it does not take) is skipped, not fatal
        logging.warning("skipped a %s call whose arguments the tool refuses", tool)
        return None
    done = state.find_call(tool, normalized)
    if done is not None and not _refused_before_fresh_credentials(state, done):
        return None if done.status == "error" else done
    if not state.azure_access:
        return None
    return RunTool(tool=tool, arguments=normalized, purpose=purpose)


def _refused_before_fresh_credentials(state: SessionState, evidence: Evidence) -> bool:
    """A call refused for want of rights (no token, expired, 401/403) before the client sent a fresh Azure token."""
    data = evidence.data
    refused = data.get("access") == "no_credentials" or data.get("http_status") in (401, 403)
    if evidence.status != "error" or not refused:
        return False
    for entry in reversed(state.ledger):
        if entry is evidence:
            return False
        if entry.tool == "client" and entry.data.get(CREDENTIALS_RENEWED):
            return True
    return False


def cli_for(tool: str, arguments: dict[str, Any]) -> str:
    """The Azure CLI command that gives the client the same answer as the tool."""
    entry = catalog()[tool]
    assert entry.cli is not None, f"{tool} has no CLI equivalent"
    return entry.cli(entry.arguments.model_validate(arguments))


def denial_note(state: SessionState) -> str:
    """Why the service is asking instead of looking: the newest Azure failure in the ledger, in a sentence."""
    for evidence in reversed(state.ledger):
        data = evidence.data
        if evidence.status != "error" or not catalog().get(evidence.tool, None):
            continue
        delegated = identity_mode() == "delegated"  # calls ran with the caller's rights: name the caller's lack
        if data.get("http_status") == 403 and delegated:
            return (f" Your Azure identity was denied {data.get('action', 'the read')} on {data.get('scope')}: "
                    f"you need {data.get('needs_role', 'Reader')} there for the service to look with your rights.")
        if data.get("http_status") == 403:
            return (f" The service's identity was denied {data.get('action', 'the read')} on {data.get('scope')}: "
                    f"it needs {data.get('needs_role', 'Reader')} there to look itself.")
        if data.get("access") == "no_credentials" and delegated:
            return " No valid Azure token of yours reached the service (absent or expired)."
        if data.get("access") == "no_credentials":
            return " The service has no Azure credentials here."
        if data.get("out_of_scope"):  # shared/azure/scope.py: the session did not name it, or the deployment bars it
            return f" {data['out_of_scope']} is outside what this session may read, so the service did not look."
        if data.get("dependency_unavailable"):  # its circuit breaker is open (shared/resilience/breaker.py)
            return f" Azure ({data['dependency_unavailable']}) is not answering the service right now."
    return ""
