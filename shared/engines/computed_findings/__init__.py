"""Computed evidence findings (knowledge/evidence_findings.yaml, `computed:`) that one field cannot express:
conditions that compare several fields of a read, a read against the report, or pick the item of a collection the
report names. Each function takes the session and returns the facts of its template, or None. One module per
family of services; COMPUTED maps a finding's id to its function (shared/engines/playbooks.py applies them)."""

from __future__ import annotations

from collections.abc import Callable

from shared.engines.computed_findings import (
    app_service,
    asg_membership,
    containers,
    count_limits,
    data,
    host_id,
    identity,
    inbound,
    integration,
    linked_target_gone,
    log_destinations,
    messaging,
    misspelt_targets,
    network,
    platform,
    scale_ceiling,
    shared_task_hub,
)
from shared.engines.session_reads import Facts
from shared.session.state import SessionState

COMPUTED: dict[str, Callable[[SessionState], Facts]] = {
    **containers.COMPUTED,
    **app_service.COMPUTED,
    **network.COMPUTED,
    **inbound.COMPUTED,
    **data.COMPUTED,
    **messaging.COMPUTED,
    **misspelt_targets.COMPUTED,
    **integration.COMPUTED,
    **identity.COMPUTED,
    **platform.COMPUTED,
    **scale_ceiling.COMPUTED,
    **linked_target_gone.COMPUTED,
    **log_destinations.COMPUTED,
    **asg_membership.COMPUTED,
    **count_limits.COMPUTED,
    **shared_task_hub.COMPUTED,
    **host_id.COMPUTED,
}
