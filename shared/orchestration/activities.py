"""The session's activities: all the I/O of a debug session happens here, never in the orchestrator.

Activity results are stored in Durable history in plain text, so each is redacted and capped here. Their inputs
are small: a reference to the orchestration's execution, whose input (the session state when it started) is read
once per activity process from the instance and kept in a bounded cache, plus what changed since (StepInput)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

from cachetools import TTLCache
from opentelemetry.trace import StatusCode

from shared import telemetry
from shared.azure.delegation import activity_credential, delegated
from shared.cases.problem import decisive_of, problem_key
from shared.cases.signature import signature_of
from shared.cases.store import case_memory
from shared.engines.base import Decision, usage_of
from shared.engines.factory import get_engine
from shared.engines.rules import RulesEngine
from shared.models import Report, Verification
from shared.resilience.breaker import azure_dependency, azure_outcome
from shared.resilience.breaker_shared import adopt_shared, report_shared
from shared.resilience.memory_guard import GUARD, register_cache
from shared.security.ownership import session_input
from shared.security.redaction import redact_value
from shared.session.state import (
    Conclude,
    DecisionEnvelope,
    Evidence,
    ExecutionRef,
    Material,
    RunTool,
    SessionState,
    StepInput,
)
from shared.settings import load_settings
from shared.telemetry.metrics import record_case_lookup, record_tool_call, record_verification
from shared.tools.catalog import catalog, run_tool

# Execution inputs by (instance, round, turn, steps): immutable once written, so a cached one is never stale.
_EXECUTION_INPUTS: TTLCache[tuple[str, int, int, int], SessionState] = TTLCache(maxsize=32, ttl=600)
register_cache(_EXECUTION_INPUTS.clear)


async def execution_input(reference: ExecutionRef, client: Any) -> SessionState:
    """The session state an execution started with, read from the instance (its orchestration input)."""
    key = (reference.instance_id, reference.round, reference.turn, reference.steps)
    cached = _EXECUTION_INPUTS.get(key)
    if cached is None:
        status = await client.get_status(reference.instance_id, show_input=True)
        cached = _EXECUTION_INPUTS[key] = SessionState.model_validate(session_input(status))
    return cached


async def step_state(payload: dict[str, Any], client: Any) -> SessionState:
    """The whole state a decide step works on: the execution's input with the step's changes applied. A payload
    without a reference is a whole state (scheduled by a version of the app that passed one)."""
    if "execution" not in payload:
        return SessionState.model_validate(payload)
    step = StepInput.model_validate(payload)
    return step.state_from(await execution_input(step.execution, client))


def decide(payload: dict[str, Any]) -> dict[str, Any]:
    """Ask the configured engine for the next step of a session given whole (in-process callers)."""
    return decide_state(SessionState.model_validate(payload))


def decide_state(state: SessionState) -> dict[str, Any]:
    """Ask the configured engine for the session's next step (the rules engine while the worker sheds load)."""
    engine_name = "rules" if GUARD.shedding else load_settings().engine
    with telemetry.step_span(state, engine_name) as span:  # a child of the session's trace
        engine = get_engine(engine_name)
        decision = engine.decide(state)
        span.set_attribute("debug.decision", decision.kind)
        telemetry.record_step(engine_name, decision.kind)
    # The model's usage travels with the decision: the orchestrator sums it into the session's budget.
    return _redacted(DecisionEnvelope(decision=decision, usage=usage_of(engine)).model_dump(mode="json"))


async def decide_shared(payload: dict[str, Any], client: Any) -> dict[str, Any]:
    """decide, with the model endpoint's circuit breaker shared through its entity (engines that call it)."""
    GUARD.observe()
    state = await step_state(payload, client)
    if load_settings().engine == "rules" or GUARD.shedding:
        return await asyncio.to_thread(decide_state, state)
    shared = await adopt_shared(client, "model")
    result = await asyncio.to_thread(decide_state, state)  # the model call blocks; keep it off the event loop
    usage = result.get("usage") or {}
    # Per step, not per call: any failed call in the step counts as one transient failure for the entity.
    if usage.get("failures"):
        await report_shared(client, "model", "transient", shared)
    elif usage.get("calls"):
        await report_shared(client, "model", "success", shared)
    return result


def remember_case(state: SessionState, report: Report) -> dict[str, Any]:
    """Count the session's conclusion in the case memory and return what past sessions of its kind concluded:
    {"similar_cases": [...]} (None when memory is off, the case has no signature, or the store fails)."""
    azure_reads = len(_azure_reads(state))
    memory = case_memory()
    signature = signature_of(state, report)
    if memory is None or signature is None:
        record_case_lookup("off" if memory is None else "none")
        return {"similar_cases": None, "azure_reads": azure_reads}
    try:
        similar = memory.similar(signature)
        if memory.record(state.trace_id, signature, "concluded"):  # once per session, however often it ends
            problem = problem_key(state.material.error_description)
            if problem is not None:
                memory.record_problem(problem, signature, decisive_of(state, report), state.round_steps)
    except Exception as exc:  # memory is an aid: a store outage must not fail the session's answer
        logging.warning("case memory unavailable: %s", type(exc).__name__)
        record_case_lookup("error")
        return {"similar_cases": None, "azure_reads": azure_reads}
    record_case_lookup("similar" if similar else "none")
    return {"similar_cases": [case.model_dump(mode="json") for case in similar],
            "azure_reads": azure_reads}


def _azure_reads(state: SessionState) -> list[Evidence]:
    """The session's successful Azure reads, newest last (what a verification reads again)."""
    tools = catalog()
    return [e for e in state.ledger if e.tool in tools and tools[e.tool].needs_azure and e.status == "success"]


MAX_VERIFY_READS = 6


def verify_case(state: SessionState, report: Report, delegation: dict[str, Any] | None) -> dict[str, Any]:
    """Read again what the conclusion rests on and decide with the fresh answers: the same cause -> still_failing,
    another or none -> verified; a read that cannot be made (a delegated token expired, access denied) ->
    not_checkable, never a fall-back to the app's identity. Counted in the case memory."""
    now = datetime.now(UTC).isoformat()
    reads = _azure_reads(state)[-MAX_VERIFY_READS:]
    check = "re-read in Azure: " + ", ".join(dict.fromkeys(e.tool for e in reads))
    fresh = [_run_as_caller({"delegation": delegation}, partial(run_tool, e.tool, dict(e.arguments), state.material))
             for e in reads]
    if not reads or any(f.status == "error" for f in fresh):
        refused = next((f.summary for f in fresh if f.status == "error"), "no Azure read to repeat")
        record_verification("not_checkable")
        return Verification(state="not_checkable", check=f"{check} ({refused[:200]})", at=now).model_dump()
    again = state.model_copy(deep=True)
    again.ledger = [e for e in again.ledger if e not in reads] + fresh  # the fresh answers replace the old ones
    decision = _decide_offline(again, delegation)
    same = isinstance(decision, Conclude) and decision.report.category == report.category
    outcome: Literal["verified", "still_failing"] = "still_failing" if same else "verified"
    _count_outcome(state, report, outcome)
    record_verification(outcome)
    return _redacted(Verification(state=outcome, check=check, at=now).model_dump())


def _decide_offline(state: SessionState, delegation: dict[str, Any] | None) -> Decision:
    """The rules engine's decision on `state`, running the few reads it still asks for (bounded)."""
    engine = RulesEngine()
    for _ in range(MAX_VERIFY_READS):
        decision = engine.decide(state)
        if not isinstance(decision, RunTool):
            return decision
        state.add_evidence(_run_as_caller({"delegation": delegation},
                                          partial(run_tool, decision.tool, decision.arguments, state.material)))
    return engine.decide(state)


def _count_outcome(state: SessionState, report: Report, outcome: Literal["verified", "still_failing"]) -> None:
    memory, signature = case_memory(), signature_of(state, report)
    if memory is None or signature is None:
        return
    try:
        memory.record(state.trace_id, signature, outcome)
    except Exception as exc:  # memory is an aid
        logging.warning("case memory unavailable: %s", type(exc).__name__)


async def verify_case_shared(payload: dict[str, Any], client: Any) -> dict[str, Any]:
    """verify_case for a finished session: the state by reference (StepInput), the report, the caller's token."""
    state = await step_state(dict(payload["step"]), client)
    return await asyncio.to_thread(verify_case, state, Report.model_validate(payload["report"]),
                                   payload.get("delegation"))


async def remember_case_shared(payload: dict[str, Any], client: Any) -> dict[str, Any]:
    """remember_case for a finished step: the state by reference (StepInput) and the report it concluded."""
    state = await step_state(dict(payload["step"]), client)
    return await asyncio.to_thread(remember_case, state, Report.model_validate(payload["report"]))


def run_one_tool(payload: dict[str, Any], material: Material | None = None) -> dict[str, Any]:
    """Run one tool of the catalog on the session's material (given, or in the payload); always Evidence."""
    material = material or Material.model_validate(payload.get("material") or {"error_description": ""})
    name = str(payload.get("tool", ""))
    found = catalog().get(name)
    label = name if found else "unknown"  # a name the model made up is its text, not an id
    dependency = "azure" if found and found.needs_azure else "material"
    with telemetry.tool_span(dict(payload.get("session") or {}), label, dependency) as span:
        started = time.monotonic()
        evidence = _run_as_caller(payload, lambda: run_tool(name, dict(payload.get("arguments") or {}), material))
        span.set_attribute("debug.status", evidence.status)
        if evidence.status == "error":
            span.set_status(StatusCode.ERROR)  # no description: the summary can quote material
        record_tool_call(label, dependency, evidence.status, (time.monotonic() - started) * 1000)
    return _redacted(evidence.model_dump(mode="json"))


async def run_one_tool_shared(payload: dict[str, Any], client: Any) -> dict[str, Any]:
    """run_one_tool, with the circuit breaker of an Azure tool's dependency shared through its entity."""
    GUARD.observe()
    name = str(payload.get("tool", ""))
    found = catalog().get(name)
    material = None
    if "execution" in payload:  # the material is the execution input's (see the module docstring)
        material = (await execution_input(ExecutionRef.model_validate(payload["execution"]), client)).material
    if found is None or not found.needs_azure:
        return await asyncio.to_thread(run_one_tool, payload, material)
    dependency = azure_dependency(name)
    shared = await adopt_shared(client, dependency)
    result = await asyncio.to_thread(run_one_tool, payload, material)  # blocking SDK calls stay off the event loop
    await report_shared(client, dependency, azure_outcome(result.get("status", ""), result.get("data") or {}), shared)
    return result


def _run_as_caller(payload: dict[str, Any], work: Callable[[], Evidence]) -> Evidence:
    """Run a tool with the caller's own Azure credential in delegated mode, else with the app's."""
    credential = activity_credential(payload.get("delegation"))
    if credential is None:
        return work()
    with delegated(credential):
        return work()


def _redacted(value: dict[str, Any]) -> dict[str, Any]:
    cleaned = redact_value(value)
    assert isinstance(cleaned, dict)
    return cleaned
