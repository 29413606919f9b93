"""The debug session's orchestrator and activities. Adapters only: the logic is in shared/orchestration/."""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from shared.orchestration import activities, orchestrator
from shared.resilience import breaker

bp = df.Blueprint()


@bp.orchestration_trigger(context_name="context")
def debug_session(context: df.DurableOrchestrationContext):  # noqa: ANN201 (a generator the SDK drives)
    return (yield from orchestrator.debug_session(context))


@bp.activity_trigger(input_name="payload")
@bp.durable_client_input(client_name="client")
async def decide(payload: dict[str, Any], client: df.DurableOrchestrationClient) -> dict[str, Any]:
    # The durable client reads and signals the model endpoint's shared circuit breaker.
    return await activities.decide_shared(payload, client)


@bp.activity_trigger(input_name="payload")
@bp.durable_client_input(client_name="client")
async def run_tool(payload: dict[str, Any], client: df.DurableOrchestrationClient) -> dict[str, Any]:
    # The durable client reads and signals the shared circuit breakers (shared/resilience/breaker_shared.py).
    return await activities.run_one_tool_shared(payload, client)


@bp.activity_trigger(input_name="payload")
@bp.durable_client_input(client_name="client")
async def remember_case(payload: dict[str, Any], client: df.DurableOrchestrationClient) -> dict[str, Any]:
    # The durable client reads the execution's input (the session state) by reference.
    return await activities.remember_case_shared(payload, client)


@bp.activity_trigger(input_name="payload")
@bp.durable_client_input(client_name="client")
async def verify_case(payload: dict[str, Any], client: df.DurableOrchestrationClient) -> dict[str, Any]:
    # The durable client reads the execution's input (the session state) by reference.
    return await activities.verify_case_shared(payload, client)


@bp.entity_trigger(context_name="context")
def circuit_breakers(context: df.DurableEntityContext) -> None:
    state = context.get_state(lambda: None)
    context.set_state(breaker.apply_operation(state, context.operation_name, context.get_input()))
