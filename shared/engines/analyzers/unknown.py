"""No signature or catalog entry matched: ask once for the complete error, then say what was checked."""

from __future__ import annotations

from shared.catalog.schema import CatalogEntry
from shared.engines.analyzers.common import env_facts, fill
from shared.engines.analyzers.ledger import ask_once
from shared.engines.base import Decision
from shared.engines.signatures import Hit
from shared.models import ClientRequest
from shared.session import SessionState

QUESTION = ("The error does not match a known Azure failure yet. Please paste the complete error output (the "
            "exception with its stack trace, the log stream or console log lines around it, or the command's "
            "output): the error code, the HTTP status, the operation and the resource (type and name) involved.")


def analyze(state: SessionState, hit: Hit | None, nearest: CatalogEntry | None = None) -> Decision:
    """Ask once for the complete error; with a weak lead (the nearest known error), its check is suggested too."""
    commands = ["az monitor activity-log list --resource-group <resource-group> --offset 1d --status Failed -o jsonc"]
    if nearest is not None:
        commands.insert(0, fill(nearest.check.command, env_facts(state)))
    return ask_once(state, ClientRequest(
        question=QUESTION,
        why="The error code and the resource type decide which checks apply."
            + (f" It reads closest to: {nearest.meaning[:200]}" if nearest is not None else ""),
        suggested_commands=commands),
        "The error matches no known Azure error family, even with the extra details.")
