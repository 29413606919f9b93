"""The hybrid engine: the rules propose, the model reviews.

While the rules engine runs its own playbook's tools it leads, and an out-of-scope verdict stands with no model call.
Every other rules decision goes to the model: a conclusion as a hypothesis with its category, confidence and
evidence, which the model may confirm, dispute (and investigate further with tools), or replace; a question or a
give-up as the rules' proposed step. The model's category stands when the session's evidence backs it (a catalog
entry or a signature of that category found in the error, the answers or the Azure evidence); a dispute the
evidence does not back keeps the rules' category, at medium confidence, with the model's objection in the evidence.
Without a model, or when it fails, the rules engine's decision is the answer."""

from __future__ import annotations

from shared.engines.base import Decision
from shared.engines.catalog_hits import catalog_hits
from shared.engines.llm import LlmEngine
from shared.engines.rules import RulesEngine, classification
from shared.engines.signatures import classify
from shared.models import EvidenceItem
from shared.session.state import Conclude, GiveUp, LlmUsage, RunTool, SessionState


def settled(decision: Decision) -> bool:
    """Whether the rules engine's decision stands without the model: a step of its own investigation (the rules lead
    while their playbook has tools to run), or not an Azure problem."""
    if isinstance(decision, RunTool):
        return True
    return isinstance(decision, GiveUp) and decision.reason == "out_of_scope"


def backed(state: SessionState, category: str | None) -> bool:
    """Whether the session's own texts or evidence name an error of this category (not only the model's word)."""
    if not category:
        return False
    spoken = {"error", "answer", "evidence"}
    if any(h.entry.category == category and h.origins & spoken for h in catalog_hits(state)):
        return True
    return any(h.signature.category == category for h in classify(state.material))


class HybridEngine(LlmEngine):
    name = "hybrid"

    def decide(self, state: SessionState) -> Decision:
        self.usage = LlmUsage()
        rules = RulesEngine().decide(state)
        if settled(rules):
            return rules
        reviewed = self.consult(state, rules, classification(state), keep_category=False)
        return review_outcome(state, rules, reviewed)


def review_outcome(state: SessionState, rules: Decision, reviewed: Decision) -> Decision:
    """The model's decision, unless it replaces the rules' category with one the evidence does not back."""
    if not (isinstance(rules, Conclude) and isinstance(reviewed, Conclude | GiveUp)):
        return reviewed
    proposed, answered = rules.report.category, reviewed.report.category
    if answered == proposed or backed(state, answered):
        return reviewed
    report = rules.report.model_copy(deep=True)
    report.confidence = "medium" if report.confidence == "high" else report.confidence
    report.evidence.append(EvidenceItem(
        source="model", summary=f"the model disputed this ({answered or 'no cause'}: {reviewed.message[:300]}), "
                                "but nothing in the error, the answers or the Azure evidence backs its reading"))
    return Conclude(message=rules.message, report=report)

