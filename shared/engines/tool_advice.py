"""What a conclusion means in the tool the client deploys with (knowledge/tool_advice.yaml): a cause such as
"the resource already exists" has a Terraform fix (import it) and a Bicep fix (`existing`) that the cause's own
fix, written for Azure, does not name. Added after the cause's own actions, once per tool."""

from __future__ import annotations

from shared.engines.analyzers.common import regex, table
from shared.engines.base import Decision
from shared.session.state import Conclude, SessionState

TABLE = "tool_advice"


def with_tool_advice(state: SessionState, decision: Decision) -> Decision:
    """The conclusion with the advice of every tool the material shows for its category."""
    if not isinstance(decision, Conclude) or decision.report.category is None:
        return decision
    material = state.material
    texts = [*material.spoken(), *(f.content for f in material.files)]
    for rule in table(TABLE):
        if rule["category"] != decision.report.category or rule["action"] in decision.report.actions:
            continue
        if any(regex(rule["marker"]).search(text) for text in texts):
            decision.report.actions.append(rule["action"])
    return decision
