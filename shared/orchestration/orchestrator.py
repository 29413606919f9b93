"""The debug session orchestrator: rounds, limits, waits for the client. Deterministic by rule.

Time comes only from `context.current_utc_datetime`; all I/O is in the `decide` and `run_tool`
activities. Each round is one execution: when a round ends without a conclusion, or the session
needs the client, the state is carried into a fresh execution with `continue_as_new`, so history
stays bounded however long the session lives. A waiting execution starts by waiting: the client
sees `request` or a paused `continue` only once the orchestrator really listens for its answer."""

from __future__ import annotations

import json
import logging
from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

import azure.durable_functions as df

from shared import telemetry
from shared.models import Envelope, Report, SimilarCase, Verification
from shared.orchestration import envelope
from shared.session.material import apply_delta
from shared.session.report import partial_report
from shared.session.state import (
    CREDENTIALS_RENEWED,
    AskClient,
    Conclude,
    DecisionEnvelope,
    Evidence,
    ExecutionRef,
    GiveUp,
    MaterialDelta,
    RunTool,
    SessionState,
    StepInput,
    Waiting,
)

CLIENT_EVENT = "client_input"
DECIDE_ACTIVITY = "decide"
RUN_TOOL_ACTIVITY = "run_tool"
REMEMBER_ACTIVITY = "remember_case"
VERIFY_ACTIVITY = "verify_case"

Orchestration = Generator[Any, Any, Any]


def debug_session(context: df.DurableOrchestrationContext) -> Orchestration:
    state = SessionState.model_validate(_as_dict(context.get_input()))
    if state.waiting is not None:
        resumed = yield from _wait_for_client(context, state)
        if not resumed:
            return _finish(context, state, envelope.failed(
                state, "expired", "The session expired while waiting for the client.", partial_report(state)))
        # The round runs in an execution of its own, whose input holds the answer: the activities read the
        # material from the execution's input (StepInput), so it must not change within an execution.
        _carry_on(context, state)
        return None
    return (yield from _run_round(context, state))


def _wait_for_client(context: df.DurableOrchestrationContext, state: SessionState) -> Orchestration:
    assert state.waiting is not None
    if state.waiting.kind == "request" and state.waiting.request is not None:
        waiting_envelope = envelope.asking(state, state.waiting.request)
    else:
        waiting_envelope = envelope.paused(state)
    _publish(context, state, waiting_envelope)
    expiry = context.create_timer(context.current_utc_datetime + timedelta(seconds=state.ttl_seconds))
    while True:
        event = context.wait_for_external_event(CLIENT_EVENT)
        winner = yield context.task_any([event, expiry])
        if winner == expiry:
            return False
        delta = MaterialDelta.model_validate(_as_dict(event.result))
        if delta.turn == state.turn:  # an answer to an older turn (a duplicate continue) is dropped
            break
    expiry.cancel()
    _resume(state, delta)
    return True


def _resume(state: SessionState, delta: MaterialDelta) -> None:
    apply_delta(state.material, delta)
    state.redaction_numbers.update(delta.redaction_numbers)  # placeholders stay numbered alike next turn
    said = [f"answered: {delta.answer[:300]}"] if delta.answer else []
    said += [f"sent {', '.join(f.path for f in delta.files[:10])}"] if delta.files else []
    renewed = delta.delegation is not None
    if renewed:  # calls refused for want of rights before this may be made again (analyzers/ledger.py)
        state.delegation = delta.delegation
        said.append("sent a fresh Azure token")
    if said:  # analyzers re-read the material after each client entry, so only new material makes one
        state.add_evidence(Evidence(tool="client", status="success", summary="; ".join(said),
                                    data={CREDENTIALS_RENEWED: True} if renewed else {}))
    state.turn += 1
    state.round += 1
    state.round_steps = 0
    state.waiting = None


def _run_round(context: df.DurableOrchestrationContext, state: SessionState) -> Orchestration:
    round_started = context.current_utc_datetime
    state.round_started_at = round_started.isoformat()
    execution = ExecutionRef(instance_id=context.instance_id, round=state.round, turn=state.turn, steps=state.steps)
    added: list[Evidence] = []  # the evidence this execution adds: the activities get it beside the reference
    _publish(context, state, envelope.working(state, f"Round {state.round}: investigating."))
    while True:
        elapsed = (context.current_utc_datetime - round_started).total_seconds()
        spent = state.round_steps >= state.options.max_depth or elapsed >= state.options.time_limit_seconds
        try:
            # Asked even when the budget is spent: the budget bounds steps, and a conclusion (or a
            # question for the client) from what is already known costs none.
            raw = yield context.call_activity(DECIDE_ACTIVITY, _step_input(state, execution, added))
            decided = DecisionEnvelope.model_validate(_as_dict(raw))
            state.record_usage(decided.usage)  # budgets are read from the state by the engine
            decision = decided.decision
            if isinstance(decision, RunTool):
                looping = _repeats(decision, added)
                if spent or looping:  # a call this round already made (or an A-B-A-B cycle) learns nothing new
                    _round_over(context, state, round_started, "loop" if looping else "budget")
                    return _end_round(context, state)
                yield from _run_tool(context, state, decision, execution, added)
                continue
        except Exception as exc:  # an activity failure must end the session, never leave it running
            if not context.is_replaying:
                # The type only: exception texts can quote session material.
                logging.error("debug_session %s: step failed with %s", state.trace_id, type(exc).__name__)
            _round_over(context, state, round_started, "error")
            return _finish(context, state, envelope.failed(
                state, "error", "The investigation stopped on an internal error.", partial_report(state)))
        _round_over(context, state, round_started, decision.kind)
        if isinstance(decision, AskClient):
            return _ask(context, state, decision)
        if isinstance(decision, Conclude):
            azure_reads = yield from _remember(context, state, execution, added, decision.report)
            if state.verify_after_seconds > 0 and state.azure_access and azure_reads:
                yield from _verify(context, state, execution, added, decision)
            return _finish(context, state, envelope.done(state, decision.message, decision.report))
        assert isinstance(decision, GiveUp)
        return _finish(context, state, envelope.failed(state, decision.reason, decision.message, decision.report))


def _remember(context: df.DurableOrchestrationContext, state: SessionState, execution: ExecutionRef,
              added: list[Evidence], report: Report) -> Orchestration:
    """Count the conclusion in the case memory and add what past sessions of its kind concluded to the report,
    the fixes that worked more often first (memory orders and informs; it never changes the confidence).
    Returns how many Azure reads the conclusion rests on (what a verification can read again)."""
    try:
        raw = yield context.call_activity(REMEMBER_ACTIVITY, {"step": _step_input(state, execution, added),
                                                              "report": report.model_dump(mode="json")})
    except Exception:  # the memory is an aid: without it the answer is the same
        return 0
    remembered = _as_dict(raw)
    hint = state.memory_hint
    if hint is not None and hint.decisive:
        report.checked.append(f"case memory: {hint.agreeing} past session(s) of this problem whose fix worked were "
                              f"settled by {hint.decisive.partition(':')[2]}; that check ran first")
    similar = [SimilarCase.model_validate(c) for c in (remembered.get("similar_cases") or [])]
    if similar:
        report.similar_cases = sorted(similar, key=lambda c: c.not_fixed - c.fixed)
        failing = [c for c in report.similar_cases if c.fix_fails_more_often]
        if failing:
            report.checked.append(f"case memory: {len(failing)} similar past case(s) report their fix failed more "
                                  "often than it worked; those are listed last")
    return int(remembered.get("azure_reads") or 0)


def _verify(context: df.DurableOrchestrationContext, state: SessionState, execution: ExecutionRef,
            added: list[Evidence], decision: Conclude) -> Orchestration:
    """Publish `done` with the verification pending, wait (a durable timer; DELETE terminates it), then re-read
    Azure and record whether the cause is gone. One timer and one activity: history stays bounded."""
    report = decision.report
    at = context.current_utc_datetime + timedelta(seconds=state.verify_after_seconds)
    check = "re-reading in Azure what this conclusion rests on, and whether it still shows the same cause"
    report.verification = Verification(state="pending", check=check, at=at.isoformat())
    _publish(context, state, envelope.done(state, decision.message, report))
    yield context.create_timer(at)
    payload = {"step": _step_input(state, execution, added), "report": report.model_dump(mode="json"),
               "delegation": _delegation(state)}
    try:
        raw = yield context.call_activity(VERIFY_ACTIVITY, payload)
        report.verification = Verification.model_validate(_as_dict(raw))
    except Exception:  # a failed re-check is not a verdict
        report.verification = Verification(state="not_checkable", check=check,
                                           at=context.current_utc_datetime.isoformat())


def _round_over(context: df.DurableOrchestrationContext, state: SessionState, started: datetime,
                outcome: str) -> None:
    """Draw the round's span once, in the episode that ends it (orchestration time; never on replay)."""
    if not context.is_replaying:
        telemetry.record_round(state, started, context.current_utc_datetime, outcome)


def _repeats(decision: RunTool, added: list[Evidence]) -> bool:
    """Whether this round already ran this call (the evidence records the arguments with defaults filled in)."""
    return any(e.tool == decision.tool and all(e.arguments.get(k) == v for k, v in decision.arguments.items())
               for e in added)


def _delegation(state: SessionState) -> dict[str, Any] | None:
    """The caller's sealed token for an activity: ciphertext only, bound to the trace_id (shared/azure/delegation.py);
    None with the app's identity."""
    return {"trace_id": state.trace_id, "sealed": state.delegation} if state.delegation is not None else None


def _step_input(state: SessionState, execution: ExecutionRef, added: list[Evidence]) -> dict[str, Any]:
    return StepInput(execution=execution, added=added, steps=state.steps, round_steps=state.round_steps,
                     progress=state.progress, llm_usage=state.llm_usage).model_dump(mode="json")


def _run_tool(context: df.DurableOrchestrationContext, state: SessionState, decision: RunTool,
              execution: ExecutionRef, added: list[Evidence]) -> Orchestration:
    # The material is the execution input's; `session` is ids only (the tool's span joins the session's trace).
    payload: dict[str, Any] = {"tool": decision.tool, "arguments": decision.arguments,
                               "execution": execution.model_dump(mode="json"), "session": telemetry.session_ref(state)}
    if state.delegation is not None:
        payload["delegation"] = _delegation(state)
    raw = yield context.call_activity(RUN_TOOL_ACTIVITY, payload)
    evidence = Evidence.model_validate(_as_dict(raw))
    state.add_evidence(evidence)
    added.append(evidence)
    state.steps += 1
    state.round_steps += 1
    envelope.advance_progress(state)
    purpose = decision.purpose or decision.tool
    _publish(context, state, envelope.working(state, f"Round {state.round}, step {state.steps}: {purpose}."))


def _ask(context: df.DurableOrchestrationContext, state: SessionState, decision: AskClient) -> Any:
    if state.round >= state.options.max_rounds:
        report = partial_report(state)
        report.checked.append(f"still needed from the client: {decision.request.question}")
        return _finish(context, state, envelope.failed(
            state, "exhausted", "The session reached max_rounds and still needs information from the client.",
            report))
    state.requests_asked.append(decision.request)
    state.waiting = Waiting(kind="request", request=decision.request)
    _carry_on(context, state)
    return None


def _end_round(context: df.DurableOrchestrationContext, state: SessionState) -> Any:
    if state.round >= state.options.max_rounds:
        return _finish(context, state, envelope.failed(
            state, "exhausted", f"No root cause within {state.options.max_rounds} rounds.", partial_report(state)))
    if state.options.auto_continue:
        state.round += 1
        state.round_steps = 0
    else:
        state.waiting = Waiting(kind="paused")
    _carry_on(context, state)
    return None


def _carry_on(context: df.DurableOrchestrationContext, state: SessionState) -> None:
    # Clients keep seeing "working" until the next execution publishes the waiting state.
    _publish(context, state, envelope.working(state, f"Round {state.round}: preparing the next step."))
    state.round_started_at = None  # the next execution starts its own round (or waits for the client)
    context.continue_as_new(state.model_dump(mode="json"))


def _finish(context: df.DurableOrchestrationContext, state: SessionState, final: Envelope) -> dict:
    status = _publish(context, state, final)
    if not context.is_replaying:  # in-process counters only, once: the final episode is not replayed
        telemetry.record_session_finished(final, state.started_at, context.current_utc_datetime)
    return status["envelope"]


def _publish(context: df.DurableOrchestrationContext, state: SessionState, current: Envelope) -> dict:
    poll = {"nonce": state.poll_nonce, "exp": state.poll_expires_at} if state.poll_nonce else None
    current.budget = envelope.budget_of(state, current.status, context.current_utc_datetime)
    status = envelope.custom_status(current, state.turn, poll)
    context.set_custom_status(status)
    return status


def _as_dict(value: Any) -> dict:
    # Inputs and results arrive as dicts, or as JSON text when a client encoded them twice.
    while isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    return value
