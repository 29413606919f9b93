"""What the LLM engine answers when the model cannot: the rules engine's decision, saying why.

Budgets spent, the endpoint down, slow or unconfigured, or output that stayed malformed after its repair:
the session goes on with the rules engine's decision and the message says so. When the budget is spent
and the rules cannot settle either, the session ends `fail` / `limits` with what was found so far."""

from __future__ import annotations

from shared.engines.base import Decision
from shared.llm.parse import suggestions
from shared.session.report import partial_report
from shared.session.state import AskClient, Conclude, GiveUp, SessionState

UNAVAILABLE = "The model endpoint was unavailable"
NOT_CONFIGURED = "The model endpoint is not configured"
MALFORMED = "The model's answer could not be used"


def with_suggestions(state: SessionState, decision: Decision) -> Decision:
    """Final reports name the tools the model wanted and the catalog lacks."""
    if isinstance(decision, Conclude | GiveUp):
        extra = [s for s in suggestions(state) if s not in decision.report.checked]
        if extra:
            report = decision.report.model_copy(update={"checked": decision.report.checked + extra})
            return decision.model_copy(update={"report": report})
    return decision


def rules_answer(state: SessionState, decision: Decision, why: str) -> Decision:
    """The rules engine's decision, its client-facing text prefixed with why the model did not answer."""
    prefix = f"{why}; the rules engine answered: "
    if isinstance(decision, Conclude | GiveUp):
        decision = decision.model_copy(update={"message": prefix + decision.message})
    elif isinstance(decision, AskClient):
        request = decision.request.model_copy(update={"question": prefix + decision.request.question})
        decision = decision.model_copy(update={"request": request})
    else:
        decision = decision.model_copy(update={"purpose": prefix + (decision.purpose or decision.tool)})
    return with_suggestions(state, decision)


def budget_spent(state: SessionState, decision: Decision, spent: str, category: str | None) -> Decision:
    """The model's budget is spent: the rules engine's decision, or `limits` with a partial report."""
    why = f"The model budget for this session ({spent}) is spent"
    if isinstance(decision, GiveUp) and decision.reason != "out_of_scope":
        report = partial_report(state, category=category)
        return with_suggestions(state, GiveUp(reason="limits", message=f"{why}; no root cause was confirmed.",
                                              report=report))
    return rules_answer(state, decision, why)
