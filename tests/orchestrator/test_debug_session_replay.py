"""The debug_session orchestrator stepped through the SDK's real replay engine with synthesized history.

Activities are the app's real ones called in-process; the test controls time, timers and events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from function_app import app
from shared.models import Report, StartRequest
from shared.orchestration import activities
from shared.session.material import material_from_start
from shared.session.state import DecisionEnvelope, Evidence, MaterialDelta, RunTool, SessionState, StepInput
from tests.helpers.engine_loop import load_scenarios
from tests.helpers.replay import ACTIVITY, CONTINUE_AS_NEW, TIMER, WAIT_EVENT, Replay, Step

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SCENARIOS = {s["id"]: s for s in load_scenarios()}
FIREWALL = SCENARIOS["storage-firewall-no-azure-access"]
HANDLE = next(f for f in app.get_functions() if f.get_function_name() == "debug_session").get_user_function()


def real_activities(replay: Replay) -> dict:
    """The app's real activities, reading the execution's input as the deployed ones read it from the instance."""
    base = SessionState.model_validate(replay.input_value)
    return {"decide": lambda payload: activities.decide_state(StepInput.model_validate(payload).state_from(base)),
            "run_tool": lambda payload: activities.run_one_tool(payload, base.material),
            "remember_case": lambda payload: activities.remember_case(
                StepInput.model_validate(payload["step"]).state_from(base), Report.model_validate(payload["report"]))}


def _always_another_tool(payload: dict) -> dict:
    """A scripted engine that never settles: each decision is one more tool run."""
    steps = payload["steps"]
    decision = RunTool(tool="get_requirement_status", arguments={"module": f"m{steps}"}, purpose="scripted")
    return DecisionEnvelope(decision=decision).model_dump(mode="json")


def _scripted_evidence(payload: dict) -> dict:
    return Evidence(tool=payload["tool"], arguments=payload["arguments"], status="success",
                    summary="scripted").model_dump(mode="json")


TOOL_HUNGRY = {"decide": _always_another_tool, "run_tool": _scripted_evidence}


def new_state(scenario: dict = FIREWALL, ttl: int = 600, **options: Any) -> dict:
    request = StartRequest.model_validate({**scenario["request"], "options": options})
    return SessionState(trace_id="c" * 32, options=request.options, ttl_seconds=ttl,
                        material=material_from_start(request)).model_dump(mode="json")


def activities_of(step: Step) -> list[tuple[int, dict]]:
    return [(i, a) for i, a in step.new_actions if a["actionType"] == ACTIVITY and i is not None]


def drive(replay: Replay, step: Step, clock: datetime, tick: timedelta = timedelta(seconds=1),
          functions: dict | None = None) -> tuple[Step, datetime]:
    """Complete activities (the app's real ones unless scripted) until the episode waits or ends."""
    functions = functions or real_activities(replay)
    while not step.done and (pending := activities_of(step)):
        task_id, action = pending[0]
        clock += tick
        step = replay.complete(task_id, functions[action["functionName"]](_input(action)), clock)
    return step, clock


def _input(action: dict) -> Any:
    import json

    value = json.loads(action["input"])
    return json.loads(value) if isinstance(value, str) else value


def envelope_of(step: Step) -> dict:
    return step.custom_status["envelope"]


def test_first_round_runs_a_tool_then_continues_as_new_waiting_for_the_answer():
    replay = Replay(HANDLE, "c" * 32, new_state(), T0)
    step, _ = drive(replay, replay.run(), T0)
    assert step.done and step.output is None
    assert [a["functionName"] for a in replay.seen if a["actionType"] == ACTIVITY] == ["decide", "run_tool", "decide"]
    carried = step.continued_with
    assert carried["waiting"]["kind"] == "request"
    assert "networkRuleSet" in carried["waiting"]["request"]["question"]
    assert (carried["steps"], carried["round"], carried["turn"]) == (1, 1, 0)
    # Until the next execution listens, clients see "working", never a request nobody waits for.
    assert (envelope_of(step)["status"], envelope_of(step)["next_action"]) == ("continue", "poll")


def test_a_waiting_execution_races_the_answer_against_the_ttl_and_cancels_the_timer():
    waiting = _waiting_state()
    replay = Replay(HANDLE, "c" * 32, waiting, T0)
    step = replay.run()
    kinds = sorted(a["actionType"] for _, a in step.new_actions)
    assert kinds == [TIMER, WAIT_EVENT]
    timer_id, timer = next((i, a) for i, a in step.new_actions if a["actionType"] == TIMER)
    assert timer["fireAt"].startswith((T0 + timedelta(seconds=600)).strftime("%Y-%m-%dT%H:%M:%S"))
    assert envelope_of(step)["status"] == "request"

    answer = MaterialDelta(turn=0, answer=FIREWALL["client"][0]["answer"]).model_dump(mode="json")
    step = replay.raise_event("client_input", answer, T0 + timedelta(seconds=30))
    assert next(a for a in replay.seen if a["actionType"] == TIMER)["isCanceled"] is True
    # The answer goes into the next execution's input (the activities read the material from there) ...
    assert step.continued_with["waiting"] is None and step.continued_with["material"]["answers"]
    assert envelope_of(step)["status"] == "continue"
    # ... which runs the round.
    replay = Replay(HANDLE, "c" * 32, step.continued_with, T0 + timedelta(seconds=30))
    step, _ = drive(replay, replay.run(), T0 + timedelta(seconds=30))
    assert step.done and step.output["status"] == "done"
    assert step.output["report"]["category"] == "network.storage_firewall"
    assert (step.output["round"], step.output["progress"]) == (2, 100)
    assert timer_id is not None


def test_an_unanswered_request_expires_when_the_timer_fires():
    replay = Replay(HANDLE, "c" * 32, _waiting_state(), T0)
    step = replay.run()
    timer_id = next(i for i, a in step.new_actions if a["actionType"] == TIMER)
    step = replay.fire_timer(timer_id, T0 + timedelta(seconds=600))
    assert step.done
    assert (step.output["status"], step.output["reason"], step.output["progress"]) == ("fail", "expired", 100)
    assert envelope_of(step) == step.output


def test_an_answer_to_an_older_turn_is_ignored_and_the_session_keeps_waiting():
    replay = Replay(HANDLE, "c" * 32, _waiting_state(), T0)
    replay.run()
    stale = MaterialDelta(turn=7, answer="old").model_dump(mode="json")
    step = replay.raise_event("client_input", stale, T0 + timedelta(seconds=5))
    assert not step.done
    assert not activities_of(step)
    assert envelope_of(step)["status"] == "request"


def test_the_round_time_limit_uses_orchestration_time():
    replay = Replay(HANDLE, "c" * 32, new_state(time_limit_seconds=5), T0)
    # Each activity completes 10 s later in orchestration time: after the first step the round is over.
    step, _ = drive(replay, replay.run(), T0, tick=timedelta(seconds=10), functions=TOOL_HUNGRY)
    assert step.continued_with["waiting"]["kind"] == "paused"
    assert step.continued_with["round_steps"] == 1


def test_the_depth_budget_bounds_tool_runs_per_round():
    replay = Replay(HANDLE, "c" * 32, new_state(max_depth=3), T0)
    step, _ = drive(replay, replay.run(), T0, tick=timedelta(0), functions=TOOL_HUNGRY)
    assert [a["functionName"] for a in replay.seen if a["actionType"] == ACTIVITY].count("run_tool") == 3
    assert (step.continued_with["waiting"]["kind"], step.continued_with["round_steps"]) == ("paused", 3)


def test_a_conclusion_needs_no_budget_left():
    # Storage firewall offline: one step finds the account, then the engine asks; max_depth=1 does not stop that.
    replay = Replay(HANDLE, "c" * 32, new_state(max_depth=1), T0)
    step, _ = drive(replay, replay.run(), T0)
    assert step.continued_with["waiting"]["kind"] == "request"


def test_a_spent_round_in_the_last_round_fails_exhausted():
    replay = Replay(HANDLE, "c" * 32, new_state(max_depth=1, max_rounds=1), T0)
    step, _ = drive(replay, replay.run(), T0, functions=TOOL_HUNGRY)
    assert step.done and (step.output["status"], step.output["reason"]) == ("fail", "exhausted")
    assert step.output["report"]["checked"]


def test_auto_continue_carries_on_into_the_next_round_without_waiting():
    replay = Replay(HANDLE, "c" * 32, new_state(max_depth=1, auto_continue=True), T0)
    step, _ = drive(replay, replay.run(), T0, functions=TOOL_HUNGRY)
    assert step.continued_with["waiting"] is None
    assert (step.continued_with["round"], step.continued_with["round_steps"]) == (2, 0)


def test_an_activity_failure_ends_the_session_with_reason_error():
    replay = Replay(HANDLE, "c" * 32, new_state(), T0)
    step = replay.run()
    task_id, _ = activities_of(step)[0]
    step = replay.fail(task_id, "ValueError: boom", T0 + timedelta(seconds=1))
    assert step.done and (step.output["status"], step.output["reason"]) == ("fail", "error")
    assert "boom" not in step.output["message"]


def test_out_of_scope_finishes_in_the_first_execution():
    replay = Replay(HANDLE, "c" * 32, new_state(SCENARIOS["out-of-scope-aws"]), T0)
    step, _ = drive(replay, replay.run(), T0)
    assert step.done and step.output["reason"] == "out_of_scope"
    assert not [a for a in replay.seen if a["actionType"] == CONTINUE_AS_NEW]


@pytest.mark.parametrize("options", [{"max_depth": 1}, {"max_depth": 3}])
def test_progress_published_never_decreases(options):
    replay = Replay(HANDLE, "c" * 32, new_state(**options), T0)
    seen = []
    step = replay.run()
    seen.append(envelope_of(step)["progress"])
    while not step.done:
        task_id, action = activities_of(step)[0]
        step = replay.complete(task_id, real_activities(replay)[action["functionName"]](_input(action)), T0)
        seen.append(envelope_of(step)["progress"])
    assert seen == sorted(seen)


def _waiting_state() -> dict:
    replay = Replay(HANDLE, "c" * 32, new_state(), T0)
    step, _ = drive(replay, replay.run(), T0)
    return step.continued_with


def test_activity_inputs_carry_a_reference_not_the_material_nor_the_earlier_ledger():
    # issue 12.8: a whole state per decide and the material per run_tool made a round's history grow with
    # steps x (material + ledger); the execution's input is stored once, and the activities read it by reference.
    marker = "MATERIAL-MARKER-7f3a"
    scenario = {"request": {"error_description": f"The function fails. {marker}",
                            "context": {"source_files": [{"path": "app.py", "content": f"# {marker}\n" * 200}]}}}
    state = new_state(scenario, max_depth=4)
    state["ledger"] = [Evidence(tool="client", status="success", summary="EARLIER-LEDGER").model_dump(mode="json")]
    replay = Replay(HANDLE, "c" * 32, state, T0)
    drive(replay, replay.run(), T0, functions=TOOL_HUNGRY)
    inputs = [e["Input"] for e in replay.history if e.get("EventType") == 4]
    assert len(inputs) == 9  # 5 decides, 4 tool runs
    assert not [i for i in inputs if marker in i or "EARLIER-LEDGER" in i]
    decides = [StepInput.model_validate(_input({"input": i})) for i in inputs if '"added"' in i]
    assert [len(d.added) for d in decides] == [0, 1, 2, 3, 4]
    assert {d.execution.instance_id for d in decides} == {"c" * 32}


def test_a_step_refuses_another_executions_input():
    base = SessionState.model_validate(new_state())
    step = StepInput(execution={"instance_id": "c" * 32, "round": base.round + 1, "turn": 0, "steps": 0},
                     steps=1, round_steps=1, progress=10)
    with pytest.raises(ValueError, match="another execution"):
        step.state_from(base)
    rebuilt = step.model_copy(update={"execution": step.execution.model_copy(update={"round": base.round})})
    assert rebuilt.state_from(base).steps == 1 and base.steps == 0  # the cached input is never mutated


def test_every_published_envelope_carries_what_is_left_of_the_budget():
    replay = Replay(HANDLE, "c" * 32, new_state(max_depth=3, time_limit_seconds=40, max_rounds=4), T0)
    step = replay.run()
    budgets = [envelope_of(step)["budget"]]
    clock = T0
    while not step.done and step.continued_with is None:
        task_id, action = activities_of(step)[0]
        clock += timedelta(seconds=5)
        step = replay.complete(task_id, TOOL_HUNGRY[action["functionName"]](_input(action)), clock)
        budgets.append(envelope_of(step)["budget"])
    assert budgets[0] == {"steps_left": 3, "seconds_left": 40, "rounds_left": 3}
    # after the first tool run (10 s of orchestration time: a decide and a run_tool)
    assert budgets[2] == {"steps_left": 2, "seconds_left": 30, "rounds_left": 3}
    # the round's budget is spent: the paused envelope offers the next round's
    assert step.continued_with["waiting"]["kind"] == "paused"
    assert envelope_of(step)["budget"]["steps_left"] == 3


def test_a_call_repeated_within_a_round_ends_the_round_instead_of_spending_its_budget():
    def same_call_again(payload: dict) -> dict:
        decision = RunTool(tool="get_requirement_status", arguments={"module": "requests"}, purpose="scripted")
        return DecisionEnvelope(decision=decision).model_dump(mode="json")

    replay = Replay(HANDLE, "c" * 32, new_state(max_depth=10), T0)
    step, _ = drive(replay, replay.run(), T0, functions={**TOOL_HUNGRY, "decide": same_call_again})
    assert step.continued_with["waiting"]["kind"] == "paused"
    assert step.continued_with["round_steps"] == 1  # one run, then the repeat ended the round (not 10 runs)


def test_a_done_session_with_verification_publishes_pending_waits_then_records_the_recheck():
    def concludes(payload: dict) -> dict:
        report = {"category": "network.storage_firewall", "root_cause": "deny", "confidence": "high"}
        return DecisionEnvelope(decision={"kind": "done", "message": "m", "report": report}).model_dump(mode="json")

    rechecks: list[dict] = []
    scripted = {"decide": concludes, "remember_case": lambda payload: {"similar_cases": None, "azure_reads": 2},
                "verify_case": lambda payload: rechecks.append(payload) or {
                    "state": "still_failing", "check": "re-read in Azure: get_resource", "at": "x"}}
    state = {**new_state(), "azure_access": True, "verify_after_seconds": 300}
    replay = Replay(HANDLE, "c" * 32, state, T0)
    step, _ = drive(replay, replay.run(), T0, functions=scripted)
    assert not step.done and envelope_of(step)["status"] == "done"
    pending = envelope_of(step)["report"]["verification"]
    assert pending["state"] == "pending" and pending["at"].startswith("2026-01-05T09:05")
    timer_id = next(i for i, a in step.new_actions if a["actionType"] == TIMER)
    step = replay.fire_timer(timer_id, T0 + timedelta(minutes=5))
    step, _ = drive(replay, step, T0 + timedelta(minutes=5), functions=scripted)
    assert step.done and step.output["report"]["verification"]["state"] == "still_failing"
    assert rechecks and rechecks[0]["report"]["category"] == "network.storage_firewall"


def test_no_verification_without_azure_reads_to_repeat():
    def concludes(payload: dict) -> dict:
        report = {"category": "runtime.code_defect", "root_cause": "bug", "confidence": "medium"}
        return DecisionEnvelope(decision={"kind": "done", "message": "m", "report": report}).model_dump(mode="json")

    scripted = {"decide": concludes, "remember_case": lambda payload: {"similar_cases": None, "azure_reads": 0}}
    replay = Replay(HANDLE, "c" * 32, {**new_state(), "azure_access": True, "verify_after_seconds": 300}, T0)
    step, _ = drive(replay, replay.run(), T0, functions=scripted)
    assert step.done and "verification" not in step.output["report"]
