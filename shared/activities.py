"""The session's activities: all the I/O of a debug session happens here, never in the orchestrator.

Activity results are stored in Durable history in plain text, so each is redacted and capped here."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from opentelemetry.trace import StatusCode

from shared import telemetry
from shared.azure.delegation import activity_credential, delegated
from shared.breaker import azure_dependency, azure_outcome
from shared.breaker_shared import adopt_shared, report_shared
from shared.engines.base import get_engine, usage_of
from shared.redaction import redact_value
from shared.session import DecisionEnvelope, Evidence, Material, SessionState
from shared.settings import load_settings
from shared.telemetry.metrics import record_tool_call
from shared.tools.catalog import catalog, run_tool


def decide(payload: dict[str, Any]) -> dict[str, Any]:
    """Ask the configured engine for the session's next step."""
    state = SessionState.model_validate(payload)
    engine_name = load_settings().engine
    with telemetry.step_span(state, engine_name) as span:  # a child of the session's trace
        engine = get_engine(engine_name)
        decision = engine.decide(state)
        span.set_attribute("debug.decision", decision.kind)
        telemetry.record_step(engine_name, decision.kind)
    # The model's usage travels with the decision: the orchestrator sums it into the session's budget.
    return _redacted(DecisionEnvelope(decision=decision, usage=usage_of(engine)).model_dump(mode="json"))


async def decide_shared(payload: dict[str, Any], client: Any) -> dict[str, Any]:
    """decide, with the model endpoint's circuit breaker shared through its entity (engines that call it)."""
    if load_settings().engine == "rules":
        return await asyncio.to_thread(decide, payload)
    shared = await adopt_shared(client, "model")
    result = await asyncio.to_thread(decide, payload)  # the model call blocks; keep it off the event loop
    usage = result.get("usage") or {}
    # Per step, not per call: any failed call in the step counts as one transient failure for the entity.
    if usage.get("failures"):
        await report_shared(client, "model", "transient", shared)
    elif usage.get("calls"):
        await report_shared(client, "model", "success", shared)
    return result


def run_one_tool(payload: dict[str, Any]) -> dict[str, Any]:
    """Run one tool of the catalog; the answer is always Evidence."""
    material = Material.model_validate(payload.get("material") or {"error_description": ""})
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
    name = str(payload.get("tool", ""))
    found = catalog().get(name)
    if found is None or not found.needs_azure:
        return await asyncio.to_thread(run_one_tool, payload)
    dependency = azure_dependency(name)
    shared = await adopt_shared(client, dependency)
    result = await asyncio.to_thread(run_one_tool, payload)  # blocking SDK calls stay off the event loop
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
