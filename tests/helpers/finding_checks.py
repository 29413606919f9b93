"""The id of the evidence finding a session's Azure results satisfy (None when none does), for finding tests."""

from __future__ import annotations

from shared.engines.playbooks import finding
from shared.session.state import SessionState


def finding_id(state: SessionState) -> str | None:
    found = finding(state)
    return str(found[0]["id"]) if found else None
