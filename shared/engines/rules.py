"""The rules engine: classify the error by its signatures, then let that family's analyzer decide.

Deterministic and offline. Knowledge is data (knowledge/*.yaml); each analyzer is one small module."""

from __future__ import annotations

from shared.engines.analyzers.registry import analyzer_for
from shared.engines.base import Decision
from shared.engines.signatures import Hit, classify, mentions_azure
from shared.report import partial_report
from shared.session import GiveUp, RunTool, SessionState


class RulesEngine:
    name = "rules"

    def decide(self, state: SessionState) -> Decision:
        hit = classification(state)
        analyzer = analyzer_for(hit.signature.analyzer if hit else "unknown")
        decision = analyzer(state, hit)
        return _never_repeat(state, decision)


def classification(state: SessionState) -> Hit | None:
    """The signature that decides the error's family, or None (the hybrid engine shows it to the model)."""
    return _choose(classify(state.material), state)


def _choose(hits: list[Hit], state: SessionState) -> Hit | None:
    # Another cloud's signals count only when nothing points at Azure.
    in_scope = [h for h in hits if h.signature.category != "out_of_scope"]
    if in_scope:
        return in_scope[0]
    if hits and not mentions_azure(state.material):
        return hits[0]
    return None


def _never_repeat(state: SessionState, decision: Decision) -> Decision:
    """A tool call already answered since the client last spoke would loop; stop instead."""
    if not isinstance(decision, RunTool):
        return decision
    for evidence in reversed(state.ledger):
        if evidence.tool == "client":
            break
        if evidence.tool == decision.tool and evidence.arguments == decision.arguments:
            return GiveUp(reason="exhausted", message="The investigation found nothing new to check.",
                          report=partial_report(state))
    return decision
