"""No signature or catalog entry matched: ask once for the complete error, then say what was checked."""

from __future__ import annotations

from shared.engines.analyzers.ledger import ask_once
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import ClientRequest
from shared.session.state import SessionState

QUESTION = ("The error does not match a known Azure failure yet. Please paste the complete error output (the "
            "exception with its stack trace, the log stream or console log lines around it, or the command's "
            "output): the error code, the HTTP status, the operation and the resource (type and name) involved.")


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    return ask_once(state, ClientRequest(
        question=QUESTION,
        why="The error code and the resource type decide which checks apply.",
        suggested_commands=["az monitor activity-log list --resource-group <resource-group> --offset 1d "
                            "--status Failed -o jsonc"]),
        "The error matches no known Azure error family, even with the extra details.")
