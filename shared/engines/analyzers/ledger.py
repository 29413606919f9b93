"""Questions analyzers ask of the session's ledger."""

from __future__ import annotations

from shared.session import Evidence, SessionState


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
