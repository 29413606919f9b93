"""No signature or catalog entry matched: ask once for the complete error, then say what was checked."""

from __future__ import annotations

from shared.engines.analyzers.code_shape import code_by_shape
from shared.engines.analyzers.common import fill
from shared.engines.analyzers.deployment_rule import deployment_rule
from shared.engines.analyzers.ledger import ask_once
from shared.engines.base import Decision
from shared.engines.catalog_hits import facts_of
from shared.engines.playbooks import stated_playbook
from shared.engines.signatures import Hit
from shared.models import ClientRequest
from shared.session.state import SessionState

QUESTION = ("The error does not match a known Azure failure yet. Please paste the complete error output (the "
            "exception with its stack trace, the log stream or console log lines around it, or the command's "
            "output): the error code, the HTTP status, the operation and the resource (type and name) involved.")


ACTIVITY_LOG = "az monitor activity-log list --resource-group <resource-group> --offset 1d --status Failed -o jsonc"


def analyze(state: SessionState, hit: Hit | None) -> Decision:
    by_shape = code_by_shape(state)  # a code the catalog lacks still names its family by its ending
    if by_shape is not None:
        return by_shape
    by_rule = deployment_rule(state)  # a generic deployment code whose message states the rule it broke
    if by_rule is not None:
        return by_rule
    question, commands = QUESTION, [ACTIVITY_LOG]
    book = stated_playbook(state)
    if book is not None:  # the report names the kind of resource: the command that shows its state and settings
        kind = book["type"].split("/")[-1]
        question += (f" If there is no more output, run the first command below and paste its output: it shows "
                     f"what Azure reports of the {kind} (its state and configuration).")
        commands = [fill(book["command"], facts_of(state, None)), ACTIVITY_LOG]
    return ask_once(state, ClientRequest(
        question=question, why="The error code and the resource type decide which checks apply.",
        suggested_commands=commands),
        "The error matches no known Azure error family, even with the extra details.")
