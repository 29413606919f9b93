"""The debug session's orchestrator and activities. Adapters only: the logic is in shared/."""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from shared import activities, orchestration

bp = df.Blueprint()


@bp.orchestration_trigger(context_name="context")
def debug_session(context: df.DurableOrchestrationContext):  # noqa: ANN201 (a generator the SDK drives)
    return (yield from orchestration.debug_session(context))


@bp.activity_trigger(input_name="payload")
def decide(payload: dict[str, Any]) -> dict[str, Any]:
    return activities.decide(payload)


@bp.activity_trigger(input_name="payload")
def run_tool(payload: dict[str, Any]) -> dict[str, Any]:
    return activities.run_one_tool(payload)
