"""The per-caller limits entity (state and arithmetic: shared/security/rate_limit.py)."""

from __future__ import annotations

import azure.durable_functions as df

from shared.security.limits_entity import apply_operation

bp = df.Blueprint()


@bp.entity_trigger(context_name="context")
def caller_limits(context: df.DurableEntityContext) -> None:
    state = context.get_state(lambda: None)
    context.set_state(apply_operation(state, context.operation_name, context.get_input()))
