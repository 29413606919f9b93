"""devhost sends the long-timer settings the Durable extension sends with the Azure Storage backend, so an
orchestrator timer beyond 6 days takes the SDK's long-timer path locally as it does on Azure."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from azure.durable_functions.models.DurableOrchestrationContext import DurableOrchestrationContext

from devhost import history as h
from devhost.replay import build_context
from devhost.store import InstanceRecord

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _context(record: InstanceRecord) -> DurableOrchestrationContext:
    return DurableOrchestrationContext.from_json(build_context(record))


def test_the_sdk_reads_the_extension_s_timer_limits_from_devhost():
    record = InstanceRecord(instance_id="i1", name="orchestrator", execution_id="e1", input=json.dumps(None))
    record.history = [h.orchestrator_started(T0), h.execution_started("orchestrator", "i1", "e1", None, None)]
    context = _context(record)
    assert context._maximum_short_timer_duration == timedelta(days=6)
    assert context._long_timer_interval_duration == timedelta(days=3)
    # A 7-day timer is a long timer (the SDK splits it); a 5-day one is not.
    week = context.create_timer(T0 + timedelta(days=7))
    assert type(week).__name__ == "LongTimerTask"
    assert type(context.create_timer(T0 + timedelta(days=5))).__name__ != "LongTimerTask"
