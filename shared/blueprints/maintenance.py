"""Retention: an hourly timer purges finished sessions older than DEBUG_RETENTION_DAYS (default 7).

Sessions keep evidence and reports in Durable history; purging bounds how long that data stays. Only
Completed, Failed and Terminated instances are purged, so a running session is never touched. The setting
is read here rather than in shared.settings: nothing else in the app needs it."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta

import azure.durable_functions as df
import azure.functions as func
from azure.durable_functions.models.OrchestrationRuntimeStatus import OrchestrationRuntimeStatus

bp = df.Blueprint()
log = logging.getLogger(__name__)

SCHEDULE = "0 0 * * * *"  # NCRONTAB, at the top of every hour
DEFAULT_RETENTION_DAYS = 7.0
# The SDK requires a lower bound; no session predates this.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FINISHED = [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed,
            OrchestrationRuntimeStatus.Terminated]


def retention() -> timedelta:
    """DEBUG_RETENTION_DAYS (default 7); DEBUG_RETENTION_SECONDS, when set, wins (tests use seconds)."""
    seconds = os.environ.get("DEBUG_RETENTION_SECONDS", "").strip()
    if seconds:
        return timedelta(seconds=_positive(seconds, "DEBUG_RETENTION_SECONDS"))
    days = os.environ.get("DEBUG_RETENTION_DAYS", "").strip()
    return timedelta(days=_positive(days, "DEBUG_RETENTION_DAYS") if days else DEFAULT_RETENTION_DAYS)


def _positive(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ValueError(f"{name} must be a positive number, got {text!r}")
    return value


@bp.timer_trigger(arg_name="timer", schedule=SCHEDULE, run_on_startup=False, use_monitor=True)
@bp.durable_client_input(client_name="client")
async def purge_finished_sessions(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    """Purge the history of finished instances created before now minus the retention."""
    cutoff = datetime.now(UTC) - retention()
    result = await client.purge_instance_history_by(created_time_from=EARLIEST, created_time_to=cutoff,
                                                    runtime_status=FINISHED)
    log.info("retention: purged %d finished instance(s) created before %s%s", result.instances_deleted,
             cutoff.isoformat(timespec="seconds"), " (past due)" if timer.past_due else "")
