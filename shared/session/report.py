"""Reports built from the session's ledger, for sessions that end without a conclusion."""

from __future__ import annotations

from shared.models import EvidenceItem, Report
from shared.session.state import SessionState


def checked_list(state: SessionState) -> list[str]:
    """What was examined, one line per step, for `report.checked`."""
    lines = [f"{e.tool}: {e.summary}"[:300] for e in state.ledger[-20:]]
    return ["the error text and the files sent"] + lines


def evidence_items(state: SessionState, limit: int = 10) -> list[EvidenceItem]:
    found = [e for e in state.ledger if e.status == "success"]
    return [EvidenceItem(source=e.tool, summary=e.summary) for e in found[-limit:]]


def partial_report(state: SessionState, root_cause: str = "No root cause was confirmed within the session's limits.",
                   category: str | None = None) -> Report:
    return Report(category=category, root_cause=root_cause, confidence="low",
                  evidence=evidence_items(state), checked=checked_list(state))
