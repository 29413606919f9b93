"""The orchestrator sums each decision's model usage into the state it carries (replay-safe arithmetic)."""

from __future__ import annotations

from datetime import timedelta

from shared.session.state import DecisionEnvelope, LlmUsage, RunTool
from tests.helpers.replay import Replay
from tests.orchestrator.test_debug_session_replay import HANDLE, T0, TOOL_HUNGRY, drive, new_state


def _costly_tool_step(payload: dict) -> dict:
    """A scripted model engine: every decision is a tool run that cost one call and 150 tokens."""
    decision = RunTool(tool="get_requirement_status", arguments={"module": f"m{payload['steps']}"})
    usage = LlmUsage(calls=1, prompt_tokens=120, completion_tokens=30, seconds=0.5)
    return DecisionEnvelope(decision=decision, usage=usage).model_dump(mode="json")


def test_model_usage_is_added_to_the_state_and_carried_into_the_next_round():
    replay = Replay(HANDLE, "c" * 32, new_state(max_depth=2), T0)
    functions = {**TOOL_HUNGRY, "decide": _costly_tool_step}
    step, _ = drive(replay, replay.run(), T0, tick=timedelta(0), functions=functions)
    # Three decisions: two tool runs, then the one that found the round's budget spent.
    assert step.continued_with["llm_usage"] == {"calls": 3, "prompt_tokens": 360, "completion_tokens": 90,
                                                "seconds": 1.5, "failures": 0}


def test_a_rules_decision_without_usage_leaves_the_total_alone():
    replay = Replay(HANDLE, "c" * 32, new_state(max_depth=1), T0)
    step, _ = drive(replay, replay.run(), T0, tick=timedelta(0), functions=TOOL_HUNGRY)
    assert step.continued_with["llm_usage"]["calls"] == 0
