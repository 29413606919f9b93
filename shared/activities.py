"""The session's activities: all the I/O of a debug session happens here, never in the orchestrator.

Activity results are stored in Durable history in plain text, so each is redacted and capped here."""

from __future__ import annotations

from typing import Any

from shared.engines.base import get_engine, usage_of
from shared.redaction import redact_value
from shared.session import DecisionEnvelope, Material, SessionState
from shared.settings import load_settings
from shared.tools.catalog import run_tool


def decide(payload: dict[str, Any]) -> dict[str, Any]:
    """Ask the configured engine for the session's next step."""
    state = SessionState.model_validate(payload)
    engine = get_engine(load_settings().engine)
    decision = engine.decide(state)
    # The model's usage travels with the decision: the orchestrator sums it into the session's budget.
    return _redacted(DecisionEnvelope(decision=decision, usage=usage_of(engine)).model_dump(mode="json"))


def run_one_tool(payload: dict[str, Any]) -> dict[str, Any]:
    """Run one tool of the catalog; the answer is always Evidence."""
    material = Material.model_validate(payload.get("material") or {"error_description": ""})
    evidence = run_tool(str(payload.get("tool", "")), dict(payload.get("arguments") or {}), material)
    return _redacted(evidence.model_dump(mode="json"))


def _redacted(value: dict[str, Any]) -> dict[str, Any]:
    cleaned = redact_value(value)
    assert isinstance(cleaned, dict)
    return cleaned
