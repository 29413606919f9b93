"""The hybrid engine: the rules engine first; the model only for what the rules do not settle.

While the rules engine runs its own playbook's tools it leads; its high-confidence conclusion or an
out-of-scope verdict is the answer, with no model call. Otherwise (it would ask the client, give up, or
conclude with less than high confidence) the model decides, seeing the rules engine's classification
and proposed step; the rules engine's category wins in the report, and its decision is the fallback."""

from __future__ import annotations

from shared.engines.base import Decision
from shared.engines.llm import LlmEngine
from shared.engines.rules import RulesEngine, classification
from shared.session import Conclude, GiveUp, LlmUsage, RunTool, SessionState


def settled(decision: Decision) -> bool:
    """Whether the rules engine's decision stands without the model: a step of its own investigation (the
    rules lead while their playbook has tools to run), a high-confidence cause, or not an Azure problem."""
    if isinstance(decision, RunTool):
        return True
    if isinstance(decision, Conclude):
        return decision.report.confidence == "high"
    return isinstance(decision, GiveUp) and decision.reason == "out_of_scope"


class HybridEngine(LlmEngine):
    name = "hybrid"

    def decide(self, state: SessionState) -> Decision:
        self.usage = LlmUsage()
        rules = RulesEngine().decide(state)
        if settled(rules):
            return rules
        return self.consult(state, rules, classification(state))
