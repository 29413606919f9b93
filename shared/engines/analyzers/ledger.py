"""Questions analyzers ask of the session's ledger."""

from __future__ import annotations

from shared.engines.base import Decision
from shared.models import ClientRequest
from shared.report import partial_report
from shared.session import AskClient, Evidence, GiveUp, SessionState


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


def env(state: SessionState, key: str, placeholder: str) -> str:
    """A value the client gave in environment_info, or a visible placeholder: never an invented name."""
    value = state.material.environment.get(key)
    return str(value) if value else placeholder


def ask_once(state: SessionState, request: ClientRequest, unsettled: str, category: str | None = None) -> Decision:
    """Ask the client; if an earlier request already failed to settle it, fail with what was checked."""
    if state.requests_asked:
        return GiveUp(reason="exhausted", message=unsettled, report=partial_report(state, category=category))
    return AskClient(request=request)
