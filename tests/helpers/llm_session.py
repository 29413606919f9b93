"""Runs a session through the real `decide` and `run_tool` activities in-process, summing the model's
usage into the state exactly as the orchestrator does, for LLM engine tests against the stub server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from shared.llm.client import model_client
from shared.models import StartRequest
from shared.orchestration import activities
from shared.session.material import material_from_start
from shared.session.state import DecisionEnvelope, Evidence, RunTool, SessionState
from shared.settings import load_settings

CANARY = "Canary-Secret-4f9Qz7xK2pL8"
# A connection string with a key: the HTTP layer redacts it before anything stores or sends it.
SECRET_LINE = f"AccountKey={CANARY}=="


def new_state(start: dict[str, Any], **fields: Any) -> SessionState:
    request = StartRequest.model_validate(start)
    return SessionState(trace_id="d" * 32, options=request.options, ttl_seconds=600,
                        material=material_from_start(request), **fields)


def run_session(state: SessionState, max_decisions: int = 10) -> tuple[Any, SessionState]:
    """Decide, run the tool, repeat, until a decision that is not a tool run."""
    for _ in range(max_decisions):
        decided = DecisionEnvelope.model_validate(activities.decide(state.model_dump(mode="json")))
        state.record_usage(decided.usage)
        decision = decided.decision
        if not isinstance(decision, RunTool):
            return decision, state
        payload = {"tool": decision.tool, "arguments": decision.arguments,
                   "material": state.material.model_dump(mode="json")}
        state.add_evidence(Evidence.model_validate(activities.run_one_tool(payload)))
        state.steps += 1
        state.round_steps += 1
    raise AssertionError("the session did not settle")


def reload_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    """Set more variables on top of the current ones and read the settings again."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    load_settings.cache_clear()
    model_client.cache_clear()


@contextmanager
def llm_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[None]:
    """The app's settings from these variables (and no model settings inherited from the environment)."""
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "DEBUG_ENGINE",
                 "DEBUG_OPENAI_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    reload_settings(monkeypatch, **env)
    try:
        yield
    finally:
        load_settings.cache_clear()
        model_client.cache_clear()
