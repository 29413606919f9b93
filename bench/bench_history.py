"""Benchmark: how many bytes of Durable history one investigation round writes, by material size.

    .venv/bin/python bench/bench_history.py [--steps 20]

The real `debug_session` orchestrator is stepped through azure-functions-durable's replay engine
(tests/helpers/replay.py, the same harness as tests/orchestrator) for one round of `--steps` tool runs, with a
scripted engine that always wants one more tool and tool results of a realistic size (2 KB of data each). Every
activity input and result the orchestrator schedules lands in history, so the round's history size is the sum of
what it passed, besides the execution's input, stored once. Printed per material size: the history bytes of the
round, the bytes of the largest single history event, and the share of the history that is activity inputs.
A script, not a test."""

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
from shared.material import material_from_start  # noqa: E402
from shared.models import StartRequest  # noqa: E402
from shared.session import DecisionEnvelope, Evidence, RunTool, SessionState  # noqa: E402
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
    inputs = sum(len(json.dumps(e.get("Input") or "")) for e in replay.history if e.get("EventType") == 4)
    return sum(events), max(events), inputs, len(json.dumps(state["material"]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    steps = parser.parse_args().steps
    print(f"one round of {steps} tool runs through the real orchestrator (replay engine)")
    print(f"{'material':>10} {'history':>12} {'largest event':>14} {'activity inputs':>16}")
    for kb in (1, 16, 48):
        total, largest, inputs, material = one_round(kb, steps)
        print(f"{material / 1024:8.0f}KB {total / 1024:10.0f}KB {largest / 1024:12.1f}KB {inputs / total:15.0%}")


if __name__ == "__main__":
    main()
