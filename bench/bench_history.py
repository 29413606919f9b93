"""Benchmark: how many bytes of Durable history one investigation round writes, by material size.

    .venv/bin/python bench/bench_history.py [--steps 20]

The real `debug_session` orchestrator is stepped through azure-functions-durable's replay engine
(tests/helpers/replay.py, the same harness as tests/orchestrator) for one round of `--steps` tool runs, with a
scripted engine that always wants one more tool and tool results of a realistic size (2 KB of data each). Every
activity input and result the orchestrator schedules lands in history, so the round's history size is the sum of
what it passed, besides the execution's input, stored once. Printed per material size, side by side: the round's
history with the protocol before (the whole state to every decide, the material to every run_tool; each input
rebuilt from the same round) and now (a reference to the execution plus what changed). A script, not a test."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from function_app import app  # noqa: E402
from shared.models import StartRequest  # noqa: E402
from shared.session.material import material_from_start  # noqa: E402
from shared.session.state import DecisionEnvelope, Evidence, RunTool, SessionState, StepInput  # noqa: E402
from tests.helpers.replay import ACTIVITY, Replay  # noqa: E402

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HANDLE = next(f for f in app.get_functions() if f.get_function_name() == "debug_session").get_user_function()


def _decide(payload: dict[str, Any]) -> dict[str, Any]:
    decision = RunTool(tool="get_requirement_status", arguments={"module": f"m{payload['steps']}"}, purpose="bench")
    return DecisionEnvelope(decision=decision).model_dump(mode="json")


def _run_tool(payload: dict[str, Any]) -> dict[str, Any]:
    return Evidence(tool=payload["tool"], arguments=payload["arguments"], status="success", summary="bench " * 40,
                    data={"rows": ["x" * 190] * 10}).model_dump(mode="json")


def _state(material_kb: int, steps: int) -> dict[str, Any]:
    files = [{"path": f"src/module_{i}.py", "content": "value = 'x' * 80\n" * 64} for i in range(material_kb)]
    request = StartRequest.model_validate({"error_description": "The function fails after the release.",
                                           "context": {"source_files": files},
                                           "options": {"max_depth": steps, "auto_continue": False}})
    return SessionState(trace_id="b" * 32, options=request.options, ttl_seconds=600,
                        material=material_from_start(request)).model_dump(mode="json")


def one_round(material_kb: int, steps: int) -> tuple[int, int, int, int]:
    """(history bytes, largest event bytes, activity-input bytes, material bytes) of one round."""
    state = _state(material_kb, steps)
    replay = Replay(HANDLE, "b" * 32, state, T0)
    step, at = replay.run(), T0
    functions = {"decide": _decide, "run_tool": _run_tool}
    while not step.done and step.continued_with is None:
        (task_id, action), = [(i, a) for i, a in step.new_actions if a["actionType"] == ACTIVITY and i is not None]
        at += timedelta(milliseconds=200)
        payload = json.loads(action["input"]) if isinstance(action.get("input"), str) else action.get("input")
        step = replay.complete(task_id, functions[action["functionName"]](payload), at)
    # The execution's own input is stored once (ExecutionStarted); the harness passes it beside the history.
    events = [len(json.dumps(state)), *(len(json.dumps(event)) for event in replay.history)]
    scheduled = [e for e in replay.history if e.get("EventType") == 4]
    inputs = sum(len(json.dumps(e.get("Input") or "")) for e in scheduled)
    # The protocol before (commit 0ec4201), from the same round: the whole state to every decide, the material to
    # every run_tool. Each input is rebuilt from what the new one references, so both columns are one session.
    base = SessionState.model_validate(state)
    old_inputs = sum(len(json.dumps(json.dumps(_old_input(e, base)))) for e in scheduled)
    return sum(events), sum(events) - inputs + old_inputs, inputs, len(json.dumps(state["material"]))


def _old_input(event: dict[str, Any], base: SessionState) -> dict[str, Any]:
    payload = json.loads(event["Input"])
    payload = json.loads(payload) if isinstance(payload, str) else payload
    if event["Name"] == "decide":
        return StepInput.model_validate(payload).state_from(base).model_dump(mode="json")
    return {**payload, "material": base.material.model_dump(mode="json")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    steps = parser.parse_args().steps
    print(f"one round of {steps} tool runs through the real orchestrator (replay engine), history bytes")
    print(f"{'material':>10} {'whole state per step (before)':>30} {'reference + changes (now)':>27}")
    for kb in (1, 16, 48):
        now, before, _, material = one_round(kb, steps)
        print(f"{material / 1024:8.0f}KB {before / 1024:28,.0f}KB {now / 1024:25,.0f}KB")


if __name__ == "__main__":
    main()
